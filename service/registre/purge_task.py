"""The automatic retention purge: a task living as long as the app, running every
``REGISTRE_PURGE_INTERVAL_MINUTES`` (0 turns it off) the passes that remove personal
data once a council's retention period (``conservation_jours``) has passed: the
registers' people never selected, the applications not retained, the generated letters.

Every worker runs it; the purge is idempotent and each council's purge is one
transaction, so two workers purging together remove nothing twice. The first run comes
one interval after start-up, not at start-up (a restart loop must not hammer the base).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio

from service.audit import Actor
from service.context import AppContext

log = logging.getLogger("conseil.registre.purge")

SYSTEM_ACTOR = Actor.system("purge automatique")


async def run_purge_once(ctx: AppContext) -> int:
    """One pass over every council; returns the number of register people removed."""
    from service.candidatures.usecases.purge import purge_once as purge_applications
    from service.courriers.usecases.batches import purge_expired_batches
    from service.registre.usecases.purge import purge

    removed = 0
    try:
        results = await purge(ctx, SYSTEM_ACTOR)
        removed = sum(r["personnes_supprimees"] for r in results)
        if results:
            log.info("purge automatique : %s conseil(s), %s personne(s) supprimée(s)", len(results), removed)
    except Exception as exc:  # a failed pass must not stop the others, nor the next ones
        log.error("purge automatique des registres en échec : %s", type(exc).__name__)
    await purge_applications(ctx)  # logs its own failures
    try:
        batches = await purge_expired_batches(ctx, SYSTEM_ACTOR)
        if batches:
            log.info("purge automatique : %s lot(s) de courriers supprimé(s)", batches)
    except Exception as exc:
        log.error("purge automatique des courriers en échec : %s", type(exc).__name__)
    return removed


async def purge_loop(
    ctx: AppContext,
    interval_seconds: float,
    *,
    sleep: Callable[[float], Awaitable[Any]] = anyio.sleep,
    iterations: int | None = None,
) -> None:
    """Sleep, purge, repeat (``iterations`` bounds the loop for tests)."""
    done = 0
    while iterations is None or done < iterations:
        await sleep(interval_seconds)
        await run_purge_once(ctx)
        done += 1


@asynccontextmanager
async def purge_lifespan(app: Any) -> AsyncIterator[None]:
    ctx: AppContext = app.state.ctx
    minutes = ctx.settings.registre_purge_interval_minutes
    if minutes <= 0:
        yield
        return
    async with anyio.create_task_group() as tg:
        tg.start_soon(purge_loop, ctx, minutes * 60.0)
        try:
            yield
        finally:
            tg.cancel_scope.cancel()
