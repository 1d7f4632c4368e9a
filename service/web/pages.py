"""Pages of the foundation: login, setup, invitations, dashboard, territories, councils,
account, administration, audit trail."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from domain.access import Action, Role, is_allowed, visible_territories
from domain.errors import DomainError, InvalidInput
from domain.i18n import _
from domain.organisation import QUORUM_RULES, CouncilSettings
from service import audit
from service.api.audit import list_events
from service.api.bounds import version_or_stale
from service.api.common import actor_of, client_ip, ctx_of, user_of
from service.auth import SESSION_COOKIE, allow, authenticated, public
from service.csrf import token_for_session
from service.errors import status_of
from service.public_address import documents_address_warning, public_base_url_for_documents
from service.security import token_digest
from service.usecases import accounts as acc
from service.usecases import organisation as org
from service.usecases.council_journey import council_journey
from service.web.organisation_pages import OrganisationEditPages, parse_communes
from service.web.render import form_errors, form_text, render, see_other


class AuthPages(Controller):
    path = "/"
    include_in_schema = False

    @get("/connexion", opt=public())
    async def login_form(self, request: Request[Any, Any, Any], suite: str = "/") -> Template | Redirect:
        if request.scope.get("user"):  # type: ignore[call-overload]
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
                      role_label=Role(inv["role"]).label, erreurs={}, display_name="")

    @post("/invitation/{code:str}", opt=public())
    async def accept_invitation(self, request: Request[Any, Any, Any], code: str) -> Template | Redirect:
        ctx = ctx_of(request)
        form = await request.form()
        name = form_text(form, "display_name")
        try:
            await acc.accept_invitation(ctx, code, name, str(form.get("password", "")))
        except InvalidInput as exc:
            inv = await acc.find_invitation(ctx, code)
            return render(request, "invitation.html", status_code=422, titre=_("Invitation"), invitation=inv, code=code,
                          role_label=Role(inv["role"]).label, erreurs=form_errors(exc), display_name=name)
        return see_other("/connexion?ok=compte-active")


class HomePages(Controller):
    path = "/"
    include_in_schema = False

    @get("/", opt=public())
    async def dashboard(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        user = request.scope.get("user")  # type: ignore[call-overload]
        if user is None:
            return see_other("/connexion")
        councils = await org.list_councils(user.principal)
        return render(request, "tableau_de_bord.html", titre=_("Tableau de bord"), conseils=councils,
                      peut_creer=user.principal.is_admin or user.has_role(Role.CHEF_DE_PROJET))

    @get("/territoires", opt=authenticated())
    async def territories(self, request: Request[Any, Any, Any]) -> Template:
        return await self._territories(request, {}, {})

    async def _territories(self, request: Request[Any, Any, Any], erreurs: dict[str, str], form: dict[str, str], status: int = 200) -> Template:
        user = user_of(request)
        return render(request, "territoires/liste.html", status_code=status, titre=_("Territoires"),
                      territoires=await org.list_territories(user.principal), erreurs=erreurs, form=form,
                      peut_creer=user.principal.is_admin,
                      fil=[{"href": "/", "label": _("Tableau de bord")}, {"label": _("Territoires")}])

    @post("/territoires", opt=allow(Action.CREATE_TERRITORY))
    async def create_territory(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        form = await request.form()
        values = {k: form_text(form, k) for k in ("name", "departement", "kind", "siren", "communes")}
        try:
            row = await org.create_territory(ctx_of(request), actor_of(request), org.TerritoryInput(
                name=values["name"], departement=values["departement"], kind=values["kind"] or "epci",
                siren=values["siren"], communes=parse_communes(values["communes"])))
        except DomainError as exc:
            return await self._territories(request, form_errors(exc), values, status=status_of(exc))
        return see_other(f"/territoires/{row['id']}?ok=territoire-cree")

    @get("/territoires/{territory_id:int}", opt=allow(Action.READ_TERRITORY, "territory_id"))
    async def territory(self, request: Request[Any, Any, Any], territory_id: int) -> Template:
        return await self._territory(request, territory_id)

    async def _territory(self, request: Request[Any, Any, Any], territory_id: int, status: int = 200, **forms: Any) -> Template:
        user = user_of(request)
        t = await org.get_territory(territory_id)
        scope = request.scope["resource_scope"]  # type: ignore[typeddict-item]
        return render(request, "territoires/detail.html", status_code=status, titre=t["name"], territoire=t,
                      qpvs=await org.list_qpvs(user.principal, territory_id),
                      conseils=await org.list_councils(user.principal, territory_id),
                      peut_gerer=is_allowed(user.principal, Action.MANAGE_TERRITORY, scope),
                      peut_archiver=is_allowed(user.principal, Action.CREATE_TERRITORY, scope),
                      erreurs_qpv=forms.get("erreurs_qpv", {}), form_qpv=forms.get("form_qpv", {}),
                      erreurs_conseil=forms.get("erreurs_conseil", {}),
                      form_conseil=forms.get("form_conseil", {"qpv_ids": [], "regime": "2024", "name": ""}),
                      fil=[{"href": "/", "label": _("Tableau de bord")}, {"href": "/territoires", "label": _("Territoires")},
                           {"label": t["name"]}])

    @post("/territoires/{territory_id:int}/qpv", opt=allow(Action.MANAGE_TERRITORY, "territory_id"))
    async def create_qpv(self, request: Request[Any, Any, Any], territory_id: int) -> Template | Redirect:
        form = await request.form()
        values = {k: form_text(form, k) for k in ("code", "name")}
        try:
            await org.create_qpv(ctx_of(request), actor_of(request), territory_id, org.QpvInput(code=values["code"], name=values["name"]))
        except DomainError as exc:
            return await self._territory(request, territory_id, status=status_of(exc),
                                         erreurs_qpv=form_errors(exc), form_qpv=values)
        return see_other(f"/territoires/{territory_id}?ok=qpv-ajoute")

    @post("/territoires/{territory_id:int}/conseils", opt=allow(Action.MANAGE_TERRITORY, "territory_id"))
    async def create_council(self, request: Request[Any, Any, Any], territory_id: int) -> Template | Redirect:
        form = await request.form()
        qpv_ids = []
        for v in form.getall("qpv_ids", []):
            if str(v).isdigit():
                qpv_ids.append(int(v))
        values = {"name": form_text(form, "name"), "regime": form_text(form, "regime") or "2024", "qpv_ids": qpv_ids}
        try:
            row = await org.create_council(ctx_of(request), actor_of(request), territory_id, org.CouncilInput(
                name=values["name"], qpv_ids=tuple(qpv_ids), regime=values["regime"]))
        except DomainError as exc:
            return await self._territory(request, territory_id, status=status_of(exc),
                                         erreurs_conseil=form_errors(exc), form_conseil=values)
        return see_other(f"/conseils/{row['id']}?ok=conseil-cree")


def _reglages(settings: dict[str, Any]) -> list[tuple[str, str, Any]]:
    quorum_labels = {"majorite": _("majorité des membres en exercice"), "tiers": _("un tiers des membres"), "aucun": _("sans quorum")}
    out = []
    for key, label in CouncilSettings.LABELS.items():
        value = settings.get(key, getattr(CouncilSettings(), key))
        out.append((key, _(label), quorum_labels.get(value, value) if key == "quorum" else value))
    return out


# Other features add links to the council page by appending here at import time of their
# page module: (title, [(label, href pattern with {id})], required action).
COUNCIL_SECTIONS: list[tuple[str, list[tuple[str, str]], Action]] = []


class CouncilPages(Controller):
    path = "/conseils"
    include_in_schema = False

    @get("/{council_id:int}", opt=allow(Action.READ_COUNCIL, "council_id"))
    async def council(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        user = user_of(request)
        c = await org.get_council(council_id)
        scope = request.scope["resource_scope"]  # type: ignore[typeddict-item]
        sections = [
            {"title": _(title), "links": [{"label": _(label), "href": href.format(id=council_id)} for label, href in links]}
            for title, links, action in COUNCIL_SECTIONS if is_allowed(user.principal, action, scope)
        ]
        # The lead's workflow (registers to training); other roles see the links only.
        parcours = None
        if is_allowed(user.principal, Action.RUN_DRAW, scope) and is_allowed(user.principal, Action.MANAGE_REGISTER, scope):
            parcours = await council_journey(council_id, ctx_of(request).now(), {r.path for r in request.app.routes})
            shown = {link.href for step in parcours.steps for link in (*step.links, *([step.action] if step.action else []))}
            sections = [{**sec, "links": [lk for lk in sec["links"] if lk["href"] not in shown]} for sec in sections]
            sections = [sec for sec in sections if sec["links"]]
        return render(request, "conseils/detail.html", titre=c["name"], conseil=c, reglages=_reglages(c["settings"]),
                      adresse_publique_probleme=documents_address_warning(ctx_of(request).settings), parcours=parcours,
                      peut_gerer=is_allowed(user.principal, Action.MANAGE_COUNCIL, scope), sections=sections,
                      peut_restaurer=is_allowed(user.principal, Action.CREATE_TERRITORY, scope),
                      fil=[{"href": "/", "label": _("Tableau de bord")}, {"label": c["name"]}])

    @get("/{council_id:int}/modifier", opt=allow(Action.MANAGE_COUNCIL, "council_id"))
    async def edit_form(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        c = await org.get_council(council_id)
        form = {"name": c["name"], "regime": c["regime"], **c["settings"]}
        return self._edit(request, c, form, {})

    def _edit(self, request: Request[Any, Any, Any], c: dict[str, Any], form: dict[str, Any], erreurs: dict[str, str], status: int = 200) -> Template:
        labels = {"majorite": _("majorité des membres en exercice"), "tiers": _("un tiers des membres"), "aucun": _("sans quorum")}
        quorums = [(q, labels[q]) for q in QUORUM_RULES]
        return render(request, "conseils/modifier.html", status_code=status, titre=_("Modifier le conseil"), conseil=c,
                      form=form, erreurs=erreurs, reglages=_reglages(c["settings"]), quorums=quorums,
                      fil=[{"href": "/", "label": _("Tableau de bord")}, {"href": f"/conseils/{c['id']}", "label": c["name"]},
                           {"label": _("Modifier")}])

    @post("/{council_id:int}/modifier", opt=allow(Action.MANAGE_COUNCIL, "council_id"))
    async def edit(self, request: Request[Any, Any, Any], council_id: int) -> Template | Redirect:
        form = await request.form()
        values = {k: form_text(form, k) for k in ["name", "regime", "version", *CouncilSettings.LABELS]}
        settings = {k: values[k] for k in CouncilSettings.LABELS if k in form}
        version = version_or_stale(values["version"])
        try:
            await org.update_council(ctx_of(request), actor_of(request), council_id, org.CouncilUpdate(
                version=version, name=values["name"], regime=values["regime"], settings=settings))
        except DomainError as exc:
            c = await org.get_council(council_id)
            return self._edit(request, c, values, form_errors(exc), status=status_of(exc))
        return see_other(f"/conseils/{council_id}?ok=conseil-modifie")


class AccountPages(Controller):
    path = "/"
    include_in_schema = False

    async def _page(self, request: Request[Any, Any, Any], status: int = 200, **extra: Any) -> Template:
        user = user_of(request)
        affectations = []
        for a in user.principal.assignments:
            where = ""
            if a.council_id:
                where = await acc.council_name(int(a.council_id))
            elif a.territory_id:
                where = (await org.get_territory(int(a.territory_id)))["name"]
            elif a.departement:
                where = _("département {d}").format(d=a.departement)
            affectations.append(a.role.label + (f" — {where}" if where else ""))
        return render(request, "compte/index.html", status_code=status, titre=_("Mon compte"), affectations=affectations,
                      jetons=await acc.list_api_tokens(user.account_id), erreurs_mdp=extra.pop("erreurs_mdp", {}),
                      erreurs_jeton=extra.pop("erreurs_jeton", {}), **extra)

    @get("/compte", opt=authenticated())
    async def account(self, request: Request[Any, Any, Any]) -> Template:
        return await self._page(request)

    @post("/compte/mot-de-passe", opt=authenticated())
    async def password(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        form = await request.form()
        user = user_of(request)
        try:
            await acc.change_password(ctx_of(request), user.account_id, str(form.get("old_password", "")),
                                      str(form.get("new_password", "")), user.session_hash)
        except DomainError as exc:
            errors = form_errors(exc)
            if "password" in errors:
                errors["new_password"] = errors.pop("password")
            return await self._page(request, status=422, erreurs_mdp=errors)
        return see_other("/compte?ok=mot-de-passe-change")

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
                      roles=roles, role_labels={r.value: r.label for r in Role},
                      territoires=await org.list_territories(user.principal),
                      conseils=[c for c in await org.list_councils(user.principal)],
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
            code, info = await acc.create_invitation(ctx, actor_of(request), user_of(request).principal, acc.InvitationInput(
                email=values["email"], role=values["role"], display_name=values["display_name"],
                territory_id=int(values["territory_id"]) if values["territory_id"].isdigit() else None,
                council_id=int(values["council_id"]) if values["council_id"].isdigit() else None,
                departement=values["departement"] or None))
        except DomainError as exc:
            status = 403 if exc.code == "acces-refuse" else 422
            return await self._page(request, status=status, erreurs=form_errors(exc), form=values)
        info["url"] = f"{base}/invitation/{quote(code)}"
        return await self._page(request, status=201, invitation_creee=info)


class AuditPages(Controller):
    path = "/journal"
    include_in_schema = False

    @get("/", opt=authenticated())
    async def journal(self, request: Request[Any, Any, Any]) -> Template:
        user = user_of(request)
        events = await list_events(user.principal, 200)
        report = await audit.verify()
        return render(request, "journal.html", titre=_("Journal d'audit"), evenements=events, verification=report,
                      fil=[{"href": "/", "label": _("Tableau de bord")}, {"label": _("Journal d'audit")}])


PAGE_CONTROLLERS = [AuthPages, HomePages, CouncilPages, AccountPages, AdminPages, AuditPages, OrganisationEditPages]
_unused = visible_territories
