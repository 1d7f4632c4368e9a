"""API tokens: created, listed and revoked by their owner."""

from __future__ import annotations

from datetime import timedelta

from domain.errors import Conflict, InvalidInput, NotFound
from domain.i18n import _
from service import audit
from service.audit import Actor
from service.comptes.store import AccountStore, TokenRow
from service.context import AppContext
from service.http.auth import TOKEN_PREFIX
from service.security import new_token, token_digest


async def create_api_token(ctx: AppContext, actor: Actor, account_id: int, name: str,
                           days: int | None = 365) -> tuple[str, TokenRow]:
    label = " ".join((name or "").split())
    if not label or len(label) > 100:
        raise InvalidInput(_("Donnez un nom au jeton (100 caractères au plus)."), field="name", code="champ-obligatoire")
    if days is not None and not 1 <= days <= 730:
        raise InvalidInput(_("La durée de validité doit être comprise entre 1 et 730 jours."), field="days")
    store = AccountStore(ctx.db)
    token = new_token(TOKEN_PREFIX)
    now = ctx.now()
    async with ctx.db.transaction():
        token_id = await store.insert_token(account_id, label, token[:12], token_digest(token), now,
                                            None if days is None else now + timedelta(days=days))
        await audit.record(ctx.db, actor=actor, action="jeton_api.creation", subject_type="jeton_api", subject_id=token_id,
                           at=now, details={"nom": label})
    return token, await get_api_token(account_id, token_id, store)


async def get_api_token(account_id: int, token_id: int, store: AccountStore | None = None) -> TokenRow:
    row = await (store or AccountStore()).token(account_id, token_id)
    if row is None:
        raise NotFound(_("Jeton introuvable."))
    return row


async def list_api_tokens(account_id: int, store: AccountStore | None = None) -> list[TokenRow]:
    return await (store or AccountStore()).tokens(account_id)


async def revoke_api_token(ctx: AppContext, actor: Actor, account_id: int, token_id: int) -> None:
    store = AccountStore(ctx.db)
    now = ctx.now()
    async with ctx.db.transaction():
        row = await get_api_token(account_id, token_id, store)
        if row.revoked_at is not None:
            raise Conflict(_("Ce jeton est déjà révoqué."), code="deja-revoque")
        await store.revoke_token(token_id, now)
        await audit.record(ctx.db, actor=actor, action="jeton_api.revocation", subject_type="jeton_api",
                           subject_id=token_id, at=now)
