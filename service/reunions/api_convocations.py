"""HTTP API of the convocations, the acknowledgement link and the calendar feeds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from pydantic import BaseModel, ConfigDict, Field

from domain.access import Action
from domain.errors import InvalidState
from domain.i18n import _
from service.http.auth import allow, authenticated, public
from service.http.common import actor_of, ctx_of, user_of
from service.reunions import calendars
from service.reunions.usecases import acknowledgements as ack_uc
from service.reunions.usecases import convocation_post as post_uc
from service.reunions.usecases import convocations as uc

ICS_TYPE = "text/calendar; charset=utf-8"


class ConvocationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    urgence: bool = False
    motif: str = Field(default="", max_length=1000)


class ConvocationResult(BaseModel):
    reunion_id: int
    version: int
    nouvelle_version: bool
    convoques: int
    par_courriel: int
    par_courrier: int
    deja_convoques: int
    jours_francs: int
    urgence: bool
    sans_coordonnees: list[int]
    changements: list[str]


class ConvocationItem(BaseModel):
    id: int
    membre_id: int
    version: int
    canal: str
    cree_le: datetime
    envoye_le: datetime | None
    sha256: str
    courriel_sha256: str
    courriel_etat: str
    remplacee: bool
    accuse_le: datetime | None
    reponse: str
    porteur_id: int | None


class PostedResult(BaseModel):
    courriers: int


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reponse: str = Field(description="present, absent_excuse ou pouvoir")
    porteur_id: int | None = None


class Colleague(BaseModel):
    membre_id: int
    nom: str


class AckResult(BaseModel):
    reunion_id: int
    titre: str
    debut: datetime
    lieu: str
    membre: str
    accuse_le: datetime | None
    reponse: str
    porteur_id: int | None
    porteur: str
    remplacee: bool
    reponses_closes: bool
    membres_convoques: list[Colleague]


class CalendarLinkResult(BaseModel):
    url: str
    cree_le: datetime


def _report(r: uc.ConvocationReport) -> ConvocationResult:
    return ConvocationResult(
        reunion_id=r.reunion_id, version=r.version, nouvelle_version=r.new_version,
        convoques=r.convened, par_courriel=r.by_email, par_courrier=r.by_post,
        deja_convoques=r.already, jours_francs=r.clear_days, urgence=r.urgence,
        sans_coordonnees=list(r.without_contact), changements=list(r.changes),
    )


def ack_result(v: ack_uc.AckView) -> AckResult:
    return AckResult(
        reunion_id=v.reunion_id, titre=v.meeting_title, debut=v.meeting_start, lieu=v.meeting_place,
        membre=v.member_name, accuse_le=v.acknowledged_at, reponse=v.answer,
        porteur_id=v.proxy_holder_id, porteur=v.proxy_holder_name, remplacee=v.replaced,
        reponses_closes=v.closed,
        membres_convoques=[Colleague(membre_id=c.membre_id, nom=c.name) for c in v.colleagues],
    )


class ConvocationController(Controller):
    path = "/api/v1/reunions/{reunion_id:int}/convocations"
    tags = ["Réunions"]

    @post("/", operation_id="sendConvocations", summary="Envoyer les convocations de la réunion",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def send(self, request: Request[Any, Any, Any], reunion_id: int,
                   data: ConvocationRequest) -> Response[ConvocationResult]:
        report = await uc.send_convocations(
            ctx_of(request), actor_of(request), reunion_id, urgence=data.urgence, motif=data.motif
        )
        return Response(_report(report), status_code=201 if report.convened else 200)

    @get("/", operation_id="listConvocations", summary="Convocations envoyées, par membre",
         opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def list_(self, request: Request[Any, Any, Any], reunion_id: int,
                    toutes_versions: bool = False) -> list[ConvocationItem]:
        from service.outbox.usecases import statuses
        from service.outbox.usecases.enqueue import smtp_configured

        ctx = ctx_of(request)
        rows = await uc.list_convocations(ctx, reunion_id, all_versions=toutes_versions)
        refs = [f"convocation:{r.id}" for r in rows if r.channel == "email"]
        mail = await statuses(ctx.db, refs, smtp_configured=smtp_configured(ctx.settings)) if refs else {}
        out = []
        for r in rows:
            status = mail.get(f"convocation:{r.id}")
            out.append(ConvocationItem(
                id=r.id, membre_id=r.membre_id, version=r.version, canal=r.channel,
                cree_le=r.created_at, envoye_le=(status.sent_at if status else r.sent_at),
                sha256=r.sha256, courriel_sha256=status.sha256 if status else "",
                courriel_etat=status.label if status else "",
                remplacee=r.replaced_by is not None, accuse_le=r.acknowledged_at,
                reponse=r.answer, porteur_id=r.proxy_holder_id,
            ))
        return out

    @get("/courrier.pdf", operation_id="printConvocations",
         summary="Convocations à poster (membres sans courriel), en un PDF",
         opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def batch(self, request: Request[Any, Any, Any], reunion_id: int) -> Response[bytes]:
        data = await post_uc.printable(ctx_of(request), reunion_id)
        return Response(data, media_type="application/pdf", headers={
            "content-disposition": f'attachment; filename="convocations-{reunion_id}.pdf"',
            "cache-control": "no-store",
        })

    @post("/postees", operation_id="markConvocationsPosted", status_code=200,
          summary="Marquer les convocations papier comme postées (date d'envoi)",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def posted(self, request: Request[Any, Any, Any], reunion_id: int) -> PostedResult:
        return PostedResult(courriers=await post_uc.mark_posted(ctx_of(request), actor_of(request), reunion_id))


class MinutesPdfController(Controller):
    path = "/api/v1/reunions/{reunion_id:int}/compte-rendu.pdf"
    tags = ["Réunions"]

    @get("/", operation_id="compteRenduPdf", summary="Compte rendu en PDF, avec les lignes de signature",
         opt=allow(Action.READ_MEETINGS, "reunion_id"))
    async def pdf(self, request: Request[Any, Any, Any], reunion_id: int) -> Response[bytes]:
        from service.reunions.usecases.minutes_document import minutes_document

        data = await minutes_document(ctx_of(request), reunion_id)
        return Response(data, media_type="application/pdf", headers={
            "content-disposition": f'inline; filename="compte-rendu-{reunion_id}.pdf"',
            "cache-control": "no-store",
        })


class AckController(Controller):
    """The member's personal link, for programs (the page is service/reunions/pages_convocations)."""

    path = "/api/v1/convocations/{ack_token:str}"
    tags = ["Réunions"]

    @get("/", operation_id="openConvocation", summary="Consulter sa convocation (lien personnel)",
         opt=public())
    async def open_(self, request: Request[Any, Any, Any], ack_token: str) -> AckResult:
        return ack_result(await ack_uc.open_link(ctx_of(request), ack_token))

    @post("/accuse", operation_id="acknowledgeConvocation", status_code=200,
          summary="Accuser réception de sa convocation (lien personnel)", opt=public())
    async def acknowledge(self, request: Request[Any, Any, Any], ack_token: str) -> AckResult:
        return ack_result(await ack_uc.acknowledge(ctx_of(request), ack_token))

    @post("/reponse", operation_id="answerConvocation", status_code=200,
          summary="Répondre à une convocation : présent, absent excusé ou pouvoir",
          opt=public())
    async def answer(self, request: Request[Any, Any, Any], ack_token: str, data: AnswerRequest) -> AckResult:
        return ack_result(await ack_uc.answer(ctx_of(request), ack_token, data.reponse, data.porteur_id))


