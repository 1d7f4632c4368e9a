"""Training of the councils' members (spec meetings.md §7): sessions cut into half-days,
enrolment with a capacity and a waiting list, attendance, hours and attestations.

Standard library only; the clock comes in as an argument (DESIGN.md rules 1–2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo

from domain.errors import InvalidInput, RuleBroken
from domain.i18n import _

PARIS = ZoneInfo("Europe/Paris")
# A session running through lunch without a stated break is cut as the spec's example:
# 09:00–12:30 and 13:30–17:00.
DEFAULT_BREAK = (time(12, 30), time(13, 30))
NOON = time(12, 0)


class Audience(StrEnum):
    MEMBRES = "membres"  # titulaires
    MEMBRES_SUPPLEANTS = "membres_suppleants"
    OUVERT = "ouvert"  # also residents and partners

    @property
    def label(self) -> str:
        return {
            Audience.MEMBRES: _("Membres titulaires"),
            Audience.MEMBRES_SUPPLEANTS: _("Membres titulaires et suppléants"),
            Audience.OUVERT: _("Membres, habitants et partenaires"),
        }[self]


class ParticipantKind(StrEnum):
    TITULAIRE = "titulaire"
    SUPPLEANT = "suppleant"
    HABITANT = "habitant"
    PARTENAIRE = "partenaire"

    @property
    def label(self) -> str:
        return {
            ParticipantKind.TITULAIRE: _("Membre titulaire"),
            ParticipantKind.SUPPLEANT: _("Membre suppléant"),
            ParticipantKind.HABITANT: _("Habitant"),
            ParticipantKind.PARTENAIRE: _("Partenaire"),
        }[self]

    def label_for(self, sexe: str) -> str:
        """The label in the person's gender when it is known (« Membre suppléante »)."""
        if sexe != "F":
            return self.label
        return {
            ParticipantKind.TITULAIRE: _("Membre titulaire"),
            ParticipantKind.SUPPLEANT: _("Membre suppléante"),
            ParticipantKind.HABITANT: _("Habitante"),
            ParticipantKind.PARTENAIRE: _("Partenaire"),
        }[self]


class EnrolmentStatus(StrEnum):
    INSCRIT = "inscrit"
    ATTENTE = "attente"
    ANNULE = "annule"

    @property
    def label(self) -> str:
        return {
            EnrolmentStatus.INSCRIT: _("Inscrit"),
            EnrolmentStatus.ATTENTE: _("Liste d'attente"),
            EnrolmentStatus.ANNULE: _("Inscription annulée"),
        }[self]

    def label_for(self, sexe: str) -> str:
        return _("Inscrite") if self is EnrolmentStatus.INSCRIT and sexe == "F" else self.label


