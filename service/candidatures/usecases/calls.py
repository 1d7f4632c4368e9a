"""Calls for applications: opening one, changing it, reading them, and checking that a call
takes applications today (in Paris time)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from domain.calls import CLOSES_AFTER_OPENING, COLLEGES, CallPeriod, local_today
from domain.errors import FieldError, InvalidState, NotFound
from domain.i18n import _
from service import audit
from service.audit import Actor
from service.candidatures.store import CallRow, CallValues, CandidatureStore
from service.candidatures.usecases.fields import raise_errors
from service.context import AppContext

STORE = CandidatureStore()


@dataclass(frozen=True)
class CallInput:
    college: str
    title: str
    opens_on: date
    closes_on: date
    text: str = ""


def _check_call(data: CallInput) -> CallValues:
    errors: list[FieldError] = []
    if data.college not in COLLEGES:
        errors.append(
            FieldError(
                "college",
                _("Collège inconnu (attendu : habitants ou associations_acteurs)."),
                code="college-inconnu",
            )
        )
    title = " ".join((data.title or "").split())
    if not title:
        errors.append(FieldError("title", _("Le titre est obligatoire."), code="champ-obligatoire"))
    period = CLOSES_AFTER_OPENING.check(CallPeriod(data.opens_on, data.closes_on))
    if not period.ok:
        errors.append(FieldError("closes_on", period.message, code=period.code))
    raise_errors(errors)
    return CallValues(
        college=data.college,
        title=title[:200],
        text=(data.text or "").strip(),
        opens_on=data.opens_on,
        closes_on=data.closes_on,
    )


async def create_call(
    ctx: AppContext, actor: Actor, council_id: int, data: CallInput, store: CandidatureStore = STORE
) -> CallRow:
    values = _check_call(data)
    now = ctx.now()
    async with ctx.db.transaction():
        council = await store.council(council_id)
        call_id = await store.insert_call(council_id, values, actor.id, now)
        await audit.record(
            ctx.db,
            actor=actor,
            action="appel.creation",
            subject_type="appel_candidatures",
            subject_id=call_id,
            at=now,
            territory_id=council.territory,
            council_id=council_id,
            after={k: str(v) for k, v in asdict(values).items()},
            details={
                "college": values.college,
                "opens_on": str(values.opens_on),
                "closes_on": str(values.closes_on),
            },
        )
    return await get_call(call_id, store=store)


async def update_call(
    ctx: AppContext,
    actor: Actor,
    call_id: int,
    data: CallInput,
    version: int,
    council_id: int | None = None,
    store: CandidatureStore = STORE,
) -> CallRow:
    values = _check_call(data)
    now = ctx.now()
    async with ctx.db.transaction():
        before = await get_call(call_id, council_id=council_id, store=store)
        await store.update_call(call_id, version, values)
        council = await store.council(before.council)
        await audit.record(
            ctx.db,
            actor=actor,
            action="appel.modification",
            subject_type="appel_candidatures",
            subject_id=call_id,
            at=now,
            territory_id=council.territory,
            council_id=before.council,
            details={"closes_on": str(values.closes_on)},
        )
    return await get_call(call_id, store=store)


async def get_call(
    call_id: int,
    today: date | None = None,
    council_id: int | None = None,
    store: CandidatureStore = STORE,
) -> CallRow:
    row = await store.call(call_id)
    if row is None or (council_id is not None and row.council != council_id):
        raise NotFound(_("Appel à candidatures introuvable."))
    return row.on(today)


async def list_calls(
    council_id: int, today: date | None = None, store: CandidatureStore = STORE
) -> list[CallRow]:
    return [r.on(today) for r in await store.calls(council_id)]


async def open_call(
    ctx: AppContext, call_id: int, college: str, store: CandidatureStore = STORE
) -> CallRow:
    """The call, if it is of this college and takes applications today."""
    today = local_today(ctx.now())
    call = await get_call(call_id, today, store=store)
    if call.college != college:
        raise NotFound(_("Appel à candidatures introuvable."))
    if today > call.closes_on:
        raise InvalidState(
            _(
                "Cet appel à candidatures est clos depuis le {d} : les candidatures ne sont plus "
                "reçues."
            ).format(d=call.closes_on.strftime("%d/%m/%Y")),
            code="appel-clos",
        )
    if today < call.opens_on:
        raise InvalidState(
            _("Cet appel à candidatures n'ouvre que le {d}.").format(
                d=call.opens_on.strftime("%d/%m/%Y")
            ),
            code="appel-pas-ouvert",
        )
    return call
