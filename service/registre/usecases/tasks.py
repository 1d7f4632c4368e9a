"""Imports started from the pages: their progress kept in ``registre_tache`` so the
status page (any worker) can show it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import anyio

from domain.errors import DomainError
from domain.i18n import _
from service.audit import Actor
from service.context import AppContext
from service.registre.store import RegisterStore
from service.registre.usecases.common import ImportOptions, store_or_default
from service.registre.usecases.imports import import_file

log = logging.getLogger("conseil.registre")

# A task silent for this long died with its worker (restart, crash): say so rather than
# letting the page refresh forever. Reading a file reports progress every second.
TASK_STALE_AFTER = timedelta(minutes=30)


async def start_task(ctx: AppContext, actor: Actor, council_id: int, kind: str | None,
                     file_name: str, store: RegisterStore | None = None) -> int:
    store = store if store is not None else RegisterStore(ctx.db)
    return await store.add_task(council_id, kind or "", file_name[:255], actor.id, ctx.now())


async def update_task(ctx: AppContext, task_id: int, store: RegisterStore | None = None,
                      **values: Any) -> None:
    values["updated_at"] = ctx.now()
    await (store if store is not None else RegisterStore(ctx.db)).update_task(task_id, values)


async def get_task(council_id: int, task_id: int, now: datetime | None = None,
                   store: RegisterStore | None = None) -> dict[str, Any]:
    row = await store_or_default(store).task(council_id, task_id)
    task = asdict(row)
    if (now is not None and row.status == "en-cours"
            and row.updated_at < now - TASK_STALE_AFTER):
        task.update(status="echec", error={"code": "import-interrompu", "detail": _(
            "L'import a été interrompu (redémarrage du service ?) : rien n'a été importé, "
            "déposez le fichier à nouveau.")})
    return task


def _error_of(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, DomainError):
        return {"code": exc.code, "detail": exc.detail, "line": exc.line,
                "errors": [e.as_dict() for e in exc.errors[:200]], "total": len(exc.errors)}
    log.error("import registre en échec : %s", type(exc).__name__)
    return {"code": "erreur-interne", "detail": _("Erreur inattendue : rien n'a été importé.")}


async def run_import_task(ctx: AppContext, actor: Actor, council_id: int, task_id: int,
                          path: Path, file_name: str, options: ImportOptions,
                          digest: str | None = None,
                          on_done: Callable[[], None] | None = None) -> None:
    """Run an import for the pages. Progress is written while the file is read (outside
    the import's transaction); the result or the error at the end."""
    state: dict[str, Any] = {"stage": "lecture", "rows": 0, "written": ("", -1)}

    def progress(stage: str, rows: int) -> None:
        state["stage"], state["rows"] = stage, rows

    async def reporter() -> None:
        while state["stage"] == "lecture":
            await anyio.sleep(1)
            current = (state["stage"], state["rows"])
            if current != state["written"] and state["stage"] == "lecture":
                state["written"] = current
                try:
                    await update_task(ctx, task_id, stage="lecture", rows_done=state["rows"])
                except Exception:  # progress is best effort; the import goes on
                    return

    report: dict[str, Any] | None = None
    failure: Exception | None = None
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(reporter)
            try:
                report = await import_file(ctx, actor, council_id, path, file_name, options,
                                           progress=progress, digest=digest)
            except Exception as exc:  # kept out of the task group's ExceptionGroup
                failure = exc
            finally:
                state["stage"] = "fin"
                tg.cancel_scope.cancel()
        if failure is not None:
            raise failure
        assert report is not None
        await update_task(ctx, task_id, status="termine", stage="termine",
                          rows_done=report["rows_read"], source=report["id"])
    except Exception as exc:
        await update_task(ctx, task_id, status="echec", stage="echec", error=_error_of(exc))
    finally:
        if on_done is not None:
            on_done()

