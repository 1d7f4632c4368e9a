"""Registers through the API: preview and import uploads (the raw file as the request
body, streamed to a temporary file), import reports, rejected rows, search, ambiguous
pairs, saved mappings, eligibility, pools, purge.

Only council leads and administrators reach these routes (``read_register`` /
``manage_register``); auditors work from the pseudonymous pool, never from here.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.status_codes import HTTP_201_CREATED
from pydantic import BaseModel, Field

from domain.access import Action
from domain.errors import InvalidInput
from domain.i18n import _
from service.http.auth import allow
from service.http.bounds import BoundedIn
from service.http.common import actor_of, ctx_of
from service.http.strict import StrictInput
from service.registre import uploads
from service.registre.usecases import common as common_uc
from service.registre.usecases import eligibility as eligibility_uc
from service.registre.usecases import imports as imports_uc
from service.registre.usecases import mapping as mapping_uc
from service.registre.usecases import pairs as pairs_uc
from service.registre.usecases import purge as purge_uc
from service.registre.usecases import sources as sources_uc
from service.tirage.schemas import Pool


class _In(BoundedIn, StrictInput):
    """Request bodies: numbers and dates bounded (service/http/bounds.py), unknown members refused and
    dates as ISO text (service/http/strict.py)."""


class RejectedRow(BaseModel):
    line: int
    fields: list[str]
    codes: list[str]
    message: str


class ImportReport(BaseModel):
    id: int
    council: int
    kind: str = Field(description="liste, bailleur, autre, perimetre ou exclusions")
    kind_label: str
    file_name: str
    format: str
    encoding: str
    delimiter: str
    digest: str = Field(description="SHA-256 du fichier importé")
    mapping_name: str
    mapping: dict[str, str]
    rows_read: int
    imported: int
    rejected: int
    merged: int = Field(description="Lignes de ce fichier fusionnées avec une personne déjà connue")
    status: str
    rapport: dict[str, Any] = Field(description="Chiffres du registre du conseil après cet import")
    created_by: int | None
    created_at: datetime
    purged_at: datetime | None
    rejets: list[RejectedRow] = Field(
        default_factory=list, description="Premières lignes rejetées (toutes dans le CSV)"
    )


class PreviewRow(BaseModel):
    line: int
    cells: list[str]


class FieldInfo(BaseModel):
    name: str
    label: str


class Preview(BaseModel):
    file_name: str
    format: str
    encoding: str | None
    delimiter: str | None
    delimiter_name: str | None
    header: list[str]
    header_line: int
    rows: list[PreviewRow]
    kind: str | None
    mapping: dict[str, str]
    mapping_name: str | None
    unknown_columns: list[str]
    ignored_columns: list[str]
    mapping_error: dict[str, Any] | None
    fields: list[FieldInfo]
    saved_mappings: list[str]


class Person(BaseModel):
    id: int
    ref: str
    source: int
    line: int
    nom: str
    nom_naissance: str
    nom_usage: str
    prenoms: str
    sexe: str
    date_naissance: str
    adresse: str
    complement: str
    code_postal: str
    commune: str
    bureau_vote: str
    doublon_de: str
    eligibilite: str
    motifs: str
    selected_at: datetime | None


class PeoplePage(BaseModel):
    total: int
    page: int
    per_page: int
    pages: int
    q: str
    items: list[Person]


class Pair(BaseModel):
    id: int
    code: str
    message: str
    decision: str
    a: Person
    b: Person


class PairDecision(_In):
    decision: str = Field(description="meme-personne ou personnes-distinctes")


class MappingIn(_In):
    nom: str = Field(max_length=100)
    champs: dict[str, str] = Field(description="{champ: titre de colonne}")


class PairDecided(BaseModel):
    id: int
    decision: str


class SavedMapping(BaseModel):
    id: int
    name: str
    mapping: dict[str, str]


class EligibilityIn(_In):
    date_reference: date
    accepter_date_inconnue: bool = False


class Reason(BaseModel):
    code: str
    message: str
    count: int


class EligibilitySummary(BaseModel):
    reference_date: str
    minimum_age: int
    personnes: int
    eligibles: int
    ineligibles: int
    foyers: int
    foyers_identifiant_source: int = Field(
        description="Foyers désignés par l'identifiant de foyer d'un fichier source")
    ecartes_foyer: int = Field(
        description="Personnes éligibles que « une personne par foyer » écarte du classement")
    motifs: list[Reason]


class PoolIn(_In):
    date_reference: date
    stratification: str = Field(default="sexe", description="sexe, sexe-bureau ou sexe-age")
    tranches: list[int] = Field(
        default_factory=list, description="Bornes des tranches d'âge (sexe-age)"
    )
    libelle: str = Field(default="", max_length=200)
    accepter_date_inconnue: bool = False


class ResidentsPool(Pool):
    """The residents' pool just built, with the eligibility summary it came from."""


