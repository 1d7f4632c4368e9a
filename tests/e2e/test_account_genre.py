"""The gender an account says, and the lead's title written with it (issue 13, item 9;
DESIGN.md §7: « cheffe de projet » when the account says so, a neutral form otherwise)."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.conftest import PASSWORD, World, bearer, web_login
from tests.tirage_support import DICE, install_fake_subjects, make_pool

pytestmark = pytest.mark.anyio


async def test_the_api_reads_and_sets_the_accord(client: Any, world: World) -> None:
    h = bearer(world, "lead_a")
    me = (await client.get("/api/v1/moi/", headers=h)).json()
    assert me["genre"] is None
    assert me["roles"][0]["label"] == "Cheffe ou chef de projet politique de la ville"
    r = await client.patch("/api/v1/moi/", json={"genre": "F"}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["genre"] == "F" and r.json()["roles"][0]["label"] == "Cheffe de projet politique de la ville"
    assert (await client.get("/api/v1/moi/", headers=h)).json()["genre"] == "F"
    assert (await client.patch("/api/v1/moi/", json={"genre": "X"}, headers=h)).status_code in (400, 422)
    accounts = (await client.get("/api/v1/comptes", headers=bearer(world, "admin"))).json()
    assert {a["email"]: a["genre"] for a in accounts}[world.emails["lead_a"]] == "F"
    # Said back to nothing: the neutral form again; each change is in the journal.
    r = await client.patch("/api/v1/moi/", json={"genre": None}, headers=h)
    assert r.json()["genre"] is None
    events = (await client.get("/api/v1/journal/", headers=bearer(world, "admin"))).json()
    assert [e["action"] for e in events[:2]] == ["compte.modification", "compte.modification"]


async def test_the_account_page_sets_the_accord(client: Any, world: World) -> None:
    await web_login(client, world.emails["lead_a"])
    page = await client.get("/compte")
    assert "Cheffe ou chef de projet politique de la ville" in page.text and 'name="genre"' in page.text
    page = await client.post("/compte/genre", data={"genre": "M", "_csrf": client.cookies.get("cc_csrf")})
    assert page.status_code == 200 and "Accord de votre fonction enregistré." in page.text
    assert "Chef de projet politique de la ville" in page.text
    assert "Cheffe ou chef" not in page.text
    assert 'id="champ-genre-M" name="genre" value="M" checked' in page.text
    # The dashboard's greeting writes the role the same way as the account page.
    await client.post("/compte/genre", data={"genre": "F", "_csrf": client.cookies.get("cc_csrf")})
    home = await client.get("/")
    assert "Cheffe de projet politique de la ville" in home.text and "Chef de projet" not in home.text
    bad = await client.post("/compte/genre", data={"genre": "Z", "_csrf": client.cookies.get("cc_csrf")})
    assert bad.status_code == 422 and 'id="erreur-genre"' in bad.text


async def test_the_accord_is_chosen_when_accepting_an_invitation(client: Any, world: World) -> None:
    r = await client.post("/api/v1/invitations", headers=bearer(world, "admin"),
                          json={"email": "nouvelle@test.fr", "role": "chef_de_projet", "territory_id": world.ids["territory_a"]})
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    form = await client.get(f"/invitation/{code}")
    assert form.status_code == 200 and 'name="genre"' in form.text
    r = await client.post(f"/invitation/{code}", data={"display_name": "Nadia N.", "password": PASSWORD, "genre": "F",
                                                       "_csrf": client.cookies.get("cc_csrf")})
    assert r.status_code == 200 and "Compte activé" in r.text
    await web_login(client, "nouvelle@test.fr")
    assert "Cheffe de projet politique de la ville" in (await client.get("/compte")).text
    admin_page_accounts = (await client.get("/api/v1/comptes", headers=bearer(world, "admin"))).json()
    assert {a["email"]: a["genre"] for a in admin_page_accounts}["nouvelle@test.fr"] == "F"


async def test_the_minutes_and_the_council_page_write_the_leads_title(client: Any, ctx: Any, world: World) -> None:
    from pypdf import PdfReader

    install_fake_subjects()
    h = bearer(world, "lead_a")
    council = world.ids["council_a"]
    api = f"/api/v1/conseils/{council}/tirages"
    pool = await make_pool(ctx, council, 40)
    d = (await client.post(api + "/", json={"pool_id": pool["id"], "seats": 2, "multiple": 2}, headers=h)).json()
    assert (await client.post(f"{api}/{d['id']}/engagement", headers=h)).status_code == 200
    assert (await client.post(f"{api}/{d['id']}/alea", json={"entropy": DICE}, headers=h)).status_code == 200
    assert (await client.post(f"{api}/{d['id']}/classement", headers=h)).status_code == 200
    pv = f"/conseils/{council}/tirages/{d['id']}/pv.pdf"

    def text(pdf: bytes) -> str:
        return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())

    neutral = text((await client.get(pv, headers=h)).content)
    assert "La cheffe ou le chef de projet" in neutral and "Copie de la cheffe ou du chef de projet" in neutral
    assert (await client.patch("/api/v1/moi/", json={"genre": "F"}, headers=h)).status_code == 200
    feminine = text((await client.get(pv, headers=h)).content)
    assert "La cheffe de projet" in feminine and "Copie de la cheffe de projet" in feminine
    assert "Le chef de projet" not in feminine
    assert (await client.patch("/api/v1/moi/", json={"genre": "M"}, headers=h)).status_code == 200
    masculine = text((await client.get(pv, headers=h)).content)
    assert "Le chef de projet" in masculine and "Copie du chef de projet" in masculine
    # The lead's workflow names the lead's copy of the minutes the same way.
    await web_login(client, world.emails["lead_a"])
    page = await client.get(f"/conseils/{council}")
    assert "Procès-verbal (copie du chef de projet)" in page.text