class Mark(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSE = "excuse"

    @property
    def label(self) -> str:
        return {Mark.PRESENT: _("Présent"), Mark.ABSENT: _("Absent"), Mark.EXCUSE: _("Absent excusé")}[self]


class HalfDayPart(StrEnum):
    MATIN = "matin"
    APRES_MIDI = "apres_midi"

    @property
    def label(self) -> str:
        return {HalfDayPart.MATIN: _("Matin"), HalfDayPart.APRES_MIDI: _("Après-midi")}[self]


@dataclass(frozen=True)
class HalfDay:
    part: HalfDayPart
    start: datetime
    end: datetime

    @property
    def hours(self) -> Fraction:
        return Fraction(int((self.end - self.start).total_seconds()), 3600)


@dataclass(frozen=True)
class SessionTimes:
    start: datetime  # aware
    end: datetime  # aware
    break_start: time | None = None  # local (Europe/Paris) lunch break, if any
    break_end: time | None = None


class AudienceRule:
    """Who may enrol in a training, by its audience."""

    code = "public-formation"

    @staticmethod
    def admits(audience: Audience, kind: ParticipantKind) -> bool:
        if audience is Audience.MEMBRES:
            return kind is ParticipantKind.TITULAIRE
        if audience is Audience.MEMBRES_SUPPLEANTS:
            return kind in (ParticipantKind.TITULAIRE, ParticipantKind.SUPPLEANT)
        return True

    @classmethod
    def check(cls, audience: Audience, kind: ParticipantKind) -> None:
        if not cls.admits(audience, kind):
            raise RuleBroken(
                _("Cette formation est réservée aux {public} : {personne} ne peut pas s'y inscrire.").format(
                    public=audience.label.lower(), personne=kind.label.lower()
                ),
                code=cls.code,
                field="participant",
            )


def check_session_times(times: SessionTimes, *, training_from: date | None = None, training_to: date | None = None) -> None:
    """A session ends after it starts, on the same day, within the training's dates."""
    if times.start.tzinfo is None or times.end.tzinfo is None:
        raise InvalidInput(_("Les heures de la séance doivent préciser leur fuseau."), field="debut")
    if times.end <= times.start:
        raise InvalidInput(_("La séance doit finir après son début."), field="fin", code="fin-avant-debut")
    start_local, end_local = times.start.astimezone(PARIS), times.end.astimezone(PARIS)
    if start_local.date() != end_local.date():
        raise InvalidInput(
            _("Une séance tient sur une journée : créez une séance par jour."), field="fin", code="seance-sur-plusieurs-jours"
        )
    if (times.break_start is None) != (times.break_end is None):
        raise InvalidInput(_("Une pause a un début et une fin."), field="pause_fin")
    breaks = (times.break_start, times.break_end)
    if breaks[0] is not None and breaks[1] is not None and not (start_local.time() < breaks[0] < breaks[1] < end_local.time()):
        raise InvalidInput(_("La pause doit se situer pendant la séance."), field="pause_debut")
    day = start_local.date()
    if training_from is not None and day < training_from:
        raise InvalidInput(
            _("La séance est avant le début de la formation."), field="debut", code="seance-hors-formation"
        )
    if training_to is not None and day > training_to:
        raise InvalidInput(_("La séance est après la fin de la formation."), field="debut", code="seance-hors-formation")


def half_days(times: SessionTimes) -> list[HalfDay]:
    """The half-days of a session (spec §7): a session through lunch is two half-days,
    cut at its stated break, or at 12:30–13:30 when none is stated."""
    start, end = times.start.astimezone(PARIS), times.end.astimezone(PARIS)
    if times.break_start is not None and times.break_end is not None:
        cut = (times.break_start, times.break_end)
    elif start.time() < NOON and end.time() > time(14, 0):
        cut = DEFAULT_BREAK
    else:
        part = HalfDayPart.MATIN if start.time() < NOON else HalfDayPart.APRES_MIDI
        return [HalfDay(part, times.start, times.end)]
    morning_end = datetime.combine(start.date(), cut[0], PARIS)
    afternoon_start = datetime.combine(start.date(), cut[1], PARIS)
    return [
        HalfDay(HalfDayPart.MATIN, times.start, morning_end),
        HalfDay(HalfDayPart.APRES_MIDI, afternoon_start, times.end),
    ]


def hours_attended(signed: Iterable[HalfDay]) -> Fraction:
    """Sum of the durations of the half-days a person signed (spec §7)."""
    return sum((h.hours for h in signed), Fraction(0))


def format_hours(hours: Fraction) -> str:
    """« 3,5 h », « 7 h », « 1,25 h » — French decimal comma, at most two decimals."""
    value = round(float(hours), 2)
    text = f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text}\u00a0h"


@dataclass(frozen=True)
class Placement:
    status: EnrolmentStatus
    position: int | None  # rank on the waiting list (1 = next), None when enrolled


def place(capacity: int | None, enrolled: int, waiting: int) -> Placement:
    """Where a new enrolment goes: a seat while one is free, else the end of the waiting
    list (a full session is not an error)."""
    if capacity is None or enrolled < capacity:
        return Placement(EnrolmentStatus.INSCRIT, None)
    return Placement(EnrolmentStatus.ATTENTE, waiting + 1)


def to_promote(capacity: int | None, enrolled: int, waiting_in_order: Sequence[int]) -> list[int]:
    """The waiting enrolments (ids, in their order) that get a seat now."""
    if capacity is None:
        return list(waiting_in_order)
    free = max(0, capacity - enrolled)
    return list(waiting_in_order[:free])


class CancellationRule:
    code = "annulation-trop-tardive"

    @classmethod
    def check(cls, session_start: datetime, now: datetime) -> None:
        """A person may cancel up to the session's start."""
        if now >= session_start:
            raise RuleBroken(
                _("La séance a commencé : l'inscription ne peut plus être annulée."), code=cls.code, field="inscription"
            )


class AttendanceRule:
    code = "emargement-sans-inscription"

    @classmethod
    def check(cls, status: EnrolmentStatus | None) -> None:
        if status is not EnrolmentStatus.INSCRIT:
            raise RuleBroken(
                _("Cette personne n'est pas inscrite à la séance : sa présence ne peut pas être notée."),
                code=cls.code,
                field="participant",
            )


class AttestationRule:
    code = "attestation-sans-presence"

    @classmethod
    def check(cls, hours: Fraction) -> None:
        if hours <= 0:
            raise RuleBroken(
                _("Cette personne n'a assisté à aucune demi-journée : aucune attestation ne peut être établie."),
                code=cls.code,
                field="participant",
            )


def reminder_due(session_start: datetime, now: datetime, *, days_before: int) -> bool:
    """The reminder goes out ``days_before`` days before the session, once, and never
    after it started."""
    return session_start - timedelta(days=days_before) <= now < session_start
