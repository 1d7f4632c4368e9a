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


def test_keep_valid_writes_the_rejected_rows_and_missing_sex_is_warned_per_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    header = "Civilité,Nom,Prénom,Date de naissance,Adresse,Code postal,Ville\n"
    rows = []
    for i in range(30):  # no civility: imported, warned per line
        rows.append(f",DURAND{i},Paul,01/02/1980,{i + 1} Rue des Tilleuls,37990,Valmont")
    for i in range(25):  # impossible date: rejected
        rows.append(f"Mme,MARTIN{i},Anne,31/02/1980,{i + 1} Rue des Tilleuls,37990,Valmont")
    rows.append("M.,PETIT,Jean,03/04/1970,50 Rue des Tilleuls,37990,Valmont")
    path = tmp_path / "locataires.csv"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    target = tmp_path / "rejets.csv"
    out = _run(env, "import", "1", str(path), "--type", "bailleur", "--keep-valid", "--quiet",
               "--rejets", str(target))
    assert out.returncode == 0, out.stderr
    assert "25 rejetées" in out.stdout
    assert out.stdout.count("  - ligne ") == 20
    assert "… et 5 autres lignes rejetées." in out.stdout
    assert f"écrites dans {target}" in out.stdout
    csv_text = target.read_text(encoding="utf-8-sig")
    assert len(csv_text.strip().splitlines()) == 26  # header + every rejected row
    assert "MARTIN24" in csv_text
    assert "Avertissement — ligne 2 : sexe inconnu" in out.stderr
    assert out.stderr.count("sexe inconnu (ni sexe ni civilité)") == 20
    assert "… et 10 autres lignes sans sexe connu." in out.stderr


def test_merges_counted_the_same_whichever_file_comes_first(tmp_path: Path) -> None:
    counts = []
    for order in (("liste_electorale.csv", "bailleur.csv"), ("bailleur.csv", "liste_electorale.csv")):
        e = {**os.environ, "CONSEIL_VAR_DIR": str(tmp_path), "SECRET_KEY": "k" * 48,
             "DATABASE_URL": f"sqlite:///{tmp_path / (order[0] + '.sqlite3')}"}
        assert _run(e, "demo").returncode == 0
        for name in order:
            out = _run(e, "import", "1", str(SAMPLES / name), "--quiet")
            assert out.returncode == 0, out.stderr
        counts.append(out.stdout.split(" ; ")[1].split(" personnes déjà connues")[0])
    # The second file finds the same 341 people already known, whichever it is (it used
    # to be 361 one way and 0 the other).
    assert counts == ["341", "341"]


def test_readme_register_commands_work_as_written(tmp_path: Path) -> None:
    """The README's register block, run line by line as a user pastes it (from a
    checkout next to ../shared), against a fresh SQLite database."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("EX=../shared/data/registre-exemple", 1)[1].split("```", 1)[0]
    lines = [ln.split("  #", 1)[0].strip() for ln in block.splitlines()]
    commands = [ln for ln in lines if ln.startswith(".venv/bin/conseil ")]
    assert len(commands) >= 6
    env = {**os.environ, "CONSEIL_VAR_DIR": str(tmp_path), "SECRET_KEY": "k" * 48,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'readme.sqlite3'}",
           "EX": str(SAMPLES)}
    for command in commands:
        args = command.replace("$EX", str(SAMPLES)).split()[1:]
        out = _run(env, *args)
        assert out.returncode == 0, (command, out.stderr)
    # From a checkout beside ../shared (as the README assumes) the block's path is right; a
    # lone clone runs the same commands on the copy under tests/fixtures/shared.
    if (REPO.parent / "shared").is_dir():
        assert (REPO.parent / "shared" / "data" / "registre-exemple" / "bailleur.csv").exists()


def test_cli_speaks_french_even_argparse(env: dict[str, str]) -> None:
    missing = _run(env, "import")
    assert missing.returncode == 2
    assert "utilisation : conseil import" in missing.stderr
    assert "erreur : arguments obligatoires manquants" in missing.stderr
    assert "usage:" not in missing.stderr and "error:" not in missing.stderr
    bad = _run(env, "pool", "build", "1", "--date", "2026-01-01", "--strates", "rien")
    assert "choix invalide" in bad.stderr
    helped = _run(env, "--help")
    assert "afficher cette aide et quitter" in helped.stdout
    assert "show this help" not in helped.stdout
