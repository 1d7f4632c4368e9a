"""CLI parity for a lead scripting a draw (issue 13, item 11), run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, SHARED

SAMPLES = SHARED / "data" / "registre-exemple"
MAIN = "import sys; from service.cli import main; sys.exit(main(sys.argv[1:]))"


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", MAIN, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = {**os.environ, "CONSEIL_VAR_DIR": str(tmp_path), "SECRET_KEY": "k" * 48,
         "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    assert _run(e, "demo").returncode == 0
    return e


def test_letter_template_show_and_set(env: dict[str, str], tmp_path: Path) -> None:
    shown = _run(env, "letters", "template", "show", "--conseil", "1")
    assert shown.returncode == 0, shown.stderr
    wording: dict[str, Any] = json.loads(shown.stdout)
    assert "{rang}" in wording["corps"] and "pas encore enregistré" in shown.stderr
    wording["objet"] = "Vous avez été tiré{e} au sort : répondez-nous"
    wording.update(signataire="Claire Lefèvre", fonction_signataire="Cheffe de projet",
                   telephone="02 47 00 00 00", email="cc@valmont.fr",
                   contact_donnees="dpo@valmont.fr")
    path = tmp_path / "modele.json"
    path.write_text(json.dumps(wording, ensure_ascii=False), encoding="utf-8")
    saved = _run(env, "letters", "template", "set", "--conseil", "1", "--fichier", str(path))
    assert saved.returncode == 0, saved.stderr
    assert "enregistré (version 1)" in saved.stdout
    objet = _run(env, "letters", "template", "show", "--conseil", "1", "--champ", "objet")
    assert objet.stdout.strip() == "Vous avez été tiré{e} au sort : répondez-nous"
    # The page's checks apply: an unknown placeholder is refused, in French, naming it.
    bad = _run(env, "letters", "template", "set", "--conseil", "1",
               "--champ", "objet", "Bonjour {inconnu}")
    assert bad.returncode == 1 and "inconnu" in bad.stderr and "objet" in bad.stderr
