"""The foundation through HTTP: organisation CRUD, accounts, errors, audit, OpenAPI."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.conftest import PASSWORD, World, bearer, web_login

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"


async def test_health_and_openapi_served_without_cdn(client: Any) -> None:
    assert (await client.get("/sante")).json()["statut"] == "ok"
    spec = await client.get("/schema/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert "/api/v1/conseils/{council_id}" in paths and "/api/v1/territoires" in paths
    page = await client.get("/schema")
    assert page.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower() and "unpkg" not in page.text.lower()
    assert (await client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")).status_code == 200


async def test_create_read_update_archive_council(client: Any, world: World) -> None:
    h = bearer(world, "lead_a")
    r = await client.post(f"/api/v1/territoires/{world.ids['territory_a']}/conseils", headers=h,
                          json={"name": "Conseil du Centre", "qpv_ids": [world.ids["qpv_a"]], "regime": "2014",
                                "settings": {"age_minimum": 18}})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["settings"]["age_minimum"] == 18 and c["settings"]["duree_mandat_annees"] == 3
    assert c["qpvs"][0]["code"] == "QN03701M" and c["version"] == 1
    r = await client.patch(f"/api/v1/conseils/{c['id']}", headers=h, json={"version": 1, "settings": {"quorum": "tiers"}})
    assert r.status_code == 200 and r.json()["settings"]["quorum"] == "tiers" and r.json()["settings"]["age_minimum"] == 18
    # A second editor holding the old version gets a conflict and changes nothing.
    r = await client.patch(f"/api/v1/conseils/{c['id']}", headers=h, json={"version": 1, "name": "Autre nom"})
    assert r.status_code == 409 and r.json()["code"] == "modification-concurrente"
    assert (await client.get(f"/api/v1/conseils/{c['id']}", headers=h)).json()["name"] == "Conseil du Centre"
    assert (await client.post(f"/api/v1/conseils/{c['id']}/archiver", headers=h)).status_code == 204
    assert (await client.post(f"/api/v1/conseils/{c['id']}/archiver", headers=h)).status_code == 409
    names = [x["name"] for x in (await client.get("/api/v1/conseils", headers=h)).json()]
    assert "Conseil du Centre" not in names


@pytest.mark.parametrize("body,status,field,code", [
    ({"name": "Conseil A", "qpv_ids": [0]}, 409, "name", "doublon"),
    ({"name": "conseil  a", "qpv_ids": [0]}, 409, "name", "doublon"),
    ({"name": "X", "qpv_ids": [0], "regime": "2020"}, 422, "regime", "regime-inconnu"),
    ({"name": "X", "qpv_ids": [0], "settings": {"age_minimum": None}}, 422, "age_minimum", "reglage-manquant"),
    ({"name": "X", "qpv_ids": [0], "settings": {"mandat": 3}}, 422, "mandat", "reglage-inconnu"),
    ({"name": "X", "qpv_ids": [999]}, 422, "qpv_ids", "donnees-invalides"),
    ({"qpv_ids": [0]}, 422, "name", "donnees-invalides"),
])
async def test_council_bad_input_is_a_clear_problem(client: Any, world: World, body: dict[str, Any], status: int, field: str, code: str) -> None:
    body = {**body, "qpv_ids": [world.ids["qpv_a"] if q == 0 else q for q in body["qpv_ids"]]}
    before = await client.get("/api/v1/journal", headers=bearer(world, "admin"))
    r = await client.post(f"/api/v1/territoires/{world.ids['territory_a']}/conseils", headers=bearer(world, "lead_a"), json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    p = r.json()
    assert p["field"] == field and p["code"] == code and p["type"].endswith(code)
    assert p["detail"] and p["title"]
    after = await client.get("/api/v1/journal", headers=bearer(world, "admin"))
    assert len(after.json()) == len(before.json())  # nothing half-written, not even an event


async def test_malformed_qpv_code_and_duplicate(client: Any, world: World) -> None:
    url = f"/api/v1/territoires/{world.ids['territory_a']}/qpv"
    r = await client.post(url, headers=bearer(world, "lead_a"), json={"code": "Q12", "name": "Q"})
    assert r.status_code == 422 and r.json()["field"] == "code" and "QN03701M" in r.json()["detail"]
    r = await client.post(url, headers=bearer(world, "lead_a"), json={"code": "qn03701m", "name": "Q"})
    assert r.status_code == 409 and r.json()["code"] == "doublon"


async def test_malformed_json_and_unknown_field(client: Any, world: World) -> None:
    h = {**bearer(world, "admin"), "content-type": "application/json"}
    r = await client.post("/api/v1/territoires", headers=h, content=b"{nope")
    assert r.status_code in (400, 422) and r.headers["content-type"].startswith(PROBLEM)
    r = await client.post("/api/v1/territoires", headers=bearer(world, "admin"), json={"name": "T", "departement": "37", "x": 1})
    assert r.status_code in (400, 422) and r.json()["errors"][0]["message"] == "Champ inconnu."


async def test_web_login_logout_and_rate_limit(client: Any, world: World, ctx: Any) -> None:
    for _ in range(10):
        r = await web_login(client, "lead.a@test.fr", "mauvais")
        assert r.status_code == 401 and "incorrect" in r.text
    r = await web_login(client, "lead.a@test.fr", PASSWORD)
    assert r.status_code == 429 and "Trop de tentatives" in r.text
    ctx.clock.advance(minutes=16)
    r = await web_login(client, "lead.a@test.fr", PASSWORD)
    assert r.status_code == 200 and "Tableau de bord" in r.text
    csrf = client.cookies.get("cc_csrf")
    r = await client.post("/deconnexion", data={"_csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    r = await client.get("/", follow_redirects=False)
    assert r.status_code in (302, 303)


async def test_forged_csrf_token_is_refused(client: Any, world: World) -> None:
    await web_login(client, "admin@test.fr")
    r = await client.post("/territoires", data={"name": "T", "departement": "37", "_csrf": "forge"})
    assert r.status_code == 403 and "Jeton de sécurité" in r.text
    r = await client.post("/territoires", data={"name": "T", "departement": "37"})
    assert r.status_code == 403
    r = await client.post("/territoires", data={"name": "T", "departement": "37", "_csrf": client.cookies.get("cc_csrf")},
                          follow_redirects=False)
    assert r.status_code == 303


async def test_form_errors_are_french_and_keep_input(client: Any, world: World) -> None:
    await web_login(client, "admin@test.fr")
    csrf = client.cookies.get("cc_csrf")
    r = await client.post("/territoires", data={"name": "Nouveau", "departement": "999x", "_csrf": csrf})
    assert r.status_code == 422
    assert "Département « 999x » invalide" in r.text and 'value="Nouveau"' in r.text


async def test_first_admin_setup_token_works_once_even_when_raced(ctx: Any) -> None:
    from domain.errors import Conflict
    from service.comptes import usecases as acc

    token = await acc.issue_setup_token(ctx)
    assert token
    results = await asyncio.gather(
        acc.setup_first_admin(ctx, token, "un@test.fr", "Un", PASSWORD),
        acc.setup_first_admin(ctx, token, "deux@test.fr", "Deux", PASSWORD),
        return_exceptions=True,
    )
    assert sum(isinstance(r, int) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert await acc.issue_setup_token(ctx) is None


async def test_invitation_flow_and_expiry(client: Any, world: World, ctx: Any) -> None:
    r = await client.post("/api/v1/invitations", headers=bearer(world, "lead_a"),
                          json={"email": "secr@test.fr", "role": "secretaire", "council_id": world.ids["council_a"]})
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    # A lead cannot invite onto another territory's council, nor an auditor.
    r2 = await client.post("/api/v1/invitations", headers=bearer(world, "lead_a"),
                           json={"email": "x@test.fr", "role": "secretaire", "council_id": world.ids["council_b"]})
    assert r2.status_code == 403
    r3 = await client.post("/api/v1/invitations", headers=bearer(world, "lead_a"),
                           json={"email": "x@test.fr", "role": "auditeur", "departement": "37"})
    assert r3.status_code == 403
    ctx.clock.advance(days=8)
    r = await client.post("/api/v1/invitations/acceptation", json={"code": code, "display_name": "S", "password": PASSWORD})
    assert r.status_code == 409 and r.json()["code"] == "invitation-expiree"
    ctx.clock.advance(days=-8)
    r = await client.post("/api/v1/invitations/acceptation", json={"code": code, "display_name": "S", "password": "court"})
    assert r.status_code == 422 and r.json()["field"] == "password"
    r = await client.post("/api/v1/invitations/acceptation", json={"code": code, "display_name": "S", "password": PASSWORD})
    assert r.status_code == 201
    r = await client.post("/api/v1/invitations/acceptation", json={"code": code, "display_name": "S", "password": PASSWORD})
    assert r.status_code == 409 and r.json()["code"] == "invitation-utilisee"
    r = await web_login(client, "secr@test.fr")
    assert "Conseil A" in r.text and "Conseil B" not in r.text


async def test_api_tokens_created_listed_revoked(client: Any, world: World) -> None:
    h = bearer(world, "member_a")
    r = await client.post("/api/v1/moi/jetons", headers=h, json={"name": "script"})
    assert r.status_code == 201
    new, tid = r.json()["token"], r.json()["info"]["id"]
    assert (await client.get("/api/v1/moi", headers={"Authorization": f"Bearer {new}"})).json()["email"] == "member.a@test.fr"
    # Somebody else cannot revoke it.
    assert (await client.delete(f"/api/v1/moi/jetons/{tid}", headers=bearer(world, "lead_a"))).status_code == 404
    assert (await client.delete(f"/api/v1/moi/jetons/{tid}", headers=h)).status_code == 204
    r = await client.get("/api/v1/moi", headers={"Authorization": f"Bearer {new}"})
    assert r.status_code == 401 and r.json()["code"] == "non-authentifie"


async def test_password_change_ends_other_sessions(client: Any, world: World, app: Any) -> None:
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app) as other:
        await web_login(other, "lead.a@test.fr")
        assert (await other.get("/compte")).status_code == 200
        await web_login(client, "lead.a@test.fr")
        csrf = client.cookies.get("cc_csrf")
        r = await client.post("/compte/mot-de-passe", data={"old_password": "faux", "new_password": "nouveau-mot-de-passe", "_csrf": csrf})
        assert r.status_code == 422 and "actuel est incorrect" in r.text
        r = await client.post("/compte/mot-de-passe", data={"old_password": PASSWORD, "new_password": "nouveau-mot-de-passe", "_csrf": csrf},
                              follow_redirects=False)
        assert r.status_code == 303
        assert (await client.get("/compte")).status_code == 200
        assert (await other.get("/compte", follow_redirects=False)).status_code in (302, 303)


async def test_audit_trail_records_writes_and_detects_tampering(client: Any, world: World, ctx: Any) -> None:
    from service.audit.tables import AuditEvent

    r = await client.get("/api/v1/journal/verification", headers=bearer(world, "auditor_37"))
    assert r.json()["ok"] is True and r.json()["checked"] > 5
    events = (await client.get("/api/v1/journal", headers=bearer(world, "auditor_37"))).json()
    assert events and all(e["territory_id"] == world.ids["territory_a"] for e in events)
    assert {"conseil.creation", "qpv.creation"} <= {e["action"] for e in events}
    assert (await client.get("/api/v1/journal", headers=bearer(world, "member_a"))).json() == []
    target = events[-1]["seq"]
    await AuditEvent.update({AuditEvent.subject_id: "999"}).where(AuditEvent.seq == target)
    r = await client.get("/api/v1/journal/verification", headers=bearer(world, "admin"))
    assert r.json()["ok"] is False and r.json()["first_broken_seq"] == target
    await AuditEvent.update({AuditEvent.subject_id: events[-1]["subject_id"]}).where(AuditEvent.seq == target)
    assert (await client.get("/api/v1/journal/verification", headers=bearer(world, "admin"))).json()["ok"] is True
    await AuditEvent.delete().where(AuditEvent.seq == target + 1)
    r = (await client.get("/api/v1/journal/verification", headers=bearer(world, "admin"))).json()
    assert r["ok"] is False and r["first_broken_seq"] == target + 1


async def test_concurrent_audited_writes_keep_one_chain(ctx: Any, world: World) -> None:
    from service import audit
    from service.audit import Actor
    from service.organisation import usecases as org

    async def make(i: int) -> Any:
        return await org.create_qpv(ctx, Actor.system(), world.ids["territory_a"], org.QpvInput(code=f"QN037{i:02d}X", name=f"Q{i}"))

    await asyncio.gather(*[make(i) for i in range(10, 30)])
    report = await audit.verify()
    assert report.ok, report.message
