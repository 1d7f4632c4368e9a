"""The contrat de ville's indicators (spec meetings.md §8), computed from facts, never typed.

Each figure carries its stable code, its French label and its definition, so the page,
the PDF report, the CSV/ODS exports and the API say the same thing. A share whose
denominator is 0 is undefined (``None``), never 0.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction

from domain.errors import InvalidInput
from domain.i18n import _

EARLIEST = date(2014, 1, 1)  # the loi Lamy; nothing before it is a council's
LATEST = date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    du: date
    au: date

    def __post_init__(self) -> None:
        if not (EARLIEST <= self.du <= LATEST):
            raise InvalidInput(_("Début de période hors des bornes (2014–2100)."), field="du", code="periode-invalide")
        if not (EARLIEST <= self.au <= LATEST):
            raise InvalidInput(_("Fin de période hors des bornes (2014–2100)."), field="au", code="periode-invalide")
        if self.au < self.du:
            raise InvalidInput(
                _("La fin de la période ({au}) précède son début ({du}).").format(au=self.au.isoformat(), du=self.du.isoformat()),
                field="au",
                code="periode-invalide",
            )

    def contains(self, day: date) -> bool:
        return self.du <= day <= self.au


class Unit(StrEnum):
    NOMBRE = "nombre"
    PART = "part"
    HEURES = "heures"
    JOURS = "jours"


@dataclass(frozen=True)
class Figure:
    code: str
    label: str
    definition: str
    value: Fraction | int | None
    unit: Unit = Unit.NOMBRE
    group: str = ""

    @property
    def defined(self) -> bool:
        return self.value is not None

    def as_float(self) -> float | None:
        return None if self.value is None else float(self.value)


def share(part: int, whole: int) -> Fraction | None:
    return None if whole == 0 else Fraction(part, whole)


def median(values: Sequence[float]) -> Fraction | None:
    if not values:
        return None
    return Fraction(statistics.median(values)).limit_denominator(1000)


# --- facts the service gathers ------------------------------------------------------


@dataclass(frozen=True)
class MemberFact:
    college: str  # "habitants" | "associations_acteurs"
    sex: str  # "F" | "M" | ""
    seat: str  # "titulaire" | "suppleant"
    start: date
    end: date  # last day of the seat (mandate end, or departure)

    def active_on(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class RoundFact:
    draw_id: int
    round_no: int
    held_on: date
    letters_sent: int
    accepted: int
    letters_by_sex: dict[str, int] = field(default_factory=dict)
    accepted_by_sex: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MeetingFact:
    meeting_id: int
    held_on: date
    quorum_reached: bool
    convened: int  # titulaires convened
    present: int
    convened_by: dict[str, int] = field(default_factory=dict)  # "habitants", "F", …
    present_by: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class TrainingFact:
    training_id: int
    session_id: int
    held_on: date
    enrolled_by_sex: dict[str, int]
    present_by_sex: dict[str, int]
    hours_attended: Fraction  # sum over people


@dataclass(frozen=True)
class QuestionFact:
    raised_on: date
    answered_on: date | None


def member_figures(members: Iterable[MemberFact], on: date) -> list[Figure]:
    sitting = [m for m in members if m.active_on(on) and m.seat == "titulaire"]
    out: list[Figure] = []
    for college, label in (("habitants", _("collège des habitants")), ("associations_acteurs", _("collège des associations et acteurs locaux"))):
        for sex, sex_label in (("F", _("femmes")), ("M", _("hommes"))):
            n = sum(1 for m in sitting if m.college == college and m.sex == sex)
            out.append(
                Figure(
                    f"membres.{college}.{sex}",
                    _("Membres titulaires, {college}, {sexe}").format(college=label, sexe=sex_label),
                    _("Titulaires en fonction le dernier jour de la période."),
                    n,
                    group="membres",
                )
            )
    women = sum(1 for m in sitting if m.sex == "F")
    men = sum(1 for m in sitting if m.sex == "M")
    out.append(
        Figure(
            "membres.part_femmes",
            _("Part des femmes parmi les membres"),
            _("Femmes / (femmes + hommes) parmi les titulaires en fonction le dernier jour de la période."),
            share(women, women + men),
            Unit.PART,
            group="membres",
        )
    )
    return out


def draw_figures(rounds: Iterable[RoundFact], period: Period) -> list[Figure]:
    held = [r for r in rounds if period.contains(r.held_on)]
    letters = sum(r.letters_sent for r in held)
    accepted = sum(r.accepted for r in held)
    out = [
        Figure("tirages.tenus", _("Tirages au sort tenus"), _("Tirages dont un tour d'invitations a eu lieu dans la période."),
               len({r.draw_id for r in held}), group="tirages"),
        Figure("tirages.courriers", _("Courriers envoyés"), _("Lettres d'invitation des tours tenus dans la période."), letters,
               group="tirages"),
        Figure("tirages.acceptation", _("Taux d'acceptation"), _("Habitants ayant accepté / lettres envoyées, tours de la période."),
               share(accepted, letters), Unit.PART, group="tirages"),
    ]
    for sex, label in (("F", _("femmes")), ("M", _("hommes"))):
        out.append(
            Figure(f"tirages.acceptation.{sex}", _("Taux d'acceptation, {sexe}").format(sexe=label),
                   _("Acceptations / lettres envoyées, pour ce sexe, tours de la période."),
                   share(sum(r.accepted_by_sex.get(sex, 0) for r in held), sum(r.letters_by_sex.get(sex, 0) for r in held)),
                   Unit.PART, group="tirages")
        )
    return out


def round_rates(rounds: Iterable[RoundFact], period: Period) -> list[tuple[RoundFact, Fraction | None]]:
    return [(r, share(r.accepted, r.letters_sent)) for r in rounds if period.contains(r.held_on)]


def meeting_figures(meetings: Iterable[MeetingFact], period: Period) -> list[Figure]:
    held = [m for m in meetings if period.contains(m.held_on)]
    convened = sum(m.convened for m in held)
    present = sum(m.present for m in held)
    out = [
        Figure("reunions.tenues", _("Réunions tenues"), _("Réunions dont les présences ont été relevées dans la période."), len(held),
               group="reunions"),
        Figure("reunions.quorum", _("Réunions avec quorum"), _("Réunions tenues où le quorum était atteint."),
               sum(1 for m in held if m.quorum_reached), group="reunions"),
        Figure("reunions.assiduite", _("Taux de présence"), _("Membres présents / membres convoqués (titulaires), réunions de la période."),
               share(present, convened), Unit.PART, group="reunions"),
    ]
    for key, label in (("habitants", _("collège des habitants")), ("associations_acteurs", _("collège des associations et acteurs locaux")),
                       ("F", _("femmes")), ("M", _("hommes"))):
        out.append(
            Figure(f"reunions.assiduite.{key}", _("Taux de présence, {groupe}").format(groupe=label),
                   _("Présents / convoqués de ce groupe, réunions de la période."),
                   share(sum(m.present_by.get(key, 0) for m in held), sum(m.convened_by.get(key, 0) for m in held)),
                   Unit.PART, group="reunions")
        )
    return out


def training_figures(sessions: Iterable[TrainingFact], period: Period, active_members: int) -> list[Figure]:
    held = [s for s in sessions if period.contains(s.held_on)]
    hours = sum((s.hours_attended for s in held), Fraction(0))
    out = [
        Figure("formations.tenues", _("Formations tenues"), _("Formations dont au moins une séance (tenue ou programmée) tombe dans la période."),
               len({s.training_id for s in held}), group="formations"),
        Figure("formations.seances", _("Séances de formation"), _("Séances non annulées, tenues ou programmées, dans la période."),
               len(held), group="formations"),
        Figure("formations.heures_par_membre", _("Heures de formation par membre"),
               _("Heures suivies (demi-journées émargées) / membres titulaires en fonction en fin de période."),
               None if active_members == 0 else hours / active_members, Unit.HEURES, group="formations"),
    ]
    for sex, label in (("F", _("femmes")), ("M", _("hommes"))):
        out.append(
            Figure(f"formations.assiduite.{sex}", _("Taux de présence en formation, {sexe}").format(sexe=label),
                   _("Présents / inscrits de ce sexe, séances de la période."),
                   share(sum(s.present_by_sex.get(sex, 0) for s in held), sum(s.enrolled_by_sex.get(sex, 0) for s in held)),
                   Unit.PART, group="formations")
        )
    return out


def question_figures(questions: Iterable[QuestionFact], period: Period) -> list[Figure]:
    qs = list(questions)
    raised = [q for q in qs if period.contains(q.raised_on)]
    answered = [q for q in qs if q.answered_on is not None and period.contains(q.answered_on)]
    delays = [float((q.answered_on - q.raised_on).days) for q in answered if q.answered_on is not None]
    return [
        Figure("questions.posees", _("Questions des habitants posées"), _("Questions reçues dans la période."), len(raised),
               group="questions"),
        Figure("questions.repondues", _("Questions répondues"), _("Questions dont la réponse date de la période."), len(answered),
               group="questions"),
        Figure("questions.delai_median", _("Délai médian de réponse"),
               _("Médiane, en jours, de (date de réponse − date de la question), questions répondues dans la période."),
               median(delays), Unit.JOURS, group="questions"),
    ]
