"""Rules of calls for applications (appels à candidatures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