class PurgeResult(BaseModel):
    council_id: int
    sources: int
    personnes_supprimees: int
    personnes_conservees: int
    dry_run: bool
    date_limite: str


def _options(
    type_: str | None,
    encodage: str | None,
    separateur: str | None,
    correspondance: str | None,
    champs: str | None,
    garder_valides: bool,
) -> common_uc.ImportOptions:
    mapping = None
    if champs:
        try:
            mapping = json.loads(champs)
        except ValueError:
            mapping = None
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
        ):
            raise InvalidInput(
                _("« champs » doit être un objet JSON {champ: titre de colonne}."), field="champs"
            )
    if separateur == "tab":
        separateur = "\t"
    return common_uc.ImportOptions(
        kind=type_ or None,
        encoding=encodage or None,
        delimiter=separateur or None,
        mapping=mapping,
        mapping_name=correspondance or None,
        keep_valid=garder_valides,
    )


async def _receive(request: Request[Any, Any, Any], nom: str) -> uploads.Upload:
    """Refuse on name and declared size before reading; then stream to a temp file."""
    ctx = ctx_of(request)
    limit = ctx.settings.upload_max_bytes
    uploads.check_name(nom)
    uploads.check_declared_size(request.headers.get("content-length"), limit)
    return await uploads.save_stream(
        request.stream(), nom, uploads.uploads_dir(ctx.settings.var_dir), limit
    )


def _report(row: dict[str, Any]) -> ImportReport:
    return ImportReport(**row)


