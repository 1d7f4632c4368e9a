"""Rounds of invitations, replies, seats and parity (§6 and §7 of ``spec/draw-protocol.md``).

Everything here is a pure function of the ranking (``ranked``: one ordered tuple of keys
per stratum), the rounds already sent and the replies received. Nothing here can change
the order fixed by the draw: a round always takes the next never-invited people of each
list, seats always go to accepters in rank order, and a titulaire is always replaced by
the best-ranked suppléant of the same stratum.

Words: a *stratum* is a group the plan gives quotas to (``F``, ``M``, ``F/A2``…); its
*depth* is how many of its ranked people have been invited so far.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Final

from domain.draw.protocol import allocate_largest_remainder
from domain.errors import InvalidInput, RuleBroken
from domain.i18n import _
from domain.rules import RuleResult

Ranked = Mapping[str, Sequence[str]]

# Acceptance observed in French cities is low: Saint-Denis 2015, 1.4 %; Auch, 6.5 %
# (spec/conseil-citoyen.md). 5 % is the prior used before any reply is known.
DEFAULT_PRIOR_RATE: Final = Fraction(1, 20)
# How many replies the prior is worth: with 20, the first few replies move the estimate
# but a single early "yes" does not make the service think everybody will accept.
DEFAULT_PRIOR_WEIGHT: Final = 20


class Reply(StrEnum):
    """A person's answer to an invitation. Replies never change the order (§6)."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    NO_REPLY = "no_reply"
    RETURNED_NPAI = "returned_npai"

    @property
    def label(self) -> str:
        return {
            Reply.ACCEPTED: _("a accepté"),
            Reply.DECLINED: _("a refusé"),
            Reply.NO_REPLY: _("sans réponse à la date limite"),
            Reply.RETURNED_NPAI: _("courrier revenu (n'habite pas à l'adresse indiquée)"),
        }[self]


def _require_aware(at: datetime, field: str) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput(
            _("La date doit indiquer son fuseau horaire (ISO 8601 avec décalage)."),
            field=field,
        )


# --------------------------------------------------------------------------------------
# Rounds
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Round:
    """One round of letters: who was invited, per stratum, in rank order."""

    number: int
    invited: Mapping[str, tuple[str, ...]]
    at: datetime

    def counts(self) -> dict[str, int]:
        return {s: len(keys) for s, keys in self.invited.items()}

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Round)
            and (other.number, other.at) == (self.number, self.at)
            and dict(other.invited) == dict(self.invited)
        )

    def __hash__(self) -> int:
        return hash((self.number, self.at))


def invited_depths(ranked: Ranked, rounds: Sequence[Round]) -> dict[str, int]:
    """How many people of each stratum have been invited so far (every stratum present)."""
    depths = dict.fromkeys(ranked, 0)
    for r in rounds:
        for stratum, keys in r.invited.items():
            depths[stratum] = depths.get(stratum, 0) + len(keys)
    return depths


def first_round_counts(quotas: Mapping[str, int], ranked: Ranked) -> dict[str, int]:
    """§6: round 1 invites the first ``quotas[s]`` of each list (fewer if the list is
    shorter, which happens when one-per-household removed people)."""
    return {s: min(quotas.get(s, 0), len(keys)) for s, keys in ranked.items()}


def next_round(
    ranked: Ranked, rounds: Sequence[Round], counts: Mapping[str, int], at: datetime
) -> Round:
    """The next round: for each stratum, the next ``counts[s]`` never-invited people.

    Strata missing from ``counts`` invite nobody. Refuses a count larger than the people
    left, a round inviting nobody, an unknown stratum, or a date before the last round.
    """
    _require_aware(at, "at")
    if rounds and at < rounds[-1].at:
        raise InvalidInput(_("Un tour ne peut pas être daté avant le tour précédent."), field="at")
    depths = invited_depths(ranked, rounds)
    invited: dict[str, tuple[str, ...]] = {}
    for stratum in counts:
        if stratum not in ranked:
            raise InvalidInput(
                _("La strate « {stratum} » n'existe pas dans ce tirage.").format(stratum=stratum),
                field="counts",
            )
    for stratum in sorted(ranked):
        n = counts.get(stratum, 0)
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InvalidInput(
                _("Le nombre de personnes à inviter doit être un entier positif ou nul."),
                field=f"counts.{stratum}",
            )
        left = len(ranked[stratum]) - depths[stratum]
        if n > left:
            raise InvalidInput(
                _(
                    "Strate « {stratum} » : {n} invitation(s) demandée(s) mais il ne reste que "
                    "{left} personne(s) jamais invitée(s)."
                ).format(stratum=stratum, n=n, left=left),
                field=f"counts.{stratum}",
            )
        start = depths[stratum]
        invited[stratum] = tuple(ranked[stratum][start : start + n])
    if not any(invited.values()):
        raise InvalidInput(_("Un tour doit inviter au moins une personne."), field="counts")
    return Round(number=len(rounds) + 1, invited=MappingProxyType(invited), at=at)


