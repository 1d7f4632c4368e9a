"""Background task: queue each session's reminder ``rappel_jours`` days before it (once
per person, the stamp written with the mail, so several workers never double it)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from litestar import Litestar

log = logging.getLogger("conseil.formations")
INTERVAL_SECONDS = 600


@contextlib.asynccontextmanager
async def reminders_lifespan(app: Litestar) -> AsyncIterator[None]:
    from service.formations.store import TrainingStore
    from service.formations.usecases.enrolment import send_reminders

    async def loop() -> None:
        while True:
            await asyncio.sleep(INTERVAL_SECONDS)
            ctx = app.state.ctx
            try:
                store = TrainingStore(ctx.db)
                await send_reminders(ctx, store, await store.trainings())
            except Exception:  # keep the loop alive; the next pass retries
                log.exception("rappels de formation : échec de ce passage")

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
