"""Walk every route of the app and prove each refuses the callers that must not reach it.

For every handler the expected answer comes from the domain policy (domain/access.py)
applied to the resource of territory A; the HTTP answer must agree: 401 for anonymous
callers, 403 for authenticated callers without the right, and neither for allowed ones.
A route that declares no access fails this test; so does a path parameter this test does
not know how to fill (add it to ``sample_params`` when a feature adds one).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from domain.access import GLOBAL, Action, holds_anywhere, is_allowed
from tests.conftest import World, bearer

pytestmark = pytest.mark.anyio

CALLERS = ["anonymous", "member_a", "secretary_a", "auditor_37", "lead_b", "lead_a", "admin"]
SKIP_METHODS = {"OPTIONS", "HEAD"}


def sample_params(world: World) -> dict[str, Any]:
    return {
        "territory_id": world.ids["territory_a"],
        "qpv_id": world.ids["qpv_a"],
        "council_id": world.ids["council_a"],
        "token_id": 99999,
        "account_id": 99999,
        "code": "code-inconnu",
        "file_path": "app.css",
        "path": "openapi.json",
        "appel_id": 99999, "candidature_id": 99999, "membre_id": 99999, "kind": "habitants",  # candidatures
        "draw_id": 99999, "round_no": 1,
        "source_id": 99999, "pair_id": 99999, "task_id": 99999, "token": "jeton-inconnu-0000",
        "formation_id": 99999, "seance_id": 99999, "inscription_id": 99999,  # formations
        "fmt": "csv",  # indicators exports
        # meetings: a real meeting of council A (its scope is resolved), unknown sub-resources
        "reunion_id": world.ids.get("reunion_a", 99999), "point_id": 99999, "proposition_id": 99999,
        "piece_id": 99999, "question_id": 99999, "convocation_id": 99999,
        "ack_token": "lien-inconnu-0000", "feed_token": "agenda-inconnu-0000.ics",  # convocations
    }


async def _sample_meeting(ctx: Any, world: World) -> int:
    from datetime import UTC, datetime

    from service.audit import Actor
    from service.reunions.usecases import meetings
    from tests.reunions_support import add_members

    # member_a's account sits on council A (a seat of its composition), as a member's does.
    await add_members(world.ids["council_a"], 1, account_ids={0: world.ids["member_a"]})
    m = await meetings.create_meeting(ctx, Actor.system("test"), world.ids["council_a"], meetings.MeetingInput(
        titre="Réunion d'essai", debut=datetime(2026, 6, 1, 16, tzinfo=UTC), fin=datetime(2026, 6, 1, 18, tzinfo=UTC)))
    assert m.id is not None
    return m.id


def _fill(path: str, params: dict[str, Any]) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        assert name in params, f"paramètre de chemin inconnu du test : {name} dans {path}"
        return str(params[name])

    return re.sub(r"\{(\w+)(?::\w+)?\}", repl, path)


async def training_params(ctx: Any, world: World) -> dict[str, Any]:
    """A training of territory A with a session and an enrolment: their routes are scoped
    by their own ids, which must exist for the guard to locate them."""
    from datetime import UTC, datetime

    from service.audit import Actor
    from service.formations.store import TrainingStore
    from service.formations.usecases import enrolment, schedule

    store, actor = TrainingStore(ctx.db), Actor.system("test")
    f = await schedule.create_training(ctx, actor, store, world.ids["territory_a"], schedule.TrainingInput(
        titre="Formation A", public="ouvert", conseils=(world.ids["council_a"],)))
    s = await schedule.add_session(ctx, actor, store, f.id, schedule.SessionInput(
        debut=datetime(2026, 6, 1, 16, tzinfo=UTC), fin=datetime(2026, 6, 1, 18, tzinfo=UTC), lieu="Salle"))
    e = await enrolment.enrol(ctx, actor, store, s.id, enrolment.external_participant("habitant", "Ana", "Test", "F", ""))
    return {"formation_id": f.id, "seance_id": s.id, "inscription_id": e.enrolment.id}


async def _principal(ctx: Any, world: World, who: str) -> Any:
    from service.http.auth import load_principal

    return await load_principal(world.ids[who])


async def test_every_route_declares_and_enforces_access(client: Any, ctx: Any, world: World) -> None:
    from service.http.auth import Access, resolve_scope

    world.ids["reunion_a"] = await _sample_meeting(ctx, world)
    params = sample_params(world)
    params.update(await training_params(ctx, world))
    principals = {who: await _principal(ctx, world, who) for who in CALLERS if who != "anonymous"}
    checked = 0
    for route in client.app.routes:
        for handler in getattr(route, "route_handlers", []):
            methods = set(getattr(handler, "http_methods", set())) - SKIP_METHODS
            if not methods:
                continue
            access: Access | None = handler.opt.get("access")
            assert access is not None, f"{route.path} ne déclare pas ses droits d'accès"
            if access.kind == "public":
                continue
            url = _fill(route.path, params)
            scope = GLOBAL
            if access.kind == "action" and access.scope_param:
                scope = await resolve_scope(access.scope_param, {access.scope_param: params[access.scope_param]})
            for method in sorted(methods):
                for who in CALLERS:
                    headers = {} if who == "anonymous" else bearer(world, who)
                    r = await client.request(method, url, headers=headers, json={}, follow_redirects=False)
                    assert r.status_code < 500, f"{method} {url} {who} → {r.status_code}"
                    if who == "anonymous":
                        # People are sent to the login page; programs get a 401.
                        to_login = r.status_code in (302, 303) and r.headers["location"].startswith("/connexion")
                        assert r.status_code == 401 or to_login, f"{method} {url} anonyme → {r.status_code}"
                        continue
                    if access.kind == "authenticated":
                        # Signed-in callers get past the guard; the use case may still
                        # refuse (403) on ownership, which other tests check.
                        assert r.status_code != 401, f"{method} {url} {who} → {r.status_code}"
                        continue
                    assert access.action is not None
                    if access.kind == "action-anywhere":
                        allowed = holds_anywhere(principals[who], access.action)
                    else:
                        allowed = is_allowed(principals[who], access.action, scope)
                    if allowed:
                        assert r.status_code not in (401, 403), f"{method} {url} {who} devrait passer → {r.status_code} {r.text[:200]}"
                    else:
                        assert r.status_code == 403, f"{method} {url} {who} devrait être refusé → {r.status_code}"
                    checked += 1
    assert checked > 50


async def test_auditor_holds_no_write_action_on_any_route(client: Any) -> None:
    from domain.access import GRANTS, WRITE_ACTIONS, Role
    from service.http.auth import Access

    assert not (GRANTS[Role.AUDITEUR] & WRITE_ACTIONS)
    for route in client.app.routes:
        for handler in getattr(route, "route_handlers", []):
            access: Access | None = handler.opt.get("access")
            methods = set(getattr(handler, "http_methods", set()))
            if access and access.kind == "action" and methods & {"POST", "PATCH", "PUT", "DELETE"}:
                # Every write route is guarded by a write action, or by an action the
                # auditor does not hold.
                assert access.action in WRITE_ACTIONS or access.action not in GRANTS[Role.AUDITEUR], route.path


async def test_lead_of_a_cannot_read_council_of_b(client: Any, world: World) -> None:
    r = await client.get(f"/api/v1/conseils/{world.ids['council_b']}", headers=bearer(world, "lead_a"))
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "acces-refuse"
    listing = await client.get("/api/v1/conseils", headers=bearer(world, "lead_a"))
    assert [c["name"] for c in listing.json()] == ["Conseil A"]
    auditor = await client.get("/api/v1/conseils", headers=bearer(world, "auditor_37"))
    assert [c["name"] for c in auditor.json()] == ["Conseil A"]


async def test_unknown_resource_is_404_not_500(client: Any, world: World) -> None:
    r = await client.get("/api/v1/conseils/99999", headers=bearer(world, "admin"))
    assert r.status_code == 404
    assert r.json()["type"].endswith("/introuvable")


_ = Action
