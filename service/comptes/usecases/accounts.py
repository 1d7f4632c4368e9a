"""Accounts: the first administrator (browser setup token or command line), the list
of accounts and their activation."""

from __future__ import annotations

from datetime import datetime

from domain.access import Role
from domain.errors import Conflict, InvalidInput, NotFound
from domain.genre import Genre, parse_genre
from domain.i18n import _
from service import audit
from service.audit import Actor
from service.comptes.store import AccountRow, AccountStore, AccountSummary
from service.context import AppContext
from service.security import check_password_policy, hash_password, new_token, token_digest

SETUP_KEY = "jeton_installation"


def _store(ctx: AppContext | None, store: AccountStore | None) -> AccountStore:
    return store or AccountStore(None if ctx is None else ctx.db)


def normalise_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    local, _sep, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 254:
        raise InvalidInput(_("Adresse électronique invalide : « {e} ».").format(e=raw), field="email", code="courriel-invalide")
    return email


async def admin_exists(store: AccountStore | None = None) -> bool:
    return await _store(None, store).admin_exists()


async def _create_account(ctx: AppContext, email: str, display_name: str, password: str, now: datetime,
                          store: AccountStore | None = None, genre: Genre | None = None) -> int:
    store = _store(ctx, store)
    check_password_policy(password, email=email)
    name = " ".join((display_name or "").split())
    if not name:
        raise InvalidInput(_("Le nom est obligatoire."), field="display_name", code="champ-obligatoire")
    if await store.account_id_by_email(email) is not None:
        raise Conflict(_("Un compte existe déjà pour cette adresse."), field="email", code="doublon")
    return await store.insert_account(email, name, hash_password(password, cheap=ctx.cheap_hashing), now,
                                      None if genre is None else genre.value)


async def create_admin(ctx: AppContext, email: str, display_name: str, password: str, actor: Actor | None = None) -> int:
    """Used by ``conseil admin create`` (whoever has the machine may add administrators)."""
    store = AccountStore(ctx.db)
    email = normalise_email(email)
    now = ctx.now()
    async with ctx.db.transaction():
        account_id = await _create_account(ctx, email, display_name, password, now, store)
        await store.add_role(account_id, Role.ADMINISTRATEUR.value, now)
        await store.replace_setup_token(SETUP_KEY, None, now)
        await audit.record(ctx.db, actor=actor or Actor.system("ligne de commande"), action="compte.creation_administrateur",
                           subject_type="compte", subject_id=account_id, at=now, details={"role": "administrateur"})
    return account_id


async def issue_setup_token(ctx: AppContext) -> str | None:
    """On an empty database, a one-time token lets the first administrator be created
    through the browser. Returns None when an administrator already exists."""
    store = AccountStore(ctx.db)
    async with ctx.db.transaction():
        if await store.admin_exists():
            await store.replace_setup_token(SETUP_KEY, None, ctx.now())
            return None
        token = new_token(nbytes=24)
        await store.replace_setup_token(SETUP_KEY, token_digest(token), ctx.now())
        return token


async def setup_first_admin(ctx: AppContext, token: str, email: str, display_name: str, password: str) -> int:
    store = AccountStore(ctx.db)
    email = normalise_email(email)
    now = ctx.now()
    async with ctx.db.transaction():
        consumed = await store.consume_setup_token(SETUP_KEY, token_digest(token or ""))
        if not consumed or await store.admin_exists():
            raise Conflict(_("Ce jeton d'installation n'est plus valable : un administrateur existe déjà ou le jeton est erroné."),
                           field="token", code="jeton-installation-invalide")
        account_id = await _create_account(ctx, email, display_name, password, now, store)
        await store.add_role(account_id, Role.ADMINISTRATEUR.value, now)
        await audit.record(ctx.db, actor=Actor(account_id, email), action="compte.installation", subject_type="compte",
                           subject_id=account_id, at=now, details={"role": "administrateur"})
    return account_id


async def list_accounts(store: AccountStore | None = None) -> list[AccountSummary]:
    return await _store(None, store).accounts()


async def set_account_active(ctx: AppContext, actor: Actor, account_id: int, active: bool) -> None:
    store = AccountStore(ctx.db)
    now = ctx.now()
    async with ctx.db.transaction():
        if not await store.account_exists(account_id):
            raise NotFound(_("Compte introuvable."))
        if account_id == actor.id and not active:
            raise Conflict(_("Vous ne pouvez pas désactiver votre propre compte."), code="auto-desactivation")
        await store.set_active(account_id, active)
        if not active:
            await store.close_sessions(account_id)
            await store.revoke_tokens(account_id, now)
        await audit.record(ctx.db, actor=actor, action="compte.activation" if active else "compte.desactivation",
                           subject_type="compte", subject_id=account_id, at=now)


async def get_account(account_id: int, store: AccountStore | None = None) -> AccountRow:
    row = await _store(None, store).account(account_id)
    if row is None:
        raise NotFound(_("Compte introuvable."))
    return row


async def set_genre(ctx: AppContext, actor: Actor, account_id: int, raw: str | None) -> AccountRow:
    """How the person's role is written (« cheffe de projet », « chef de projet », or the
    neutral double form when nothing is said); audited as a change of the account."""
    store = AccountStore(ctx.db)
    genre = parse_genre(raw)
    now = ctx.now()
    async with ctx.db.transaction():
        before = await get_account(account_id, store)
        await store.set_genre(account_id, None if genre is None else genre.value)
        await audit.record(ctx.db, actor=actor, action="compte.modification", subject_type="compte",
                           subject_id=account_id, at=now, details={"champs": ["genre"]},
                           before={"genre": before.genre}, after={"genre": None if genre is None else genre.value})
    return await get_account(account_id, store)


async def genre_of_account(account_id: int | None, store: AccountStore | None = None) -> str | None:
    """The gender (« F », « M ») an account says, None when it says nothing or there is no
    account (documents then write the neutral title)."""
    if account_id is None:
        return None
    row = await _store(None, store).account(account_id)
    return None if row is None else row.genre
