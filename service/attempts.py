"""Counted attempts (logins, online replies): the count and the decision are one step.

An attempt first *reserves* a slot: inside one transaction that serialises every attempt
on the same keys (SQLite: the IMMEDIATE transaction holds the write lock; PostgreSQL: a
transaction-scoped advisory lock per key), the recent failures are counted and, below the
limit, a failure row is written before the secret is checked. Forty attempts sent at once
therefore see 0, 1, 2 … earlier reservations, and those past the limit are refused
without the secret being checked. A success then turns its reservation into a success.
The rows live with the accounts (service/comptes/store.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from domain.errors import TooManyAttempts
from service.comptes.store import AccountStore
from service.context import AppContext


def _count(attempts: list[tuple[datetime, bool]]) -> tuple[int, datetime | None]:
    """Failures since the last success (newest first), and the latest of them."""
    count, last = 0, None
    for at, success in attempts:
        if success:
            break
        count += 1
        last = last or at
    return count, last


async def reserve(
    ctx: AppContext,
    checks: Sequence[tuple[str, int]],
    *,
    now: datetime,
    window: timedelta,
    refusal: Callable[[int], str],
    until_success: bool = True,
) -> list[int]:
    """Count then reserve one failure slot per key, atomically. Raises ``TooManyAttempts``
    (with ``refusal(retry_after_seconds)`` as its French detail) when a key is at its limit.
    ``until_success``: a success resets the count (logins); otherwise every failure in
    the window counts (online replies). Returns the reserved rows' ids."""
    store = AccountStore(ctx.db)
    keys = [k for k, _limit in checks]
    async with ctx.db.transaction():
        await store.lock_attempt_keys(keys)
        for key, limit in checks:
            count, last = _count(await store.recent_attempts(key, now - window, failures_only=not until_success))
            if count >= limit and last is not None:
                retry = max(1, int((last + window - now).total_seconds()) + 1)
                raise TooManyAttempts(refusal(retry), retry_after=retry)
        ids = await store.insert_attempts(keys, now)
        await store.forget_attempts_before(now - timedelta(days=1))
    return ids


async def succeeded(ids: Sequence[int]) -> None:
    """The secret was right: the reserved slots become a success (which resets the count)."""
    if ids:
        await AccountStore().mark_attempts_succeeded(ids)


async def released(ids: Sequence[int]) -> None:
    """The attempt ended before any secret was checked (e.g. an unreadable answer): the
    reserved slots are given back."""
    if ids:
        await AccountStore().delete_attempts(ids)
