"""``conseil candidatures purge`` from a terminal: counts as JSON, nothing removed on a
dry run."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.conftest import build_world


async def _setup(settings: Any) -> int:
    from service import audit
    from service.context import AppContext
    from service.db.engine import bind_engine, make_engine
    from tests.conftest import _truncate

    db = bind_engine(make_engine(settings))
    db.use_pool = False
    await _truncate(db)
    await audit.ensure_head()
    ctx = AppContext(settings=settings, db=db, cheap_hashing=True)
    world = await build_world(ctx)
    from datetime import date

    from service.candidatures.store import CallValues, CandidatureStore
    from tests.integration.test_candidatures_store import _volunteer

    store = CandidatureStore()
    council = world.ids["council_a"]
    # A call closed years ago: its volunteer is past any retention period.
    old = CallValues("habitants", "Appel 2020", "", date(2020, 1, 1), date(2020, 1, 31))
    call = await store.call(await store.insert_call(council, old, None, ctx.now()))
    assert call is not None
    await store.insert_volunteer(_volunteer(call, "k-old", "Ana", ctx.now()))
    await db.stop()
    return council


def test_cli_purge_dry_run(test_settings: Any, monkeypatch: Any, tmp_path: Path, capsys: Any) -> None:
    from service.cli import main

    for k, v in {"DATABASE_URL": test_settings.database_url, "SECRET_KEY": test_settings.secret_key,
                 "CONSEIL_VAR_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(k, v)
    council = asyncio.run(_setup(test_settings))
    capsys.readouterr()
    assert main(["candidatures", "purge", "--conseil", str(council), "--dry-run"]) == 0
    expected = [{"conseil": council, "candidatures_habitants": 1, "candidatures_structures": 0}]
    assert json.loads(capsys.readouterr().out) == expected
    # A dry run removes nothing: the same count again.
    assert main(["candidatures", "purge", "--conseil", str(council), "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out) == expected
