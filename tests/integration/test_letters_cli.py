"""``conseil letters generate`` writes a round's PDF and CSV from a terminal."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from tests.integration.test_tirage_cli import _setup
from tests.letters_support import install_subjects, save_template
from tests.tirage_support import DICE


async def _save(settings: Any, council: int) -> None:
    from service.context import AppContext
    from service.db.engine import bind_engine, make_engine

    db = bind_engine(make_engine(settings))
    db.use_pool = False
    await save_template(AppContext(settings=settings, db=db), None, council)


def test_cli_generates_round_letters(
    test_settings: Any, monkeypatch: Any, tmp_path: Path, capsys: Any
) -> None:
    from service.cli import main

    for k, v in {
        "DATABASE_URL": test_settings.database_url,
        "SECRET_KEY": test_settings.secret_key,
        "CONSEIL_VAR_DIR": str(tmp_path),
    }.items():
        monkeypatch.setenv(k, v)
    install_subjects()
    council, pool = asyncio.run(_setup(test_settings))
    asyncio.run(_save(test_settings, council))
    args = [
        "draw",
        "prepare",
        "--conseil",
        str(council),
        "--vivier",
        str(pool),
        "--sieges",
        "2",
        "--engager",
    ]
    assert main(args) == 0
    draw_id = int(capsys.readouterr().out.split("Tirage n° ")[1].split(" ")[0])
    assert main(["draw", "entropy", str(draw_id), "--alea", DICE, "--classer"]) == 0
    assert main(["draw", "round", str(draw_id)]) == 0
    capsys.readouterr()
    pdf, csv = tmp_path / "lettres.pdf", tmp_path / "adresses.csv"
    # Without a public address, the CLI refuses and explains the setting (issue 13, point 1).
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("ALLOW_LOOPBACK_LINKS", raising=False)
    assert main(["letters", "generate", "--tirage", str(draw_id), "--pdf", str(pdf)]) == 1
    err = capsys.readouterr().err
    assert "PUBLIC_BASE_URL" in err and not pdf.exists()
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://conseil.valmont-sur-loire.fr")
    assert (
        main(
            ["letters", "generate", "--tirage", str(draw_id), "--pdf", str(pdf), "--csv", str(csv)]
        )
        == 0
    )
    out = capsys.readouterr()
    assert "lettres" in out.out and "SHA-256" in out.out
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    text = reader.pages[0].extract_text()
    assert "conseil.valmont-sur-loire.fr" in text.replace("\n", "") and "127.0.0.1" not in text
    rows = csv.read_bytes().decode("utf-8-sig").strip().split("\r\n")
    assert len(reader.pages) == 2 * (len(rows) - 1) > 0
    first = pdf.read_bytes()
    assert main(["letters", "generate", "--tirage", str(draw_id), "--pdf", str(pdf)]) == 0
    assert pdf.read_bytes() == first
    assert (
        main(["letters", "generate", "--tirage", str(draw_id), "--tour", "5", "--pdf", str(pdf)])
        != 0
    )
