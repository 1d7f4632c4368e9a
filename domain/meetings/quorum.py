"""Quorum (spec/meetings.md §2) and the second convocation that holds without it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import InvalidInput, InvalidState, RuleBroken
from domain.i18n import _
from domain.meetings.model import Meeting, MeetingStatus
from domain.meetings.notice import clear_days
from domain.organisation import QUORUM_RULES

SECOND_CONVOCATION_MIN_CLEAR_DAYS = 3


class NoMemberConvened(RuleBroken):
    code = "aucun-membre"
    title = "Aucun membre"


@dataclass(frozen=True)
class QuorumResult:
    members: int
    required: int
    present: int
    reached: bool
    second_convocation: bool = False

    @property
    def message(self) -> str:
        if self.second_convocation:
            return _(
                "Seconde convocation : la réunion délibère sans condition de quorum "
                "({p} présents sur {n} membres)."
            ).format(p=self.present, n=self.members)
        if self.reached:
            return _("Quorum atteint : {p} présents, {r} requis sur {n} membres.").format(
                p=self.present, r=self.required, n=self.members
            )
        return _("Quorum non atteint : {p} présents, {r} requis sur {n} membres.").format(
            p=self.present, r=self.required, n=self.members
        )


@dataclass(frozen=True)
class QuorumRule:
    """Setting ``quorum``: ``majorite`` (n // 2 + 1), ``tiers`` (ceil(n / 3)), ``aucun`` (0).
    Members = titulaires whose mandate is active on the meeting date; present = members
    recorded present; proxies do not count."""

    rule: str = "majorite"
    code = "quorum"

    def __post_init__(self) -> None:
        if self.rule not in QUORUM_RULES:
            raise InvalidInput(
                _("Règle de quorum inconnue : « {v} ».").format(v=self.rule), field="quorum"
            )

    def required(self, members: int) -> int:
        if members <= 0:
            raise NoMemberConvened(
                _("La réunion ne peut pas se tenir : le conseil n'a aucun membre à cette date."),
                field="membres",
            )
        if self.rule == "majorite":
            return members // 2 + 1
        if self.rule == "tiers":
            return math.ceil(members / 3)
        return 0

    def check(self, members: int, present: int, *, second_convocation: bool = False) -> QuorumResult:
        required = self.required(members)
        if not 0 <= present <= members:
            raise InvalidInput(
                _("Nombre de présents impossible : {p} pour {n} membres.").format(p=present, n=members),
                field="presents",
            )
        return QuorumResult(members, required, present, second_convocation or present >= required, second_convocation)


def hold(meeting: Meeting, result: QuorumResult) -> Meeting:
    """Status of the meeting once attendance is closed: tenue, or quorum non atteint."""
    target = MeetingStatus.TENUE if result.reached else MeetingStatus.QUORUM_NON_ATTEINT
    return meeting.moved_to(target)


def check_second_convocation(original: Meeting, debut: datetime | date) -> int:
    """A second meeting on the same agenda: only after a meeting without quorum, and at
    least three clear days later. Returns the clear days."""
    if original.status is not MeetingStatus.QUORUM_NON_ATTEINT:
        raise InvalidState(
            _("Une seconde convocation ne suit qu'une réunion où le quorum n'a pas été atteint."),
            code="seconde-convocation-impossible",
            field="second_convocation_of",
        )
    n = clear_days(original.debut, debut)
    if n < SECOND_CONVOCATION_MIN_CLEAR_DAYS:
        raise RuleBroken(
            _(
                "La seconde réunion doit se tenir au moins {r} jours francs après la première "
                "(ici {n})."
            ).format(r=SECOND_CONVOCATION_MIN_CLEAR_DAYS, n=n),
            code="delai-seconde-convocation",
            field="debut",
            extra={"jours_francs": n, "requis": SECOND_CONVOCATION_MIN_CLEAR_DAYS},
        )
    return n
