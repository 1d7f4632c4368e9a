"""The meetings API over HTTP, bad input included: each refusal is a French
problem+json naming the field, and nothing is half-written."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from service.audit import Actor
from tests.conftest import World, bearer
from tests.reunions_support import add_members

pytestmark = pytest.mark.anyio
PROBLEM = "application/problem+json"


def assert_problem(r: Any, status: int, field: str | None = None, code: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = r.json()
    if field is not None:
        assert body.get("field") == field, body
    if code is not None:
        assert body["code"] == code, body
        assert body["type"].endswith("/" + code)
    assert body["detail"].strip() and body["code"] not in body["detail"]  # a sentence, not a code
    return body


async def _create(client: Any, world: World, **kw: Any) -> dict[str, Any]:
    body = {"titre": "Plénière de mars", "debut": "2026-03-12T18:30:00+01:00", "fin": "2026-03-12T20:30:00+01:00",
            "lieu": "Maison des associations", "publique": True, **kw}
    r = await client.post(f"/api/v1/conseils/{world.ids['council_a']}/reunions", json=body,
                          headers=bearer(world, "secretary_a"))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _convene(ctx: Any, reunion_id: int) -> None:
    from service.reunions.usecases import meetings

    await meetings.mark_convened(ctx, Actor.system("test"), reunion_id, sent_on=date(2026, 3, 2))


async def test_meeting_and_agenda_over_http(client: Any, ctx: Any, world: World) -> None:
    h = bearer(world, "secretary_a")
    m = await _create(client, world)
    assert (m["status"], m["status_label"], m["version"]) == ("prevue", "Prévue", 1)
    r = await client.post(f"/api/v1/reunions/{m['id']}/ordre-du-jour", json={"titre": "Budget participatif"}, headers=h)
    assert r.status_code == 201 and r.json()["numero"] == "1"
    parent = r.json()["id"]
    r = await client.post(f"/api/v1/reunions/{m['id']}/ordre-du-jour",
                          json={"titre": "Jardin", "parent_id": parent, "rapporteur": "Mme Diallo", "duree_minutes": 20},
                          headers=h)
    assert r.json()["numero"] == "1.1"
    r = await client.get(f"/api/v1/reunions/{m['id']}", headers=bearer(world, "member_a"))
    assert [p["numero"] for p in r.json()["ordre_du_jour"]] == ["1", "1.1"]
    r = await client.get(f"/api/v1/reunions/{m['id']}", headers=bearer(world, "auditor_37"))
    assert r.status_code == 200
    r = await client.patch(f"/api/v1/reunions/{m['id']}", json={"version": 1, "lieu": "Mairie"},
                           headers=bearer(world, "auditor_37"))
    assert_problem(r, 403)
    lst = await client.get(f"/api/v1/conseils/{world.ids['council_a']}/reunions", headers=h)
    assert [x["id"] for x in lst.json()] == [m["id"]]


async def test_meeting_ending_before_it_starts(client: Any, world: World) -> None:
    r = await client.post(f"/api/v1/conseils/{world.ids['council_a']}/reunions", headers=bearer(world, "lead_a"),
                          json={"titre": "x", "debut": "2026-03-12T20:00:00+01:00", "fin": "2026-03-12T18:00:00+01:00"})
    body = assert_problem(r, 422, "fin", "fin-avant-debut")
    assert "termine avant de commencer" in body["detail"]
    r = await client.get(f"/api/v1/conseils/{world.ids['council_a']}/reunions", headers=bearer(world, "lead_a"))
    assert r.json() == []


async def test_two_concurrent_edits_conflict(client: Any, world: World) -> None:
    h = bearer(world, "secretary_a")
    m = await _create(client, world)
    r1 = await client.patch(f"/api/v1/reunions/{m['id']}", json={"version": 1, "lieu": "Salle A"}, headers=h)
    assert r1.status_code == 200 and r1.json()["version"] == 2
    r2 = await client.patch(f"/api/v1/reunions/{m['id']}", json={"version": 1, "lieu": "Salle B"}, headers=h)
    assert_problem(r2, 409, "version", "modification-concurrente")
    assert (await client.get(f"/api/v1/reunions/{m['id']}", headers=h)).json()["reunion"]["lieu"] == "Salle A"
    p = (await client.post(f"/api/v1/reunions/{m['id']}/ordre-du-jour", json={"titre": "A"}, headers=h)).json()
    ok = await client.patch(f"/api/v1/reunions/{m['id']}/ordre-du-jour/{p['id']}", json={"version": 1, "titre": "A2"},
                            headers=h)
    assert ok.status_code == 200
    stale = await client.patch(f"/api/v1/reunions/{m['id']}/ordre-du-jour/{p['id']}", json={"version": 1, "titre": "A3"},
                               headers=h)
    assert_problem(stale, 409, "version")


async def test_attendance_proxies_and_bad_input(client: Any, ctx: Any, world: World) -> None:
    h = bearer(world, "secretary_a")
    members = await add_members(world.ids["council_a"], 4)
    other = await add_members(world.ids["council_b"], 1)
    m = await _create(client, world)
    await _convene(ctx, m["id"])
    base = f"/api/v1/reunions/{m['id']}"
    for mid in members[:2]:
        r = await client.put(f"{base}/presences/{mid}", json={"presence": "present"}, headers=h)
        assert r.status_code == 200
    r = await client.put(f"{base}/presences/{other[0]}", json={"presence": "present"}, headers=h)
    assert_problem(r, 422, "membre_id", "non-membre-a-cette-date")
    r = await client.post(f"{base}/pouvoirs", json={"membre_id": members[2], "porteur_id": members[2]}, headers=h)
    assert_problem(r, 409, "porteur_id", "pouvoir-a-soi-meme")
    await client.put(f"{base}/presences/{members[3]}", json={"presence": "absent"}, headers=h)
    r = await client.post(f"{base}/pouvoirs", json={"membre_id": members[2], "porteur_id": members[3]}, headers=h)
    assert_problem(r, 409, "porteur_id", "pouvoir-a-un-absent")
    r = await client.post(f"{base}/pouvoirs", json={"membre_id": members[2], "porteur_id": members[0]}, headers=h)
    assert r.status_code == 201
    r = await client.post(f"{base}/pouvoirs", json={"membre_id": members[3], "porteur_id": members[0]}, headers=h)
    assert_problem(r, 409, "porteur_id", "pouvoir-deja-detenu")
    r = await client.put(f"{base}/presences/{members[0]}", json={"presence": "ailleurs"}, headers=h)
    assert_problem(r, 422, "presence")
    view = (await client.get(f"{base}/presences", headers=bearer(world, "member_a"))).json()
    assert view["quorum"] == {"membres": 4, "requis": 3, "presents": 2, "atteint": False,
                              "seconde_convocation": False, "message": view["quorum"]["message"]}
    by = {x["membre_id"]: x for x in view["membres"]}
    assert by[members[2]]["pouvoir_a"] == members[0] and by[members[3]]["pouvoir_a"] is None
    version = view["reunion"]["version"]
    r = await client.post(f"{base}/cloture-presences", json={"version": version}, headers=h)
    assert r.json()["reunion"]["status"] == "quorum_non_atteint"
    r = await client.get(f"{base}/seconde-convocation", headers=h)
    assert r.json()["date_au_plus_tot"] == "2026-03-16"
    r = await client.post(f"{base}/seconde-convocation", headers=h,
                          json={"debut": "2026-03-13T18:00:00+01:00", "fin": "2026-03-13T20:00:00+01:00"})
    assert_problem(r, 409, "debut", "delai-seconde-convocation")
    r = await client.post(f"{base}/seconde-convocation", headers=h,
                          json={"debut": "2026-03-17T18:00:00+01:00", "fin": "2026-03-17T20:00:00+01:00"})
    assert r.status_code == 201 and r.json()["second_convocation_of"] == m["id"]


async def _held(client: Any, ctx: Any, world: World, members: list[int], day: int) -> dict[str, Any]:
    h = bearer(world, "secretary_a")
    m = await _create(client, world, debut=f"2026-03-{day:02d}T18:00:00+01:00", fin=f"2026-03-{day:02d}T20:00:00+01:00")
    await _convene(ctx, m["id"])
    for mid in members:
        await client.put(f"/api/v1/reunions/{m['id']}/presences/{mid}", json={"presence": "present"}, headers=h)
    v = (await client.get(f"/api/v1/reunions/{m['id']}", headers=h)).json()["reunion"]["version"]
    r = await client.post(f"/api/v1/reunions/{m['id']}/cloture-presences", json={"version": v}, headers=h)
    assert r.json()["reunion"]["status"] == "tenue", r.text
    return dict(r.json()["reunion"])


async def test_decisions_and_minutes_workflow_with_bad_input(client: Any, ctx: Any, world: World, clock: Any) -> None:
    h = bearer(world, "secretary_a")
    members = await add_members(world.ids["council_a"], 3)
    m = await _create(client, world)
    item = (await client.post(f"/api/v1/reunions/{m['id']}/ordre-du-jour", json={"titre": "Budget"}, headers=h)).json()
    r = await client.post(f"/api/v1/reunions/{m['id']}/compte-rendu", json={}, headers=h)
    assert_problem(r, 409, code="compte-rendu-reunion-non-tenue")
    await _convene(ctx, m["id"])
    for mid in members:
        await client.put(f"/api/v1/reunions/{m['id']}/presences/{mid}", json={"presence": "present"}, headers=h)
    r = await client.post(f"/api/v1/reunions/{m['id']}/decisions", json={"point_id": item["id"], "pour": 3}, headers=h)
    assert_problem(r, 409, "status", "reunion-non-tenue")
    v = (await client.get(f"/api/v1/reunions/{m['id']}", headers=h)).json()["reunion"]["version"]
    await client.post(f"/api/v1/reunions/{m['id']}/cloture-presences", json={"version": v}, headers=h)
    r = await client.post(f"/api/v1/reunions/{m['id']}/decisions", headers=h,
                          json={"point_id": item["id"], "pour": 2, "contre": 1, "texte": "Budget voté"})
    assert r.status_code == 201 and r.json()["adopte"] is True
    r = await client.delete(f"/api/v1/reunions/{m['id']}/ordre-du-jour/{item['id']}?version={item['version']}", headers=h)
    assert_problem(r, 409, "point_id", "point-avec-decision")
    assert len((await client.get(f"/api/v1/reunions/{m['id']}/ordre-du-jour", headers=h)).json()) == 1
    draft = (await client.post(f"/api/v1/reunions/{m['id']}/compte-rendu", json={}, headers=h)).json()
    assert draft["state"] == "brouillon" and "Budget voté" in draft["texte"]
    r = await client.post(f"/api/v1/reunions/{m['id']}/compte-rendu/publication", json={"version": draft["version"]},
                          headers=h)
    assert_problem(r, 409, "state", "compte-rendu-non-adopte")
    later = await _held(client, ctx, world, members, 26)
    r = await client.post(f"/api/v1/reunions/{m['id']}/compte-rendu/adoption", headers=h,
                          json={"version": draft["version"], "adopte_en_reunion_id": m["id"]})
    assert_problem(r, 422, "adopte_en_reunion_id")
    r = await client.post(f"/api/v1/reunions/{m['id']}/compte-rendu/adoption", headers=h,
                          json={"version": draft["version"], "adopte_en_reunion_id": later["id"], "consensus": False,
                                "pour": 3})
    assert r.status_code == 200 and r.json()["state"] == "adopte"
    adoption_items = (await client.get(f"/api/v1/reunions/{later['id']}/ordre-du-jour", headers=h)).json()
    assert adoption_items[-1]["kind"] == "adoption_compte_rendu"
    from datetime import UTC, datetime

    clock.now = datetime(2026, 3, 27, 9, tzinfo=UTC)
    r = await client.post(f"/api/v1/reunions/{m['id']}/compte-rendu/publication", json={"version": r.json()["version"]},
                          headers=h)
    assert r.status_code == 200 and r.json()["state"] == "publie"
    pub = r.json()
    r = await client.patch(f"/api/v1/reunions/{m['id']}/compte-rendu", json={"version": pub["version"], "texte": "x"},
                           headers=h)
    assert_problem(r, 409, "texte", "compte-rendu-fige")
    r = await client.post(f"/api/v1/reunions/{m['id']}/compte-rendu/correction", headers=h,
                          json={"version": pub["version"], "texte": pub["texte"] + "\nCorrection.", "motif": "Nom mal orthographié"})
    assert r.status_code == 201 and r.json()["numero_version"] == 2
    all_versions = (await client.get(f"/api/v1/reunions/{m['id']}/compte-rendu", headers=bearer(world, "member_a"))).json()
    assert [v["numero_version"] for v in all_versions["versions"]] == [1, 2]
    assert all_versions["versions"][0]["texte"] == pub["texte"]


async def test_attachments_sniffed_over_http(client: Any, world: World) -> None:
    h = bearer(world, "secretary_a")
    m = await _create(client, world)
    r = await client.post(f"/api/v1/reunions/{m['id']}/pieces-jointes", headers=h,
                          files={"fichier": ("budget.pdf", b"%PDF-1.4\n%%EOF", "application/pdf")})
    assert r.status_code == 201, r.text
    piece = r.json()
    r = await client.get(f"/api/v1/reunions/{m['id']}/pieces-jointes/{piece['id']}", headers=bearer(world, "member_a"))
    assert r.content.startswith(b"%PDF") and r.headers["content-type"].startswith("application/pdf")
    r = await client.post(f"/api/v1/reunions/{m['id']}/pieces-jointes", headers=h,
                          files={"fichier": ("plan.png", b"%PDF-1.4 pas une image", "image/png")})
    assert_problem(r, 422, "fichier", "type-fichier-incoherent")
    r = await client.post(f"/api/v1/reunions/{m['id']}/pieces-jointes", headers=h,
                          files={"fichier": ("note.txt", b"bonjour", "text/plain")})
    assert_problem(r, 422, "fichier", "type-fichier-refuse")
    assert len((await client.get(f"/api/v1/reunions/{m['id']}/pieces-jointes", headers=h)).json()) == 1


async def test_proposals_and_questions(client: Any, ctx: Any, world: World) -> None:
    await add_members(world.ids["council_a"], 2, account_ids={0: world.ids["member_a"]})
    m = await _create(client, world)
    r = await client.post(f"/api/v1/reunions/{m['id']}/propositions", json={"titre": "Fête de quartier"},
                          headers=bearer(world, "member_a"))
    assert r.status_code == 201 and r.json()["membre_id"] is not None
    p = r.json()
    r = await client.post(f"/api/v1/reunions/{m['id']}/propositions", json={"titre": "x"},
                          headers=bearer(world, "auditor_37"))
    assert_problem(r, 403)
    h = bearer(world, "secretary_a")
    r = await client.post(f"/api/v1/reunions/{m['id']}/propositions/{p['id']}/refus",
                          json={"version": p["version"], "reponse": " "}, headers=h)
    assert_problem(r, 422, "reponse")
    r = await client.post(f"/api/v1/reunions/{m['id']}/propositions/{p['id']}/acceptation",
                          json={"version": p["version"]}, headers=h)
    assert r.json()["status"] == "acceptee" and r.json()["point_id"]
    council = world.ids["council_a"]
    r = await client.post(f"/api/v1/conseils/{council}/questions", headers=h,
                          json={"texte": "Quand le square rouvrira-t-il ?", "destinataire": "mairie"})
    assert_problem(r, 422, "destinataire")
    r = await client.post(f"/api/v1/conseils/{council}/questions", headers=h,
                          json={"texte": "Quand le square rouvrira-t-il ?", "destinataire": "ville"})
    q = r.json()
    assert q["status"] == "ouverte"
    await _convene(ctx, m["id"])
    agenda = (await client.get(f"/api/v1/reunions/{m['id']}/ordre-du-jour", headers=h)).json()
    assert [x["kind"] for x in agenda][-2:] == ["questions", "question"]
    r = await client.post(f"/api/v1/conseils/{council}/questions/{q['id']}/reponse", headers=h,
                          json={"version": q["version"], "reponse": "En avril."})
    assert r.json()["status"] == "repondue" and r.json()["delai_reponse_jours"] == 0


async def test_member_address(client: Any, world: World) -> None:
    from service.composition.usecases import members as composition

    (mid,) = await add_members(world.ids["council_a"], 1)
    version = (await composition.get_member(mid)).version
    url = f"/api/v1/conseils/{world.ids['council_a']}/membres/{mid}/adresse"
    r = await client.put(url, json={"version": version, "numero": "12", "voie": "rue Nationale", "code_postal": "3700",
                                    "commune": "Tours"}, headers=bearer(world, "secretary_a"))
    assert_problem(r, 422, "code_postal")
    r = await client.put(url, json={"version": version, "numero": "12", "voie": "rue Nationale", "code_postal": "37000",
                                    "commune": "Tours"}, headers=bearer(world, "secretary_a"))
    assert r.status_code == 200 and r.json()["voie"] == "rue Nationale"
