"""Issue 14, item 2: parallel wrong passwords cannot get past the lockout (both engines)."""

from __future__ import annotations

import asyncio
from typing import Any
from unittest import mock

import pytest

from tests.conftest import PASSWORD, World

pytestmark = pytest.mark.anyio


async def _parallel_logins(ctx: Any, email: str, n: int, ip: str = "192.0.2.7", password: str = "faux-mot-de-passe") -> tuple[list[Any], int]:
    from service import security
    from service.comptes.usecases import sessions as acc

    real = security.verify_password
    checked = 0

    def counting(*a: Any, **kw: Any) -> bool:
        nonlocal checked
        checked += 1
        return real(*a, **kw)

    with mock.patch.object(acc, "verify_password", counting):
        results = await asyncio.gather(*[acc.login(ctx, email, password, ip) for _ in range(n)], return_exceptions=True)
    return list(results), checked


async def test_forty_parallel_wrong_passwords_check_at_most_ten(ctx: Any, world: World) -> None:
    from domain.errors import NotAuthenticated, TooManyAttempts

    results, checked = await _parallel_logins(ctx, world.emails["lead_a"], 40)
    wrong = [r for r in results if isinstance(r, NotAuthenticated)]
    locked = [r for r in results if isinstance(r, TooManyAttempts)]
    assert checked <= ctx.settings.login_max_failures, checked
    assert len(wrong) == checked and len(wrong) + len(locked) == 40, results
    # And the right password is refused too while the account is locked.
    from service.comptes.usecases import sessions as acc

    with pytest.raises(TooManyAttempts):
        await acc.login(ctx, world.emails["lead_a"], PASSWORD, "198.51.100.1")


async def test_parallel_attempts_per_client_address_are_bounded(ctx: Any, world: World) -> None:
    """One address trying many accounts at once: at most 5 × the limit are checked."""
    from domain.errors import TooManyAttempts
    from service import security
    from service.comptes.usecases import sessions as acc

    real = security.verify_password
    checked = 0

    def counting(*a: Any, **kw: Any) -> bool:
        nonlocal checked
        checked += 1
        return real(*a, **kw)

    limit = ctx.settings.login_max_failures * 5
    with mock.patch.object(acc, "verify_password", counting):
        results = await asyncio.gather(
            *[acc.login(ctx, f"inconnu{i}@test.fr", "faux", "203.0.113.9") for i in range(limit + 15)], return_exceptions=True
        )
    assert checked <= limit
    assert sum(isinstance(r, TooManyAttempts) for r in results) >= 15


async def test_success_resets_the_count(ctx: Any, world: World) -> None:
    from service.comptes.usecases import sessions as acc

    _results, _checked = await _parallel_logins(ctx, world.emails["lead_a"], 5)
    ok = await acc.login(ctx, world.emails["lead_a"], PASSWORD, "192.0.2.7")
    assert ok.account_id == world.ids["lead_a"]
    _results, checked = await _parallel_logins(ctx, world.emails["lead_a"], 12)
    assert checked == ctx.settings.login_max_failures


async def test_parallel_wrong_reply_codes_are_bounded_per_code(ctx: Any, world: World) -> None:
    """The online reply counts the same way: 30 guesses at once on one code, at most 5
    reach the check (the code's limit)."""
    from domain.errors import InvalidInput, TooManyAttempts
    from service.tirage.usecases import replies

    results = await asyncio.gather(
        *[replies.reply_online(ctx, "ZZZZZ-ZZZZZ", 1980 + i, "accepte", "", f"client-{i}") for i in range(30)], return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, InvalidInput)]
    locked = [r for r in results if isinstance(r, TooManyAttempts)]
    assert len(refused) == replies.REPLY_MAX_FAILURES_PER_CODE and len(locked) == 30 - len(refused), results
