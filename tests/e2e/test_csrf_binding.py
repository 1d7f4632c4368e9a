"""Issue 14, item 7: the form token is bound to the session."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import World, web_login

pytestmark = pytest.mark.anyio


async def test_planted_cookie_with_the_same_value_in_the_form_is_refused(client: Any, world: World) -> None:
    await web_login(client, world.emails["admin"])
    client.cookies.set("cc_csrf", "valeur-plantee")
    r = await client.post("/territoires", data={"name": "T", "departement": "37", "_csrf": "valeur-plantee"}, follow_redirects=False)
    assert r.status_code == 403


async def test_token_of_another_session_is_refused(client: Any, world: World) -> None:
    await web_login(client, world.emails["lead_a"])
    attacker_token = client.cookies.get("cc_csrf")
    client.cookies.clear()
    await web_login(client, world.emails["admin"])
    client.cookies.set("cc_csrf", attacker_token)
    r = await client.post("/territoires", data={"name": "T", "departement": "37", "_csrf": attacker_token}, follow_redirects=False)
    assert r.status_code == 403
    # Before login the anonymous token is not accepted for a signed-in session either.
    client.cookies.clear()
    await client.get("/connexion")
    anon = client.cookies.get("cc_csrf")
    await web_login(client, world.emails["admin"])
    client.cookies.set("cc_csrf", anon)
    r = await client.post("/territoires", data={"name": "T", "departement": "37", "_csrf": anon}, follow_redirects=False)
    assert r.status_code == 403


async def test_own_token_works_and_logout_from_an_error_page(client: Any, world: World) -> None:
    await web_login(client, world.emails["admin"])
    r = await client.get("/conseils/999999")
    assert r.status_code == 404
    field = re.search(r'name="_csrf" value="([^"]*)"', r.text)
    assert field is not None and field.group(1), "the error page's logout form carries a token"
    r = await client.post("/deconnexion", data={"_csrf": field.group(1)}, follow_redirects=False)
    assert r.status_code == 303
    assert (await client.get("/", follow_redirects=False)).status_code in (302, 303, 401)
