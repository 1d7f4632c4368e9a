"""The indicators dashboard pages of a council and of a territory: the period form, each
figure with its definition, the charts as SVG with their tables, the export links."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from domain.access import Action
from domain.errors import DomainError
from domain.i18n import _
from service.http.auth import allow
from service.http.common import ctx_of
from service.http.errors import status_of
from service.http.render import render
from service.indicateurs import charts, exports
from service.indicateurs.dashboard import Dashboard
from service.indicateurs.usecases import for_council, for_territory, period_of
from service.organisation import usecases as organisation


def _page(request: Request[Any, Any, Any], crumb: dict[str, str], export: str, du: str | None, au: str | None,
          dashboard: Dashboard | DomainError, **more: Any) -> Template:
    """The dashboard page, or the period form with the error when the period is refused."""
    fil = [{"href": "/", "label": _("Tableau de bord")}, crumb, {"label": _("Indicateurs")}]
    if isinstance(dashboard, DomainError):
        return render(request, "indicateurs/tableau.html", status_code=status_of(dashboard), titre=_("Indicateurs"), fil=fil,
                      erreur=dashboard, form={"du": du or "", "au": au or ""}, export=export, tableau=None)
    period = dashboard.period
    return render(request, "indicateurs/tableau.html", titre=_("Indicateurs"), fil=fil, export=export, erreur=None,
                  form={"du": period.du.isoformat(), "au": period.au.isoformat()}, tableau=dashboard, svg=charts.svg,
                  affiche=exports.display, requete=f"du={period.du.isoformat()}&au={period.au.isoformat()}", **more)


class IndicatorPages(Controller):
    path = "/"
    include_in_schema = False

    @get("/conseils/{council_id:int}/indicateurs", opt=allow(Action.READ_INDICATORS, "council_id"))
    async def council(self, request: Request[Any, Any, Any], council_id: int, du: str | None = None, au: str | None = None) -> Template:
        ctx = ctx_of(request)
        council = await organisation.get_council(council_id)
        crumb = {"href": f"/conseils/{council_id}", "label": council.name}
        export = f"/api/v1/conseils/{council_id}/indicateurs"
        try:
            d, _org = await for_council(ctx, council_id, period_of(ctx.now(), du, au))
        except DomainError as exc:
            return _page(request, crumb, export, du, au, exc)
        return _page(request, crumb, export, du, au, d)

    @get("/territoires/{territory_id:int}/indicateurs", opt=allow(Action.READ_INDICATORS, "territory_id"))
    async def territory(self, request: Request[Any, Any, Any], territory_id: int, du: str | None = None,
                        au: str | None = None) -> Template:
        ctx = ctx_of(request)
        territory = await organisation.get_territory(territory_id)
        crumb = {"href": f"/territoires/{territory_id}", "label": territory.name}
        export = f"/api/v1/territoires/{territory_id}/indicateurs"
        try:
            d, councils = await for_territory(ctx, territory_id, period_of(ctx.now(), du, au))
        except DomainError as exc:
            return _page(request, crumb, export, du, au, exc)
        return _page(request, crumb, export, du, au, d, conseils=councils)


PAGE_CONTROLLERS = [IndicatorPages]
