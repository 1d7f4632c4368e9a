"""Register import benchmarks: a synthetic electoral-list extract (Windows-1252, ``;``,
CRLF, generated from a fixed seed) imported through the real use case — CSV file →
stored, normalised, deduplicated register with household keys — on SQLite and
PostgreSQL, and the raw ``sqlite3.executemany`` baseline of the same rows.

The timed part starts at the file on disk and ends once the transaction is committed;
generating the file and creating the empty database are not timed (peak RSS covers the
whole subprocess, generation included).
"""

from __future__ import annotations

import asyncio
import csv
import os
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.registry import bench

SEED = 20140221
HEADER = ["NumeroOrdre", "NomdeNaissance", "NomDusage", "Prenoms", "Sexe", "DateNaissance",
          "LieuNaissance", "Adresse1", "Adresse2", "CodePostal", "Commune", "BureauVote"]

_SYLLABES = ["MAR", "TIN", "BER", "NARD", "DU", "BOIS", "LE", "ROY", "FOU", "RNIER", "GIR",
             "AUD", "PET", "IT", "MO", "REAU", "LAM", "BERT", "FAU", "CHER", "BLAN", "CHARD",
             "GUÉ", "RIN", "ROU", "SSEL", "CLÉ", "MENT", "DAV", "ID", "PÉ", "RRIN", "NOË", "L"]
_PRENOMS_F = ["Marie", "Jeanne", "Françoise", "Monique", "Catherine", "Nathalie", "Isabelle",
              "Sylvie", "Anne", "Chloé", "Léa", "Manon", "Inès", "Zoé", "Camille", "Hélène",
              "Aïcha", "Fatima", "Océane", "Maëlys", "Noémie", "Éloïse", "Agnès", "Béatrice"]
_PRENOMS_M = ["Jean", "Pierre", "Michel", "André", "Philippe", "Alain", "Bernard", "Jacques",
              "Éric", "Nicolas", "Lucas", "Hugo", "Théo", "Nathan", "Mohamed", "Karim",
              "François", "Gaël", "Noël", "Loïc", "Jérôme", "Stéphane", "Hervé", "Cédric"]
_TYPES = ["Rue", "Avenue", "Allée", "Boulevard", "Place", "Impasse", "Square", "Chemin"]
_NOMS_VOIE = ["des Tilleuls", "Louise Michel", "de l'Europe", "Colbert", "Jean Jaurès",
              "Victor Hugo", "des Œillets", "Maryse Bastié", "du Général de Gaulle",
              "des Lilas", "Pasteur", "de la République", "Émile Zola", "des Acacias"]
_SUFFIXES = ["", "", "", "", "", "", "", "", "bis", "ter", "B"]


def generate(path: Path, n: int, seed: int = SEED) -> None:
    """An electoral-list extract of ``n`` rows: people grouped in households of 1 to 5 at
    about n/2.2 distinct addresses (flats of buildings, as in a QPV), and about 1 row in
    200 repeated with a different usage name so deduplication has work. Written as it
    is produced (the file is never held in memory)."""
    rng = random.Random(seed)
    surnames = sorted({"".join(rng.choice(_SYLLABES) for _ in range(rng.choice((2, 2, 3))))
                       for _ in range(6000)})
    streets = [f"{t} {v}" for t in _TYPES for v in _NOMS_VOIE]
    with path.open("w", encoding="cp1252", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        w.writerow(HEADER)
        previous: list[str] | None = None
        left, address, family = 0, ("", ""), ""
        for i in range(1, n + 1):
            if previous is not None and rng.random() < 0.005:
                row = list(previous)
                row[0] = str(i)
                row[2] = rng.choice(surnames)
                w.writerow(row)
                previous = None
                continue
            if left == 0:
                left = rng.choice((1, 1, 2, 2, 2, 3, 3, 4, 5))
                suffixe = rng.choice(_SUFFIXES)
                numero = f"{rng.randint(1, 400)}{(' ' + suffixe) if suffixe else ''}"
                flat = rng.random() < 0.6
                street = f"{numero} {rng.choice(streets)}"
                address = (street, f"Bât {rng.choice('ABCDEFGH')} Appt {rng.randint(1, 60)}"
                           if flat else "")
                family = rng.choice(surnames)
            left -= 1
            f = rng.random() < 0.52
            prenom = rng.choice(_PRENOMS_F if f else _PRENOMS_M)
            if rng.random() < 0.3:
                prenom += " " + rng.choice(_PRENOMS_F if f else _PRENOMS_M)
            birth = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1925, 2010)}"
            nom = family if rng.random() < 0.7 else rng.choice(surnames)
            usage = rng.choice(surnames) if f and rng.random() < 0.3 else ""
            row = [str(i), nom, usage, prenom, "F" if f else "M", birth, "VALMONT-SUR-LOIRE",
                   address[0], address[1], "37990", "VALMONT-SUR-LOIRE",
                   f"01{rng.randint(1, 12):02d}"]
            w.writerow(row)
            previous = row


