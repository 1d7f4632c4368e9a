"""``conseil formations …`` from a terminal, and the session reminders (queued once)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import build_world


async def _setup(settings: Any) -> tuple[int, int, int]:
    from service.context import AppContext
    from service.db.engine import bind_engine, make_engine
    from tests.conftest import _truncate
    from tests.e2e.test_formations_api import add_member

    db = bind_engine(make_engine(settings))
    db.use_pool = False
    await _truncate(db)
    from service import audit

    await audit.ensure_head()
    ctx = AppContext(settings=settings, db=db, cheap_hashing=True)
    world = await build_world(ctx)
    member = await add_member(ctx, world.ids["council_a"], "Awa", "Diallo", "F", email="awa@example.org")
    await db.stop()
    return world.ids["territory_a"], world.ids["council_a"], member


def test_cli_programme_enrol_mark_and_print(test_settings: Any, monkeypatch: Any, tmp_path: Path, capsys: Any) -> None:
    from service.cli import main

    for k, v in {"DATABASE_URL": test_settings.database_url, "SECRET_KEY": test_settings.secret_key,
                 "CONSEIL_VAR_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(k, v)
    territory, council, member = asyncio.run(_setup(test_settings))
    day = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    assert main(["formations", "creer", "--territoire", str(territory), "--conseil", str(council), "--titre", "Parler en public"]) == 0
    assert main(["formations", "seance", "1", "--jour", day, "--debut", "09:00", "--fin", "17:00", "--pause", "12:30-13:30",
                 "--lieu", "Salle"]) == 0
    assert main(["formations", "inscrire", "1", "--membre", str(member)]) == 0
    assert main(["formations", "emarger", "1", "--demi-journee", "matin", "--presence", "present"]) == 0
    assert main(["formations", "feuille", "1", "--pdf", str(tmp_path / "f.pdf")]) == 0
    assert len(PdfReader(tmp_path / "f.pdf").pages) == 2
    assert main(["formations", "attestations", "1", "--pdf", str(tmp_path / "a.pdf")]) == 0
    out = capsys.readouterr().out
    assert "Awa Diallo : 3,5\u00a0h" in out and "1 attestation écrite" in out
    assert main(["formations", "lister", "--territoire", str(territory)]) == 0
    assert "[1] Parler en public" in capsys.readouterr().out
    assert main(["formations", "seance", "1", "--jour", day, "--debut", "17:00", "--fin", "09:00", "--lieu", "Salle"]) == 1
    assert "finir après son début" in capsys.readouterr().err


@pytest.mark.anyio
async def test_reminders_are_queued_once_when_due(ctx: Any, clock: Any) -> None:
    from service.audit import Actor
    from service.formations.store import TrainingStore
    from service.formations.usecases import enrolment, schedule
    from service.outbox.usecases.enqueue import list_for_council
    from tests.e2e.test_formations_api import add_member

    world = await build_world(ctx)
    store = TrainingStore(ctx.db)
    f = await schedule.create_training(ctx, Actor.system("t"), store, world.ids["territory_a"], schedule.TrainingInput(
        titre="Parler", conseils=(world.ids["council_a"],), rappel_jours=2))
    start = clock.now + timedelta(days=5)
    s = await schedule.add_session(ctx, Actor.system("t"), store, f.id, schedule.SessionInput(
        debut=start, fin=start + timedelta(hours=2), lieu="Salle"))
    m = await add_member(ctx, world.ids["council_a"], "Awa", "Diallo", "F", email="awa@example.org")
    await enrolment.enrol(ctx, Actor.system("t"), store, s.id, await enrolment.member_participant(m))
    trainings = await store.trainings()
    assert await enrolment.send_reminders(ctx, store, trainings) == 0  # five days before: not yet
    clock.advance(days=3, hours=1)
    assert await enrolment.send_reminders(ctx, store, trainings) == 1
    assert await enrolment.send_reminders(ctx, store, trainings) == 0  # once
    kinds = [mail.kind for mail in await list_for_council(ctx.db, None)]
    assert kinds.count("formation.rappel") == 1
