"""``conseil draw …`` and ``conseil verify-draw`` run a ceremony and check it from a terminal."""

from __future__ import annotations

import asyncio
import json
import secrets
from pathlib import Path
from typing import Any

from tests.tirage_support import DICE, synthetic_items


async def _setup(settings: Any) -> tuple[int, int]:
    from service import audit
    from service.audit import Actor
    from service.context import AppContext
    from service.db.engine import bind_engine, make_engine
    from service.organisation import usecases as org
    from service.tirage.usecases.pools import create_pool

    db = bind_engine(make_engine(settings))
    db.use_pool = False
    ctx = AppContext(settings=settings, db=db)
    await audit.ensure_head()
    actor = Actor.system("test")
    suffix = secrets.token_hex(3)
    terr = await org.create_territory(
        ctx, actor, org.TerritoryInput(name=f"Territoire CLI {suffix}", departement="37")
    )
    qpv = await org.create_qpv(
        ctx,
        actor,
        terr.id,
        org.QpvInput(code=f"QN037{secrets.randbelow(99):02d}C", name="Quartier CLI"),
    )
    council = await org.create_council(
        ctx, actor, terr.id, org.CouncilInput(name="Conseil CLI", qpv_ids=(qpv.id,))
    )
    pool = await create_pool(
        ctx, actor, council.id, synthetic_items(50, seed=secrets.randbelow(10**6))
    )
    return council.id, pool["id"]


def test_cli_ceremony_export_and_verify(
    test_settings: Any, monkeypatch: Any, tmp_path: Path, capsys: Any
) -> None:
    from service.cli import main

    for k, v in {
        "DATABASE_URL": test_settings.database_url,
        "SECRET_KEY": test_settings.secret_key,
        "CONSEIL_VAR_DIR": str(tmp_path),
    }.items():
        monkeypatch.setenv(k, v)
    council, pool = asyncio.run(_setup(test_settings))
    assert (
        main(
            [
                "draw",
                "prepare",
                "--conseil",
                str(council),
                "--vivier",
                str(pool),
                "--sieges",
                "4",
                "--multiple",
                "2",
                "--engager",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    draw_id = int(out.split("Tirage n° ")[1].split(" ")[0])
    assert main(["draw", "entropy", str(draw_id), "--alea", DICE, "--classer"]) == 0
    assert main(["draw", "entropy", str(draw_id), "--alea", DICE]) == 1  # once, ever
    assert "déjà" in capsys.readouterr().err
    assert main(["draw", "round", str(draw_id)]) == 0
    rec, lst = tmp_path / "registre.json", tmp_path / "liste.tsv"
    assert main(["draw", "export", str(draw_id), "--registre", str(rec), "--liste", str(lst)]) == 0
    assert main(["verify-draw", str(rec), str(lst)]) == 0
    assert main(["verify-draw", "--tirage", str(draw_id)]) == 0
    record = json.loads(rec.read_text(encoding="utf-8"))
    record["ranked"]["F"][0], record["ranked"]["F"][1] = (
        record["ranked"]["F"][1],
        record["ranked"]["F"][0],
    )
    rec.write_text(json.dumps(record), encoding="utf-8")
    assert main(["verify-draw", str(rec), str(lst)]) == 1
    assert main(["verify-draw", str(rec), str(tmp_path / "absent.tsv")]) == 2