async def _import(settings: Any, path: Path) -> tuple[float, dict[str, Any]]:
    from service.audit import Actor
    from service.cli import open_context, upgrade_database
    from service.organisation import usecases as org
    from service.registre.usecases import imports as imports_uc

    ctx = await open_context(settings)
    try:
        await upgrade_database(ctx)
        actor = Actor.system("banc d'essai")
        t = await org.create_territory(ctx, actor,
                                       org.TerritoryInput(name="Banc", departement="37"))
        q = await org.create_qpv(ctx, actor, t.id, org.QpvInput(code="QN03798M", name="Q"))
        c = await org.create_council(ctx, actor, t.id,
                                     org.CouncilInput(name="Banc d'essai", qpv_ids=(q.id,)))
        t0, cpu0 = time.perf_counter(), time.process_time()
        report = await imports_uc.import_file(ctx, actor, c.id, path, path.name)
        elapsed = time.perf_counter() - t0
        report["cpu_seconds"] = time.process_time() - cpu0
        from service.registre.tables import RegisterPerson

        stored = await RegisterPerson.count()
        households = await RegisterPerson.count().where(RegisterPerson.foyer == "")
        assert stored == report["imported"] and households == 0, (stored, households)
        return elapsed, report
    finally:
        await ctx.db.stop()


def _load() -> str:
    """The machine's load when the run ended, so a slow figure can be read in context."""
    return f"charge moyenne 1 min {os.getloadavg()[0]:.1f}"


def _notes(report: dict[str, Any], engine: str) -> str:
    r = report["rapport"]
    return (f"{engine} : fichier CSV cp1252 → registre stocké, normalisé, dédoublonné, foyers ; "
            f"{report['rows_read']} lignes, {r['personnes']} personnes, "
            f"{r['lignes_fusionnees']} fusionnées, {r['paires_ambigues']} paires ; "
            f"CPU du processus {report['cpu_seconds']:.1f} s ; {_load()}")


def _sqlite_run(n: int) -> tuple[float, int, str]:
    from service.settings import load_settings

    work = Path(tempfile.mkdtemp(prefix="bench-registre-"))
    try:
        csv_path = work / "liste_electorale.csv"
        generate(csv_path, n)
        settings = load_settings({"CONSEIL_VAR_DIR": str(work), "SECRET_KEY": "b" * 48,
                                  "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
                                  "UPLOAD_MAX_BYTES": str(1 << 30)})
        elapsed, report = asyncio.run(_import(settings, csv_path))
        return elapsed, report["rows_read"], _notes(report, "SQLite")
    finally:
        shutil.rmtree(work, ignore_errors=True)


@bench("register.import.100k.sqlite")
def import_100k_sqlite() -> tuple[float, int, str]:
    return _sqlite_run(100_000)


@bench("register.import.1m.sqlite")
def import_1m_sqlite() -> tuple[float, int, str]:
    return _sqlite_run(1_000_000)


