"""The records of a sitting: proposals, decisions, minutes and residents' questions.

Part of the meetings feature's one store (``ReunionStore`` inherits these methods), kept in
its own module so each stays readable; same rules as ``store.py``: typed methods returning
frozen dataclasses, no business rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import Conflict, NotFound
from domain.i18n import _
from domain.meetings import Addressee, Minutes, MinutesState, Question, QuestionChannel, QuestionStatus
from service.reunions.tables import ReunionCompteRendu, ReunionDecision, ReunionProposition, ReunionQuestion


@dataclass(frozen=True)
class Proposal:
    id: int
    meeting_id: int
    membre_id: int | None
    account_id: int | None
    titre: str
    texte: str
    status: str  # proposee | acceptee | refusee
    reponse: str
    point_id: int | None
    version: int
    created_at: datetime


@dataclass(frozen=True)
class Decision:
    id: int
    meeting_id: int
    point_id: int
    texte: str
    consensus: bool
    pour: int
    contre: int
    abstention: int
    voix_president: str
    adopte: bool


def stale(what: str) -> Conflict:
    return Conflict(
        _("{w} a été modifié(e) par quelqu'un d'autre entre-temps : rechargez la page et recommencez.").format(w=what),
        code="modification-concurrente", field="version",
    )


def _minutes(r: dict[str, Any]) -> Minutes:
    return Minutes(
        id=r["id"], meeting_id=r["reunion"], numero_version=r["numero_version"],
        state=MinutesState(r["state"]), texte=r["texte"], adopted_at_meeting=r["adopte_en_reunion"],
        adopted_on=r["adopte_le"], published_on=r["publie_le"], correction_motif=r["correction_motif"],
        version=r["version"],
    )


def _question(r: dict[str, Any]) -> Question:
    return Question(
        id=r["id"], council_id=r["council"], raised_on=r["raised_on"], channel=QuestionChannel(r["channel"]),
        texte=r["texte"], addressee=Addressee(r["destinataire"]), status=QuestionStatus(r["status"]),
        reponse=r["reponse"], answered_on=r["answered_on"], meeting_id=r["reunion"], version=r["version"],
    )


def _proposal(r: dict[str, Any]) -> Proposal:
    return Proposal(
        id=r["id"], meeting_id=r["reunion"], membre_id=r["membre"], account_id=r["account"],
        titre=r["titre"], texte=r["texte"], status=r["status"], reponse=r["reponse"],
        point_id=r["point"], version=r["version"], created_at=r["created_at"],
    )


def _decision(r: dict[str, Any]) -> Decision:
    return Decision(
        id=r["id"], meeting_id=r["reunion"], point_id=r["point"], texte=r["texte"],
        consensus=bool(r["consensus"]), pour=r["pour"], contre=r["contre"], abstention=r["abstention"],
        voix_president=r["voix_president"], adopte=bool(r["adopte"]),
    )


class SittingRecords:
    """Proposals, decisions, minutes and questions: the half of ``ReunionStore`` that
    records what a sitting produced."""

    # --- proposals ----------------------------------------------------------------

    async def insert_proposal(
        self, meeting_id: int, membre_id: int | None, account_id: int | None, titre: str, texte: str, now: datetime
    ) -> Proposal:
        rows = await ReunionProposition.insert(ReunionProposition(
            reunion=meeting_id, membre=membre_id, account=account_id, titre=titre, texte=texte, created_at=now,
        )).returning(ReunionProposition.id)
        return await self.get_proposal(int(rows[0]["id"]))

    async def get_proposal(self, proposal_id: int) -> Proposal:
        row = await ReunionProposition.select().where(ReunionProposition.id == proposal_id).first()
        if row is None:
            raise NotFound(_("Proposition introuvable."), field="proposition_id")
        return _proposal(row)

    async def proposals(self, meeting_id: int) -> list[Proposal]:
        rows = await ReunionProposition.select().where(
            ReunionProposition.reunion == meeting_id).order_by(ReunionProposition.id)
        return [_proposal(r) for r in rows]

    async def decide_proposal(
        self, proposal_id: int, expected_version: int, status: str, reponse: str, point_id: int | None, now: datetime
    ) -> Proposal:
        updated = await ReunionProposition.update({
            ReunionProposition.status: status, ReunionProposition.reponse: reponse,
            ReunionProposition.point: point_id, ReunionProposition.decided_at: now,
            ReunionProposition.version: expected_version + 1,
        }).where((ReunionProposition.id == proposal_id) & (ReunionProposition.version == expected_version)
                 & (ReunionProposition.status == "proposee")).returning(ReunionProposition.id)
        if not updated:
            raise stale(_("Cette proposition"))
        return await self.get_proposal(proposal_id)

    # --- decisions ----------------------------------------------------------------

    async def insert_decision(self, d: Decision, now: datetime) -> Decision:
        rows = await ReunionDecision.insert(ReunionDecision(
            reunion=d.meeting_id, point=d.point_id, texte=d.texte, consensus=d.consensus, pour=d.pour,
            contre=d.contre, abstention=d.abstention, voix_president=d.voix_president, adopte=d.adopte,
            created_at=now,
        )).returning(ReunionDecision.id)
        row = await ReunionDecision.select().where(ReunionDecision.id == rows[0]["id"]).first()
        assert row is not None
        return _decision(row)

    async def decisions(self, meeting_id: int) -> list[Decision]:
        rows = await ReunionDecision.select().where(ReunionDecision.reunion == meeting_id).order_by(ReunionDecision.id)
        return [_decision(r) for r in rows]

    async def delete_decision(self, decision_id: int, meeting_id: int) -> None:
        await ReunionDecision.delete().where((ReunionDecision.id == decision_id) & (ReunionDecision.reunion == meeting_id))

    # --- minutes ------------------------------------------------------------------

    async def minutes_versions(self, meeting_id: int) -> list[Minutes]:
        rows = await ReunionCompteRendu.select().where(
            ReunionCompteRendu.reunion == meeting_id).order_by(ReunionCompteRendu.numero_version)
        return [_minutes(r) for r in rows]

    async def current_minutes(self, meeting_id: int) -> Minutes | None:
        versions = await self.minutes_versions(meeting_id)
        return versions[-1] if versions else None

    async def get_minutes(self, minutes_id: int) -> Minutes:
        row = await ReunionCompteRendu.select().where(ReunionCompteRendu.id == minutes_id).first()
        if row is None:
            raise NotFound(_("Compte rendu introuvable."), field="compte_rendu_id")
        return _minutes(row)

    async def insert_minutes(self, m: Minutes, now: datetime) -> Minutes:
        try:
            rows = await ReunionCompteRendu.insert(ReunionCompteRendu(
                reunion=m.meeting_id, numero_version=m.numero_version, state=m.state.value, texte=m.texte,
                adopte_en_reunion=m.adopted_at_meeting, adopte_le=m.adopted_on, publie_le=m.published_on,
                correction_motif=m.correction_motif, cle=f"{m.meeting_id}:{m.numero_version}", version=1,
                created_at=now, updated_at=now,
            )).returning(ReunionCompteRendu.id)
        except Exception as exc:  # unique key: two drafts written at once
            if "unique" in str(exc).lower() or "UNIQUE" in str(exc):
                raise stale(_("Ce compte rendu")) from None
            raise
        return await self.get_minutes(int(rows[0]["id"]))

    async def update_minutes(self, m: Minutes, expected_version: int, now: datetime) -> Minutes:
        assert m.id is not None
        updated = await ReunionCompteRendu.update({
            ReunionCompteRendu.state: m.state.value, ReunionCompteRendu.texte: m.texte,
            ReunionCompteRendu.adopte_en_reunion: m.adopted_at_meeting, ReunionCompteRendu.adopte_le: m.adopted_on,
            ReunionCompteRendu.publie_le: m.published_on, ReunionCompteRendu.version: expected_version + 1,
            ReunionCompteRendu.updated_at: now,
        }).where((ReunionCompteRendu.id == m.id) & (ReunionCompteRendu.version == expected_version)).returning(
            ReunionCompteRendu.id)
        if not updated:
            raise stale(_("Ce compte rendu"))
        return await self.get_minutes(m.id)

    async def minutes_adopted_at(self, meeting_id: int) -> list[Minutes]:
        rows = await ReunionCompteRendu.select().where(ReunionCompteRendu.adopte_en_reunion == meeting_id)
        return [_minutes(r) for r in rows]

    # --- questions ----------------------------------------------------------------

    async def insert_question(self, q: Question, auteur: str, now: datetime) -> Question:
        rows = await ReunionQuestion.insert(ReunionQuestion(
            council=q.council_id, raised_on=q.raised_on, channel=q.channel.value, texte=q.texte,
            destinataire=q.addressee.value, status=q.status.value, reponse=q.reponse,
            answered_on=q.answered_on, reunion=q.meeting_id, auteur=auteur, version=1, created_at=now,
        )).returning(ReunionQuestion.id)
        return await self.get_question(int(rows[0]["id"]))

    async def get_question(self, question_id: int) -> Question:
        row = await ReunionQuestion.select().where(ReunionQuestion.id == question_id).first()
        if row is None:
            raise NotFound(_("Question introuvable."), field="question_id")
        return _question(row)

    async def questions(self, council_id: int, status: QuestionStatus | None = None) -> list[Question]:
        where: Any = ReunionQuestion.council == council_id
        if status is not None:
            where &= ReunionQuestion.status == status.value
        rows = await ReunionQuestion.select().where(where).order_by(ReunionQuestion.raised_on).order_by(ReunionQuestion.id)
        return [_question(r) for r in rows]

    async def update_question(self, q: Question, expected_version: int) -> Question:
        assert q.id is not None
        updated = await ReunionQuestion.update({
            ReunionQuestion.status: q.status.value, ReunionQuestion.reponse: q.reponse,
            ReunionQuestion.answered_on: q.answered_on, ReunionQuestion.destinataire: q.addressee.value,
            ReunionQuestion.version: expected_version + 1,
        }).where((ReunionQuestion.id == q.id) & (ReunionQuestion.version == expected_version)).returning(ReunionQuestion.id)
        if not updated:
            raise stale(_("Cette question"))
        return await self.get_question(q.id)
