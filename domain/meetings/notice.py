"""Notice of a convocation in clear days (spec/meetings.md §1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import InvalidInput, RuleBroken
from domain.i18n import _, ngettext
from domain.meetings.model import paris_date
from domain.rules import RuleResult

EMERGENCY_MIN_CLEAR_DAYS = 1


def clear_days(sent_on: date | datetime, meeting_on: date | datetime) -> int:
    """Days strictly between the sending date and the meeting date (Europe/Paris
    calendar dates; neither day counts; weekends and holidays count)."""
    return (paris_date(meeting_on) - paris_date(sent_on)).days - 1


class NoticeTooShort(RuleBroken):
    code = "delai-convocation"
    title = "Délai de convocation non respecté"


@dataclass(frozen=True)
class NoticeCheck:
    sent: date | datetime
    meeting: date | datetime
    urgence: bool = False
    motif: str = ""


@dataclass(frozen=True)
class NoticeRule:
    """At least ``days`` clear days (setting ``delai_convocation_jours_francs``); in an
    emergency, with a written reason, at least one clear day."""

    days: int = 5
    code = "delai-convocation"

    def clear_days(self, sent_on: date | datetime, meeting_on: date | datetime) -> int:
        return clear_days(sent_on, meeting_on)

    def check(self, subject: NoticeCheck) -> RuleResult:
        n = self.clear_days(subject.sent, subject.meeting)
        required = EMERGENCY_MIN_CLEAR_DAYS if subject.urgence else self.days
        details = {"jours_francs": n, "requis": required, "urgence": subject.urgence}
        days_text = ngettext("{n} jour franc", "{n} jours francs", n).format(n=n)
        if n >= required:
            return RuleResult(
                self.code, True,
                _("Délai de convocation respecté : {d}.").format(d=days_text),
                details=details,
            )
        if subject.urgence:
            msg = _(
                "Même en urgence, il faut au moins un jour franc entre l'envoi et la réunion : "
                "il y en a {d}."
            ).format(d=days_text)
        else:
            msg = _(
                "Délai de convocation non respecté : {d} entre l'envoi et la réunion, "
                "{r} requis. En cas d'urgence motivée, un jour franc suffit."
            ).format(d=days_text, r=ngettext("{n} jour franc", "{n} jours francs", required).format(n=required))
        return RuleResult(self.code, False, msg, details=details)

    def enforce(self, subject: NoticeCheck) -> int:
        """Clear days, or NoticeTooShort (and InvalidInput for an emergency without reason)."""
        if subject.urgence and not subject.motif.strip():
            raise InvalidInput(
                _("Une convocation en urgence doit être motivée : indiquez le motif."),
                field="motif",
                code="motif-urgence-manquant",
            )
        result = self.check(subject)
        if not result.ok:
            raise NoticeTooShort(result.message, field="urgence", extra={"rule": self.code, **result.details})
        return int(result.details["jours_francs"])
