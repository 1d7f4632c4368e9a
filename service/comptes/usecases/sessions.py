"""Logging in (rate limited), out, and changing one's password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import InvalidInput, NotAuthenticated, NotFound
from domain.i18n import _, ngettext
from service import attempts, audit
from service.audit import Actor
from service.comptes.store import AccountStore
from service.context import AppContext
from service.security import check_password_policy, hash_password, new_token, token_digest, verify_password


@dataclass(frozen=True)
class LoginResult:
    session_token: str
    account_id: int
    expires_at: datetime


def _refusal(retry: int) -> str:
    minutes = max(1, retry // 60 + (retry % 60 > 0))
    return ngettext(
        "Trop de tentatives de connexion échouées. Réessayez dans {m} minute.",
        "Trop de tentatives de connexion échouées. Réessayez dans {m} minutes.",
        minutes,
    ).format(m=minutes)


async def login(ctx: AppContext, email: str, password: str, client_ip: str) -> LoginResult:
    store = AccountStore(ctx.db)
    s = ctx.settings
    now = ctx.now()
    email_n = (email or "").strip().lower()
    window = timedelta(minutes=s.login_lock_minutes)
    checks = [(f"courriel:{email_n}", s.login_max_failures), (f"ip:{client_ip}", s.login_max_failures * 5)]
    # The slot is reserved (counted as a failure) before the password is checked, in one
    # serialised step: parallel attempts cannot all read the same count (issue 14, item 2).
    reserved = await attempts.reserve(ctx, checks, now=now, window=window, refusal=_refusal)
    acc = await store.credentials(email=email_n)
    ok = verify_password(acc.password_hash if acc else "", password or "", cheap=ctx.cheap_hashing)
    if not ok or acc is None or not acc.active:
        raise NotAuthenticated(_("Adresse électronique ou mot de passe incorrect."), code="identifiants-invalides")
    async with ctx.db.transaction():
        await attempts.succeeded(reserved)
        token = new_token()
        expires = now + timedelta(hours=s.session_hours)
        await store.open_session(token_digest(token), acc.id, now, expires)
        await store.set_last_login(acc.id, now)
        await audit.record(ctx.db, actor=Actor(acc.id, email_n), action="compte.connexion", subject_type="compte",
                           subject_id=acc.id, at=now)
    return LoginResult(token, acc.id, expires)


async def logout(session_hash: str | None) -> None:
    if session_hash:
        await AccountStore().close_session(session_hash)


async def change_password(ctx: AppContext, account_id: int, old: str, new: str, keep_session_hash: str | None) -> None:
    store = AccountStore(ctx.db)
    now = ctx.now()
    acc = await store.credentials(account_id=account_id)
    if not acc:
        raise NotFound(_("Compte introuvable."))
    if not verify_password(acc.password_hash, old or "", cheap=ctx.cheap_hashing):
        raise InvalidInput(_("Le mot de passe actuel est incorrect."), field="old_password", code="mot-de-passe-incorrect")
    check_password_policy(new, email=acc.email)
    async with ctx.db.transaction():
        await store.set_password(account_id, hash_password(new, cheap=ctx.cheap_hashing), now)
        # Other sessions end: a stolen session must not survive a password change.
        await store.close_sessions(account_id, keep=keep_session_hash)
        await audit.record(ctx.db, actor=Actor(account_id, acc.email), action="compte.changement_mot_de_passe",
                           subject_type="compte", subject_id=account_id, at=now)
