"""The caller's own account, API tokens, invitations and account administration."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, Request, delete, get, patch, post
from litestar.status_codes import HTTP_201_CREATED

from domain.access import Action
from domain.genre import Genre, parse_genre
from service.comptes import schemas as s
from service.comptes import usecases as uc
from service.http.auth import CurrentUser, allow, authenticated, public
from service.http.common import actor_of, ctx_of, user_of
from service.public_address import public_base_url_for_documents


def _said(genre: str | None) -> Literal["F", "M"] | None:
    said = parse_genre(genre)
    return None if said is None else ("F" if said is Genre.FEMININ else "M")


def _me(account_id: int, email: str, display_name: str, genre: str | None, u: CurrentUser) -> s.Me:
    return s.Me(id=account_id, email=email, display_name=display_name, genre=_said(genre), roles=[
        s.RoleOut(role=a.role.value, label=a.role.label_for(genre), territory_id=a.territory_id,
                  council_id=a.council_id, departement=a.departement)
        for a in u.principal.assignments])


class MeController(Controller):
    path = "/api/v1/moi"
    tags = ["Mon compte"]

    @get("/", operation_id="getMe", opt=authenticated())
    async def me(self, request: Request[Any, Any, Any]) -> s.Me:
        u = user_of(request)
        return _me(u.account_id, u.email, u.display_name, u.genre, u)

    @patch("/", operation_id="updateMe", opt=authenticated(), summary="Modifier mon compte",
           description="L'accord de la fonction (« cheffe de projet », « chef de projet ») ; inscrit au journal.")
    async def update(self, request: Request[Any, Any, Any], data: s.MeUpdate) -> s.Me:
        u = user_of(request)
        row = await uc.set_genre(ctx_of(request), actor_of(request), u.account_id, data.genre)
        return _me(row.id, row.email, row.display_name, row.genre, u)

    @post("/mot-de-passe", operation_id="changePassword", opt=authenticated(), status_code=204)
    async def password(self, request: Request[Any, Any, Any], data: s.PasswordChange) -> None:
        u = user_of(request)
        await uc.change_password(ctx_of(request), u.account_id, data.old_password, data.new_password, u.session_hash)

    @get("/jetons", operation_id="listTokens", opt=authenticated())
    async def tokens(self, request: Request[Any, Any, Any]) -> list[s.TokenOut]:
        return [s.TokenOut.model_validate(t) for t in await uc.list_api_tokens(user_of(request).account_id)]

    @post("/jetons", operation_id="createToken", opt=authenticated(), status_code=HTTP_201_CREATED)
    async def create_token(self, request: Request[Any, Any, Any], data: s.TokenCreate) -> s.TokenCreated:
        token, info = await uc.create_api_token(ctx_of(request), actor_of(request), user_of(request).account_id, data.name, data.days)
        return s.TokenCreated(token=token, info=s.TokenOut.model_validate(info))

    @delete("/jetons/{token_id:int}", operation_id="revokeToken", opt=authenticated(), status_code=204)
    async def revoke(self, request: Request[Any, Any, Any], token_id: int) -> None:
        await uc.revoke_api_token(ctx_of(request), actor_of(request), user_of(request).account_id, token_id)


class AccountAdminController(Controller):
    path = "/api/v1"
    tags = ["Comptes"]

    @get("/comptes", operation_id="listAccounts", opt=allow(Action.MANAGE_USERS))
    async def accounts(self) -> list[s.AccountOut]:
        return [s.AccountOut.model_validate(a) for a in await uc.list_accounts()]

    @post("/comptes/{account_id:int}/desactiver", operation_id="deactivateAccount", opt=allow(Action.MANAGE_USERS), status_code=204)
    async def deactivate(self, request: Request[Any, Any, Any], account_id: int) -> None:
        await uc.set_account_active(ctx_of(request), actor_of(request), account_id, False)

    @post("/comptes/{account_id:int}/activer", operation_id="activateAccount", opt=allow(Action.MANAGE_USERS), status_code=204)
    async def activate(self, request: Request[Any, Any, Any], account_id: int) -> None:
        await uc.set_account_active(ctx_of(request), actor_of(request), account_id, True)

    @post("/invitations", operation_id="createInvitation", opt=authenticated(), status_code=HTTP_201_CREATED,
          description="Administrateurs : tout rôle. Chefs de projet : secrétaires et membres des conseils de leur territoire.")
    async def invite(self, request: Request[Any, Any, Any], data: s.InvitationCreate) -> s.InvitationCreated:
        ctx = ctx_of(request)
        base = public_base_url_for_documents(ctx.settings)  # the link is sent to someone outside
        code, info = await uc.create_invitation(ctx, actor_of(request), user_of(request).principal, uc.InvitationInput(**data.model_dump()))
        return s.InvitationCreated(id=info.id, email=info.email, role=info.role, expires_at=info.expires_at,
                                   code=code, url=f"{base}/invitation/{code}")

    @post("/invitations/acceptation", operation_id="acceptInvitation", opt=public(), status_code=HTTP_201_CREATED)
    async def accept(self, request: Request[Any, Any, Any], data: s.InvitationAccept) -> s.InvitationAccepted:
        account_id = await uc.accept_invitation(ctx_of(request), data.code, data.display_name, data.password, data.genre)
        return s.InvitationAccepted(account_id=account_id)


API_CONTROLLERS = [MeController, AccountAdminController]
