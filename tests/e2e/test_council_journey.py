"""The council page is the lead's workflow (issue 13, point 2): the steps in order, each
with its state and figures, the next action as a button, and the pages each step leads
to; meetings and training show « à venir » until their feature is installed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import SHARED, World, bearer, web_login

pytestmark = pytest.mark.anyio

SAMPLES = SHARED / "data" / "registre-exemple"
STEPS = ["Registres des habitants", "Éligibilité", "Vivier du tirage", "Tirage au sort",
         "Courriers aux habitants tirés au sort", "Réponses des habitants", "Composition du conseil",
         "Réunions", "Formations"]


def _step(html: str, key: str) -> str:
    m = re.search(rf'<li class="etape [^"]*" id="etape-{key}">(.*?)</li>\s*(?=<li class="etape|</ol>)', html, re.S)
    assert m, key
    return m.group(1)


async def test_council_page_lists_steps_in_order_with_next_action(client: Any, world: World) -> None:
    cid = world.ids["council_a"]
    await web_login(client, world.emails["lead_a"])
    html = (await client.get(f"/conseils/{cid}")).text
    positions = [html.index(f"</span> {title}") for title in STEPS]
    assert positions == sorted(positions)
    assert "à faire" in _step(html, "registres")
    assert f'href="/conseils/{cid}/registre">Importer un registre</a>' in html
    assert "Prochaine étape" in html
    # meetings and training are installed: their steps link to their pages
    assert f"/conseils/{cid}/reunions/gestion" in _step(html, "reunions")
    assert f"/conseils/{cid}/formations" in _step(html, "formations")

    for name in ("perimetre.csv", "liste_electorale.csv"):
        r = await client.post(f"/api/v1/conseils/{cid}/registre/imports", params={"nom": name},
                              content=(SAMPLES / name).read_bytes(), headers=bearer(world, "lead_a"))
        assert r.status_code == 201, r.text
    html = (await client.get(f"/conseils/{cid}")).text
    registres = _step(html, "registres")
    assert "fait" in registres and "1 fichier importé" in registres
    assert "/registre/imports/" in registres  # the report of the last import
    assert "Prochaine étape : <strong>Éligibilité" in html
    r = await client.post(f"/api/v1/conseils/{cid}/registre/eligibilite", json={"date_reference": "2026-01-01"},
                          headers=bearer(world, "lead_a"))
    assert r.status_code in (200, 201), r.text
    html = (await client.get(f"/conseils/{cid}")).text
    assert "personnes éligibles sur" in _step(html, "eligibilite")
    assert "Prochaine étape : <strong>Vivier du tirage" in html


async def test_auditor_sees_no_workflow(client: Any, world: World) -> None:
    await web_login(client, world.emails["auditor_37"])
    html = (await client.get(f"/conseils/{world.ids['council_a']}")).text
    assert "Les étapes du conseil" not in html


async def test_meetings_step_links_when_route_exists(ctx: Any, world: World) -> None:
    from service.organisation.usecases.journey import COMING, MEETINGS_PATH, council_journey

    cid = world.ids["council_a"]
    journey = await council_journey(cid, ctx.now(), {MEETINGS_PATH})
    steps = {s.key: s for s in journey.steps}
    assert [s.number for s in journey.steps] == list(range(1, 10))
    assert steps["reunions"].state != COMING
    assert [link.href for link in steps["reunions"].links] == [f"/conseils/{cid}/reunions/gestion"]
    assert steps["formations"].state == COMING and not steps["formations"].links
    assert journey.next_step is not None and journey.next_step.key == "registres"
