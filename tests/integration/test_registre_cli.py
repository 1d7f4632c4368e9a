"""``conseil import`` / ``pool build`` / ``purge`` as a user runs them (subprocess, SQLite)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, SHARED

SAMPLES = SHARED / "data" / "registre-exemple"
MAIN = "import sys; from service.cli import main; sys.exit(main(sys.argv[1:]))"


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", MAIN, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_import_pool_and_purge(tmp_path: Path) -> None:
    env = {**os.environ, "CONSEIL_VAR_DIR": str(tmp_path), "SECRET_KEY": "k" * 48,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    assert _run(env, "demo").returncode == 0
    for name in ("perimetre.csv", "liste_electorale.csv"):
        out = _run(env, "import", "1", str(SAMPLES / name))
        assert out.returncode == 0, out.stderr
    assert "3\u202f000 lignes lues, 3\u202f000 importées, 0 rejetée" in out.stdout
    assert "Lecture" in out.stderr and "100%" in out.stderr  # the progress bar
    again = _run(env, "import", "1", str(SAMPLES / "liste_electorale.csv"), "--quiet")
    assert again.returncode == 1 and "déjà été importé" in again.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("NomdeNaissance;Prenoms;Sexe;DateNaissance;Adresse1\n"
                   "DURAND;Paul;M;31/02/1980;5 Rue des Tilleuls\n", encoding="utf-8")
    refused = _run(env, "import", "1", str(bad), "--type", "liste", "--quiet")
    assert refused.returncode == 1 and "ligne 2, date_naissance : date impossible" in refused.stderr
    pool = _run(env, "pool", "build", "1", "--date", "2026-01-01")
    assert pool.returncode == 0 and "Empreinte SHA-256" in pool.stdout, pool.stderr
    purge = _run(env, "purge", "--dry-run")
    assert purge.returncode == 0 and "Rien à purger." in purge.stdout
