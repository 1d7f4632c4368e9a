"""A large CSV register read in two parts at once (service.registre.halves, SQLite
only) stores exactly what one pass stores: same rows, lines, decisions, rejections and
errors, whatever the helper process does."""

from __future__ import annotations

import codecs
import random
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED, World

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def _sqlite_only(test_settings: Any) -> None:
    if not test_settings.is_sqlite:
        pytest.skip("lecture en deux parts : SQLite seulement (PostgreSQL stocke les lignes "
                    "dans son propre processus)")

SAMPLES = SHARED / "data" / "registre-exemple"
HEADER = ("NomdeNaissance;NomDusage;Prenoms;Sexe;DateNaissance;Adresse1;Adresse2;CodePostal;"
          "Commune;BureauVote")


def _actor(world: World) -> Any:
    from service.audit import Actor

    return Actor(world.ids["lead_a"], "lead.a@test.fr")


def _settings(ctx: Any, monkeypatch: Any, min_bytes: int) -> None:
    monkeypatch.setattr(ctx, "settings", ctx.settings.with_(registre_split_min_bytes=min_bytes))


async def _import(ctx: Any, world: World, council: str, path: Path, **opts: Any) -> dict[str, Any]:
    from service.usecases import registre as uc

    return await uc.import_file(ctx, _actor(world), world.ids[council], path, path.name,
                                uc.ImportOptions(**opts))


async def _stored(council_id: int) -> list[tuple[Any, ...]]:
    """The council's rows, comparable across councils: sources by import order, the
    household keys (salted per council) by first appearance, pool keys left out."""
    from service.db.tables_registre import RegisterPerson

    rows = await RegisterPerson.select().where(RegisterPerson.council == council_id).order_by(
        RegisterPerson.id)
    sources = {s: i for i, s in enumerate(sorted({r["source"] for r in rows}))}
    households: dict[str, int] = {}
    out = []
    for r in rows:
        r = dict(r)
        assert len(r.pop("cle_vivier")) == 16
        r.pop("id"), r.pop("council")
        r["source"] = sources[r["source"]]
        if r["doublon_de"]:
            src, line = r["doublon_de"].split(":")
            r["doublon_de"] = f"{sources[int(src)]}:{line}"
        r["foyer"] = households.setdefault(r["foyer"], len(households))
        out.append(tuple(sorted(r.items())))
    return out


def _report(r: dict[str, Any]) -> tuple[Any, ...]:
    return (r["rows_read"], r["imported"], r["rejected"], r["merged"], r["status"],
            r["rapport"], r["rejets"])


def _no_staging_left(ctx: Any) -> None:
    tmp = ctx.settings.var_dir / "tmp"
    assert not tmp.exists() or not any(tmp.iterdir())


async def _both_ways(ctx: Any, world: World, monkeypatch: Any, *files: Path,
                     staged: bool = True, **opts: Any) -> None:
    """Import ``files`` into council A in two parts and into council B in one pass;
    ``staged``: whether the helper's rows are expected to be used."""
    from service.db.tables_registre import RegisterPerson, RegisterSource
    from service.usecases import registre as uc

    moved: list[int] = []
    move = uc._move_staged

    async def counted(*args: Any) -> None:
        moved.append(1)
        await move(*args)

    monkeypatch.setattr(uc, "_move_staged", counted)
    for path in files:
        _settings(ctx, monkeypatch, 0)
        moved.clear()
        split = await _import(ctx, world, "council_a", path, **opts)
        assert moved == ([1] if staged else [])
        _no_staging_left(ctx)
        _settings(ctx, monkeypatch, -1)
        whole = await _import(ctx, world, "council_b", path, **opts)
        assert _report(split) == _report(whole)
    a, b = await _stored(world.ids["council_a"]), await _stored(world.ids["council_b"])
    assert a and a == b
    # On SQLite the rows of one import have consecutive ids, in line order.
    for s in await RegisterSource.select(RegisterSource.id).where(
            RegisterSource.council == world.ids["council_a"]):
        rows = await RegisterPerson.select(RegisterPerson.id, RegisterPerson.line).where(
            RegisterPerson.source == s["id"]).order_by(RegisterPerson.id)
        assert [r["line"] for r in rows] == sorted(r["line"] for r in rows)
        keys = await RegisterPerson.select(RegisterPerson.cle_vivier).where(
            RegisterPerson.source == s["id"])
        assert len({k["cle_vivier"] for k in keys}) == len(keys)


def _person(rng: random.Random, i: int) -> list[str]:
    f = rng.random() < 0.5
    nom = rng.choice(["MARTIN", "DURAND", "PETIT", "ROUX", "LEROY", "MOREAU", "GIRAUD"])
    return [nom, "", rng.choice(["Jeanne", "Anne", "Léa"] if f else ["Paul", "Luc", "Noël"]),
            "F" if f else "M", f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/19{rng.randint(30, 99)}",
            f"{rng.randint(1, 40)} Rue des Tilleuls", f"Bât {rng.choice('ABC')}" if i % 3 else "",
            "37990", "VALMONT", f"01{rng.randint(1, 4):02d}"]


def _write(path: Path, rows: list[str], encoding: str = "cp1252") -> Path:
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode(encoding))
    return path


def _register(tmp_path: Path, n: int = 3000, quoted: bool = False, name: str = "liste.csv",
              seed: int = 7) -> tuple[Path, list[str]]:
    """An electoral-list extract of ``n`` rows, with repeated people (deduplication) and,
    when ``quoted``, cells holding the delimiter and line breaks all along the file."""
    rng = random.Random(seed)
    rows: list[str] = []
    previous: list[str] | None = None
    for i in range(n):
        if previous is not None and i % 97 == 0:
            cells = list(previous)  # the same person again
        else:
            cells = _person(rng, i)
        if quoted and i % 5 == 0:
            cells[6] = f'"Résidence ""Les Lilas""\r\nBât {i % 7}; escalier B"'
        if quoted and i % 11 == 0:
            rows.append("")  # a blank line between rows
        rows.append(";".join(cells))
        previous = cells
    return _write(tmp_path / name, rows), rows