class RegisterController(Controller):
    path = "/api/v1/conseils/{council_id:int}/registre"
    tags = ["Registres"]

    @post(
        "/apercu",
        operation_id="previewRegisterFile",
        opt=allow(Action.MANAGE_REGISTER, "council_id"),
        summary="Aperçu d'un fichier (rien n'est enregistré)",
        status_code=200,
    )
    async def preview(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        nom: str = "",
        type: str | None = None,
        encodage: str | None = None,
        separateur: str | None = None,
        correspondance: str | None = None,
        champs: str | None = None,
    ) -> Preview:
        """Le corps de la requête est le fichier lui-même ; ``nom`` est son nom (extension
        comprise)."""
        upload = await _receive(request, nom)
        try:
            data = await mapping_uc.preview(
                ctx_of(request),
                council_id,
                upload.path,
                upload.file_name,
                _options(type, encodage, separateur, correspondance, champs, False),
            )
        finally:
            upload.path.unlink(missing_ok=True)
        return Preview(**data)

    @post(
        "/imports",
        operation_id="importRegisterFile",
        opt=allow(Action.MANAGE_REGISTER, "council_id"),
        summary="Importer un fichier",
        status_code=HTTP_201_CREATED,
    )
    async def import_(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        nom: str = "",
        type: str | None = None,
        encodage: str | None = None,
        separateur: str | None = None,
        correspondance: str | None = None,
        champs: str | None = None,
        garder_valides: bool = False,
    ) -> ImportReport:
        """Tout ou rien : une seule ligne rejetée et rien n'est importé (422, chaque ligne
        nommée avec son champ et la raison), sauf avec ``garder_valides=true``."""
        options = _options(type, encodage, separateur, correspondance, champs, garder_valides)
        upload = await _receive(request, nom)
        try:
            row = await imports_uc.import_file(
                ctx_of(request),
                actor_of(request),
                council_id,
                upload.path,
                upload.file_name,
                options,
                digest=upload.digest,
            )
        finally:
            upload.path.unlink(missing_ok=True)
        return _report(row)

    @get(
        "/imports",
        operation_id="listRegisterImports",
        opt=allow(Action.READ_REGISTER, "council_id"),
    )
    async def list_(self, council_id: int) -> list[ImportReport]:
        return [_report(r) for r in await sources_uc.list_sources(council_id)]

    @get(
        "/imports/{source_id:int}",
        operation_id="getRegisterImport",
        opt=allow(Action.READ_REGISTER, "council_id"),
    )
    async def get_(self, council_id: int, source_id: int) -> ImportReport:
        return _report(await sources_uc.get_source(council_id, source_id))

    @get(
        "/imports/{source_id:int}/rejets.csv",
        operation_id="getRejectedRows",
        opt=allow(Action.READ_REGISTER, "council_id"),
        summary="Lignes rejetées (CSV)",
    )
    async def rejected(self, council_id: int, source_id: int) -> Response[bytes]:
        data = await sources_uc.rejected_rows_csv(council_id, source_id)
        return Response(
            data,
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="rejets-import-{source_id}.csv"'
            },
        )

    @get("/personnes", operation_id="searchRegister", opt=allow(Action.READ_REGISTER, "council_id"))
    async def people(
        self, council_id: int, q: str = "", page: int = 1, par_page: int = 50
    ) -> PeoplePage:
        return PeoplePage(**await sources_uc.search_people(council_id, q, page, par_page))

    @get(
        "/paires", operation_id="listAmbiguousPairs", opt=allow(Action.READ_REGISTER, "council_id")
    )
    async def pairs(self, council_id: int, ouvertes: bool = False) -> list[Pair]:
        return [Pair(**p) for p in await pairs_uc.list_pairs(council_id, ouvertes)]

    @post(
        "/paires/{pair_id:int}/decision",
        operation_id="decideAmbiguousPair",
        opt=allow(Action.MANAGE_REGISTER, "council_id"),
        status_code=200,
    )
    async def decide(
        self, request: Request[Any, Any, Any], council_id: int, pair_id: int, data: PairDecision
    ) -> PairDecided:
        return PairDecided(**await pairs_uc.decide_pair(
            ctx_of(request), actor_of(request), council_id, pair_id, data.decision
        ))

    @get(
        "/correspondances",
        operation_id="listSavedMappings",
        opt=allow(Action.READ_REGISTER, "council_id"),
    )
    async def mappings(self, council_id: int) -> list[SavedMapping]:
        return [SavedMapping(**m) for m in await mapping_uc.saved_mappings(council_id)]

    @post(
        "/correspondances",
        operation_id="saveMapping",
        opt=allow(Action.MANAGE_REGISTER, "council_id"),
        status_code=HTTP_201_CREATED,
    )
    async def save_mapping(
        self, request: Request[Any, Any, Any], council_id: int, data: MappingIn
    ) -> SavedMapping:
        return SavedMapping(
            **await mapping_uc.save_mapping(
                ctx_of(request), actor_of(request), council_id, data.nom, data.champs
            )
        )

    @post(
        "/eligibilite",
        operation_id="evaluateEligibility",
        opt=allow(Action.MANAGE_REGISTER, "council_id"),
        status_code=200,
    )
    async def eligibility(
        self, request: Request[Any, Any, Any], council_id: int, data: EligibilityIn
    ) -> EligibilitySummary:
        return EligibilitySummary(
            **await eligibility_uc.evaluate_eligibility(
                ctx_of(request),
                actor_of(request),
                council_id,
                data.date_reference,
                data.accepter_date_inconnue,
            )
        )

    @post(
        "/viviers",
        operation_id="buildResidentsPool",
        opt=allow(Action.MANAGE_REGISTER, "council_id"),
        status_code=HTTP_201_CREATED,
        summary="Constituer le vivier (fichier cc-draw/1)",
    )
    async def pool(self, request: Request[Any, Any, Any], council_id: int, data: PoolIn) -> ResidentsPool:
        spec: dict[str, Any] = {"mode": data.stratification}
        if data.tranches:
            spec["tranches"] = data.tranches
        pool = await eligibility_uc.build_pool(
            ctx_of(request),
            actor_of(request),
            council_id,
            data.date_reference,
            spec,
            label=data.libelle,
            accept_unknown_birth_date=data.accepter_date_inconnue,
        )
        return ResidentsPool(**pool)

    @post(
        "/purge",
        operation_id="purgeRegister",
        opt=allow(Action.MANAGE_REGISTER, "council_id"),
        status_code=200,
        summary="Purge des données personnelles échues",
    )
    async def purge(
        self, request: Request[Any, Any, Any], council_id: int, simulation: bool = False
    ) -> list[PurgeResult]:
        results = await purge_uc.purge(ctx_of(request), actor_of(request), council_id, simulation)
        return [PurgeResult(**r) for r in results]


REGISTRE_API = [RegisterController]
