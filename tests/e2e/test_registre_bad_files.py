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


# --- issue 14, item 11: the same oversize body is always a 413 ------------------------


async def _post_chunked(app: Any, path: str, query: str, headers: dict[str, str],
                        body: bytes, size: int = 700) -> tuple[int, dict[str, str], bytes]:
    """POST ``body`` in chunks without Content-Length, straight to the ASGI app (the
    test client reads a streamed body whole)."""
    import json as _json

    chunks = [body[i:i + size] for i in range(0, len(body), size)]
    events = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
              for i, c in enumerate(chunks)]
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": query.encode(), "server": ("testserver.local", 80),
        "client": ("127.0.0.1", 5000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in
                    {**headers, "host": "testserver.local",
                     "transfer-encoding": "chunked"}.items()],
    }

    async def receive() -> dict[str, Any]:
        return events.pop(0) if events else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    head = {k.decode(): v.decode() for k, v in start["headers"]}
    _json.loads(content)  # a problem+json body
    return start["status"], head, content


@pytest.mark.parametrize("how", ["declared", "chunked"])
async def test_oversize_upload_is_413_however_it_is_sent(
    client: Any, app: Any, world: World, ctx: Any, how: str
) -> None:
    import json

    ctx.settings = ctx.settings.with_(upload_max_bytes=4000)
    body = ("Nom;Prenom\n" + "DURAND;Paul\n" * 1000).encode()
    before = _left(ctx)
    path = f"/api/v1/conseils/{world.ids['council_a']}/registre/imports"
    if how == "declared":
        r = await client.post(path, params={"nom": "l.csv"}, headers=bearer(world, "lead_a"),
                              content=body)
        status, ctype, problem = r.status_code, r.headers["content-type"], r.json()
    else:
        status, head, raw = await _post_chunked(app, path, "nom=l.csv",
                                                bearer(world, "lead_a"), body)
        ctype, problem = head["content-type"], json.loads(raw)
    assert status == 413, problem
    assert ctype.startswith("application/problem+json")
    assert problem["code"] == "fichier-trop-volumineux"
    assert _left(ctx) == before


async def test_oversize_page_upload_is_413(client: Any, world: World, ctx: Any) -> None:
    ctx.settings = ctx.settings.with_(upload_max_bytes=4000)
    cid = world.ids["council_a"]
    await web_login(client, world.emails["lead_a"])
    await client.get(f"/conseils/{cid}/registre")
    before = _left(ctx)
    r = await client.post(
        f"/conseils/{cid}/registre/depot", params={"_csrf": client.cookies.get("cc_csrf")},
        files={"fichier": ("l.csv", b"Nom;Prenom\n" + b"DURAND;Paul\n" * 1000, "text/csv")})
    assert r.status_code == 413 and "trop volumineux" in r.text
    assert _left(ctx) == before
