"""Calls for applications, applications and their review (API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.status_codes import HTTP_201_CREATED
from pydantic import BaseModel, ConfigDict, Field

from domain.access import Action
from service.api.common import actor_of, client_ip, ctx_of
from service.auth import allow, public
from service.usecases import candidatures as uc


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CallCreate(_In):
    college: str = Field(
        description="habitants (volontaires) ou associations_acteurs", examples=["habitants"]
    )
    title: str = Field(max_length=200, examples=["Appel à volontaires 2026"])
    opens_on: date
    closes_on: date = Field(description="Dernier jour de dépôt (inclus, heure de Paris)")
    text: str = Field(default="", max_length=10000)


class CallUpdate(CallCreate):
    version: int


class Call(BaseModel):
    id: int
    council: int
    college: str
    title: str
    text: str
    opens_on: date
    closes_on: date
    open: bool | None = None
    version: int


class VolunteerApplication(BaseModel):
    id: int
    appel: int
    prenom: str
    nom: str
    email: str
    telephone: str
    adresse: str
    complement: str
    code_postal: str
    commune: str
    birth_date: date
    sexe: str
    motivation: str
    disponibilites: str
    perimetre: str
    status: str
    reason: str
    reviewed_by: int | None
    reviewed_at: datetime | None
    submitted_at: datetime
    version: int


class StructureApplication(BaseModel):
    id: int
    appel: int
    structure: str
    kind: str
    siret: str
    rna: str
    activite: str
    adresse: str
    code_postal: str
    commune: str
    representant_prenom: str
    representant_nom: str
    representant_sexe: str
    email: str
    telephone: str
    no_institutional_tie: bool
    status: str
    reason: str
    reviewed_by: int | None
    reviewed_at: datetime | None
    submitted_at: datetime
    version: int


class Decision(_In):
    decision: str = Field(description="acceptee ou refusee")
    reason: str = Field(
        default="", max_length=2000, description="Motif (obligatoire pour un refus)"
    )
    version: int


class PublicApplication(BaseModel):
    """Fields of the public form (volunteer or structure, depending on the call)."""

    model_config = ConfigDict(extra="forbid")
    prenom: str = ""
    nom: str = ""
    email: str = ""
    telephone: str = ""
    adresse: str = ""
    complement: str = ""
    code_postal: str = ""
    commune: str = ""
    birth_date: str = ""
    sexe: str = ""
    motivation: str = ""
    disponibilites: str = ""
    consent: bool = False
    structure: str = ""
    kind: str = "association"
    siret: str = ""
    rna: str = ""
    activite: str = ""
    representant_prenom: str = ""
    representant_nom: str = ""
    representant_sexe: str = ""
    no_institutional_tie: bool = False


class Receipt(BaseModel):
    id: int
    appel: int
    perimetre: str | None = None
    message: str


def _pick(model: type[BaseModel], row: dict[str, Any]) -> Any:
    return model(**{k: row[k] for k in model.model_fields if k in row})


async def _review(
    request: Request[Any, Any, Any],
    council_id: int,
    kind: str,
    candidature_id: int,
    data: Decision,
    model: type[BaseModel],
) -> Any:
    row = await uc.review(
        ctx_of(request),
        actor_of(request),
        kind,
        candidature_id,
        data.decision,
        data.reason,
        data.version,
        council_id,
    )
    return _pick(model, row)


class ApplicationsController(Controller):
    path = "/api/v1/conseils/{council_id:int}"
    tags = ["Candidatures"]

    @get("/appels", operation_id="listCalls", opt=allow(Action.READ_COUNCIL, "council_id"))
    async def calls(self, request: Request[Any, Any, Any], council_id: int) -> list[Call]:
        today = uc.local_today(ctx_of(request).now())
        return [_pick(Call, r) for r in await uc.list_calls(council_id, today)]

    @post(
        "/appels",
        operation_id="createCall",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
        status_code=HTTP_201_CREATED,
    )
    async def create_call(
        self, request: Request[Any, Any, Any], council_id: int, data: CallCreate
    ) -> Call:
        row = await uc.create_call(
            ctx_of(request), actor_of(request), council_id, uc.CallInput(**data.model_dump())
        )
        return _pick(Call, row)

    @patch(
        "/appels/{appel_id:int}",
        operation_id="updateCall",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
    )
    async def update_call(
        self, request: Request[Any, Any, Any], council_id: int, appel_id: int, data: CallUpdate
    ) -> Call:
        values = data.model_dump()
        version = values.pop("version")
        row = await uc.update_call(
            ctx_of(request),
            actor_of(request),
            appel_id,
            uc.CallInput(**values),
            version,
            council_id,
        )
        return _pick(Call, row)

    @get(
        "/candidatures/habitants",
        operation_id="listVolunteerApplications",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
    )
    async def volunteers(
        self, council_id: int, statut: str | None = None, appel: int | None = None
    ) -> list[VolunteerApplication]:
        return [
            _pick(VolunteerApplication, r)
            for r in await uc.list_applications(council_id, "habitant", statut, appel)
        ]

    @get(
        "/candidatures/structures",
        operation_id="listStructureApplications",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
    )
    async def structures(
        self, council_id: int, statut: str | None = None, appel: int | None = None
    ) -> list[StructureApplication]:
        return [
            _pick(StructureApplication, r)
            for r in await uc.list_applications(council_id, "structure", statut, appel)
        ]

    @get(
        "/candidatures/habitants/{candidature_id:int}",
        operation_id="getVolunteerApplication",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
    )
    async def volunteer(self, council_id: int, candidature_id: int) -> VolunteerApplication:
        return _pick(
            VolunteerApplication, await uc.get_application("habitant", candidature_id, council_id)
        )

    @get(
        "/candidatures/structures/{candidature_id:int}",
        operation_id="getStructureApplication",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
    )
    async def structure(self, council_id: int, candidature_id: int) -> StructureApplication:
        return _pick(
            StructureApplication, await uc.get_application("structure", candidature_id, council_id)
        )

    @post(
        "/candidatures/habitants/{candidature_id:int}/decision",
        operation_id="reviewVolunteerApplication",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
        status_code=200,
    )
    async def review_volunteer(
        self, request: Request[Any, Any, Any], council_id: int, candidature_id: int, data: Decision
    ) -> VolunteerApplication:
        return await _review(request, council_id, "habitant", candidature_id, data, VolunteerApplication)

    @post(
        "/candidatures/structures/{candidature_id:int}/decision",
        operation_id="reviewStructureApplication",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
        status_code=200,
    )
    async def review_structure(
        self, request: Request[Any, Any, Any], council_id: int, candidature_id: int, data: Decision
    ) -> StructureApplication:
        return await _review(request, council_id, "structure", candidature_id, data, StructureApplication)


class PublicApplicationsController(Controller):
    path = "/api/v1/appels"
    tags = ["Candidatures"]

    @get("/{appel_id:int}", operation_id="getPublicCall", opt=public(), security=[])
    async def call(self, request: Request[Any, Any, Any], appel_id: int) -> Call:
        return _pick(Call, await uc.get_call(appel_id, uc.local_today(ctx_of(request).now())))

    @post(
        "/{appel_id:int}/candidatures",
        operation_id="submitApplication",
        opt=public(),
        security=[],
        status_code=HTTP_201_CREATED,
        description="Dépôt public d'une candidature (sans compte), limité en nombre d'envois par "
        "adresse.",
    )
    async def submit(
        self, request: Request[Any, Any, Any], appel_id: int, data: PublicApplication
    ) -> Response[Receipt]:
        ctx = ctx_of(request)
        await uc.check_rate(ctx, client_ip(request))
        call = await uc.get_call(appel_id)
        form = data.model_dump()
        form["consent"] = "oui" if data.consent else ""
        form["no_institutional_tie"] = "oui" if data.no_institutional_tie else ""
        if call["college"] == "habitants":
            result, _outbox_id = await uc.submit_volunteer(ctx, appel_id, form)
        else:
            result, _outbox_id = await uc.submit_structure(ctx, appel_id, form)
        receipt = Receipt(
            id=result["id"],
            appel=appel_id,
            perimetre=result.get("perimetre"),
            message="Candidature enregistrée.",
        )
        return Response(receipt, status_code=HTTP_201_CREATED)
