"""HTTP API of a meeting's session: attendance and proxies, quorum, decisions, minutes."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.status_codes import HTTP_201_CREATED

from domain.access import Action
from service.http.auth import allow
from service.http.common import actor_of, ctx_of
from service.reunions import schemas as s
from service.reunions.usecases import attendance as att
from service.reunions.usecases import minutes as mn
from service.reunions.usecases.attendance import AttendanceView

TAGS = ["Réunions"]


def presences_out(view: AttendanceView) -> s.Presences:
    q = view.quorum
    return s.Presences(
        reunion=s.reunion_out(view.meeting),
        membres=[
            s.membre_presence(
                m,
                view.rows[m.id].presence.value if m.id in view.rows else None,
                view.rows[m.id].presence.label if m.id in view.rows else None,
                view.rows[m.id].porteur_id if m.id in view.rows else None,
            )
            for m in view.members
        ],
        quorum=None if q is None else s.Quorum(membres=q.members, requis=q.required, presents=q.present,
                                               atteint=q.reached, seconde_convocation=q.second_convocation,
                                               message=q.message),
    )


class SeanceController(Controller):
    path = "/api/v1/reunions/{reunion_id:int}"
    tags = TAGS

    @get("/presences", operation_id="getPresences", summary="Présences, pouvoirs et quorum",
         opt=allow(Action.READ_MEETINGS, "reunion_id"))
    async def presences(self, request: Request[Any, Any, Any], reunion_id: int) -> s.Presences:
        return presences_out(await att.attendance(ctx_of(request), reunion_id))

    @put("/presences/{membre_id:int}", operation_id="recordPresence",
         summary="Noter la présence d'un membre (present, absent_excuse, absent)",
         opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def record(self, request: Request[Any, Any, Any], reunion_id: int, membre_id: int,
                     data: s.PresenceIn) -> s.Presences:
        return presences_out(await att.record_presence(ctx_of(request), actor_of(request), reunion_id, membre_id,
                                                       data.presence))

    @post("/pouvoirs", operation_id="giveProxy", summary="Enregistrer un pouvoir d'un membre absent à un membre présent",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=HTTP_201_CREATED)
    async def proxy(self, request: Request[Any, Any, Any], reunion_id: int, data: s.PouvoirIn) -> s.Presences:
        return presences_out(await att.give_proxy(ctx_of(request), actor_of(request), reunion_id, data.membre_id,
                                                  data.porteur_id))

    @delete("/pouvoirs/{membre_id:int}", operation_id="withdrawProxy", summary="Retirer un pouvoir",
            opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=200)
    async def withdraw(self, request: Request[Any, Any, Any], reunion_id: int, membre_id: int) -> s.Presences:
        return presences_out(await att.withdraw_proxy(ctx_of(request), actor_of(request), reunion_id, membre_id))

    @post("/cloture-presences", operation_id="closePresences",
          summary="Clore les présences : réunion tenue, ou quorum non atteint",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=200)
    async def close(self, request: Request[Any, Any, Any], reunion_id: int, data: s.VersionIn) -> s.Presences:
        return presences_out(await att.close_attendance(ctx_of(request), actor_of(request), reunion_id, data.version))

    @get("/decisions", operation_id="listDecisions", summary="Décisions et votes de la réunion",
         opt=allow(Action.READ_MEETINGS, "reunion_id"))
    async def decisions(self, request: Request[Any, Any, Any], reunion_id: int) -> list[s.DecisionOut]:
        return [s.decision_out(d) for d in await att.decisions(ctx_of(request), reunion_id)]

    @post("/decisions", operation_id="recordDecision", summary="Enregistrer une décision et son vote (ou le consensus)",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=HTTP_201_CREATED)
    async def decide(self, request: Request[Any, Any, Any], reunion_id: int, data: s.DecisionCreate) -> s.DecisionOut:
        d = await att.record_decision(
            ctx_of(request), actor_of(request), reunion_id, data.point_id, texte=data.texte, consensus_=data.consensus,
            pour=data.pour, contre=data.contre, abstention=data.abstention, voix_president=data.voix_president)
        return s.decision_out(d)

    # --- minutes ------------------------------------------------------------------------

    @get("/compte-rendu", operation_id="getCompteRendu", summary="Compte rendu : toutes ses versions",
         opt=allow(Action.READ_MEETINGS, "reunion_id"))
    async def minutes(self, request: Request[Any, Any, Any], reunion_id: int) -> s.ComptesRendus:
        ctx = ctx_of(request)
        status = await mn.publication_status(ctx, reunion_id)
        from datetime import date

        return s.ComptesRendus(
            versions=[s.compte_rendu_out(m) for m in await mn.versions(ctx, reunion_id)],
            date_limite_publication=date.fromisoformat(status.deadline) if status.deadline else None,
            avertissement=status.warning,
        )

    @post("/compte-rendu", operation_id="createCompteRendu",
          summary="Rédiger le brouillon du compte rendu (trame tirée de l'ordre du jour)",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=HTTP_201_CREATED)
    async def draft(self, request: Request[Any, Any, Any], reunion_id: int, data: s.CompteRenduCreate) -> s.CompteRendu:
        return s.compte_rendu_out(await mn.create_draft(ctx_of(request), actor_of(request), reunion_id, data.texte))

    @patch("/compte-rendu", operation_id="updateCompteRendu", summary="Modifier le brouillon du compte rendu",
           opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def edit(self, request: Request[Any, Any, Any], reunion_id: int, data: s.CompteRenduUpdate) -> s.CompteRendu:
        return s.compte_rendu_out(await mn.edit_draft(ctx_of(request), actor_of(request), reunion_id, data.texte,
                                                      data.version))

    @post("/compte-rendu/adoption", operation_id="adoptCompteRendu",
          summary="Adopter le compte rendu lors d'une réunion ultérieure tenue",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=200)
    async def adopt(self, request: Request[Any, Any, Any], reunion_id: int, data: s.CompteRenduAdoption) -> s.CompteRendu:
        m = await mn.adopt(ctx_of(request), actor_of(request), reunion_id, data.adopte_en_reunion_id, data.version,
                           consensus=data.consensus, pour=data.pour, contre=data.contre, abstention=data.abstention,
                           voix_president=data.voix_president)
        return s.compte_rendu_out(m)

    @post("/compte-rendu/publication", operation_id="publishCompteRendu", summary="Publier le compte rendu adopté",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=200)
    async def publish(self, request: Request[Any, Any, Any], reunion_id: int, data: s.VersionIn) -> s.CompteRendu:
        return s.compte_rendu_out(await mn.publish(ctx_of(request), actor_of(request), reunion_id, data.version))

    @post("/compte-rendu/correction", operation_id="correctCompteRendu",
          summary="Corriger un compte rendu publié : nouvelle version avec son motif",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=HTTP_201_CREATED)
    async def correct(self, request: Request[Any, Any, Any], reunion_id: int,
                      data: s.CompteRenduCorrection) -> s.CompteRendu:
        return s.compte_rendu_out(await mn.correct(ctx_of(request), actor_of(request), reunion_id, data.texte,
                                                   data.motif, data.version))


SEANCE_HANDLERS: list[Any] = [SeanceController]
