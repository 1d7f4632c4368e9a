"""API of the draw by lot (tirage au sort): ceremony, rounds, replies, records.

Lead's routes sit under the council (``/api/v1/conseils/{council_id}/tirages``), so the
access guard resolves the council's scope; each use case checks the draw belongs to it.
Public routes (``/api/v1/tirages/…``) take the draw's public reference.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.status_codes import HTTP_201_CREATED

from domain.access import Action
from service.http.auth import allow, public
from service.http.common import actor_of, client_ip, ctx_of
from service.tirage.schemas import (
    AbandonIn,
    DrawOut,
    DrawPrepare,
    DrawProgress,
    DrawRecord,
    EntropyIn,
    KeyIn,
    KeyLookup,
    OnlineReplyIn,
    OnlineReplyOut,
    PlanProposal,
    PublicDrawRecord,
    Recipient,
    ReplacementOut,
    RepliesImported,
    ReplyIn,
    RoundClosed,
    RoundIn,
    VerificationOut,
)
from service.tirage.usecases import ceremony, plan, records, replies, rounds


def _out(d: dict[str, Any]) -> DrawOut:
    return DrawOut(**{k: d[k] for k in DrawOut.model_fields})


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
    async def state(self, council_id: int, draw_id: int) -> DrawProgress:
        return DrawProgress(**await records.draw_state(draw_id, council_id))

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
    ) -> RoundClosed:
        return RoundClosed(**await rounds.close_round(
            ctx_of(request), actor_of(request), council_id, draw_id, round_no
        ))

    @post(
        "/{draw_id:int}/reponses",
        operation_id="recordDrawReply",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=200,
    )
    async def reply(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, data: ReplyIn
    ) -> DrawProgress:
        return DrawProgress(**await replies.record_reply(
            ctx_of(request), actor_of(request), council_id, draw_id, data.key, data.reply,
            correction=data.correction,
        ))

    @post(
        "/{draw_id:int}/reponses/csv",
        operation_id="importDrawReplies",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=200,
        summary="Réponses en lot (corps text/csv : colonnes cle ou code, et reponse)",
    )
    async def replies_csv(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> RepliesImported:
        body = await request.body()
        return RepliesImported(**await replies.import_replies_csv(
            ctx_of(request), actor_of(request), council_id, draw_id, body
        ))

    @post(
        "/{draw_id:int}/departs",
        operation_id="recordDrawDeparture",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=200,
    )
    async def departure(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, data: KeyIn
    ) -> ReplacementOut:
        return ReplacementOut(**await replies.record_departure(
            ctx_of(request), actor_of(request), council_id, draw_id, data.key
        ))

    @get(
        "/{draw_id:int}/remplacement",
        operation_id="proposeDrawReplacement",
        opt=allow(Action.RUN_DRAW, "council_id"),
    )
    async def replacement(self, council_id: int, draw_id: int, cle: str) -> ReplacementOut:
        return ReplacementOut(**await replies.replacement_proposal(draw_id, cle, council_id))

    @get(
        "/{draw_id:int}/registre-complet",
        operation_id="getDrawAuditRecord",
        opt=allow(Action.READ_DRAW_AUDIT, "council_id"),
    )
    async def audit_record(self, council_id: int, draw_id: int) -> DrawRecord:
        return DrawRecord(**await records.audit_record(draw_id, council_id))

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
    async def record(self, reference: str) -> PublicDrawRecord:
        return PublicDrawRecord(**await records.public_record(reference))

    @get("/{reference:str}/cles/{key:str}", operation_id="lookupDrawKey", opt=public())
    async def lookup(self, reference: str, key: str) -> KeyLookup:
        return KeyLookup(**await records.lookup_key(reference, key))

    @post("/reponse", operation_id="replyOnline", opt=public(rate_limited=True), status_code=200)
    async def reply(self, request: Request[Any, Any, Any], data: OnlineReplyIn) -> OnlineReplyOut:
        return OnlineReplyOut(**await replies.reply_online(
            ctx_of(request),
            data.code,
            data.birth_year,
            data.answer,
            data.contact,
            "ip:" + client_ip(request),
        ))


API_CONTROLLERS = [DrawController, PublicDrawController]
