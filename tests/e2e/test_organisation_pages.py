"""Editing and archiving territories, QPV and councils through the pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, web_login

pytestmark = pytest.mark.anyio


async def _csrf(client: Any) -> str:
    return str(client.cookies.get("cc_csrf"))


async def test_lead_edits_territory_and_stale_form_is_a_conflict(client: Any, world: World) -> None:
    await web_login(client, "lead.a@test.fr")
    tid = world.ids["territory_a"]
    page = await client.get(f"/territoires/{tid}/modifier")
    assert page.status_code == 200 and 'name="version"' in page.text
    body = {"name": "Métropole renommée", "departement": "37", "kind": "epci", "siren": "", "communes": "37261 Tours\n37122 Joué-lès-Tours",
            "version": "1", "_csrf": await _csrf(client)}
    r = await client.post(f"/territoires/{tid}/modifier", data=body, follow_redirects=False)
    assert r.status_code == 303
    detail = await client.get(f"/territoires/{tid}")
    assert "Métropole renommée" in detail.text and "Joué-lès-Tours" in detail.text
    # Same form again, still carrying version 1: somebody changed it meanwhile.
    r = await client.post(f"/territoires/{tid}/modifier", data={**body, "name": "Autre nom"})
    assert r.status_code == 409 and "modifié par quelqu" in r.text
    assert "Autre nom" in r.text  # the user's input is kept in the form
    assert "Métropole renommée" in (await client.get(f"/territoires/{tid}")).text


async def test_territory_form_errors_name_the_field(client: Any, world: World) -> None:
    await web_login(client, "lead.a@test.fr")
    tid = world.ids["territory_a"]
    r = await client.post(f"/territoires/{tid}/modifier", data={"name": "X", "departement": "999", "kind": "epci",
                                                                 "version": "1", "_csrf": await _csrf(client)})
    assert r.status_code == 422 and "champ-departement" in r.text


async def test_qpv_edit_and_archive(client: Any, world: World) -> None:
    await web_login(client, "lead.a@test.fr")
    qid = world.ids["qpv_a"]
    form = await client.get(f"/qpv/{qid}/modifier")
    assert form.status_code == 200
    r = await client.post(f"/qpv/{qid}/modifier", data={"code": "QN037XX", "name": "Les Rives", "version": "1",
                                                       "_csrf": await _csrf(client)})
    assert r.status_code == 422 and "QN037XX" in r.text
    r = await client.post(f"/qpv/{qid}/modifier", data={"code": "QN03799M", "name": "Les Rives", "version": "1",
                                                       "_csrf": await _csrf(client)}, follow_redirects=False)
    assert r.status_code == 303
    r = await client.post(f"/qpv/{qid}/archiver", data={"_csrf": await _csrf(client)}, follow_redirects=False)
    assert r.status_code == 303
    api = await client.get(f"/api/v1/qpv/{qid}")
    assert api.json()["code"] == "QN03799M" and api.json()["archived_at"] is not None


async def test_council_archive_then_read_only(client: Any, world: World) -> None:
    await web_login(client, "lead.a@test.fr")
    cid = world.ids["council_a"]
    assert "Archiver ce conseil" in (await client.get(f"/conseils/{cid}")).text
    # The button leads to a confirmation that says what cannot be undone; nothing archived yet.
    r = await client.post(f"/conseils/{cid}/archiver", data={"_csrf": await _csrf(client)}, follow_redirects=False)
    assert r.status_code == 200 and "ne peut pas être annulée" in r.text and "seul un administrateur" in r.text
    assert "archivé" not in (await client.get(f"/conseils/{cid}")).text.split("<h1>")[1].split("</h1>")[0]
    # Posted without ticking the box: still not archived, the box is named.
    r = await client.post(f"/conseils/{cid}/archiver", data={"_csrf": await _csrf(client), "confirme_envoye": "1"})
    assert r.status_code == 422 and "Cochez la case" in r.text
    r = await client.post(f"/conseils/{cid}/archiver", data={"_csrf": await _csrf(client), "confirme": "oui"},
                          follow_redirects=False)
    assert r.status_code == 303
    page = await client.get(f"/conseils/{cid}")
    assert "archivé" in page.text and "Archiver ce conseil" not in page.text
    assert "Restaurer ce conseil" not in page.text  # the lead cannot restore
    r = await client.post(f"/conseils/{cid}/archiver", data={"_csrf": await _csrf(client), "confirme": "oui"})
    assert r.status_code == 409
    assert (await client.post(f"/conseils/{cid}/restaurer", data={"_csrf": await _csrf(client)})).status_code == 403


async def test_admin_restores_archived_council_and_territory(client: Any, world: World) -> None:
    from tests.conftest import bearer

    cid, tid = world.ids["council_a"], world.ids["territory_a"]
    h = bearer(world, "admin")
    assert (await client.post(f"/api/v1/conseils/{cid}/archiver", headers=h)).status_code == 204
    assert (await client.post(f"/api/v1/conseils/{cid}/restaurer", headers=bearer(world, "lead_a"))).status_code == 403
    await web_login(client, "admin@test.fr")
    page = await client.get(f"/conseils/{cid}")
    assert "Restaurer ce conseil" in page.text
    r = await client.post(f"/conseils/{cid}/restaurer", data={"_csrf": await _csrf(client)}, follow_redirects=False)
    assert r.status_code == 303
    page = await client.get(f"/conseils/{cid}")
    assert "Restauré" in (await client.get(r.headers["location"])).text and "Archiver ce conseil" in page.text
    assert (await client.post(f"/conseils/{cid}/restaurer", data={"_csrf": await _csrf(client)})).status_code == 409
    # territory: archived through its confirmation page, restored by the API
    r = await client.post(f"/territoires/{tid}/archiver", data={"_csrf": await _csrf(client), "confirme": "oui"},
                          follow_redirects=False)
    assert r.status_code == 303
    assert (await client.post(f"/api/v1/territoires/{tid}/restaurer", headers=h)).status_code == 204
    assert (await client.get(f"/api/v1/territoires/{tid}", headers=h)).json()["archived_at"] is None
    events = (await client.get("/api/v1/journal", headers=h)).json()
    actions = [e["action"] for e in (events["items"] if isinstance(events, dict) else events)]
    assert "conseil.restauration" in actions and "territoire.restauration" in actions


async def test_only_admin_archives_a_territory(client: Any, world: World) -> None:
    await web_login(client, "lead.a@test.fr")
    tid = world.ids["territory_a"]
    assert "Archiver ce territoire" not in (await client.get(f"/territoires/{tid}")).text
    r = await client.post(f"/territoires/{tid}/archiver", data={"_csrf": await _csrf(client)})
    assert r.status_code == 403
