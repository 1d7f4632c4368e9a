"""The applicants' retention purge, run from the command line (``conseil candidatures
purge``) and by the automatic purge task (service/registre/purge_task.py) with the
registers' and the letters': the same retention rule (the council's
``conservation_jours``) covers people drawn from the lists and people who applied.
Idempotent, so every worker may run it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from domain.calls import local_today
from service import audit
from service.audit import Actor
from service.candidatures.store import CandidatureStore, CouncilFacts
from service.composition.store import CompositionStore
from service.context import AppContext

STORE = CandidatureStore()
log = logging.getLogger("conseil.candidatures.purge")


@dataclass(frozen=True)
class PurgeCount:
    """Per council, the applications removed (or that would be, on a dry run)."""

    conseil: int
    candidatures_habitants: int
    candidatures_structures: int


async def _seated(council_id: int) -> dict[str, set[int]]:
    """Applications that became members, by subject type: they are kept."""
    members = CompositionStore()
    return {t: await members.subject_ids(council_id, t) for t in ("candidature", "structure")}


async def _purge_council(
    ctx: AppContext, actor: Actor, council: CouncilFacts, today: date, dry_run: bool, store: CandidatureStore
) -> PurgeCount | None:
    cutoff = today - timedelta(days=council.retention_days)
    calls = await store.calls_closed_before(council.id, cutoff)
    if not calls:
        return None
    kept = await _seated(council.id)
    volunteers = [i for i in await store.unselected_volunteers_of(calls) if i not in kept["candidature"]]
    structures = [i for i in await store.structures_of(calls) if i not in kept["structure"]]
    if not volunteers and not structures:
        return None
    result = PurgeCount(council.id, len(volunteers), len(structures))
    if dry_run:
        return result
    async with ctx.db.transaction():
        await store.delete_applications(volunteers, structures)
        await audit.record(
            ctx.db,
            actor=actor,
            action="candidatures.purge",
            subject_type="conseil",
            subject_id=council.id,
            at=ctx.now(),
            territory_id=council.territory,
            council_id=council.id,
            details={
                "conseil": council.id,
                "candidatures_habitants": len(volunteers),
                "candidatures_structures": len(structures),
                "avant_le": cutoff.isoformat(),
            },
        )
    return result


async def purge_applications(
    ctx: AppContext,
    actor: Actor,
    council_id: int | None = None,
    *,
    dry_run: bool = False,
    store: CandidatureStore = STORE,
) -> list[PurgeCount]:
    """Delete the applications of people who did not join the council, once the council's
    retention period (``conservation_jours``) has passed since their call closed.

    Kept: applications of members, and of volunteers invited by a draw (their pool key
    stays verifiable in the pool file either way — it holds no personal data). Returns,
    per council with something to purge, the counts removed (or that would be).
    """
    today = local_today(ctx.now())
    results: list[PurgeCount] = []
    for council in await store.councils(council_id):
        result = await _purge_council(ctx, actor, council, today, dry_run, store)
        if result is not None:
            results.append(result)
    return results


async def purge_once(ctx: AppContext) -> int:
    """One automatic pass; returns the number of applications removed."""
    try:
        results = await purge_applications(ctx, Actor.system("purge automatique"))
    except Exception as exc:  # a failed pass must not stop the next ones
        log.error("purge des candidatures en échec : %s", type(exc).__name__)
        return 0
    return sum(r.candidatures_habitants + r.candidatures_structures for r in results)