def _ics(data: bytes, filename: str) -> Response[bytes]:
    return Response(data, media_type=ICS_TYPE, headers={
        "content-disposition": f'inline; filename="{filename}"',
        "cache-control": "no-cache",
    })


class CalendarController(Controller):
    path = "/"
    include_in_schema = False

    @get("/conseils/{council_id:int}/reunions.ics", opt=public())
    async def public_feed(self, request: Request[Any, Any, Any], council_id: int) -> Response[bytes]:
        return _ics(await calendars.public_feed(ctx_of(request), council_id), f"reunions-{council_id}.ics")

    @get("/calendrier/{feed_token:str}", opt=public())
    async def personal_feed(self, request: Request[Any, Any, Any], feed_token: str) -> Response[bytes]:
        return _ics(await calendars.personal_feed(ctx_of(request), feed_token), "mes-reunions.ics")


async def _own_membership(request: Request[Any, Any, Any], council_id: int) -> int:
    from service.composition.usecases import members as composition

    user = user_of(request)
    for m in await composition.my_memberships(user.account_id):
        if m.council == council_id and m.is_active:
            return m.id
    raise InvalidState(
        _("Seuls les membres du conseil ont un agenda personnel : votre compte n'est lié à aucun membre de ce conseil."),
        code="pas-membre",
    )


class PersonalCalendarController(Controller):
    """A member's own link: signed in, and a member of that council (checked against the
    composition, since it is about one's own membership, not a role's right)."""

    path = "/api/v1/conseils/{council_id:int}/calendrier-personnel"
    tags = ["Réunions"]

    @post("/", operation_id="newPersonalCalendar", status_code=201,
          summary="Créer (ou remplacer) le lien secret de mon agenda des réunions",
          opt=authenticated())
    async def regenerate(self, request: Request[Any, Any, Any], council_id: int) -> CalendarLinkResult:
        membre_id = await _own_membership(request, council_id)
        link = await calendars.regenerate_link(ctx_of(request), actor_of(request), council_id, membre_id)
        return CalendarLinkResult(url=link.url, cree_le=link.created_at)

    @delete("/", operation_id="revokePersonalCalendar", status_code=204,
            summary="Révoquer le lien de mon agenda des réunions",
            opt=authenticated())
    async def revoke(self, request: Request[Any, Any, Any], council_id: int) -> None:
        membre_id = await _own_membership(request, council_id)
        await calendars.revoke_link(ctx_of(request), actor_of(request), council_id, membre_id)


HANDLERS: list[Any] = [ConvocationController, MinutesPdfController, AckController, CalendarController, PersonalCalendarController]
