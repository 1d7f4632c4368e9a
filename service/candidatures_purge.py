"""The applicants' retention purge as a task living as long as the app.

Runs ``purge_applications`` at the registers' purge interval
(``REGISTRE_PURGE_INTERVAL_MINUTES``; 0 turns it off): the same retention rule (the
council's ``conservation_jours``) covers people drawn from the lists and people who
applied. Idempotent, so every worker may run it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio

from service.audit import Actor
from service.context import AppContext

log = logging.getLogger("conseil.candidatures.purge")


async def purge_once(ctx: AppContext) -> int:
    from service.usecases.candidatures import purge_applications

    try:
        results = await purge_applications(ctx, Actor.system("purge automatique"))
    except Exception as exc:  # a failed pass must not stop the next ones
        log.error("purge des candidatures en échec : %s", type(exc).__name__)
        return 0
    return sum(r["candidatures_habitants"] + r["candidatures_structures"] for r in results)


@asynccontextmanager
async def purge_lifespan(app: Any) -> AsyncIterator[None]:
    ctx: AppContext = app.state.ctx
    minutes = int(getattr(ctx.settings, "registre_purge_interval_minutes", 0) or 0)
    if minutes <= 0:
        yield
        return

    async def loop() -> None:
        while True:
            await anyio.sleep(minutes * 60.0)
            await purge_once(ctx)

    async with anyio.create_task_group() as tg:
        tg.start_soon(loop)
        try:
            yield
        finally:
            tg.cancel_scope.cancel()
