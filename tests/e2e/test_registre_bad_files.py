"""Bad spreadsheets over HTTP: each is refused with a French problem+json, the service
still answers after it, and no upload is left under ``var/uploads`` (issue 14, item 1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, bearer, web_login
from tests.sheets_support import BOMB_XLSX_SHEET, ods, ods_cell, ods_row, sheet_xml, xlsx

pytestmark = pytest.mark.anyio

_GOOD = xlsx(sheet_xml([(1, 1, "Nom"), (1, 2, "Prénom"), (2, 1, "Durand")]))
BAD_FILES = {
    "bombe.xlsx": xlsx(BOMB_XLSX_SHEET),
    "bombe.ods": ods(ods_row(ods_cell("Nom") + ods_cell("x", repeat=16384), repeat=1_000_000)),
    "dimension.xlsx": xlsx(sheet_xml([(1, 1, "Nom")], "A1:XFD1048576")),
    "tronque.xlsx": _GOOD[: len(_GOOD) // 2],
}


def _left(ctx: Any) -> list[str]:
    directory = ctx.settings.var_dir / "uploads"
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


@pytest.mark.parametrize("name", sorted(BAD_FILES))
@pytest.mark.parametrize("route", ["/apercu", "/imports"])
async def test_bad_spreadsheet_is_refused_and_the_service_answers(
    client: Any, world: World, ctx: Any, name: str, route: str
) -> None:
    before = _left(ctx)
    r = await client.post(
        f"/api/v1/conseils/{world.ids['council_a']}/registre{route}",
        params={"nom": name}, content=BAD_FILES[name], headers=bearer(world, "lead_a"))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] in ("tableur-trop-grand", "tableur-endommage") and body["field"] == "fichier"
    assert "tableur" in body["detail"].lower() or "feuille" in body["detail"].lower()
    assert (await client.get("/sante")).status_code == 200
    assert _left(ctx) == before
    assert not [n for n in _left(ctx) if n.endswith(".part")]


async def test_bad_spreadsheet_on_the_upload_page(client: Any, world: World, ctx: Any) -> None:
    cid = world.ids["council_a"]
    await web_login(client, world.emails["lead_a"])
    await client.get(f"/conseils/{cid}/registre")
    csrf = client.cookies.get("cc_csrf")
    before = _left(ctx)
    for name, data in BAD_FILES.items():
        r = await client.post(
            f"/conseils/{cid}/registre/depot", params={"_csrf": csrf},
            files={"fichier": (name, data, "application/octet-stream")}, follow_redirects=False)
        if r.status_code == 303:  # kept for the preview, refused when read
            r = await client.get(r.headers["location"])
        assert r.status_code == 422, (name, r.status_code)
        assert "tableur" in r.text.lower()
        assert (await client.get("/sante")).status_code == 200
        assert _left(ctx) == before, name  # nothing kept, no .part left
