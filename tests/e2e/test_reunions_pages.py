"""The meetings pages over HTTP: the secretary's cycle, the member's pages, the public
pages and the question form, and bad input shown as French messages naming the field."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import World, web_login
from tests.reunions_support import add_members

pytestmark = pytest.mark.anyio


def _csrf(client: Any) -> str:
    return str(client.cookies.get("cc_csrf"))


async def _post(client: Any, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    return await client.post(url, data={**(data or {}), "_csrf": _csrf(client)}, follow_redirects=False, **kw)


async def _create(client: Any, council: int, debut: str = "2026-03-12T18:30", fin: str = "2026-03-12T20:30",
                  **extra: str) -> int:
    r = await _post(client, f"/conseils/{council}/reunions/gestion", {
        "titre": "Séance plénière de mars", "debut": debut, "fin": fin, "lieu": "Maison de quartier",
        "kind": "pleniere", "publique": "oui", **extra})
    assert r.status_code == 303, r.text[:2000]
    m = re.search(r"/reunions/(\d+)", r.headers["location"])
    assert m
    return int(m.group(1))


async def test_secretary_creates_meeting_and_builds_agenda(client: Any, world: World) -> None:
    council = world.ids["council_a"]
    await add_members(council, 3)
    await web_login(client, "secretary.a@test.fr")
    page = await client.get(f"/conseils/{council}/reunions/gestion")
    assert page.status_code == 200 and "Prévoir une réunion" in page.text
    rid = await _create(client, council)
    detail = await client.get(f"/reunions/{rid}")
    assert detail.status_code == 200
    assert "jeudi 12 mars 2026" in detail.text and "18\u00a0h\u00a030" in detail.text
    r = await _post(client, f"/reunions/{rid}/points", {"titre": "Accueil", "parent_id": "", "rapporteur": "",
                                                       "duree_minutes": ""})
    assert r.status_code == 303
    r = await _post(client, f"/reunions/{rid}/points", {"titre": "Projets du quartier", "parent_id": "",
                                                       "rapporteur": "Mme Durand", "duree_minutes": "30"})
    assert r.status_code == 303
    detail = await client.get(f"/reunions/{rid}")
    parent = re.search(r'<option value="(\d+)">Sous-point de 2 Projets', detail.text)
    assert parent
    r = await _post(client, f"/reunions/{rid}/points", {"titre": "Jardin partagé", "parent_id": parent.group(1),
                                                       "rapporteur": "", "duree_minutes": ""})
    assert r.status_code == 303
    detail = await client.get(f"/reunions/{rid}")
    text = re.sub(r"\s+", " ", detail.text)
    assert '<span class="numero">2.1</span> Jardin partagé' in text
    assert "30 minutes" in text
    # Move « Projets » up: it becomes item 1, its sub-item 1.1.
    item = re.search(r'action="/reunions/\d+/points/(\d+)/deplacer">.{0,200}?name="version" value="(\d+)"'
                     r'.{0,200}?Monter le point 2', detail.text, re.S)
    assert item
    r = await _post(client, f"/reunions/{rid}/points/{item.group(1)}/deplacer", {"sens": "haut",
                                                                                 "version": item.group(2)})
    assert r.status_code == 303
    text = re.sub(r"\s+", " ", (await client.get(f"/reunions/{rid}")).text)
    assert '<span class="numero">1.1</span> Jardin partagé' in text


async def test_meeting_form_errors_name_the_field(client: Any, world: World) -> None:
    council = world.ids["council_a"]
    await web_login(client, "secretary.a@test.fr")
    r = await _post(client, f"/conseils/{council}/reunions/gestion", {
        "titre": "Plénière", "debut": "2026-03-12T18:30", "fin": "2026-03-12T17:00", "lieu": "Salle",
        "kind": "pleniere"})
    assert r.status_code == 422
    assert 'id="erreur-fin"' in r.text and "se termine avant de commencer" in r.text
    r = await _post(client, f"/conseils/{council}/reunions/gestion", {
        "titre": "", "debut": "pas une date", "fin": "", "lieu": "", "kind": "pleniere"})
    assert r.status_code == 422 and 'id="erreur-debut"' in r.text and "Début" in r.text
