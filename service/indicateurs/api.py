"""The indicators over the API (JSON) and as files (CSV, ODS, PDF)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from pydantic import BaseModel

from domain.access import Action
from service.http.auth import allow
from service.http.common import ctx_of
from service.indicateurs import exports
from service.indicateurs.dashboard import Dashboard
from service.indicateurs.usecases import for_council, for_territory, period_of


class Indicateur(BaseModel):
    code: str
    groupe: str
    libelle: str
    definition: str
    unite: str
    valeur: float | int | None
    valeur_affichee: str


class Serie(BaseModel):
    libelle: str
    valeurs: list[float | None]


class Graphique(BaseModel):
    code: str
    type: str
    titre: str
    description: str
    categories: list[str]
    series: list[Serie]


class Indicateurs(BaseModel):
    perimetre: str
    nom: str
    du: str
    au: str
    indicateurs: list[Indicateur]
    graphiques: list[Graphique]

    @classmethod
    def of(cls, d: Dashboard) -> Indicateurs:
        return cls(
            perimetre=d.scope, nom=d.name, du=d.period.du.isoformat(), au=d.period.au.isoformat(),
            indicateurs=[Indicateur(code=f.code, groupe=f.group, libelle=f.label, definition=f.definition, unite=f.unit.value,
                                    valeur=exports.number(f), valeur_affichee=exports.display(f)) for f in d.figures],
            graphiques=[Graphique(code=c.key, type=c.kind, titre=c.title, description=c.description, categories=list(c.categories),
                                  series=[Serie(libelle=s.label, valeurs=list(s.values)) for s in c.series]) for c in d.charts],
        )


def _file(d: Dashboard, fmt: str, organisation: str) -> Response[bytes]:
    base = f"indicateurs-{d.scope}-{d.period.du.isoformat()}-{d.period.au.isoformat()}"
    if fmt == "csv":
        return Response(exports.to_csv(d), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{base}.csv"'})
    if fmt == "ods":
        return Response(exports.to_ods(d), media_type="application/vnd.oasis.opendocument.spreadsheet",
                        headers={"Content-Disposition": f'attachment; filename="{base}.ods"'})
    return Response(exports.to_pdf(d, organisation), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{base}.pdf"'})


class IndicatorController(Controller):
    path = "/api/v1"
    tags = ["Indicateurs"]

    @get("/conseils/{council_id:int}/indicateurs", operation_id="councilIndicators", opt=allow(Action.READ_INDICATORS, "council_id"),
         summary="Indicateurs du contrat de ville d'un conseil, pour une période")
    async def council(self, request: Request[Any, Any, Any], council_id: int, du: str | None = None, au: str | None = None) -> Indicateurs:
        ctx = ctx_of(request)
        d, _org = await for_council(ctx, council_id, period_of(ctx.now(), du, au))
        return Indicateurs.of(d)

    @get("/territoires/{territory_id:int}/indicateurs", operation_id="territoryIndicators",
         opt=allow(Action.READ_INDICATORS, "territory_id"), summary="Indicateurs du contrat de ville d'un territoire, pour une période")
    async def territory(self, request: Request[Any, Any, Any], territory_id: int, du: str | None = None,
                        au: str | None = None) -> Indicateurs:
        ctx = ctx_of(request)
        d, _councils = await for_territory(ctx, territory_id, period_of(ctx.now(), du, au))
        return Indicateurs.of(d)

    @get("/conseils/{council_id:int}/indicateurs/{fmt:str}", operation_id="councilIndicatorsFile",
         opt=allow(Action.READ_INDICATORS, "council_id"), summary="Indicateurs d'un conseil en fichier (csv, ods ou pdf)")
    async def council_file(self, request: Request[Any, Any, Any], council_id: int, fmt: str, du: str | None = None,
                           au: str | None = None) -> Response[bytes]:
        ctx = ctx_of(request)
        d, organisation = await for_council(ctx, council_id, period_of(ctx.now(), du, au))
        return _file(d, _format(fmt), organisation)

    @get("/territoires/{territory_id:int}/indicateurs/{fmt:str}", operation_id="territoryIndicatorsFile",
         opt=allow(Action.READ_INDICATORS, "territory_id"), summary="Indicateurs d'un territoire en fichier (csv, ods ou pdf)")
    async def territory_file(self, request: Request[Any, Any, Any], territory_id: int, fmt: str, du: str | None = None,
                             au: str | None = None) -> Response[bytes]:
        ctx = ctx_of(request)
        d, _councils = await for_territory(ctx, territory_id, period_of(ctx.now(), du, au))
        return _file(d, _format(fmt), d.name)


def _format(fmt: str) -> str:
    from domain.errors import NotFound
    from domain.i18n import _

    if fmt not in ("csv", "ods", "pdf"):
        raise NotFound(_("Format inconnu : csv, ods ou pdf."), field="format")
    return fmt


API_CONTROLLERS = [IndicatorController]
