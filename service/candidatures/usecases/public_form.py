"""The public forms' rate limit: submissions per client address per hour, counted in the
database so every worker sees one limit (the questions' public form uses it too)."""

from __future__ import annotations

from datetime import timedelta

from domain.errors import TooManyAttempts
from domain.i18n import ngettext
from service.candidatures.store import CandidatureStore
from service.context import AppContext

STORE = CandidatureStore()
RATE_LIMIT_PER_HOUR = 20


async def check_rate(ctx: AppContext, client: str, store: CandidatureStore = STORE) -> None:
    """Refuse more than RATE_LIMIT_PER_HOUR submissions from one address, then count this one
    (in its own transaction: a refused submission must count too)."""
    now = ctx.now()
    key = f"ip:{client}"[:120]
    seen = await store.submissions_since(key, now - timedelta(hours=1), RATE_LIMIT_PER_HOUR + 1)
    if len(seen) >= RATE_LIMIT_PER_HOUR:
        retry = max(1, int((seen[0] + timedelta(hours=1) - now).total_seconds()) + 1)
        minutes = max(1, retry // 60)
        raise TooManyAttempts(
            ngettext(
                "Trop d'envois depuis votre connexion. Réessayez dans {m} minute.",
                "Trop d'envois depuis votre connexion. Réessayez dans {m} minutes.",
                minutes,
            ).format(m=minutes),
            retry_after=retry,
        )
    async with ctx.db.transaction():
        await store.record_submission(key, now, keep=timedelta(days=1))
