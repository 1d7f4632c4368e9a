"""Rules of calls for applications (appels à candidatures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.i18n import _
from domain.rules import RuleResult


@dataclass(frozen=True)
class CallPeriod:
    opens_on: date
    closes_on: date


class ClosesAfterOpening:
    """A call closes after it opens: its last day of filing is not before its first."""

    code = "dates-incoherentes"

    def check(self, subject: CallPeriod) -> RuleResult:
        ok = subject.closes_on >= subject.opens_on
        return RuleResult(
            self.code,
            ok,
            "" if ok else _("La date de clôture précède la date d'ouverture."),
            details={"field": "closes_on"},
        )


CLOSES_AFTER_OPENING = ClosesAfterOpening()


PARIS = ZoneInfo("Europe/Paris")
COLLEGES = ("habitants", "associations_acteurs")
STATUS_LABELS = {"deposee": "Déposée", "acceptee": "Acceptée", "refusee": "Refusée"}


def local_today(now: datetime) -> date:
    """The date in France: a call closing « le 31 mars » closes at midnight in Paris."""
    return now.astimezone(PARIS).date()


class PerimeterStatus(StrEnum):
    """Where a volunteer's address stands against the council's imported perimeter."""

    INSIDE = "dans-le-perimetre"
    OUTSIDE = "hors-perimetre"
    UNKNOWN = "a-verifier"  # no perimeter imported, or an address that cannot be read

    @property
    def label(self) -> str:
        return PERIMETRE_LABELS[self.value]

    @property
    def to_check(self) -> bool:
        """Outside the imported perimeter is flagged « à vérifier » for the lead to decide
        (a perimeter file can miss a street or a number), never refused on the public form."""
        return self is not PerimeterStatus.INSIDE


PERIMETRE_LABELS = {
    "dans-le-perimetre": "Dans le périmètre",
    "hors-perimetre": "Hors du périmètre importé : à vérifier",
    "a-verifier": "À vérifier (aucun périmètre importé)",
}


@dataclass(frozen=True)
class ReviewDecision:
    decision: str
    reason: str


class RefusalGivesReason:
    """A lead accepts or refuses an application; a refusal states its reason (5 characters
    at least): it is told to the applicant."""

    code = "motif-obligatoire"
    min_length = 5

    def check(self, subject: ReviewDecision) -> RuleResult:
        if subject.decision not in ("acceptee", "refusee"):
            return RuleResult(
                "decision-inconnue",
                False,
                _("Décision inconnue (attendu : acceptee ou refusee)."),
                details={"field": "decision"},
            )
        ok = subject.decision == "acceptee" or len(subject.reason.strip()) >= self.min_length
        return RuleResult(
            self.code,
            ok,
            ""
            if ok
            else _(
                "Indiquez le motif du refus (5 caractères au moins) : il sera communiqué au "
                "candidat."
            ),
            details={"field": "reason"},
        )


REFUSAL_GIVES_REASON = RefusalGivesReason()


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
