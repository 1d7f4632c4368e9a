"""The lead's review of the applications: reading them, accepting or refusing one.

Applicants' personal data is read by the lead (MANAGE_APPLICATIONS) and by the draw's
letters through the subject loader, never by auditors."""

from __future__ import annotations

from collections.abc import Sequence

from domain.calls import REFUSAL_GIVES_REASON, ReviewDecision
from domain.errors import InvalidInput, NotFound
from domain.i18n import _
from service import audit
from service.audit import Actor
from service.candidatures.store import (
    KINDS,
    ApplicationRow,
    CandidatureStore,
    Kind,
    StructureApplicationRow,
    VolunteerApplicationRow,
)
from service.context import AppContext

STORE = CandidatureStore()

# The audit trail's subject types of the two kinds of application.
SUBJECT_TYPES: dict[Kind, str] = {"habitant": "candidature", "structure": "candidature_structure"}


def as_kind(kind: str) -> Kind:
    for k in KINDS:
        if k == kind:
            return k
    raise NotFound(_("Candidature introuvable."))


async def list_volunteers(
    council_id: int, status: str | None = None, call_id: int | None = None, store: CandidatureStore = STORE
) -> list[VolunteerApplicationRow]:
    return await store.volunteers(council_id, status, call_id)


async def list_structures(
    council_id: int, status: str | None = None, call_id: int | None = None, store: CandidatureStore = STORE
) -> list[StructureApplicationRow]:
    return await store.structures(council_id, status, call_id)


async def list_applications(
    council_id: int, kind: str, status: str | None = None, call_id: int | None = None
) -> Sequence[ApplicationRow]:
    if as_kind(kind) == "habitant":
        return await list_volunteers(council_id, status, call_id)
    return await list_structures(council_id, status, call_id)


async def get_application(
    kind: str, application_id: int, council_id: int | None = None, store: CandidatureStore = STORE
) -> ApplicationRow:
    row = await store.application(as_kind(kind), application_id)
    if row is None or (council_id is not None and row.council != council_id):
        raise NotFound(_("Candidature introuvable."))
    return row


async def review(
    ctx: AppContext,
    actor: Actor,
    kind: str,
    application_id: int,
    decision: str,
    reason: str,
    version: int,
    council_id: int | None = None,
    store: CandidatureStore = STORE,
) -> ApplicationRow:
    """Accept or reject (a reason is required to reject). Optimistic: two leads reviewing
    the same application at once → the second gets a conflict."""
    reason = (reason or "").strip()
    verdict = REFUSAL_GIVES_REASON.check(ReviewDecision(decision, reason))
    if not verdict.ok:
        code = verdict.code if verdict.code == REFUSAL_GIVES_REASON.code else None
        raise InvalidInput(verdict.message, field=verdict.details["field"], code=code)
    k = as_kind(kind)
    now = ctx.now()
    async with ctx.db.transaction():
        before = await get_application(k, application_id, council_id, store=store)
        await store.record_decision(k, application_id, version, decision, reason, actor.id, now)
        council = await store.council(before.council)
        await audit.record(
            ctx.db,
            actor=actor,
            action=f"candidature.{'acceptation' if decision == 'acceptee' else 'refus'}",
            subject_type=SUBJECT_TYPES[k],
            subject_id=application_id,
            at=now,
            territory_id=council.territory,
            council_id=before.council,
            details={"avant": before.status, "apres": decision},
        )
    return await get_application(k, application_id, store=store)