@dataclass(frozen=True)
class Invitation:
    """Where an invited person stands: stratum, rank (1 = first) and round."""

    key: str
    stratum: str
    rank: int
    round: int


def invitations(rounds: Sequence[Round], ranked: Ranked | None = None) -> dict[str, Invitation]:
    """Every invited person by key. Ranks come from the round order, which is rank order."""
    out: dict[str, Invitation] = {}
    depths: dict[str, int] = dict.fromkeys(ranked or (), 0)
    for r in rounds:
        for stratum, keys in r.invited.items():
            start = depths.get(stratum, 0)
            for offset, key in enumerate(keys, start=1):
                out[key] = Invitation(key, stratum, start + offset, r.number)
            depths[stratum] = start + len(keys)
    return out


# --------------------------------------------------------------------------------------
# Replies
# --------------------------------------------------------------------------------------


NPAI_CORRECTION_MIN = 10
"""Characters of the reason the lead gives to correct a letter recorded as returned."""


def record_reply(
    replies: Mapping[str, Reply], rounds: Sequence[Round], key: str, reply: Reply,
    correction: str = "",
) -> dict[str, Reply]:
    """Return the replies with ``key``'s reply set.

    Only invited people can reply. A letter returned NPAI (the person does not live at the
    address) makes the person ineligible, so a later acceptance is refused — unless the
    lead corrects the NPAI with a reason (a wrong entry, the person found at the address),
    which the caller records in the audit trail. Any other reply may be corrected (a late
    "yes" after the deadline is still a yes).
    """
    if key not in invitations(rounds):
        raise InvalidInput(
            _("La personne « {key} » n'a été invitée à aucun tour.").format(key=key), field="key"
        )
    corrected = len(" ".join(correction.split())) >= NPAI_CORRECTION_MIN
    if replies.get(key) is Reply.RETURNED_NPAI and reply is Reply.ACCEPTED and not corrected:
        raise RuleBroken(
            _(
                "La personne « {key} » est inéligible : son courrier est revenu avec la mention "
                "« n'habite pas à l'adresse indiquée ». Si c'est une erreur (mauvaise saisie, "
                "personne retrouvée à l'adresse), indiquez le motif de la correction (au moins "
                "{n} caractères) : il est inscrit au journal."
            ).format(key=key, n=NPAI_CORRECTION_MIN),
            code="npai-ineligible",
            field="reply",
        )
    updated = dict(replies)
    updated[key] = reply
    return updated


def ineligible(replies: Mapping[str, Reply]) -> frozenset[str]:
    """People made ineligible by a returned letter (NPAI)."""
    return frozenset(k for k, r in replies.items() if r is Reply.RETURNED_NPAI)


# --------------------------------------------------------------------------------------
# Seats
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatAssignment:
    """Seats per stratum: titulaires and suppléants in rank order, and seats still empty."""

    titulaires: Mapping[str, tuple[str, ...]]
    suppleants: Mapping[str, tuple[str, ...]]
    empty_seats: Mapping[str, int]

    def stratum_of(self, key: str) -> str | None:
        for stratum, keys in self.titulaires.items():
            if key in keys:
                return stratum
        for stratum, keys in self.suppleants.items():
            if key in keys:
                return stratum
        return None


def _check_seats(seats: Mapping[str, int], ranked: Ranked) -> None:
    for stratum, n in seats.items():
        if stratum not in ranked:
            raise InvalidInput(
                _("La strate « {stratum} » n'existe pas dans ce tirage.").format(stratum=stratum),
                field="seats",
            )
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InvalidInput(
                _("Le nombre de sièges doit être un entier positif ou nul."),
                field=f"seats.{stratum}",
            )


