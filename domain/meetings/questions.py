"""Residents' questions (spec/meetings.md §6)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from domain.errors import InvalidInput, InvalidState
from domain.i18n import _

QUESTION_MAX = 5000


class QuestionStatus(StrEnum):
    OUVERTE = "ouverte"
    REPONDUE = "repondue"

    @property
    def label(self) -> str:
        return {QuestionStatus.OUVERTE: _("En attente de réponse"), QuestionStatus.REPONDUE: _("Répondue")}[self]


class Addressee(StrEnum):
    VILLE = "ville"
    EPCI = "epci"
    BAILLEUR = "bailleur"
    ETAT = "etat"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        return {
            Addressee.VILLE: _("Ville"),
            Addressee.EPCI: _("Intercommunalité (EPCI)"),
            Addressee.BAILLEUR: _("Bailleur"),
            Addressee.ETAT: _("État"),
            Addressee.AUTRE: _("Autre"),
        }[self]


class QuestionChannel(StrEnum):
    FORMULAIRE = "formulaire"
    REUNION = "reunion"

    @property
    def label(self) -> str:
        return {QuestionChannel.FORMULAIRE: _("Formulaire public"), QuestionChannel.REUNION: _("En réunion")}[self]


@dataclass(frozen=True)
class Question:
    id: int | None
    council_id: int
    raised_on: date
    channel: QuestionChannel
    texte: str
    addressee: Addressee
    status: QuestionStatus = QuestionStatus.OUVERTE
    reponse: str = ""
    answered_on: date | None = None
    meeting_id: int | None = None
    version: int = 1

    @property
    def answer_delay_days(self) -> int | None:
        """Answer date − date raised, in days (None while unanswered)."""
        return None if self.answered_on is None else (self.answered_on - self.raised_on).days


def check_question_text(texte: str, field: str = "texte") -> str:
    t = (texte or "").strip()
    if not t:
        raise InvalidInput(_("Le texte de la question est obligatoire."), field=field, code="champ-obligatoire")
    if len(t) > QUESTION_MAX:
        raise InvalidInput(
            _("Le texte dépasse {n} caractères.").format(n=QUESTION_MAX), field=field, code="texte-trop-long"
        )
    return t


def parse_addressee(raw: str) -> Addressee:
    try:
        return Addressee(raw)
    except ValueError:
        raise InvalidInput(
            _("Destinataire inconnu (attendu : ville, epci, bailleur, etat ou autre)."),
            field="destinataire", code="destinataire-inconnu",
        ) from None


def answer(q: Question, reponse: str, on: date) -> Question:
    if q.status is QuestionStatus.REPONDUE:
        raise InvalidState(_("Cette question a déjà reçu une réponse."), code="question-deja-repondue", field="status")
    if on < q.raised_on:
        raise InvalidInput(
            _("La réponse ne peut pas précéder la question."), field="answered_on", code="reponse-avant-question"
        )
    return replace(q, status=QuestionStatus.REPONDUE, reponse=check_question_text(reponse, "reponse"), answered_on=on)


def pending_for_agenda(questions: Iterable[Question], convocation_on: date) -> list[Question]:
    """Open questions raised before the meeting's convocation (they go on its agenda
    under « Questions des habitants en attente de réponse »), oldest first. Questions
    carry a date, not a time: one raised on the sending day is taken as raised before."""
    return sorted(
        (q for q in questions if q.status is QuestionStatus.OUVERTE and q.raised_on <= convocation_on),
        key=lambda q: (q.raised_on, q.id or 0),
    )
