"""API of the draw by lot (tirage au sort): ceremony, rounds, replies, records.

Lead's routes sit under the council (``/api/v1/conseils/{council_id}/tirages``), so the
access guard resolves the council's scope; each use case checks the draw belongs to it.
Public routes (``/api/v1/tirages/…``) take the draw's public reference.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.status_codes import HTTP_201_CREATED
from pydantic import BaseModel, Field

from domain.access import Action
from domain.draw import plan as draw_plan
from service.api.bounds import BoundedIn
from service.api.common import actor_of, client_ip, ctx_of
from service.api.strict import StrictInput
from service.auth import allow, public
from service.tirage.usecases import ceremony, plan, records, replies, rounds


class _In(BoundedIn, StrictInput):
    """Request bodies: numbers and dates bounded (service/api/bounds.py), unknown members refused and
    dates as ISO text (service/api/strict.py)."""


class PlanIn(_In):
    seats: int = Field(
        ge=1, le=500, description="Sièges à pourvoir par ce tirage (habitants, ou volontaires)"
    )
    odd_seat: str | None = Field(default=None, description="F ou M : à qui revient le siège impair")
    one_per_household: bool = Field(default=True, description="Une seule personne par foyer")
    invitations: dict[str, int] | None = Field(
        default=None,
        description="Invitations du premier tour par strate (défaut : multiple × sièges)",
    )
    multiple: int = Field(default=draw_plan.DEFAULT_MULTIPLE, ge=1, le=1000)
    seats_by_stratum: dict[str, int] | None = Field(
        default=None, description="Sièges par strate, explicites"
    )

    def to_input(self) -> draw_plan.PlanInput:
        return draw_plan.PlanInput(
            seats=self.seats,
            odd_seat=self.odd_seat,
            one_per_household=self.one_per_household,
            invitations=self.invitations,
            multiple=self.multiple,
            seats_by_stratum=self.seats_by_stratum,
        )


class DrawPrepare(PlanIn):
    pool_id: int = Field(description="Vivier (liste) sur lequel tirer")
    label: str = Field(default="", max_length=200)
    place: str = Field(default="", max_length=200, description="Lieu de la séance publique")
    present: str = Field(
        default="", max_length=4000, description="Personnes présentes, une par ligne"
    )


class PlanProposal(BaseModel):
    protocol: str
    one_per_household: bool
    quotas: dict[str, int]
    seats: dict[str, int]


class EntropyIn(_In):
    entropy: str = Field(
        min_length=1, max_length=2000, examples=["3 6 1 4 4 2 5 1 6 2 3 3 5 4 1 2 6 6 5 1"]
    )
    kind: str = Field(default="dice", description="dice (dés) ou text (tirage public, balise)")


class AbandonIn(_In):
    reason: str = Field(min_length=1, max_length=500)
    redo_pool_id: int | None = Field(
        default=None, description="Préparer et engager aussitôt un nouveau tirage"
    )


class RoundIn(_In):
    counts: dict[str, int] | None = Field(
        default=None, description="Invitations par strate (tours suivants)"
    )
    deadline: datetime | None = Field(
        default=None, description="Date limite de réponse (ISO 8601 avec décalage)"
    )


class ReplyIn(_In):
    key: str = Field(min_length=1, max_length=64)
    reply: str = Field(description="accepte, refuse, sans_reponse ou npai")
    correction: str = Field(
        default="", max_length=500,
        description="Motif, pour corriger un courrier enregistré comme revenu (NPAI) ; inscrit au journal",
    )


class KeyIn(_In):
    key: str = Field(min_length=1, max_length=64)


class OnlineReplyIn(_In):
    code: str = Field(min_length=1, max_length=40, description="Code imprimé sur le courrier")
    birth_year: int = Field(ge=1850, le=2100, description="Année de naissance")
    answer: str = Field(description="accepte ou refuse")
    contact: str = Field(
        default="", max_length=300, description="Téléphone ou courriel (facultatif)"
    )


class DrawOut(BaseModel):
    id: int
    council: int
    pool: int
    kind: str
    reference: str
    status: str
    status_label: str
    label: str
    plan: dict[str, Any]
    pool_digest: str
    pool_size: int
    strata_counts: dict[str, int]
    commitment: str
    committed_at: datetime | None
    entropy: str | None
    entropy_kind: str
    entropy_by: str
    entropy_at: datetime | None
    seed: str
    ranking_digest: str
    ranked_counts: dict[str, int]
    skipped_count: int
    ranked_at: datetime | None
    place: str
    prepared_at: datetime
    abandoned_at: datetime | None
    abandon_reason: str
    replaces: int | None
    replaced_by: int | None
    version: int


def _out(d: dict[str, Any]) -> DrawOut:
    return DrawOut(**{k: d[k] for k in DrawOut.model_fields})


class Recipient(BaseModel):
    invitation_id: int
    key: str
    rank: int
    stratum: str
    reply_code: str
    deadline: datetime | None
    subject_type: str
    subject_id: int | None
    draw_reference: str
    round_no: int


class VerificationOut(BaseModel):
    ok: bool
    code: str
    message: str
    checked: list[str]


class DrawController(Controller):
    path = "/api/v1/conseils/{council_id:int}/tirages"
    tags = ["Tirage au sort"]

    @get("/", operation_id="listDraws", opt=allow(Action.READ_DRAW_PUBLIC, "council_id"))
    async def list_(self, council_id: int) -> list[DrawOut]:
        return [_out(d) for d in await records.list_draws(council_id)]

    @post(
        "/proposition",
        operation_id="proposeDrawPlan",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=200,
    )
    async def propose(self, council_id: int, data: DrawPrepare) -> PlanProposal:
        return PlanProposal(**await plan.propose_plan(council_id, data.pool_id, data.to_input()))

    @post(
        "/",
        operation_id="prepareDraw",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=HTTP_201_CREATED,
    )
    async def prepare(
        self, request: Request[Any, Any, Any], council_id: int, data: DrawPrepare
    ) -> DrawOut:
        d = await ceremony.prepare_draw(
            ctx_of(request),
            actor_of(request),
            council_id,
            data.pool_id,
            data.to_input(),
            label=data.label,
            place=data.place,
            present=data.present,
        )
        return _out(d)

    @get("/{draw_id:int}", operation_id="getDraw", opt=allow(Action.READ_DRAW_PUBLIC, "council_id"))
    async def get_(self, council_id: int, draw_id: int) -> DrawOut:
        return _out(await records.get_draw(draw_id, council_id))

    @get(
        "/{draw_id:int}/suivi",
        operation_id="getDrawProgress",
        opt=allow(Action.RUN_DRAW, "council_id"),
    )
    async def state(self, council_id: int, draw_id: int) -> dict[str, Any]:
        return await records.draw_state(draw_id, council_id)

    @post(
        "/{draw_id:int}/engagement",
        operation_id="commitDraw",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=200,
    )
    async def commit(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> DrawOut:
        return _out(await ceremony.commit_draw(ctx_of(request), actor_of(request), council_id, draw_id))

    @post(
        "/{draw_id:int}/alea",
        operation_id="enterDrawEntropy",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=200,
    )
    async def entropy(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, data: EntropyIn
    ) -> DrawOut:
        return _out(
            await ceremony.enter_entropy(
                ctx_of(request), actor_of(request), council_id, draw_id, data.entropy, data.kind
            )
        )

    @post(
        "/{draw_id:int}/classement",
        operation_id="rankDraw",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=200,
    )
    async def rank(self, request: Request[Any, Any, Any], council_id: int, draw_id: int) -> DrawOut:
        return _out(await ceremony.rank_draw(ctx_of(request), actor_of(request), council_id, draw_id))

    @post(
        "/{draw_id:int}/abandon",
        operation_id="abandonDraw",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=200,
    )
    async def abandon(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, data: AbandonIn
    ) -> DrawOut:
        return _out(
            await ceremony.abandon_draw(
                ctx_of(request),
                actor_of(request),
                council_id,
                draw_id,
                data.reason,
                redo_pool_id=data.redo_pool_id,
            )
        )

    @get(
        "/{draw_id:int}/proposition-tour",
        operation_id="proposeDrawRound",
        opt=allow(Action.RUN_DRAW, "council_id"),
    )
    async def propose_round(self, council_id: int, draw_id: int) -> dict[str, int]:
        return await rounds.propose_round(draw_id, council_id)

    @post(
        "/{draw_id:int}/tours",
        operation_id="openDrawRound",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=HTTP_201_CREATED,
    )
    async def open_round(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, data: RoundIn
    ) -> DrawOut:
        return _out(
            await rounds.open_round(
                ctx_of(request),
                actor_of(request),
                council_id,
                draw_id,
                data.counts,
                deadline=data.deadline,
            )
        )

    @get(
        "/{draw_id:int}/tours/{round_no:int}/destinataires",
        operation_id="listRoundRecipients",
        opt=allow(Action.RUN_DRAW, "council_id"),
    )
    async def recipients(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, round_no: int
    ) -> list[Recipient]:
        await records.get_draw(draw_id, council_id)
        return [
            Recipient(**r.__dict__)
            for r in await rounds.round_recipients(ctx_of(request), draw_id, round_no)
        ]

    @post(
        "/{draw_id:int}/tours/{round_no:int}/cloture",
        operation_id="closeDrawRound",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=200,
        summary="Après la date limite : les invitations sans réponse passent « sans réponse »",
    )
    async def close_round(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, round_no: int
    ) -> dict[str, Any]:
        return await rounds.close_round(
            ctx_of(request), actor_of(request), council_id, draw_id, round_no
        )

    @post(
        "/{draw_id:int}/reponses",
        operation_id="recordDrawReply",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=200,
    )
    async def reply(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, data: ReplyIn
    ) -> dict[str, Any]:
        return await replies.record_reply(
            ctx_of(request), actor_of(request), council_id, draw_id, data.key, data.reply,
            correction=data.correction,
        )

    @post(
        "/{draw_id:int}/reponses/csv",
        operation_id="importDrawReplies",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=200,
        summary="Réponses en lot (corps text/csv : colonnes cle ou code, et reponse)",
    )
    async def replies_csv(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> dict[str, Any]:
        body = await request.body()
        return await replies.import_replies_csv(
            ctx_of(request), actor_of(request), council_id, draw_id, body
        )

    @post(
        "/{draw_id:int}/departs",
        operation_id="recordDrawDeparture",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=200,
    )
    async def departure(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, data: KeyIn
    ) -> dict[str, Any]:
        return await replies.record_departure(
            ctx_of(request), actor_of(request), council_id, draw_id, data.key
        )

    @get(
        "/{draw_id:int}/remplacement",
        operation_id="proposeDrawReplacement",
        opt=allow(Action.RUN_DRAW, "council_id"),
    )
    async def replacement(self, council_id: int, draw_id: int, cle: str) -> dict[str, Any]:
        return await replies.replacement_proposal(draw_id, cle, council_id)

    @get(
        "/{draw_id:int}/registre-complet",
        operation_id="getDrawAuditRecord",
        opt=allow(Action.READ_DRAW_AUDIT, "council_id"),
    )
    async def audit_record(self, council_id: int, draw_id: int) -> dict[str, Any]:
        return await records.audit_record(draw_id, council_id)

    @get(
        "/{draw_id:int}/liste.tsv",
        operation_id="getDrawPoolFile",
        opt=allow(Action.READ_DRAW_AUDIT, "council_id"),
        media_type="text/tab-separated-values",
    )
    async def pool_file(self, council_id: int, draw_id: int) -> Response[bytes]:
        d = await records.get_draw(draw_id, council_id)
        return Response(
            await records.draw_pool_file(draw_id, council_id),
            media_type="text/tab-separated-values",
            headers={"Content-Disposition": f'attachment; filename="{d["reference"]}-liste.tsv"'},
        )

    @get(
        "/{draw_id:int}/verification",
        operation_id="reverifyDraw",
        opt=allow(Action.READ_DRAW_AUDIT, "council_id"),
    )
    async def verification(self, council_id: int, draw_id: int) -> VerificationOut:
        r = await records.reverify(draw_id, council_id)
        return VerificationOut(ok=r.ok, code=r.code, message=r.message, checked=list(r.checked))


class PublicDrawController(Controller):
    path = "/api/v1/tirages"
    tags = ["Tirage au sort"]

    @get("/{reference:str}/registre", operation_id="getDrawPublicRecord", opt=public())
    async def record(self, reference: str) -> dict[str, Any]:
        return await records.public_record(reference)

    @get("/{reference:str}/cles/{key:str}", operation_id="lookupDrawKey", opt=public())
    async def lookup(self, reference: str, key: str) -> dict[str, Any]:
        return await records.lookup_key(reference, key)

    @post("/reponse", operation_id="replyOnline", opt=public(), status_code=200)
    async def reply(self, request: Request[Any, Any, Any], data: OnlineReplyIn) -> dict[str, Any]:
        return await replies.reply_online(
            ctx_of(request),
            data.code,
            data.birth_year,
            data.answer,
            data.contact,
            "ip:" + client_ip(request),
        )


API_CONTROLLERS = [DrawController, PublicDrawController]
