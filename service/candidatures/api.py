"""Calls for applications, applications and their review (API)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.status_codes import HTTP_201_CREATED

from domain.access import Action
from domain.calls import local_today
from service.candidatures.schemas import (
    Call,
    CallCreate,
    CallUpdate,
    Decision,
    PublicApplication,
    Receipt,
    StructureApplication,
    VolunteerApplication,
)
from service.candidatures.usecases import calls, public_form, residents, review, structures
from service.http.auth import allow, public
from service.http.common import actor_of, client_ip, ctx_of


def _call_input(data: CallCreate) -> calls.CallInput:
    return calls.CallInput(
        college=data.college,
        title=data.title,
        opens_on=data.opens_on,
        closes_on=data.closes_on,
        text=data.text,
    )


async def _review(
    request: Request[Any, Any, Any], council_id: int, kind: str, candidature_id: int, data: Decision
) -> Any:
    return await review.review(
        ctx_of(request),
        actor_of(request),
        kind,
        candidature_id,
        data.decision,
        data.reason,
        data.version,
        council_id,
    )


class ApplicationsController(Controller):
    path = "/api/v1/conseils/{council_id:int}"
    tags = ["Candidatures"]

    @get("/appels", operation_id="listCalls", opt=allow(Action.READ_COUNCIL, "council_id"))
    async def calls(self, request: Request[Any, Any, Any], council_id: int) -> list[Call]:
        today = local_today(ctx_of(request).now())
        return [Call.model_validate(r) for r in await calls.list_calls(council_id, today)]

    @post(
        "/appels",
        operation_id="createCall",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
        status_code=HTTP_201_CREATED,
    )
    async def create_call(
        self, request: Request[Any, Any, Any], council_id: int, data: CallCreate
    ) -> Call:
        row = await calls.create_call(
            ctx_of(request), actor_of(request), council_id, _call_input(data)
        )
        return Call.model_validate(row)

    @patch(
        "/appels/{appel_id:int}",
        operation_id="updateCall",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
    )
    async def update_call(
        self, request: Request[Any, Any, Any], council_id: int, appel_id: int, data: CallUpdate
    ) -> Call:
        row = await calls.update_call(
            ctx_of(request), actor_of(request), appel_id, _call_input(data), data.version, council_id
        )
        return Call.model_validate(row)

    @get(
        "/candidatures/habitants",
        operation_id="listVolunteerApplications",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
    )
    async def volunteers(
        self, council_id: int, statut: str | None = None, appel: int | None = None
    ) -> list[VolunteerApplication]:
        rows = await review.list_volunteers(council_id, statut, appel)
        return [VolunteerApplication.model_validate(r) for r in rows]

    @get(
        "/candidatures/structures",
        operation_id="listStructureApplications",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
    )
    async def structures(
        self, council_id: int, statut: str | None = None, appel: int | None = None
    ) -> list[StructureApplication]:
        rows = await review.list_structures(council_id, statut, appel)
        return [StructureApplication.model_validate(r) for r in rows]

    @get(
        "/candidatures/habitants/{candidature_id:int}",
        operation_id="getVolunteerApplication",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
    )
    async def volunteer(self, council_id: int, candidature_id: int) -> VolunteerApplication:
        row = await review.get_application("habitant", candidature_id, council_id)
        return VolunteerApplication.model_validate(row)

    @get(
        "/candidatures/structures/{candidature_id:int}",
        operation_id="getStructureApplication",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
    )
    async def structure(self, council_id: int, candidature_id: int) -> StructureApplication:
        row = await review.get_application("structure", candidature_id, council_id)
        return StructureApplication.model_validate(row)

    @post(
        "/candidatures/habitants/{candidature_id:int}/decision",
        operation_id="reviewVolunteerApplication",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
        status_code=200,
    )
    async def review_volunteer(
        self, request: Request[Any, Any, Any], council_id: int, candidature_id: int, data: Decision
    ) -> VolunteerApplication:
        row = await _review(request, council_id, "habitant", candidature_id, data)
        return VolunteerApplication.model_validate(row)

    @post(
        "/candidatures/structures/{candidature_id:int}/decision",
        operation_id="reviewStructureApplication",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
        status_code=200,
    )
    async def review_structure(
        self, request: Request[Any, Any, Any], council_id: int, candidature_id: int, data: Decision
    ) -> StructureApplication:
        row = await _review(request, council_id, "structure", candidature_id, data)
        return StructureApplication.model_validate(row)


class PublicApplicationsController(Controller):
    path = "/api/v1/appels"
    tags = ["Candidatures"]

    @get("/{appel_id:int}", operation_id="getPublicCall", opt=public(), security=[])
    async def call(self, request: Request[Any, Any, Any], appel_id: int) -> Call:
        today = local_today(ctx_of(request).now())
        return Call.model_validate(await calls.get_call(appel_id, today))

    @post(
        "/{appel_id:int}/candidatures",
        operation_id="submitApplication",
        opt=public(rate_limited=True),
        security=[],
        status_code=HTTP_201_CREATED,
        description="Dépôt public d'une candidature (sans compte), limité en nombre d'envois par "
        "adresse.",
    )
    async def submit(
        self, request: Request[Any, Any, Any], appel_id: int, data: PublicApplication
    ) -> Response[Receipt]:
        ctx = ctx_of(request)
        await public_form.check_rate(ctx, client_ip(request))
        call = await calls.get_call(appel_id)
        if call.college == "habitants":
            result, _outbox_id = await residents.submit_volunteer(ctx, appel_id, data.as_form())
        else:
            result, _outbox_id = await structures.submit_structure(ctx, appel_id, data.as_form())
        receipt = Receipt(
            id=result.id,
            appel=appel_id,
            perimetre=result.perimetre,
            message="Candidature enregistrée.",
        )
        return Response(receipt, status_code=HTTP_201_CREATED)


API_CONTROLLERS = [ApplicationsController, PublicApplicationsController]
