"""Editing and archiving territories, QPV and councils from the pages (the API has the
same operations). Edits carry the row's ``version``: a stale form gets a conflict
message and the other person's change is kept."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from domain.access import Action
from domain.errors import DomainError
from domain.i18n import _
from service.http.auth import allow
from service.http.common import actor_of, ctx_of
from service.http.confirm import confirm_or_page
from service.http.errors import status_of
from service.http.render import form_errors, form_text, render, see_other
from service.organisation import schemas as s
from service.organisation import usecases as org
from service.organisation.api import qpv_input, territory_input
from service.organisation.forms import communes_text, decode_territory_form
from service.organisation.store import QpvRow, TerritoryRow


class OrganisationEditPages(Controller):
    path = "/"
    include_in_schema = False

    # --- territories -------------------------------------------------------------------

    @get("/territoires/{territory_id:int}/modifier", opt=allow(Action.MANAGE_TERRITORY, "territory_id"))
    async def territory_form(self, request: Request[Any, Any, Any], territory_id: int) -> Template:
        t = await org.get_territory(territory_id)
        form = {"name": t.name, "departement": t.departement, "kind": t.kind, "siren": t.siren,
                "communes": communes_text(t.communes), "version": t.version}
        return self._territory_page(request, t, form, {})

    def _territory_page(self, request: Request[Any, Any, Any], t: TerritoryRow, form: dict[str, Any],
                        erreurs: dict[str, str], status: int = 200) -> Template:
        return render(request, "territoires/modifier.html", status_code=status, titre=_("Modifier le territoire"),
                      territoire=t, form=form, erreurs=erreurs,
                      fil=[{"href": "/", "label": _("Tableau de bord")}, {"href": "/territoires", "label": _("Territoires")},
                           {"href": f"/territoires/{t.id}", "label": t.name}, {"label": _("Modifier")}])

    @post("/territoires/{territory_id:int}/modifier", opt=allow(Action.MANAGE_TERRITORY, "territory_id"))
    async def territory_save(self, request: Request[Any, Any, Any], territory_id: int) -> Template | Redirect:
        form = await request.form()
        values = {k: form_text(form, k) for k in ("name", "departement", "kind", "siren", "communes", "version")}
        try:
            data = decode_territory_form(s.TerritoryUpdate, values)
            await org.update_territory(ctx_of(request), actor_of(request), territory_id, territory_input(data), data.version)
        except DomainError as exc:
            t = await org.get_territory(territory_id)
            return self._territory_page(request, t, values, form_errors(exc), status=status_of(exc))
        return see_other(f"/territoires/{territory_id}?ok=enregistre")

    @post("/territoires/{territory_id:int}/archiver", opt=allow(Action.CREATE_TERRITORY, "territory_id"))
    async def territory_archive(self, request: Request[Any, Any, Any], territory_id: int) -> Template | Redirect:
        t = await org.get_territory(territory_id)
        page = await confirm_or_page(
            request, titre=_("Archiver le territoire « {nom} »").format(nom=t.name),
            consequences=[
                _("Le territoire, ses quartiers et ses conseils disparaissent des listes et ne sont plus modifiables."),
                _("Vous ne pourrez pas le rétablir vous-même : seul un administrateur peut restaurer un territoire archivé."),
                _("Ses conseils, leurs tirages et le journal restent consultables."),
            ],
            action=f"/territoires/{territory_id}/archiver", bouton=_("Archiver le territoire"),
            retour=f"/territoires/{territory_id}",
            fil=[{"href": "/", "label": _("Tableau de bord")}, {"href": f"/territoires/{territory_id}", "label": t.name},
                 {"label": _("Archiver")}])
        if page is not None:
            return page
        await org.archive(ctx_of(request), actor_of(request), "territoire", territory_id)
        return see_other(f"/territoires/{territory_id}?ok=archive")

    @post("/territoires/{territory_id:int}/restaurer", opt=allow(Action.CREATE_TERRITORY, "territory_id"))
    async def territory_restore(self, request: Request[Any, Any, Any], territory_id: int) -> Redirect:
        await org.restore(ctx_of(request), actor_of(request), "territoire", territory_id)
        return see_other(f"/territoires/{territory_id}?ok=restaure")

    # --- QPV ---------------------------------------------------------------------------

    @get("/qpv/{qpv_id:int}/modifier", opt=allow(Action.MANAGE_TERRITORY, "qpv_id"))
    async def qpv_form(self, request: Request[Any, Any, Any], qpv_id: int) -> Template:
        q = await org.get_qpv(qpv_id)
        form = {"code": q.code, "name": q.name, "communes": communes_text(q.communes), "version": q.version}
        return await self._qpv_page(request, q, form, {})

    async def _qpv_page(self, request: Request[Any, Any, Any], q: QpvRow, form: dict[str, Any],
                        erreurs: dict[str, str], status: int = 200) -> Template:
        t = await org.get_territory(q.territory)
        return render(request, "territoires/qpv_modifier.html", status_code=status, titre=_("Modifier le quartier"),
                      qpv=q, territoire=t, form=form, erreurs=erreurs,
                      fil=[{"href": "/", "label": _("Tableau de bord")}, {"href": f"/territoires/{t.id}", "label": t.name},
                           {"label": q.code}])

    @post("/qpv/{qpv_id:int}/modifier", opt=allow(Action.MANAGE_TERRITORY, "qpv_id"))
    async def qpv_save(self, request: Request[Any, Any, Any], qpv_id: int) -> Template | Redirect:
        form = await request.form()
        values = {k: form_text(form, k) for k in ("code", "name", "communes", "version")}
        q = await org.get_qpv(qpv_id)
        try:
            data = decode_territory_form(s.QpvUpdate, values)
            await org.update_qpv(ctx_of(request), actor_of(request), qpv_id, qpv_input(data), data.version)
        except DomainError as exc:
            return await self._qpv_page(request, await org.get_qpv(qpv_id), values, form_errors(exc), status=status_of(exc))
        return see_other(f"/territoires/{q.territory}?ok=enregistre")

    @post("/qpv/{qpv_id:int}/archiver", opt=allow(Action.MANAGE_TERRITORY, "qpv_id"))
    async def qpv_archive(self, request: Request[Any, Any, Any], qpv_id: int) -> Redirect:
        q = await org.get_qpv(qpv_id)
        await org.archive(ctx_of(request), actor_of(request), "qpv", qpv_id)
        return see_other(f"/territoires/{q.territory}?ok=archive")

    # --- councils ----------------------------------------------------------------------

    @post("/conseils/{council_id:int}/archiver", opt=allow(Action.MANAGE_COUNCIL, "council_id"))
    async def council_archive(self, request: Request[Any, Any, Any], council_id: int) -> Template | Redirect:
        c = await org.get_council(council_id)
        page = await confirm_or_page(
            request, titre=_("Archiver le conseil « {nom} »").format(nom=c.name),
            consequences=[
                _("Le conseil n'est plus modifiable : plus d'import de registre, de tirage, de membre ni de réunion."),
                _("Vous ne pourrez pas le rétablir vous-même : seul un administrateur peut restaurer un conseil archivé."),
                _("Sa composition, ses tirages et son journal restent consultables."),
            ],
            action=f"/conseils/{council_id}/archiver", bouton=_("Archiver le conseil"), retour=f"/conseils/{council_id}",
            fil=[{"href": "/", "label": _("Tableau de bord")}, {"href": f"/conseils/{council_id}", "label": c.name},
                 {"label": _("Archiver")}])
        if page is not None:
            return page
        await org.archive(ctx_of(request), actor_of(request), "conseil", council_id)
        return see_other(f"/conseils/{council_id}?ok=archive")

    @post("/conseils/{council_id:int}/restaurer", opt=allow(Action.CREATE_TERRITORY, "council_id"))
    async def council_restore(self, request: Request[Any, Any, Any], council_id: int) -> Redirect:
        await org.restore(ctx_of(request), actor_of(request), "conseil", council_id)
        return see_other(f"/conseils/{council_id}?ok=restaure")
