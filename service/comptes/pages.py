"""Pages of the accounts: login, first setup, invitations, « Mon compte », the
administration of accounts."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from domain.access import Role
from domain.errors import DomainError, InvalidInput
from domain.genre import NOT_SAID_LABEL, Genre
from domain.i18n import _
from service.comptes import schemas as s
from service.comptes import usecases as acc
from service.http.auth import SESSION_COOKIE, authenticated, public
from service.http.common import actor_of, client_ip, ctx_of, user_of
from service.http.csrf import token_for_session
from service.http.errors import status_of
from service.http.forms import decode
from service.http.render import form_errors, form_text, render, see_other
from service.organisation import usecases as org
from service.public_address import public_base_url_for_documents
from service.security import token_digest


def _optional_id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else None


def _genres() -> list[tuple[str, str]]:
    """The choices of the « accord » field: nothing said first."""
    return [("", _(NOT_SAID_LABEL)), *((g.value, g.label) for g in Genre)]


def _said(raw: str) -> str | None:
    return raw or None


class AuthPages(Controller):
    path = "/"
    include_in_schema = False

    @get("/connexion", opt=public())
    async def login_form(self, request: Request[Any, Any, Any], suite: str = "/") -> Template | Redirect:
        if request.scope.get("user"):
            return see_other("/")
        if not await acc.admin_exists():
            return see_other("/installation")
        return render(request, "connexion.html", titre=_("Connexion"), erreurs={}, email="", suite=suite)

    @post("/connexion", opt=public())
    async def login(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        form = await request.form()
        email, suite = form_text(form, "email"), form_text(form, "suite") or "/"
        if not suite.startswith("/") or suite.startswith("//"):
            suite = "/"
        ctx = ctx_of(request)
        try:
            result = await acc.login(ctx, email, str(form.get("password", "")), client_ip(request))
        except DomainError as exc:
            status = 429 if exc.code == "trop-de-tentatives" else 401
            return render(request, "connexion.html", status_code=status, titre=_("Connexion"),
                          erreurs={"password": exc.detail}, email=email, suite=suite)
        response = see_other(suite)
        response.cookies.append(Cookie(key=SESSION_COOKIE, value=result.session_token, httponly=True, samesite="lax",
                                       secure=ctx.settings.secure_cookies, path="/",
                                       max_age=ctx.settings.session_hours * 3600))
        # The form token is bound to the session: a new one comes with the session.
        response.cookies.append(token_for_session(request, token_digest(result.session_token), ctx.settings.secure_cookies))
        return response

    @post("/deconnexion", opt=authenticated())
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        await acc.logout(user_of(request).session_hash)
        response = see_other("/connexion?ok=deconnecte")
        response.cookies.append(Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/", httponly=True, samesite="lax"))
        return response

    @get("/installation", opt=public())
    async def setup_form(self, request: Request[Any, Any, Any], jeton: str = "") -> Template | Redirect:
        if await acc.admin_exists():
            return see_other("/connexion")
        return render(request, "installation.html", titre=_("Installation"), erreurs={}, token=jeton, email="", display_name="")

    @post("/installation", opt=public())
    async def setup(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        form = await request.form()
        values = {k: form_text(form, k) for k in ("token", "email", "display_name")}
        try:
            await acc.setup_first_admin(ctx_of(request), values["token"], values["email"], values["display_name"],
                                        str(form.get("password", "")))
        except DomainError as exc:
            return render(request, "installation.html", status_code=status_of(exc),
                          titre=_("Installation"), erreurs=form_errors(exc), **values)
        return see_other("/connexion?ok=installe")

    @get("/invitation/{code:str}", opt=public())
    async def invitation_form(self, request: Request[Any, Any, Any], code: str) -> Template:
        inv = await acc.find_invitation(ctx_of(request), code)
        return render(request, "invitation.html", titre=_("Invitation"), invitation=inv, code=code,
                      role_label=Role(inv.role).label, erreurs={}, display_name="", genres=_genres(), genre_choisi="")

    @post("/invitation/{code:str}", opt=public())
    async def accept_invitation(self, request: Request[Any, Any, Any], code: str) -> Template | Redirect:
        ctx = ctx_of(request)
        form = await request.form()
        name, genre = form_text(form, "display_name"), form_text(form, "genre")
        try:
            data = decode(s.InvitationAccept, {"code": code, "display_name": name, "password": str(form.get("password", "")),
                                               "genre": _said(genre)})
            await acc.accept_invitation(ctx, data.code, data.display_name, data.password, data.genre)
        except InvalidInput as exc:
            inv = await acc.find_invitation(ctx, code)
            return render(request, "invitation.html", status_code=422, titre=_("Invitation"), invitation=inv, code=code,
                          role_label=Role(inv.role).label, erreurs=form_errors(exc), display_name=name,
                          genres=_genres(), genre_choisi=genre)
        return see_other("/connexion?ok=compte-active")


class AccountPages(Controller):
    path = "/"
    include_in_schema = False

    async def _page(self, request: Request[Any, Any, Any], status: int = 200, **extra: Any) -> Template:
        user = user_of(request)
        affectations = []
        for a in user.principal.assignments:
            where = ""
            if a.council_id:
                where = await org.council_name(int(a.council_id))
            elif a.territory_id:
                where = (await org.get_territory(int(a.territory_id))).name
            elif a.departement:
                where = _("département {d}").format(d=a.departement)
            affectations.append(user.role_label(a.role) + (f" — {where}" if where else ""))
        return render(request, "compte/index.html", status_code=status, titre=_("Mon compte"), affectations=affectations,
                      jetons=await acc.list_api_tokens(user.account_id), erreurs_mdp=extra.pop("erreurs_mdp", {}),
                      erreurs_jeton=extra.pop("erreurs_jeton", {}), erreurs_genre=extra.pop("erreurs_genre", {}),
                      genres=_genres(), genre_choisi=extra.pop("genre_choisi", user.genre or ""), **extra)

    @get("/compte", opt=authenticated())
    async def account(self, request: Request[Any, Any, Any]) -> Template:
        return await self._page(request)

    @post("/compte/mot-de-passe", opt=authenticated())
    async def password(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        form = await request.form()
        user = user_of(request)
        try:
            data = decode(s.PasswordChange, {"old_password": str(form.get("old_password", "")),
                                             "new_password": str(form.get("new_password", ""))})
            await acc.change_password(ctx_of(request), user.account_id, data.old_password, data.new_password, user.session_hash)
        except DomainError as exc:
            errors = form_errors(exc)
            if "password" in errors:
                errors["new_password"] = errors.pop("password")
            return await self._page(request, status=422, erreurs_mdp=errors)
        return see_other("/compte?ok=mot-de-passe-change")

    @post("/compte/genre", opt=authenticated())
    async def genre(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        form = await request.form()
        raw = form_text(form, "genre")
        try:
            data = decode(s.MeUpdate, {"genre": _said(raw)})
            await acc.set_genre(ctx_of(request), actor_of(request), user_of(request).account_id, data.genre)
        except DomainError as exc:
            return await self._page(request, status=422, erreurs_genre=form_errors(exc), genre_choisi=raw)
        return see_other("/compte?ok=accord-enregistre")

    @post("/compte/jetons", opt=authenticated())
    async def create_token(self, request: Request[Any, Any, Any]) -> Template:
        form = await request.form()
        user = user_of(request)
        try:
            token, _info = await acc.create_api_token(ctx_of(request), actor_of(request), user.account_id, form_text(form, "name"))
        except DomainError as exc:
            return await self._page(request, status=422, erreurs_jeton=form_errors(exc))
        return await self._page(request, status=201, nouveau_jeton=token)

    @post("/compte/jetons/{token_id:int}/revoquer", opt=authenticated())
    async def revoke(self, request: Request[Any, Any, Any], token_id: int) -> Redirect:
        await acc.revoke_api_token(ctx_of(request), actor_of(request), user_of(request).account_id, token_id)
        return see_other("/compte?ok=jeton-revoque")


class AdminPages(Controller):
    path = "/"
    include_in_schema = False

    async def _page(self, request: Request[Any, Any, Any], status: int = 200, **extra: Any) -> Template:
        user = user_of(request)
        roles = [(r.value, r.label) for r in Role] if user.principal.is_admin else \
            [(r.value, r.label) for r in (Role.SECRETAIRE, Role.MEMBRE)]
        return render(request, "admin/comptes.html", status_code=status, titre=_("Comptes"),
                      comptes=await acc.list_accounts() if user.principal.is_admin else None,
                      roles=roles, role_label=lambda role, genre: Role(role).label_for(genre),
                      territoires=await org.list_territories(user.principal),
                      conseils=list(await org.list_councils(user.principal)),
                      erreurs=extra.pop("erreurs", {}), form=extra.pop("form", {"role": roles[0][0]}), **extra)

    @get("/administration/comptes", opt=authenticated())
    async def accounts(self, request: Request[Any, Any, Any]) -> Template:
        return await self._page(request)

    @post("/administration/invitations", opt=authenticated())
    async def invite(self, request: Request[Any, Any, Any]) -> Template:
        ctx = ctx_of(request)
        form = await request.form()
        values = {k: form_text(form, k) for k in ("email", "display_name", "role", "territory_id", "council_id", "departement")}
        try:
            base = public_base_url_for_documents(ctx.settings)
            data = decode(s.InvitationCreate, {
                **values, "territory_id": _optional_id(values["territory_id"]),
                "council_id": _optional_id(values["council_id"]), "departement": values["departement"] or None})
            code, info = await acc.create_invitation(ctx, actor_of(request), user_of(request).principal,
                                                     acc.InvitationInput(**data.model_dump()))
        except DomainError as exc:
            status = 403 if exc.code == "acces-refuse" else 422
            return await self._page(request, status=status, erreurs=form_errors(exc), form=values)
        created = {"id": info.id, "email": info.email, "role": info.role, "expires_at": info.expires_at,
                   "url": f"{base}/invitation/{quote(code)}"}
        return await self._page(request, status=201, invitation_creee=created)


PAGE_CONTROLLERS = [AuthPages, AccountPages, AdminPages]