def assign_seats(
    ranked: Ranked,
    rounds: Sequence[Round],
    replies: Mapping[str, Reply],
    seats: Mapping[str, int],
    departed: Collection[str] = frozenset(),
) -> SeatAssignment:
    """§6: in each stratum, the first ``seats[s]`` accepters in rank order are titulaires,
    the following accepters are suppléants in rank order.

    People in ``departed`` (accepted, then left) hold nothing; recomputing from the
    replies is what makes "the best-ranked suppléant takes the seat" automatic. Strata
    absent from ``seats`` have no seat (all their accepters are suppléants).
    """
    _check_seats(seats, ranked)
    depths = invited_depths(ranked, rounds)
    titulaires: dict[str, tuple[str, ...]] = {}
    suppleants: dict[str, tuple[str, ...]] = {}
    empty: dict[str, int] = {}
    for stratum in sorted(ranked):
        # Invitations always take a prefix of the list, so the invited are the first
        # ``depth`` keys, already in rank order.
        accepters = [
            k
            for k in ranked[stratum][: depths[stratum]]
            if replies.get(k) is Reply.ACCEPTED and k not in departed
        ]
        n = seats.get(stratum, 0)
        titulaires[stratum] = tuple(accepters[:n])
        suppleants[stratum] = tuple(accepters[n:])
        empty[stratum] = n - len(titulaires[stratum])
    return SeatAssignment(
        titulaires=MappingProxyType(titulaires),
        suppleants=MappingProxyType(suppleants),
        empty_seats=MappingProxyType(empty),
    )


@dataclass(frozen=True)
class ReplacementProposal:
    """Who takes a leaving titulaire's seat, or that a new round is needed."""

    stratum: str
    leaving: str
    replacement: str | None

    @property
    def new_round_needed(self) -> bool:
        return self.replacement is None

    @property
    def message(self) -> str:
        if self.replacement is None:
            return _(
                "Plus aucun suppléant dans la strate « {stratum} » : un nouveau tour "
                "d'invitations est nécessaire."
            ).format(stratum=self.stratum)
        return _(
            "« {replacement} », premier suppléant de la strate « {stratum} », prend le "
            "siège de « {leaving} »."
        ).format(replacement=self.replacement, stratum=self.stratum, leaving=self.leaving)


def propose_replacement(assignment: SeatAssignment, leaving: str) -> ReplacementProposal:
    """§6: the best-ranked suppléant of the leaving titulaire's stratum, or a new round."""
    for stratum, keys in assignment.titulaires.items():
        if leaving in keys:
            reserve = assignment.suppleants.get(stratum, ())
            return ReplacementProposal(stratum, leaving, reserve[0] if reserve else None)
    raise InvalidInput(
        _("« {key} » n'est pas titulaire d'un siège.").format(key=leaving), field="key"
    )


# --------------------------------------------------------------------------------------
# Progress and parity balancing of the next round
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StratumProgress:
    """Letters and replies of one stratum so far."""

    stratum: str
    invited: int
    accepted: int
    declined: int
    no_reply: int
    returned_npai: int
    remaining: int  # ranked people never invited
    seats: int
    titulaires: int
    suppleants: int

    @property
    def decided(self) -> int:
        """Invitations whose outcome is known (any recorded reply, NPAI included)."""
        return self.accepted + self.declined + self.no_reply + self.returned_npai

    @property
    def pending(self) -> int:
        return self.invited - self.decided

    @property
    def empty_seats(self) -> int:
        return self.seats - self.titulaires


def progress(
    ranked: Ranked,
    rounds: Sequence[Round],
    replies: Mapping[str, Reply],
    seats: Mapping[str, int],
    departed: Collection[str] = frozenset(),
) -> dict[str, StratumProgress]:
    """Per-stratum counts of invitations, replies and seats (every stratum present)."""
    assignment = assign_seats(ranked, rounds, replies, seats, departed)
    depths = invited_depths(ranked, rounds)
    tally: dict[str, dict[Reply, int]] = {s: dict.fromkeys(Reply, 0) for s in ranked}
    for key, inv in invitations(rounds, ranked).items():
        reply = replies.get(key)
        if reply is not None:
            tally[inv.stratum][reply] += 1
    return {
        s: StratumProgress(
            stratum=s,
            invited=depths[s],
            accepted=tally[s][Reply.ACCEPTED],
            declined=tally[s][Reply.DECLINED],
            no_reply=tally[s][Reply.NO_REPLY],
            returned_npai=tally[s][Reply.RETURNED_NPAI],
            remaining=len(ranked[s]) - depths[s],
            seats=seats.get(s, 0),
            titulaires=len(assignment.titulaires[s]),
            suppleants=len(assignment.suppleants[s]),
        )
        for s in sorted(ranked)
    }


