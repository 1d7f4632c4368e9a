"""``conseil reunions …`` from a terminal: create, agenda, attendance, minutes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.integration.test_tirage_cli import _setup


async def _members_and_convene(settings: Any, council: int, meeting_id: int | None) -> list[int]:
    from datetime import date

    from service.audit import Actor
    from service.context import AppContext
    from service.db.engine import bind_engine, make_engine
    from service.reunions.usecases import meetings
    from tests.reunions_support import add_members

    db = bind_engine(make_engine(settings))
    db.use_pool = False
    if meeting_id is None:
        return await add_members(council, 3)
    await meetings.mark_convened(AppContext(settings=settings, db=db), Actor.system("test"), meeting_id,
                                 sent_on=date(2026, 3, 2))
    return []


def test_cli_meeting_cycle(test_settings: Any, monkeypatch: Any, tmp_path: Path, capsys: Any) -> None:
    from service.cli import main

    for k, v in {"DATABASE_URL": test_settings.database_url, "SECRET_KEY": test_settings.secret_key,
                 "CONSEIL_VAR_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(k, v)
    council, _pool = asyncio.run(_setup(test_settings))
    members = asyncio.run(_members_and_convene(test_settings, council, None))
    assert main(["reunions", "creer", "--conseil", str(council), "--titre", "Plénière", "--debut", "2026-03-12T18:30",
                 "--fin", "2026-03-12T20:30", "--lieu", "Mairie"]) == 0
    out = capsys.readouterr().out
    assert "jeudi 12 mars 2026 à 18" in out
    meeting_id = int(out.split("n° ")[1].split(" ")[0])
    assert main(["reunions", "creer", "--conseil", str(council), "--titre", "X", "--debut", "2026-03-12T20:30",
                 "--fin", "2026-03-12T18:30"]) == 1
    assert "se termine avant de commencer" in capsys.readouterr().err
    assert main(["reunions", "ordre-du-jour", "--reunion", str(meeting_id), "--ajouter", "Budget"]) == 0
    assert main(["reunions", "ordre-du-jour", "--reunion", str(meeting_id)]) == 0
    assert "1. Budget" in capsys.readouterr().out
    asyncio.run(_members_and_convene(test_settings, council, meeting_id))
    for mid in members[:2]:
        assert main(["reunions", "presences", "--reunion", str(meeting_id), "--membre", str(mid),
                     "--presence", "present"]) == 0
    assert main(["reunions", "presences", "--reunion", str(meeting_id), "--clore"]) == 0
    out = capsys.readouterr().out
    assert "Quorum atteint : 2 présents, 2 requis sur 3 membres." in out and "Tenue" in out
    assert main(["reunions", "compte-rendu", "--reunion", str(meeting_id), "--brouillon"]) == 0
    assert "Brouillon" in capsys.readouterr().out
    assert main(["reunions", "lister", "--conseil", str(council)]) == 0
    assert "Plénière" in capsys.readouterr().out
