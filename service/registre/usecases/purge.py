"""Retention purge: the personal data of people never selected goes once the council's
retention period (``conservation_jours``) has passed since their file was imported."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import anyio

from domain.registre import deduplicate
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.registre.records import CouncilInfo
from service.registre.store import RegisterStore
from service.registre.usecases.merging import decisions_of, everyone, existing_rows, restate

log = logging.getLogger("conseil.registre")


async def purge(ctx: AppContext, actor: Actor, council_id: int | None = None,
                dry_run: bool = False, store: RegisterStore | None = None
                ) -> list[dict[str, Any]]:
    """Rows are deleted (selected people are kept), the rejected rows kept for download
    and purged exclusion lists are emptied; pools are untouched, so past draws stay
    verifiable. One audit event per council with counts only. Returns one summary per
    council that had something to purge.
    """
    store = store if store is not None else RegisterStore(ctx.db)
    now = ctx.now()
    results = []
    for council in await store.councils(council_id):
        cutoff = now - timedelta(days=council.setting("conservation_jours", 183))
        result = await _purge_council(ctx, store, actor, council, cutoff, dry_run)
        if result is not None:
            results.append(result)
    return results


async def _purge_council(ctx: AppContext, store: RegisterStore, actor: Actor,
                         council: CouncilInfo, cutoff: datetime, dry_run: bool
                         ) -> dict[str, Any] | None:
    cid = council.id
    async with ctx.db.transaction():
        sources = await store.sources_due(cid, cutoff)
        if not sources:
            return None
        ids = [s.id for s in sources]
        deleted = await store.count_of_sources(ids, selected=False)
        spared = await store.count_of_sources(ids, selected=True)
        result = {"council_id": cid, "sources": len(ids), "personnes_supprimees": deleted,
                  "personnes_conservees": spared, "dry_run": dry_run,
                  "date_limite": cutoff.isoformat()}
        if dry_run:
            return result
        now = ctx.now()
        await store.purge_sources(cid, sources, now)
        # The rows left (later imports, people selected) are deduplicated again: those
        # merged into a purged row are one person, not one each.
        existing = await existing_rows(store, cid)
        if existing.entries:
            report = await anyio.to_thread.run_sync(
                deduplicate, everyone(existing, [], "autre"))
            salt = await store.salt(cid)
            await restate(store, existing, await decisions_of(store, cid, 0, report, salt))
        await store.recount(cid)
        await store.delete_tasks_before(cid, cutoff)
        await audit.record(ctx.db, actor=actor, action="registre.purge", subject_type="conseil",
                           subject_id=cid, at=now, territory_id=council.territory,
                           council_id=cid,
                           details={k: v for k, v in result.items()
                                    if k in ("sources", "personnes_supprimees",
                                             "personnes_conservees", "date_limite")})
    log.info("purge registre conseil=%s sources=%s supprimees=%s conservees=%s", cid,
             len(ids), deleted, spared)
    return result
