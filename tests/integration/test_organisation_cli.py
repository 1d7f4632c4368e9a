"""``conseil restaurer`` from a terminal: an archived council comes back, audited; a council
that is not archived is refused with a French message."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.conftest import build_world


async def _archived_council(settings: Any) -> int:
    from service import audit
    from service.audit import Actor
    from service.context import AppContext
    from service.db.engine import bind_engine, make_engine
    from service.organisation.usecases import archive
    from tests.conftest import _truncate

    db = bind_engine(make_engine(settings))
    db.use_pool = False
    await _truncate(db)
    await audit.ensure_head()
    ctx = AppContext(settings=settings, db=db, cheap_hashing=True)
    world = await build_world(ctx)
    council = world.ids["council_a"]
    await archive(ctx, Actor(world.ids["admin"], "admin"), "conseil", council)
    await db.stop()
    return council


async def _state(settings: Any, council: int) -> tuple[bool, list[str]]:
    from service.audit.tables import AuditEvent
    from service.db.engine import bind_engine, make_engine
    from service.organisation.tables import Council

    db = bind_engine(make_engine(settings))
    db.use_pool = False
    await db.start()
    try:
        row = await Council.select(Council.archived_at).where(Council.id == council).first()
        events = await AuditEvent.select(AuditEvent.action, AuditEvent.actor_label).where(
            AuditEvent.action == "conseil.restauration")
        return row is not None and row["archived_at"] is None, [e["actor_label"] for e in events]
    finally:
        await db.stop()


def test_cli_restores_an_archived_council(test_settings: Any, monkeypatch: Any, tmp_path: Path, capsys: Any) -> None:
    from service.cli import main

    for k, v in {"DATABASE_URL": test_settings.database_url, "SECRET_KEY": test_settings.secret_key,
                 "CONSEIL_VAR_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(k, v)
    council = asyncio.run(_archived_council(test_settings))
    capsys.readouterr()
    assert main(["restaurer", "--conseil", str(council)]) == 0
    assert f"conseil n° {council}" in capsys.readouterr().out
    restored, actors = asyncio.run(_state(test_settings, council))
    assert restored and len(actors) == 1 and actors[0].startswith("ligne de commande")
    # Restoring what is not archived is refused in French, and changes nothing.
    assert main(["restaurer", "--conseil", str(council)]) != 0
    assert "archiv" in capsys.readouterr().err
