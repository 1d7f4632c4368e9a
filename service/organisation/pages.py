"""Pages of the organisation: dashboard, territories, councils (the lead's workflow on
the council page). Editing and archiving are in pages_edit.py."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from domain.access import Action, Role, is_allowed
from domain.errors import DomainError
from domain.i18n import _
from domain.organisation import QUORUM_RULES, CouncilSettings
from service.features import council_sections
from service.http.auth import CurrentUser, allow, authenticated, public
from service.http.bounds import version_or_stale
from service.http.common import actor_of, ctx_of, resource_scope_of, user_of
from service.http.errors import status_of
from service.http.forms import decode
from service.http.render import form_errors, form_text, render, see_other
from service.organisation import schemas as s
from service.organisation import usecases as org
from service.organisation.api import qpv_input, territory_input
from service.organisation.forms import decode_territory_form
from service.organisation.pages_edit import OrganisationEditPages
from service.organisation.store import CouncilRow
from service.organisation.usecases.journey import council_journey
from service.public_address import documents_address_warning


class HomePages(Controller):
    path = "/"
    include_in_schema = False

    @get("/", opt=public())
    async def dashboard(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        user = request.scope.get("user")
        if not isinstance(user, CurrentUser):
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
            data = decode_territory_form(s.TerritoryCreate, values)
            row = await org.create_territory(ctx_of(request), actor_of(request), territory_input(data))
        except DomainError as exc:
            return await self._territories(request, form_errors(exc), values, status=status_of(exc))
        return see_other(f"/territoires/{row.id}?ok=territoire-cree")

    @get("/territoires/{territory_id:int}", opt=allow(Action.READ_TERRITORY, "territory_id"))
    async def territory(self, request: Request[Any, Any, Any], territory_id: int) -> Template:
        return await self._territory(request, territory_id)

    async def _territory(self, request: Request[Any, Any, Any], territory_id: int, status: int = 200, **forms: Any) -> Template:
        user = user_of(request)
        t = await org.get_territory(territory_id)
        scope = resource_scope_of(request)
        return render(request, "territoires/detail.html", status_code=status, titre=t.name, territoire=t,
                      qpvs=await org.list_qpvs(user.principal, territory_id),
                      conseils=await org.list_councils(user.principal, territory_id),
                      peut_gerer=is_allowed(user.principal, Action.MANAGE_TERRITORY, scope),
                      peut_archiver=is_allowed(user.principal, Action.CREATE_TERRITORY, scope),
                      erreurs_qpv=forms.get("erreurs_qpv", {}), form_qpv=forms.get("form_qpv", {}),
                      erreurs_conseil=forms.get("erreurs_conseil", {}),
                      form_conseil=forms.get("form_conseil", {"qpv_ids": [], "regime": "2024", "name": ""}),
                      fil=[{"href": "/", "label": _("Tableau de bord")}, {"href": "/territoires", "label": _("Territoires")},
                           {"label": t.name}])

    @post("/territoires/{territory_id:int}/qpv", opt=allow(Action.MANAGE_TERRITORY, "territory_id"))
    async def create_qpv(self, request: Request[Any, Any, Any], territory_id: int) -> Template | Redirect:
        form = await request.form()
        values = {k: form_text(form, k) for k in ("code", "name")}
        try:
            data = decode(s.QpvCreate, values)
            await org.create_qpv(ctx_of(request), actor_of(request), territory_id, qpv_input(data))
        except DomainError as exc:
            return await self._territory(request, territory_id, status=status_of(exc),
                                         erreurs_qpv=form_errors(exc), form_qpv=values)
        return see_other(f"/territoires/{territory_id}?ok=qpv-ajoute")

    @post("/territoires/{territory_id:int}/conseils", opt=allow(Action.MANAGE_TERRITORY, "territory_id"))
    async def create_council(self, request: Request[Any, Any, Any], territory_id: int) -> Template | Redirect:
        form = await request.form()
        qpv_ids = [int(v) for v in form.getall("qpv_ids", []) if str(v).isdigit()]
        values = {"name": form_text(form, "name"), "regime": form_text(form, "regime") or "2024", "qpv_ids": qpv_ids}
        try:
            # Not decoded into CouncilCreate: an empty choice of QPV gets the use case's own
            # message (« Choisissez au moins un quartier prioritaire »), not the model's.
            row = await org.create_council(ctx_of(request), actor_of(request), territory_id, org.CouncilInput(
                name=form_text(form, "name"), qpv_ids=tuple(qpv_ids), regime=form_text(form, "regime") or "2024"))
        except DomainError as exc:
            return await self._territory(request, territory_id, status=status_of(exc),
                                         erreurs_conseil=form_errors(exc), form_conseil=values)
        return see_other(f"/conseils/{row.id}?ok=conseil-cree")


def _quorum_labels() -> dict[str, str]:
    return {"majorite": _("majorité des membres en exercice"), "tiers": _("un tiers des membres"), "aucun": _("sans quorum")}


def _reglages(settings: dict[str, Any]) -> list[tuple[str, str, Any]]:
    quorum_labels = _quorum_labels()
    out = []
    for key, label in CouncilSettings.LABELS.items():
        value = settings.get(key, getattr(CouncilSettings(), key))
        out.append((key, _(label), quorum_labels.get(value, value) if key == "quorum" else value))
    return out


class CouncilPages(Controller):
    path = "/conseils"
    include_in_schema = False

    @get("/{council_id:int}", opt=allow(Action.READ_COUNCIL, "council_id"))
    async def council(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        user = user_of(request)
        c = await org.get_council(council_id)
        scope = resource_scope_of(request)
        sections: list[dict[str, Any]] = [
            {"title": _(s.title), "links": [{"label": _(label), "href": href.format(id=council_id)} for label, href in s.links]}
            for s in council_sections() if is_allowed(user.principal, s.action, scope)
        ]
        # The lead's workflow (registers to training); other roles see the links only.
        parcours = None
        if is_allowed(user.principal, Action.RUN_DRAW, scope) and is_allowed(user.principal, Action.MANAGE_REGISTER, scope):
            # The lead's copy of the minutes is named for the viewer when they lead the council.
            lead_genre = user.genre if user.has_role(Role.CHEF_DE_PROJET) else None
            parcours = await council_journey(council_id, ctx_of(request).now(), {r.path for r in request.app.routes},
                                             lead_genre=lead_genre)
            shown = {link.href for step in parcours.steps for link in (*step.links, *([step.action] if step.action else []))}
            sections = [{**sec, "links": [lk for lk in sec["links"] if lk["href"] not in shown]} for sec in sections]
            sections = [sec for sec in sections if sec["links"]]
        return render(request, "conseils/detail.html", titre=c.name, conseil=c, reglages=_reglages(c.settings),
                      adresse_publique_probleme=documents_address_warning(ctx_of(request).settings), parcours=parcours,
                      peut_gerer=is_allowed(user.principal, Action.MANAGE_COUNCIL, scope), sections=sections,
                      peut_restaurer=is_allowed(user.principal, Action.CREATE_TERRITORY, scope),
                      fil=[{"href": "/", "label": _("Tableau de bord")}, {"label": c.name}])

    @get("/{council_id:int}/modifier", opt=allow(Action.MANAGE_COUNCIL, "council_id"))
    async def edit_form(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        c = await org.get_council(council_id)
        form = {"name": c.name, "regime": c.regime, **c.settings}
        return self._edit(request, c, form, {})

    def _edit(self, request: Request[Any, Any, Any], c: CouncilRow, form: dict[str, Any], erreurs: dict[str, str], status: int = 200) -> Template:
        labels = _quorum_labels()
        quorums = [(q, labels[q]) for q in QUORUM_RULES]
        return render(request, "conseils/modifier.html", status_code=status, titre=_("Modifier le conseil"), conseil=c,
                      form=form, erreurs=erreurs, reglages=_reglages(c.settings), quorums=quorums,
                      fil=[{"href": "/", "label": _("Tableau de bord")}, {"href": f"/conseils/{c.id}", "label": c.name},
                           {"label": _("Modifier")}])

    @post("/{council_id:int}/modifier", opt=allow(Action.MANAGE_COUNCIL, "council_id"))
    async def edit(self, request: Request[Any, Any, Any], council_id: int) -> Template | Redirect:
        form = await request.form()
        values = {k: form_text(form, k) for k in ["name", "regime", "version", *CouncilSettings.LABELS]}
        settings = {k: values[k] for k in CouncilSettings.LABELS if k in form}
        try:
            data = decode(s.CouncilUpdate, {"version": version_or_stale(values["version"]), "name": values["name"],
                                            "regime": values["regime"], "settings": settings})
            await org.update_council(ctx_of(request), actor_of(request), council_id, org.CouncilUpdate(
                version=data.version, name=data.name, regime=data.regime, settings=data.settings))
        except DomainError as exc:
            c = await org.get_council(council_id)
            return self._edit(request, c, values, form_errors(exc), status=status_of(exc))
        return see_other(f"/conseils/{council_id}?ok=conseil-modifie")


PAGE_CONTROLLERS = [HomePages, CouncilPages, OrganisationEditPages]
