"""Issue 14, item 6: public draw data names roles, never the lead's account."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, bearer, web_login
from tests.tirage_support import DICE, make_pool

pytestmark = pytest.mark.anyio


async def test_draw_details_do_not_show_the_leads_email(client: Any, ctx: Any, world: World) -> None:
    council = world.ids["council_a"]
    base = f"/api/v1/conseils/{council}/tirages"
    h = bearer(world, "lead_a")
    pool = await make_pool(ctx, council, 40)
    r = await client.post(base + "/", json={"pool_id": pool["id"], "seats": 2, "multiple": 2}, headers=h)
    assert r.status_code == 201, r.text
    d = r.json()
    assert (await client.post(f"{base}/{d['id']}/engagement", headers=h)).status_code == 200
    assert (await client.post(f"{base}/{d['id']}/alea", json={"entropy": DICE}, headers=h)).status_code == 200
    email = world.emails["lead_a"]
    for who in ("lead_b", "member_a", "auditor_37", "admin"):
        for url in (f"{base}/{d['id']}", f"{base}/"):
            r = await client.get(url, headers=bearer(world, who))
            if r.status_code != 200:
                continue
            assert email not in r.text, (who, url)
            one = r.json() if isinstance(r.json(), dict) else r.json()[0]
            assert one["entropy_by"] == "Chef de projet politique de la ville"
    # The page of the draw.
    await web_login(client, world.emails["admin"])
    r = await client.get(f"/conseils/{council}/tirages/{d['id']}")
    assert r.status_code == 200
    assert email not in r.text and "Chef de projet politique de la ville" in r.text