async def test_sample_registers_in_two_parts(ctx: Any, world: World, monkeypatch: Any) -> None:
    # The electoral list first (first import of the council), then the landlord's file
    # (deduplicated against it): both cut in two.
    await _both_ways(ctx, world, monkeypatch, SAMPLES / "liste_electorale.csv",
                     SAMPLES / "bailleur.csv")


async def test_quoted_line_breaks_around_the_cut(ctx: Any, world: World, monkeypatch: Any,
                                                 tmp_path: Path) -> None:
    from service.registre.halves import plan_split
    from service.registre.reader import read_table

    path, _rows = _register(tmp_path, quoted=True)
    with read_table(path) as table:
        split = plan_split(path, table, 0)
        starts = {line for line, _cells in table.rows}
    assert split is not None and split.first_line in starts  # the helper starts on a row
    await _both_ways(ctx, world, monkeypatch, path)


async def test_rejected_row_in_the_second_part(ctx: Any, world: World, monkeypatch: Any,
                                               tmp_path: Path) -> None:
    from domain.errors import InvalidInput
    from service.db.tables_registre import RegisterSource

    _path, rows = _register(tmp_path)
    rows[-10] = rows[-10].replace(rows[-10].split(";")[4], "31/02/1980")
    path = _write(tmp_path / "rejet.csv", rows)
    errors = []
    for council, min_bytes in (("council_a", 0), ("council_b", -1)):
        _settings(ctx, monkeypatch, min_bytes)
        with pytest.raises(InvalidInput) as exc:
            await _import(ctx, world, council, path)
        errors.append((exc.value.detail, [(e.line, e.field, e.code) for e in exc.value.errors]))
        _no_staging_left(ctx)
    assert errors[0] == errors[1] and errors[0][1] == [(len(rows) - 8, "date_naissance",
                                                        "date-impossible")]
    assert await RegisterSource.count() == 0
    # Keeping the valid rows: the helper gives up its part, this process reads it.
    await _both_ways(ctx, world, monkeypatch, path, staged=False, keep_valid=True)


async def test_unreadable_byte_in_the_second_part(ctx: Any, world: World, monkeypatch: Any,
                                                  tmp_path: Path) -> None:
    from domain.errors import InvalidInput
    from service.db.tables_registre import RegisterPerson

    path, _rows = _register(tmp_path)
    data = path.read_bytes()
    at = data.rindex(b"Tilleuls")
    path.write_bytes(data[:at] + b"\x81" + data[at + 1:])  # undefined in Windows-1252
    found = []
    for council, min_bytes in (("council_a", 0), ("council_b", -1)):
        _settings(ctx, monkeypatch, min_bytes)
        with pytest.raises(InvalidInput) as exc:
            await _import(ctx, world, council, path, encoding="cp1252")
        found.append((exc.value.code, exc.value.line, exc.value.detail))
        _no_staging_left(ctx)
    assert found[0] == found[1] and found[0][0] == "encodage-invalide"
    assert found[0][1] == data[:at].count(b"\n") + 1
    assert await RegisterPerson.count() == 0


async def test_staged_rows_that_differ_are_not_used(ctx: Any, world: World, monkeypatch: Any,
                                                    tmp_path: Path) -> None:
    import sqlite3

    from service.registre import halves

    path, _rows = _register(tmp_path)
    wait = halves.Helper.wait

    def tampered(self: halves.Helper) -> halves.Staged | None:
        staged = wait(self)
        assert staged is not None
        with sqlite3.connect(staged.path) as db:  # one value of a sampled row changed
            db.execute("UPDATE lignes SET prenoms = 'Zoé' WHERE rowid = 1")
        return staged

    monkeypatch.setattr(halves.Helper, "wait", tampered)
    await _both_ways(ctx, world, monkeypatch, path, staged=False)


async def test_helper_that_dies(ctx: Any, world: World, monkeypatch: Any,
                                tmp_path: Path) -> None:
    from service.registre import halves

    path, _rows = _register(tmp_path)
    start = halves.Helper.__init__

    def killed(self: halves.Helper, *args: Any) -> None:
        start(self, *args)
        self._proc.kill()

    monkeypatch.setattr(halves.Helper, "__init__", killed)
    await _both_ways(ctx, world, monkeypatch, path, staged=False)


def test_where_files_are_cut(tmp_path: Path) -> None:
    from service.registre.halves import plan_split
    from service.registre.reader import read_table

    path, _rows = _register(tmp_path, n=400)
    with read_table(path) as table:
        assert plan_split(path, table, path.stat().st_size + 1) is None  # small file
        assert plan_split(path, table, -1) is None  # turned off
        split = plan_split(path, table, 0)
    assert split is not None
    data = path.read_bytes()
    # Without quotes, the helper's part starts right after a line break, on its line.
    assert data[split.offset - 2:split.offset] == b"\r\n"
    assert data[:split.offset].count(b"\n") == split.first_line - 1
    assert 0.3 < split.offset / len(data) < 0.5  # the helper takes about 60 %
    # Files the helper cannot start in the middle of: UTF-16, lone carriage returns.
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(codecs.BOM_UTF16_LE + data.decode("cp1252").encode("utf-16-le"))
    mac = tmp_path / "mac.csv"
    mac.write_bytes(data.replace(b"\r\n", b"\r"))
    for other in (utf16, mac):
        with read_table(other) as table:
            assert plan_split(other, table, 0) is None