@bench("register.import.1m.postgres")
def import_1m_postgres() -> tuple[float, int, str]:
    from service.db.pgadmin import create_scratch_database, drop_database
    from service.settings import load_settings

    admin = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get(
        "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    work = Path(tempfile.mkdtemp(prefix="bench-registre-"))
    database_url, dbname = asyncio.run(create_scratch_database(admin, "bench_registre"))
    try:
        csv_path = work / "liste_electorale.csv"
        generate(csv_path, 1_000_000)
        settings = load_settings({"CONSEIL_VAR_DIR": str(work), "SECRET_KEY": "b" * 48,
                                  "DATABASE_URL": database_url,
                                  "UPLOAD_MAX_BYTES": str(1 << 30)})
        elapsed, report = asyncio.run(_import(settings, csv_path))
        return elapsed, report["rows_read"], _notes(report, "PostgreSQL")
    finally:
        asyncio.run(drop_database(admin, dbname))
        shutil.rmtree(work, ignore_errors=True)


@bench("register.baseline.1m.sqlite")
def baseline_1m_sqlite() -> tuple[float, int, str]:
    """The same file read by ``csv`` and loaded by a bare ``executemany`` (no
    normalisation, deduplication, keys or indexes): the floor an import is compared with."""
    work = Path(tempfile.mkdtemp(prefix="bench-registre-"))
    try:
        csv_path = work / "liste_electorale.csv"
        generate(csv_path, 1_000_000)
        db = sqlite3.connect(work / "baseline.sqlite3")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE brut (" + ", ".join(f'"{h}" TEXT' for h in HEADER) + ")")
        t0, cpu0 = time.perf_counter(), time.process_time()
        with csv_path.open(encoding="cp1252", newline="") as fh:
            rows = csv.reader(fh, delimiter=";")
            next(rows)
            with db:
                db.executemany(f"INSERT INTO brut VALUES ({', '.join('?' * len(HEADER))})", rows)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        n = db.execute("SELECT count(*) FROM brut").fetchone()[0]
        db.close()
        return elapsed, n, ("csv.reader + sqlite3.executemany brut du même fichier (12 colonnes "
                            f"texte, sans index) ; CPU {cpu:.1f} s ; {_load()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_identical(path: Path, n: int, extra: bool = False) -> None:
    """``n`` copies of one elector's row (an export gone wrong); ``extra`` adds one other
    person, so that a second file differs from the first (an identical file is refused
    as already imported)."""
    row = ["1", "DURAND", "", "Paul", "M", "01/01/1970", "TOURS", "3 rue Colbert", "",
           "37990", "VALMONT", "0101"]
    with path.open("w", encoding="cp1252", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        w.writerow(HEADER)
        for _ in range(n):
            w.writerow(row)
        if extra:
            w.writerow(["2", "MARTIN", "", "Jeanne", "F", "12/03/1980", "TOURS",
                        "5 rue Colbert", "", "37990", "VALMONT", "0101"])


async def _import_twice(settings: Any, first: Path, second: Path) -> tuple[float, float]:
    from service.audit import Actor
    from service.cli import open_context, upgrade_database
    from service.organisation import usecases as org
    from service.registre.usecases import imports as imports_uc

    ctx = await open_context(settings)
    try:
        await upgrade_database(ctx)
        actor = Actor.system("banc d'essai")
        t = await org.create_territory(ctx, actor,
                                       org.TerritoryInput(name="Banc", departement="37"))
        q = await org.create_qpv(ctx, actor, t.id, org.QpvInput(code="QN03798M", name="Q"))
        c = await org.create_council(ctx, actor, t.id,
                                     org.CouncilInput(name="Banc d'essai", qpv_ids=(q.id,)))
        times = []
        for path in (first, second):
            t0 = time.perf_counter()
            await imports_uc.import_file(ctx, actor, c.id, path, path.name)
            times.append(time.perf_counter() - t0)
        return times[0], times[1]
    finally:
        await ctx.db.stop()


@bench("register.import.identical.16k")
def import_identical_16k() -> tuple[float, int, str]:
    """16,000 identical rows, then a second file of the same into the same council
    (issue 14: 89 s, then 189–205 s, when the duplicate search was quadratic)."""
    from service.settings import load_settings

    n = 16_000
    work = Path(tempfile.mkdtemp(prefix="bench-registre-"))
    try:
        first, second = work / "identiques.csv", work / "identiques-bis.csv"
        write_identical(first, n)
        write_identical(second, n, extra=True)
        settings = load_settings({"CONSEIL_VAR_DIR": str(work), "SECRET_KEY": "b" * 48,
                                  "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
                                  "UPLOAD_MAX_BYTES": str(1 << 30)})
        one, two = asyncio.run(_import_twice(settings, first, second))
        return one, n, (f"SQLite : {n} lignes identiques importées en {one:.2f} s, puis un "
                        f"second fichier identique (+1 ligne) dans le même conseil en "
                        f"{two:.2f} s ; {_load()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
