"""No 500 from values out of range at the edge (issue 14, item 4): ids beyond 64 bits in
every path of the app, huge query integers, page numbers whose offset would overflow,
dates in year 1 or 2. Each is a 404 or a 422 problem, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import World, bearer
from tests.e2e.test_access_matrix import sample_params

pytestmark = pytest.mark.anyio

HUGE = ["9223372036854775808", "99999999999999999999", "0", "-1"]
SKIP_METHODS = {"OPTIONS", "HEAD"}


def _routes(app: Any) -> list[tuple[str, str, list[str]]]:
    """(method, path template, int path parameters) for every handler of the app."""
    out = []
    for route in app.routes:
        ints = re.findall(r"\{(\w+):int\}", route.path)
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(set(getattr(handler, "http_methods", set())) - SKIP_METHODS):
                if ints:
                    out.append((method, route.path, ints))
    return out


def _fill(path: str, params: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(params[m.group(1)]), path)


@pytest.mark.parametrize("value", HUGE)
async def test_every_route_with_an_id_beyond_64_bits(
    client: Any, world: World, value: str
) -> None:
    base = sample_params(world)
    failures = []
    checked = 0
    for method, path, ints in _routes(client.app):
        for name in ints:
            url = _fill(path, {**base, name: value})
            for who in ("admin", None):
                headers = bearer(world, who) if who else {}
                r = await client.request(method, url, headers=headers, json={},
                                         follow_redirects=False)
                checked += 1
                if r.status_code >= 500:
                    failures.append(f"{method} {url} {who or 'anonyme'} → {r.status_code}")
                elif who == "admin" and r.status_code not in (404, 422, 403, 409, 405):
                    failures.append(f"{method} {url} admin → {r.status_code} (404/422 attendu)")
    assert checked > 50
    assert failures == []


async def test_every_int_query_parameter_beyond_64_bits(client: Any, world: World) -> None:
    from service.http.bounds import _typed_query

    base = sample_params(world)
    failures, checked = [], 0
    for route in client.app.routes:
        for handler in getattr(route, "route_handlers", []):
            methods = set(getattr(handler, "http_methods", set())) - SKIP_METHODS
            path_names = set(re.findall(r"\{(\w+)(?::\w+)?\}", route.path))
            ints = [n for n, kind in _typed_query(handler) if kind == "int" and n not in path_names]
            for method in sorted(methods):
                for name in ints:
                    url = _fill(route.path, base)
                    r = await client.request(method, url, params={name: HUGE[1]},
                                             headers=bearer(world, "admin"), json={},
                                             follow_redirects=False)
                    checked += 1
                    if r.status_code >= 500 or r.status_code not in (422, 404, 403, 409):
                        failures.append(f"{method} {url}?{name}=… → {r.status_code}")
    assert checked >= 3
    assert failures == []


@pytest.mark.parametrize("page", ["9223372036854775807", "99999999999999999999", "1000001"])
async def test_page_numbers_cannot_overflow_the_offset(client: Any, world: World, page: str) -> None:
    cid = world.ids["council_a"]
    r = await client.get(f"/api/v1/conseils/{cid}/registre/personnes", params={"page": page},
                         headers=bearer(world, "lead_a"))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "page"
    assert r.headers["content-type"].startswith("application/problem+json")
    ok = await client.get(f"/api/v1/conseils/{cid}/registre/personnes", params={"page": "1000000"},
                          headers=bearer(world, "lead_a"))
    assert ok.status_code == 200 and ok.json()["items"] == []


@pytest.mark.parametrize("day", ["0001-01-01", "0002-01-01", "1899-12-31", "2101-01-01"])
async def test_dates_out_of_bounds_in_bodies(client: Any, world: World, day: str) -> None:
    cid = world.ids["council_a"]
    api = f"/api/v1/conseils/{cid}"
    lead = bearer(world, "lead_a")
    cases = [
        ("POST", f"{api}/registre/eligibilite", {"date_reference": day}),
        ("POST", f"{api}/registre/viviers", {"date_reference": day}),
        ("POST", f"{api}/membres", {"college": "habitants", "origin": "volontaire", "prenom": "A",
                                    "nom": "B", "sexe": "F", "mandate_start": day}),
        ("POST", f"{api}/appels", {"college": "habitants", "title": "Appel", "opens_on": day,
                                   "closes_on": "2026-12-31"}),
    ]
    for method, url, body in cases:
        r = await client.request(method, url, json=body, headers=lead)
        assert r.status_code == 422, (url, r.status_code, r.text[:300])
        problem = r.json()
        assert "Date hors limites" in problem["detail"], problem


async def test_integers_beyond_64_bits_in_bodies(client: Any, world: World) -> None:
    cid = world.ids["council_a"]
    r = await client.post(f"/api/v1/conseils/{cid}/membres",
                          json={"college": "habitants", "origin": "volontaire", "prenom": "A",
                                "nom": "B", "sexe": "F", "rank": int(HUGE[1])},
                          headers=bearer(world, "lead_a"))
    assert r.status_code == 422 and "Nombre hors limites" in r.json()["detail"], r.text
    r = await client.patch(f"/api/v1/conseils/{cid}",
                           json={"version": int(HUGE[0]), "name": "X"},
                           headers=bearer(world, "admin"))
    assert r.status_code == 422, r.text


async def test_dates_out_of_bounds_in_forms(client: Any, world: World) -> None:
    from tests.conftest import web_login

    cid = world.ids["council_a"]
    await web_login(client, world.emails["lead_a"])
    await client.get(f"/conseils/{cid}/registre/eligibilite")
    for day in ("0002-01-01", "2101-01-01"):
        r = await client.post(f"/conseils/{cid}/registre/eligibilite",
                              data={"_csrf": client.cookies.get("cc_csrf"), "date_reference": day})
        assert r.status_code == 422, r.status_code
        assert "Date hors limites" in r.text