def acceptance_rate(
    p: StratumProgress,
    prior_rate: Fraction = DEFAULT_PRIOR_RATE,
    prior_weight: int = DEFAULT_PRIOR_WEIGHT,
) -> Fraction:
    """Smoothed acceptance rate of a stratum, exact:
    ``(accepted + prior_weight × prior_rate) / (decided + prior_weight)``."""
    return (p.accepted + prior_weight * prior_rate) / (p.decided + prior_weight)


def propose_next_round(
    ranked: Ranked,
    rounds: Sequence[Round],
    replies: Mapping[str, Reply],
    seats: Mapping[str, int],
    departed: Collection[str] = frozenset(),
    *,
    reserve: Mapping[str, int] | None = None,
    prior_rate: Fraction = DEFAULT_PRIOR_RATE,
    prior_weight: int = DEFAULT_PRIOR_WEIGHT,
) -> dict[str, int]:
    """Parity balancing: how many people of each stratum the next round should invite.

    For each stratum ``s`` (exact rational arithmetic, no floats)::

        rate_s    = (accepted_s + W·p0) / (decided_s + W)       smoothed acceptance rate
        wanted_s  = empty_seats_s + max(0, reserve_s − suppléants_s)
        expected_s = pending_s · rate_s                          "yes" still to come
        needed_s  = ceil((wanted_s − expected_s) / rate_s)      0 when that is ≤ 0
        proposal_s = min(needed_s, remaining_s)

    where ``decided`` counts invitations with any recorded reply (declined, no reply and
    NPAI included: they are letters that produced no member), ``pending`` invitations
    without a reply yet, ``remaining`` ranked people never invited, ``p0`` the prior rate
    (default 5 %, the order of magnitude observed in French cities) and ``W`` its weight
    in replies (default 20). With no reply yet the rate is ``p0``; as replies come in
    the observed rate takes over. So when fewer women than men accept, the women's rate
    is lower and more women are invited next, which is what keeps the council at parity.
    ``reserve`` asks for suppléants too (e.g. as many as seats, the usual règlement).

    A stratum whose letters are all still unanswered proposes nothing: with no reply the
    rate would be the prior alone, and a second round sent before anyone answered the
    first (240 more letters for 12 seats) would invite people on a guess. The proposal
    waits for observed answers (``awaiting_first_replies`` names those strata).
    """
    if not (0 < prior_rate <= 1) or prior_weight <= 0:
        raise InvalidInput(
            _("Le taux a priori doit être compris entre 0 (exclu) et 1, et son poids positif."),
            field="prior_rate",
        )
    reserve = reserve or {}
    _check_seats(reserve, ranked)
    proposal: dict[str, int] = {}
    for stratum, p in progress(ranked, rounds, replies, seats, departed).items():
        if p.pending and not p.decided:
            proposal[stratum] = 0
            continue
        rate = acceptance_rate(p, prior_rate, prior_weight)
        wanted = p.empty_seats + max(0, reserve.get(stratum, 0) - p.suppleants)
        shortfall = wanted - p.pending * rate
        needed = math.ceil(shortfall / rate) if shortfall > 0 else 0
        proposal[stratum] = min(needed, p.remaining)
    return proposal


def awaiting_first_replies(
    ranked: Ranked,
    rounds: Sequence[Round],
    replies: Mapping[str, Reply],
    seats: Mapping[str, int],
    departed: Collection[str] = frozenset(),
) -> list[str]:
    """Strata with letters sent and not one reply recorded yet: the next round's proposal
    for them waits for answers (``propose_next_round``)."""
    return [s for s, p in progress(ranked, rounds, replies, seats, departed).items()
            if p.pending and not p.decided]


# --------------------------------------------------------------------------------------
# Parity plan
# --------------------------------------------------------------------------------------


