"""Attendance, proxies (pouvoirs) and votes (spec/meetings.md §3)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from domain.errors import InvalidInput, RuleBroken
from domain.i18n import _, ngettext


class Presence(StrEnum):
    PRESENT = "present"
    ABSENT_EXCUSE = "absent_excuse"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return {
            Presence.PRESENT: _("Présent"),
            Presence.ABSENT_EXCUSE: _("Absent excusé"),
            Presence.ABSENT: _("Absent"),
        }[self]


class ProxyRefused(RuleBroken):
    code = "pouvoir-refuse"
    title = "Pouvoir refusé"


@dataclass(frozen=True)
class AttendanceSheet:
    """Who is convened, who is recorded how, and the proxies ``giver -> holder``.

    Members are ids (strings). A proxy is given by an absent member to a member present
    (or not yet recorded: a reply to the convocation; ``settle`` drops it if the holder
    does not come); a member holds at most one; a proxy whose giver arrives lapses, and
    so does one whose holder is recorded absent."""

    members: frozenset[str]
    presence: Mapping[str, Presence] = field(default_factory=dict)
    proxies: Mapping[str, str] = field(default_factory=dict)

    def _member(self, member: str, field_name: str) -> None:
        if member not in self.members:
            raise InvalidInput(
                _("Cette personne n'est pas membre du conseil à la date de la réunion."),
                field=field_name,
                code="non-membre-a-cette-date",
            )

    def record(self, member: str, presence: Presence) -> AttendanceSheet:
        self._member(member, "membre_id")
        pres = dict(self.presence)
        pres[member] = presence
        proxies = dict(self.proxies)
        if presence is Presence.PRESENT:
            proxies.pop(member, None)  # the giver arrived: the proxy lapses
        else:
            for giver, holder in list(proxies.items()):
                if holder == member:  # the holder left: nobody can vote for the giver
                    del proxies[giver]
        return replace(self, presence=pres, proxies=proxies)

    def give_proxy(self, giver: str, holder: str) -> AttendanceSheet:
        self._member(giver, "membre_id")
        self._member(holder, "porteur_id")
        if giver == holder:
            raise ProxyRefused(
                _("Un membre ne peut pas se donner pouvoir à lui-même."),
                code="pouvoir-a-soi-meme", field="porteur_id",
            )
        if self.presence.get(giver) is Presence.PRESENT:
            raise ProxyRefused(
                _("Ce membre est présent : il vote lui-même et ne donne pas de pouvoir."),
                code="pouvoir-d-un-present", field="membre_id",
            )
        # A holder not yet recorded may receive a proxy (a convocation's reply, before the
        # meeting); one recorded absent may not, and ``settle`` drops those left unheld.
        if self.presence.get(holder) in (Presence.ABSENT, Presence.ABSENT_EXCUSE):
            raise ProxyRefused(
                _("Le pouvoir doit être donné à un membre présent à la réunion."),
                code="pouvoir-a-un-absent", field="porteur_id",
            )
        if giver in self.proxies.values():
            raise ProxyRefused(
                _("Ce membre détient déjà un pouvoir : il ne peut pas en donner un."),
                code="pouvoir-en-chaine", field="membre_id",
            )
        for other_giver, other_holder in self.proxies.items():
            if other_holder == holder and other_giver != giver:
                raise ProxyRefused(
                    _("Ce membre détient déjà un pouvoir : un membre en détient au plus un."),
                    code="pouvoir-deja-detenu", field="porteur_id",
                )
        pres = dict(self.presence)
        if pres.get(giver) is None:
            pres[giver] = Presence.ABSENT_EXCUSE
        proxies = dict(self.proxies)
        proxies[giver] = holder
        return replace(self, presence=pres, proxies=proxies)

    def withdraw_proxy(self, giver: str) -> AttendanceSheet:
        proxies = dict(self.proxies)
        proxies.pop(giver, None)
        return replace(self, proxies=proxies)

    def settle(self) -> AttendanceSheet:
        """At the close of attendance: a member not recorded is absent (not excused), and
        proxies whose holder is not present lapse."""
        presence = {m: self.presence.get(m, Presence.ABSENT) for m in self.members}
        proxies = {g: h for g, h in self.proxies.items() if presence.get(h) is Presence.PRESENT}
        return replace(self, presence=presence, proxies=proxies)

    @property
    def present(self) -> list[str]:
        return sorted(m for m, p in self.presence.items() if p is Presence.PRESENT)

    @property
    def voters(self) -> int:
        """Votes that can be cast: members present plus the proxies they hold."""
        return len(self.present) + len(self.proxies)


class VoteChoice(StrEnum):
    POUR = "pour"
    CONTRE = "contre"
    ABSTENTION = "abstention"


@dataclass(frozen=True)
class VoteResult:
    consensus: bool
    pour: int = 0
    contre: int = 0
    abstention: int = 0
    adopted: bool = False
    president_decided: bool = False

    @property
    def exprimes(self) -> int:
        return self.pour + self.contre

    @property
    def message(self) -> str:
        if self.consensus:
            return _("Adopté par consensus.")
        text = _("{p} pour, {c} contre, {a}").format(
            p=self.pour, c=self.contre,
            a=ngettext("{n} abstention", "{n} abstentions", self.abstention).format(n=self.abstention),
        )
        if self.president_decided:
            return _("{t} : égalité, la voix du président est prépondérante — {r}.").format(
                t=text, r=_("adopté") if self.adopted else _("rejeté")
            )
        return _("{t} : {r}.").format(t=text, r=_("adopté") if self.adopted else _("rejeté"))


def tally(
    pour: int,
    contre: int,
    abstention: int,
    *,
    voters: int | None = None,
    voix_preponderante_president: bool = False,
    president_vote: VoteChoice | None = None,
) -> VoteResult:
    """Adopted when pour > contre; a tie is not adopted unless the chair's vote decides
    (setting ``voix_preponderante_president``)."""
    for name, n in (("pour", pour), ("contre", contre), ("abstention", abstention)):
        if n < 0:
            raise InvalidInput(_("Un nombre de voix ne peut pas être négatif."), field=name)
    if voters is not None and pour + contre + abstention > voters:
        raise InvalidInput(
            _("Plus de voix ({v}) que de votants possibles ({n} : présents et pouvoirs).").format(
                v=pour + contre + abstention, n=voters
            ),
            field="pour",
            code="trop-de-voix",
        )
    if pour > contre:
        return VoteResult(False, pour, contre, abstention, True)
    if pour == contre and voix_preponderante_president and president_vote in (VoteChoice.POUR, VoteChoice.CONTRE):
        return VoteResult(False, pour, contre, abstention, president_vote is VoteChoice.POUR, True)
    return VoteResult(False, pour, contre, abstention, False)


def consensus() -> VoteResult:
    return VoteResult(True, adopted=True)


def members_of(ids: Iterable[int | str]) -> frozenset[str]:
    return frozenset(str(i) for i in ids)
