"""Issue 14, item 12: authenticating costs one query and does not write on every request."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from tests.conftest import World

pytestmark = pytest.mark.anyio


async def _count_queries(ctx: Any, coro: Any) -> tuple[Any, list[str]]:
    seen: list[str] = []
    real = type(ctx.db.engine).run_querystring

    async def counting(self: Any, querystring: Any, *a: Any, **kw: Any) -> Any:
        seen.append(str(querystring)[:60])
        return await real(self, querystring, *a, **kw)

    with mock.patch.object(type(ctx.db.engine), "run_querystring", counting):
        out = await coro
    return out, seen


async def test_token_principal_in_one_query_and_last_use_written_once_a_minute(ctx: Any, world: World, clock: Any) -> None:
    from service.comptes.tables import ApiToken
    from service.http.auth import authenticate

    headers = {"authorization": f"Bearer {world.tokens['lead_a']}"}
    user, first = await _count_queries(ctx, authenticate(headers, {}, clock.now))
    assert user.account_id == world.ids["lead_a"] and len(user.principal.assignments) == 1
    assert len(first) <= 2, first  # the principal, plus the first last-use write
    stamp = (await ApiToken.select(ApiToken.last_used_at).where(ApiToken.account == world.ids["lead_a"]).first())["last_used_at"]
    assert stamp == clock.now
    clock.advance(seconds=20)
    _user, second = await _count_queries(ctx, authenticate(headers, {}, clock.now))
    assert len(second) == 1, second  # read only: no write within the minute
    assert (await ApiToken.select(ApiToken.last_used_at).where(ApiToken.account == world.ids["lead_a"]).first())["last_used_at"] == stamp
    clock.advance(seconds=60)
    await authenticate(headers, {}, clock.now)
    assert (await ApiToken.select(ApiToken.last_used_at).where(ApiToken.account == world.ids["lead_a"]).first())["last_used_at"] == clock.now


async def test_session_principal_in_one_query(ctx: Any, world: World, clock: Any) -> None:
    from service.comptes import usecases as acc
    from service.http.auth import SESSION_COOKIE, authenticate
    from tests.conftest import PASSWORD

    res = await acc.login(ctx, world.emails["admin"], PASSWORD, "192.0.2.1")
    user, queries = await _count_queries(ctx, authenticate({}, {SESSION_COOKIE: res.session_token}, clock.now))
    assert user.principal.is_admin and len(queries) == 1, queries
    # An account without any role still authenticates (LEFT JOIN).
    from service.comptes.tables import RoleAssignment

    await RoleAssignment.delete().where(RoleAssignment.account == world.ids["admin"])
    user = await authenticate({}, {SESSION_COOKIE: res.session_token}, clock.now)
    assert user is not None and user.principal.assignments == ()
