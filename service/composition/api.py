"""The council's composition: members, rule checks, departures, replacements, parity
over time, the volunteers' pool and the préfecture's exports (API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.status_codes import HTTP_201_CREATED
from pydantic import BaseModel, Field

from domain.access import Action, Role, is_allowed
from domain.contacts import CONTACT_PRIVACY, audience_for
from service.composition.rows import MemberRow
from service.composition.usecases import appointments, departures, members, report
from service.http.auth import allow
from service.http.bounds import BoundedIn
from service.http.common import actor_of, ctx_of, resource_scope_of, user_of
from service.http.strict import StrictInput
from service.tirage.schemas import Pool


class _In(BoundedIn, StrictInput):
    """Request bodies: numbers and dates bounded (service/http/bounds.py), unknown members refused and
    dates as ISO text (service/http/strict.py)."""


class MemberCreate(_In):
    college: str = Field(description="habitants ou associations_acteurs")
    origin: str = Field(
        description="tire_au_sort_registre, tire_au_sort_volontaires, volontaire, "
        "representant_structure"
    )
    prenom: str = Field(max_length=100)
    nom: str = Field(max_length=100)
    sexe: str = Field(description="F ou M")
    seat: str = Field(default="titulaire", description="titulaire ou suppleant")
    mandate_start: date | None = Field(default=None, description="Par défaut : aujourd'hui")
    mandate_end: date | None = Field(
        default=None, description="Dernier jour ; par défaut selon la durée du mandat"
    )
    structure: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    telephone: str = Field(default="", max_length=30)
    contact_consent: bool = False
    stratum: str | None = None
    rank: int | None = None
    account_id: int | None = None
    override_reason: str = Field(
        default="",
        max_length=2000,
        description="Motif de dérogation : permet un changement qui rompt la parité ou la "
        "part des habitants (inscrit au journal d'audit)",
    )


class MemberUpdate(MemberCreate):
    version: int


class Departure(_In):
    status: str = Field(
        description="demissionnaire, demenage, fin_absences, decede, mandat_termine"
    )
    on: date = Field(description="Premier jour où la personne n'est plus membre")
    version: int
    override_reason: str = Field(default="", max_length=2000)


class Promotion(_In):
    suppleant_id: int
    version: int = Field(description="Version lue du suppléant")
    override_reason: str = Field(default="", max_length=2000)


class FromDraw(_In):
    draw_id: int
    mandate_start: date | None = None
    override_reason: str = Field(default="", max_length=2000)


class FromApplication(_In):
    kind: str = Field(description="habitant ou structure")
    candidature_id: int
    seat: str = "titulaire"
    mandate_start: date | None = None
    override_reason: str = Field(default="", max_length=2000)


class MemberOut(BaseModel):
    id: int
    council: int
    college: str
    origin: str
    seat: str
    prenom: str
    nom: str
    sexe: str
    structure: str
    email: str | None = None
    telephone: str | None = None
    contact_consent: bool
    mandate_start: date
    mandate_end: date
    status: str
    status_since: date | None
    stratum: str | None
    rank: int | None
    draw_id: int | None
    replaces: int | None
    version: int


class RuleOut(BaseModel):
    code: str
    ok: bool
    severity: str
    message: str
    details: dict[str, Any]


class CompositionOut(BaseModel):
    council: int
    regime: str
    today: date
    counts: dict[str, dict[str, int]]
    rules: list[RuleOut]
    members: list[MemberOut]


class DepartureOut(BaseModel):
    member: MemberOut
    vacancy: bool
    proposal: MemberOut | None
    message: str


class ProposalOut(BaseModel):
    proposal: MemberOut | None
    message: str


class HistoryOut(BaseModel):
    id: int
    membre: int
    prenom: str
    nom: str
    at: datetime
    actor_id: int | None
    action: str
    snapshot: dict[str, Any]
    override_reason: str
    overridden_rules: list[str]


class ParityPointOut(BaseModel):
    day: date
    college: str
    women: int
    men: int


def contact_policy(request: Request[Any, Any, Any]) -> str:
    """« all » for those who manage the composition, « consented » for the council's
    members and secretary, « none » for auditors (never applicants' or members'
    contact data)."""
    user = user_of(request)
    scope = resource_scope_of(request)
    return audience_for(
        is_allowed(user.principal, Action.MANAGE_COMPOSITION, scope),
        any(a.role in (Role.MEMBRE, Role.SECRETAIRE) and a.covers(scope) for a in user.principal.assignments),
    ).value


def member_out(row: MemberRow, policy: str = "all") -> MemberOut:
    data = {k: getattr(row, k) for k in MemberOut.model_fields}
    if not CONTACT_PRIVACY.shows(policy, bool(row.contact_consent)):
        data["email"] = None
        data["telephone"] = None
    return MemberOut(**data)


def member_input(data: MemberCreate) -> members.MemberInput:
    values = data.model_dump(exclude={"override_reason", "version"})
    return members.MemberInput(**values)


class CompositionController(Controller):
    path = "/api/v1/conseils/{council_id:int}"
    tags = ["Composition"]

    @get(
        "/composition",
        operation_id="getComposition",
        opt=allow(Action.READ_COMPOSITION, "council_id"),
    )
    async def composition(self, request: Request[Any, Any, Any], council_id: int) -> CompositionOut:
        view = await report.composition(ctx_of(request), council_id)
        policy = contact_policy(request)
        return CompositionOut(
            council=council_id,
            regime=view.council.regime,
            today=view.today,
            counts=view.counts(),
            rules=[
                RuleOut(
                    code=r.code,
                    ok=r.ok,
                    severity=r.severity.value,
                    message=r.message,
                    details=r.details,
                )
                for r in view.results
            ],
            members=[member_out(m, policy) for m in view.members],
        )

    @post(
        "/membres",
        operation_id="createMember",
        opt=allow(Action.MANAGE_COMPOSITION, "council_id"),
        status_code=HTTP_201_CREATED,
    )
    async def create(
        self, request: Request[Any, Any, Any], council_id: int, data: MemberCreate
    ) -> MemberOut:
        row = await members.create_member(
            ctx_of(request), actor_of(request), council_id, member_input(data), data.override_reason
        )
        return member_out(row)

    @post(
        "/membres/depuis-tirage",
        operation_id="createMembersFromDraw",
        opt=allow(Action.MANAGE_COMPOSITION, "council_id"),
        status_code=HTTP_201_CREATED,
        description="Crée les titulaires et suppléants (avec leur rang) d'un tirage ; déjà créés "
        ": ignorés.",
    )
    async def from_draw(
        self, request: Request[Any, Any, Any], council_id: int, data: FromDraw
    ) -> list[MemberOut]:
        rows = await appointments.members_from_draw(
            ctx_of(request),
            actor_of(request),
            council_id,
            data.draw_id,
            data.mandate_start,
            data.override_reason,
        )
        return [member_out(r) for r in rows]

    @post(
        "/membres/depuis-candidature",
        operation_id="appointApplicant",
        opt=allow(Action.MANAGE_COMPOSITION, "council_id"),
        status_code=HTTP_201_CREATED,
        description="Nomme une candidature acceptée (volontaire ou représentant de structure).",
    )
    async def from_application(
        self, request: Request[Any, Any, Any], council_id: int, data: FromApplication
    ) -> MemberOut:
        row = await appointments.member_from_application(
            ctx_of(request),
            actor_of(request),
            council_id,
            data.kind,
            data.candidature_id,
            seat=data.seat,
            mandate_start=data.mandate_start,
            override_reason=data.override_reason,
        )
        return member_out(row)

    @get(
        "/membres/{membre_id:int}",
        operation_id="getMember",
        opt=allow(Action.READ_COMPOSITION, "council_id"),
    )
    async def get_(
        self, request: Request[Any, Any, Any], council_id: int, membre_id: int
    ) -> MemberOut:
        return member_out(await members.get_member(membre_id, council_id), contact_policy(request))

    @patch(
        "/membres/{membre_id:int}",
        operation_id="updateMember",
        opt=allow(Action.MANAGE_COMPOSITION, "council_id"),
        description="Modification optimiste : 409 « modification-concurrente » si la version a "
        "changé.",
    )
    async def update(
        self, request: Request[Any, Any, Any], council_id: int, membre_id: int, data: MemberUpdate
    ) -> MemberOut:
        row = await members.update_member(
            ctx_of(request),
            actor_of(request),
            membre_id,
            member_input(data),
            data.version,
            data.override_reason,
            council_id,
        )
        return member_out(row)

    @post(
        "/membres/{membre_id:int}/depart",
        operation_id="recordDeparture",
        opt=allow(Action.MANAGE_COMPOSITION, "council_id"),
        status_code=200,
        description="Enregistre un départ ; un siège de titulaire libéré propose le suppléant "
        "suivant.",
    )
    async def depart(
        self, request: Request[Any, Any, Any], council_id: int, membre_id: int, data: Departure
    ) -> DepartureOut:
        result = await departures.depart_member(
            ctx_of(request),
            actor_of(request),
            membre_id,
            data.status,
            data.on,
            data.version,
            data.override_reason,
            council_id,
        )
        return DepartureOut(
            member=member_out(result.member),
            vacancy=result.vacancy,
            proposal=member_out(result.proposal) if result.proposal else None,
            message=result.message,
        )

    @get(
        "/membres/{membre_id:int}/remplacement",
        operation_id="getReplacementProposal",
        opt=allow(Action.MANAGE_COMPOSITION, "council_id"),
    )
    async def proposal(self, council_id: int, membre_id: int) -> ProposalOut:
        proposal, message = await departures.replacement_proposal(membre_id, council_id)
        return ProposalOut(proposal=member_out(proposal) if proposal else None, message=message)

    @post(
        "/membres/{membre_id:int}/remplacement",
        operation_id="promoteReplacement",
        opt=allow(Action.MANAGE_COMPOSITION, "council_id"),
        status_code=200,
    )
    async def promote(
        self, request: Request[Any, Any, Any], council_id: int, membre_id: int, data: Promotion
    ) -> MemberOut:
        row = await departures.promote_replacement(
            ctx_of(request),
            actor_of(request),
            membre_id,
            data.suppleant_id,
            data.version,
            data.override_reason,
            council_id,
        )
        return member_out(row)

    @get(
        "/composition/historique",
        operation_id="getCompositionHistory",
        opt=allow(Action.READ_COMPOSITION, "council_id"),
    )
    async def history(self, council_id: int) -> list[HistoryOut]:
        return [
            HistoryOut(**{k: getattr(r, k) for k in HistoryOut.model_fields})
            for r in await report.history(council_id)
        ]

    @get(
        "/composition/parite",
        operation_id="getParityTimeline",
        opt=allow(Action.READ_COMPOSITION, "council_id"),
    )
    async def parity(
        self, request: Request[Any, Any, Any], council_id: int
    ) -> list[ParityPointOut]:
        points, _start, _end = await report.timeline(ctx_of(request), council_id)
        return [
            ParityPointOut(day=p.day, college=p.college.value, women=p.women, men=p.men)
            for p in points
        ]

    @post(
        "/volontaires/vivier",
        operation_id="buildVolunteerPool",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=HTTP_201_CREATED,
        description="Fige les volontaires acceptés dans un vivier « volontaires » (strates par "
        "sexe) pour un "
        "tirage cc-draw/1, quand ils sont plus nombreux que les sièges qui leur sont réservés.",
    )
    async def volunteer_pool(self, request: Request[Any, Any, Any], council_id: int) -> Pool:
        pool = await appointments.build_volunteer_pool(ctx_of(request), actor_of(request), council_id)
        return Pool(**{k: pool[k] for k in Pool.model_fields})

    @get(
        "/composition/rapport.pdf",
        operation_id="getCompositionReportPdf",
        opt=allow(Action.READ_COMPOSITION, "council_id"),
        media_type="application/pdf",
    )
    async def report_pdf(self, request: Request[Any, Any, Any], council_id: int) -> Response[bytes]:
        from service.audit import current_head as audit_head
        from service.composition.documents import composition_pdf

        view = await report.composition(ctx_of(request), council_id)
        points, _start, _end = await report.timeline(ctx_of(request), council_id)
        return _download(
            composition_pdf(view, points, audit_head=await audit_head()),
            "application/pdf",
            f"composition-conseil-{council_id}.pdf",
        )

    @get(
        "/composition/rapport.csv",
        operation_id="getCompositionReportCsv",
        opt=allow(Action.READ_COMPOSITION, "council_id"),
        media_type="text/csv",
    )
    async def report_csv(self, request: Request[Any, Any, Any], council_id: int) -> Response[bytes]:
        from service.composition.documents import composition_csv

        view = await report.composition(ctx_of(request), council_id)
        return _download(
            composition_csv(view),
            "text/csv; charset=utf-8",
            f"composition-conseil-{council_id}.csv",
        )

    @get(
        "/composition/arrete.odt",
        operation_id="getRecognitionOrderDraft",
        opt=allow(Action.READ_COMPOSITION, "council_id"),
        media_type="application/vnd.oasis.opendocument.text",
        description="Projet d'arrêté préfectoral portant reconnaissance de la composition "
        "(régime 2014), "
        "document modifiable.",
    )
    async def arrete(self, request: Request[Any, Any, Any], council_id: int) -> Response[bytes]:
        from service.composition.documents import arrete_odt

        view = await report.composition(ctx_of(request), council_id)
        return _download(
            arrete_odt(view),
            "application/vnd.oasis.opendocument.text",
            f"projet-arrete-conseil-{council_id}.odt",
        )


def _download(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


API_CONTROLLERS = [CompositionController]
