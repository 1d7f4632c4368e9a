"""Counted attempts (logins, online replies): the count and the decision are one step.

An attempt first *reserves* a slot: inside one transaction that serialises every attempt
on the same keys (SQLite: the IMMEDIATE transaction holds the write lock; PostgreSQL: a
transaction-scoped advisory lock per key), the recent failures are counted and, below the
limit, a failure row is written before the secret is checked. Forty attempts sent at once
therefore see 0, 1, 2 … earlier reservations, and those past the limit are refused
without the secret being checked. A success then turns its reservation into a success.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from domain.errors import TooManyAttempts
from service.context import AppContext
from service.db.tables import LoginAttempt


async def _recent(key: str, since: datetime, *, until_success: bool) -> tuple[int, datetime | None]:
    q = LoginAttempt.select(LoginAttempt.at, LoginAttempt.success).where((LoginAttempt.subject_key == key) & (LoginAttempt.at >= since))
    if not until_success:
        q = q.where(LoginAttempt.success == False)  # noqa: E712
    rows = await q.order_by(LoginAttempt.at, ascending=False).order_by(LoginAttempt.id, ascending=False).limit(500)
    count, last = 0, None
    for r in rows:
        if r["success"]:
            break
        count += 1
        last = last or r["at"]
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
    keys = [k for k, _limit in checks]
    async with ctx.db.transaction():
        if not ctx.db.is_sqlite:
            for key in sorted(set(keys)):
                await LoginAttempt.raw("SELECT pg_advisory_xact_lock(hashtextextended({}, 7))", key)
        for key, limit in checks:
            count, last = await _recent(key, now - window, until_success=until_success)
            if count >= limit and last is not None:
                retry = max(1, int((last + window - now).total_seconds()) + 1)
                raise TooManyAttempts(refusal(retry), retry_after=retry)
        rows = await LoginAttempt.insert(*[LoginAttempt(subject_key=k, at=now, success=False) for k in keys]).returning(LoginAttempt.id)
        await LoginAttempt.delete().where(LoginAttempt.at < now - timedelta(days=1))
    return [int(r["id"]) for r in rows]


async def succeeded(ids: Sequence[int]) -> None:
    """The secret was right: the reserved slots become a success (which resets the count)."""
    if ids:
        await LoginAttempt.update({LoginAttempt.success: True}).where(LoginAttempt.id.is_in(list(ids)))


async def released(ids: Sequence[int]) -> None:
    """The attempt ended before any secret was checked (e.g. an unreadable answer): the
    reserved slots are given back."""
    if ids:
        await LoginAttempt.delete().where(LoginAttempt.id.is_in(list(ids)))
