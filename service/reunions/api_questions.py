"""HTTP API: residents' questions (recorded by the secretary; the public form is a
page), absences that may end a mandate, and members' postal addresses."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.status_codes import HTTP_201_CREATED

from domain.access import Action
from service.http.auth import allow
from service.http.common import actor_of, ctx_of
from service.reunions import schemas as s
from service.reunions.usecases import attendance as att
from service.reunions.usecases import questions as qs

TAGS = ["Réunions"]


class QuestionsController(Controller):
    path = "/api/v1/conseils/{council_id:int}"
    tags = TAGS

    @get("/questions", operation_id="listQuestions", summary="Questions des habitants et leurs réponses",
         opt=allow(Action.READ_MEETINGS, "council_id"))
    async def list_questions(self, request: Request[Any, Any, Any], council_id: int, status: str | None = None) -> list[s.QuestionOut]:
        return [s.question_out(q) for q in await qs.list_questions(ctx_of(request), council_id, status)]

    @post("/questions", operation_id="recordQuestion", summary="Enregistrer une question posée en réunion",
          opt=allow(Action.MANAGE_MEETINGS, "council_id"), status_code=HTTP_201_CREATED)
    async def create(self, request: Request[Any, Any, Any], council_id: int, data: s.QuestionCreate) -> s.QuestionOut:
        q = await qs.record_question(ctx_of(request), actor_of(request), council_id, data.texte, data.destinataire,
                                     raised_on=data.raised_on, meeting_id=data.reunion_id)
        return s.question_out(q)

    @post("/questions/{question_id:int}/reponse", operation_id="answerQuestion",
          summary="Enregistrer la réponse à une question", opt=allow(Action.MANAGE_MEETINGS, "council_id"),
          status_code=200)
    async def answer(self, request: Request[Any, Any, Any], council_id: int, question_id: int,
                     data: s.QuestionAnswer) -> s.QuestionOut:
        q = await qs.answer_question(ctx_of(request), actor_of(request), question_id, data.reponse, data.version,
                                     answered_on=data.answered_on, council_id=council_id)
        return s.question_out(q)

    @get("/absences", operation_id="listAbsencePropositions",
         summary="Membres dont les absences non excusées d'affilée atteignent le seuil",
         opt=allow(Action.MANAGE_MEETINGS, "council_id"))
    async def absences(self, request: Request[Any, Any, Any], council_id: int) -> list[s.AbsenceProposition]:
        return [
            s.AbsenceProposition(membre_id=c.member.id, nom=c.member.display_name, absences=c.proposal.streak,
                                 seuil=c.proposal.threshold, dates=list(c.proposal.dates), message=c.proposal.message)
            for c in await att.absence_proposals(ctx_of(request), council_id)
        ]

    @post("/absences/{membre_id:int}/fin-de-mandat", operation_id="confirmFinPourAbsences",
          summary="Confirmer la fin du mandat pour absences (départ, siège vacant, remplacement proposé)",
          opt=allow(Action.MANAGE_COMPOSITION, "council_id"), status_code=200)
    async def confirm(self, request: Request[Any, Any, Any], council_id: int, membre_id: int,
                      data: s.FinDeMandatIn) -> s.FinDeMandatOut:
        result = await att.confirm_absence_end(ctx_of(request), actor_of(request), council_id, membre_id,
                                               data.version, data.on, data.override_reason)
        proposal = result.proposal
        return s.FinDeMandatOut(membre_id=membre_id, status=result.member.status, siege_vacant=result.vacancy,
                                remplacant_propose_id=proposal.id if proposal else None, message=result.message)

    @put("/membres/{membre_id:int}/adresse", operation_id="setMemberAddress",
         summary="Adresse postale d'un membre (convocations par courrier)",
         opt=allow(Action.MANAGE_MEETINGS, "council_id"))
    async def address(self, request: Request[Any, Any, Any], council_id: int, membre_id: int,
                      data: s.AdresseUpdate) -> s.Adresse:
        from service.composition.usecases import members as composition

        row = await composition.update_member_address(
            ctx_of(request), actor_of(request), membre_id, data.model_dump(exclude={"version"}), data.version,
            council_id=council_id)
        return s.Adresse(membre_id=membre_id, version=row.version, **row.address())


QUESTION_HANDLERS: list[Any] = [QuestionsController]
