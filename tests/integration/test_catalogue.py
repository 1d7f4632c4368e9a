"""The message catalogue template (locales/messages.pot) holds every message a person
reads: ``make i18n`` writes it, and this test fails when a message was added or changed
without it (another language starts from that file)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[2]


def _msgids(path: Path) -> set[str]:
    with path.open("rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


def test_the_committed_catalogue_is_current(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-o", str(fresh),
         "--no-location", "--sort-output", "."],
        cwd=REPO, check=True, capture_output=True,
    )
    expected = _msgids(fresh)
    committed = _msgids(REPO / "locales" / "messages.pot")
    assert "Départ enregistré : le siège revient au premier suppléant de la strate." in expected  # a flash message
    assert "Tirages au sort du conseil" in expected  # a council-page link
    missing, stale = sorted(expected - committed), sorted(committed - expected)
    assert not missing and not stale, (
        f"locales/messages.pot is not current: run `make i18n` ({len(missing)} missing, e.g. "
        f"{missing[:3]}; {len(stale)} no longer used, e.g. {stale[:3]})")
