"""Absences in a row that may end a mandate (spec/meetings.md §4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.i18n import _, ngettext
from domain.meetings.attendance import Presence


@dataclass(frozen=True)
class AttendanceRecord:
    """One meeting a member was convened to."""

    on: date
    presence: Presence | None  # None: nothing recorded (the meeting did not count)
    proxy_given: bool = False


@dataclass(frozen=True)
class AbsenceProposal:
    streak: int
    threshold: int
    dates: tuple[date, ...]  # the unexcused absences of the current streak

    @property
    def proposed(self) -> bool:
        return self.streak >= self.threshold

    @property
    def message(self) -> str:
        days = ", ".join(d.strftime("%d/%m/%Y") for d in self.dates)
        return ngettext(
            "{n} absence non excusée d'affilée ({d}) : la fin du mandat pour absences peut "
            "être proposée (seuil : {t}).",
            "{n} absences non excusées d'affilée ({d}) : la fin du mandat pour absences peut "
            "être proposée (seuil : {t}).",
            self.streak,
        ).format(n=self.streak, d=days, t=self.threshold) if self.proposed else _(
            "Pas de proposition : {n} sur {t}."
        ).format(n=self.streak, t=self.threshold)


@dataclass(frozen=True)
class AbsenceStreak:
    """Present → 0; excused or proxy given → unchanged; unexcused absence → + 1. Reaching
    ``threshold`` (setting ``absences_fin_mandat``) proposes the end of the mandate to the
    lead; it never happens by itself."""

    threshold: int = 3
    code = "absences-fin-mandat"

    def evaluate(self, history: Sequence[AttendanceRecord]) -> AbsenceProposal:
        streak: list[date] = []
        for rec in sorted(history, key=lambda r: r.on):
            if rec.presence is Presence.PRESENT:
                streak = []
            elif rec.presence is Presence.ABSENT and not rec.proxy_given:
                streak.append(rec.on)
        return AbsenceProposal(len(streak), self.threshold, tuple(streak))