class Sex(StrEnum):
    F = "F"
    M = "M"

    @property
    def label(self) -> str:
        return {Sex.F: _("femmes"), Sex.M: _("hommes")}[self]


def sex_of_stratum(stratum: str) -> Sex | None:
    """The sex a stratum label starts with (``F``, ``M/A2`` → M), or None."""
    head = stratum.split("/", 1)[0]
    try:
        return Sex(head)
    except ValueError:
        return None


@dataclass(frozen=True)
class ParityPlan:
    """Residents' seats per sex (|F − M| ≤ 1) and per stratum."""

    seats_by_sex: Mapping[Sex, int]
    odd_seat: Sex | None  # who got the odd seat, None when the total is even
    seats_by_stratum: Mapping[str, int]


def parity_plan(
    resident_seats: int,
    odd_seat: Sex | None = None,
    strata_counts: Mapping[str, int] | None = None,
) -> ParityPlan:
    """Share the residents' seats between women and men, then over each sex's strata.

    With an odd total, the extra seat goes to ``odd_seat``, which must then be given (it
    is a decision of the council, not of the software); with an even total ``odd_seat``
    is ignored. Without ``strata_counts`` the strata are ``F`` and ``M``; with it (the
    pool's counts, labels ``F…``/``M…`` such as ``F/A1``), each sex's seats are shared
    over its strata by the largest-remainder method of §7.
    """
    if (
        isinstance(resident_seats, bool)
        or not isinstance(resident_seats, int)
        or (resident_seats < 0)
    ):
        raise InvalidInput(
            _("Le nombre de sièges d'habitants doit être un entier positif ou nul."),
            field="resident_seats",
        )
    half, odd = divmod(resident_seats, 2)
    if odd and odd_seat is None:
        raise InvalidInput(
            _(
                "Le nombre de sièges d'habitants est impair : indiquez à qui revient le siège "
                "restant (femmes ou hommes)."
            ),
            field="odd_seat",
        )
    given = odd_seat if odd else None
    by_sex = {Sex.F: half + (given is Sex.F), Sex.M: half + (given is Sex.M)}

    if strata_counts is None:
        by_stratum = {Sex.F.value: by_sex[Sex.F], Sex.M.value: by_sex[Sex.M]}
    else:
        groups: dict[Sex, dict[str, int]] = {Sex.F: {}, Sex.M: {}}
        for stratum, count in strata_counts.items():
            sex = sex_of_stratum(stratum)
            if sex is None:
                raise InvalidInput(
                    _(
                        "La strate « {stratum} » ne commence pas par F ou M : impossible d'y "
                        "appliquer la parité."
                    ).format(stratum=stratum),
                    field="strata",
                )
            groups[sex][stratum] = count
        by_stratum = {}
        for sex in Sex:
            if by_sex[sex] and not groups[sex]:
                raise RuleBroken(
                    _(
                        "Aucune personne éligible parmi les {sex} : la parité ne peut pas être "
                        "respectée."
                    ).format(sex=sex.label),
                    code="parite-impossible",
                )
            if groups[sex]:
                by_stratum.update(allocate_largest_remainder(by_sex[sex], groups[sex]))
        by_stratum = dict(sorted(by_stratum.items()))
    return ParityPlan(
        seats_by_sex=MappingProxyType(by_sex),
        odd_seat=given,
        seats_by_stratum=MappingProxyType(by_stratum),
    )


@dataclass(frozen=True)
class DrawParityRule:
    """Parity of the residents' seats of a draw: women and men differ by at most one.

    Judged on seats per stratum whose labels start with ``F`` or ``M``; strata of another
    form are not about sex and are left out.
    """

    code: str = "tirage-parite"

    def check(self, seats: Mapping[str, int]) -> RuleResult:
        women = sum(n for s, n in seats.items() if sex_of_stratum(s) is Sex.F)
        men = sum(n for s, n in seats.items() if sex_of_stratum(s) is Sex.M)
        ok = abs(women - men) <= 1
        return RuleResult(
            code=self.code,
            ok=ok,
            message=_("Parité respectée : {f} siège(s) de femmes, {m} d'hommes.").format(
                f=women, m=men
            )
            if ok
            else _(
                "Parité non respectée : {f} siège(s) de femmes pour {m} d'hommes (l'écart "
                "ne peut dépasser un)."
            ).format(f=women, m=men),
            details={"women": women, "men": men},
        )
