"""The draw's life as a state machine: a frozen model and pure transition functions.

    prepared ─commit─▶ committed ─enter_entropy─▶ entropy_entered ─rank_draw─▶ ranked
    ranked ─open_round─▶ rounds ⟲ (open_round, record_reply, record_departure)
    any state but abandoned ─abandon─▶ abandoned

Each transition takes the current ``Draw`` and returns a new one; the clock (``at``) and
the entropy come in as arguments. The one guarantee that makes the draw trustworthy is
enforced here: a commitment accepts entropy **exactly once** — a second entry raises
``InvalidState`` whatever the state, and drawing again means preparing a new draw (the
abandoned one stays in the audit trail).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from domain.draw import rounds as rounds_mod
from domain.draw.protocol import (
    Plan,
    Pool,
    Ranking,
    commitment,
    derive_seed,
    normalise_entropy,
    parse_plan,
    rank,
    seats_allocation_problem,
)
from domain.draw.rounds import (
    DrawParityRule,
    ReplacementProposal,
    Reply,
    Round,
    SeatAssignment,
    StratumProgress,
    sex_of_stratum,
)
from domain.errors import Conflict, InvalidInput, InvalidState
from domain.i18n import _, ngettext
from domain.rules import enforce

# 20 dice give 6^20 ≈ 3.7 × 10^15 outcomes (about 51 bits): far more than anyone could
# try to steer by choosing a pool or a plan before the dice are rolled.
MIN_DICE: Final = 20
_DICE_SEPARATORS: Final = re.compile(r"[\s,]+")


class DrawStatus(StrEnum):
    PREPARED = "prepared"
    COMMITTED = "committed"
    ENTROPY_ENTERED = "entropy_entered"
    RANKED = "ranked"
    ROUNDS = "rounds"
    ABANDONED = "abandoned"

    @property
    def label(self) -> str:
        return {
            DrawStatus.PREPARED: _("préparé"),
            DrawStatus.COMMITTED: _("engagé"),
            DrawStatus.ENTROPY_ENTERED: _("aléa saisi"),
            DrawStatus.RANKED: _("classement établi"),
            DrawStatus.ROUNDS: _("invitations en cours"),
            DrawStatus.ABANDONED: _("abandonné"),
        }[self]


class EntropyKind(StrEnum):
    DICE = "dice"  # faces of six-sided dice read aloud at the public session
    TEXT = "text"  # any other public value (lottery result, beacon round)


@dataclass(frozen=True)
class Council:
    name: str
    qpv_codes: tuple[str, ...]


@dataclass(frozen=True)
class EntropyEntry:
    """The public randomness, exactly as entered, and who entered it when."""

    text: str
    kind: EntropyKind
    entered_by: str
    entered_at: datetime


@dataclass(frozen=True, eq=False)
class Draw:
    """A draw (tirage) at one moment of its life. Build with ``prepare``; never mutate.

    Compared by identity (``eq=False``): two snapshots are "the same draw" when their
    ``draw_id`` are, and comparing million-entry rankings field by field would be a trap.
    """

    draw_id: str
    council: Council
    pool_digest: str
    pool_size: int
    strata_counts: Mapping[str, int]
    plan: Plan
    prepared_at: datetime
    status: DrawStatus = DrawStatus.PREPARED
    commitment: str | None = None
    committed_at: datetime | None = None
    entropy: EntropyEntry | None = None
    seed: bytes | None = None
    ranking: Ranking | None = None
    rounds: tuple[Round, ...] = ()
    replies: Mapping[str, Reply] = field(default_factory=lambda: MappingProxyType({}))
    departed: frozenset[str] = frozenset()
    abandoned_at: datetime | None = None
    abandon_reason: str | None = None

    @property
    def ranked(self) -> Mapping[str, tuple[str, ...]]:
        if self.ranking is None:
            raise InvalidState(_("Le classement n'a pas encore été établi."), code="non-classe")
        return self.ranking.ranked

    @property
    def seats(self) -> Mapping[str, int] | None:
        return self.plan.seats


# --------------------------------------------------------------------------------------
# Guards
# --------------------------------------------------------------------------------------


def _require_aware(at: datetime, name: str = "at") -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput(
            _("La date doit indiquer son fuseau horaire (ISO 8601 avec décalage)."),
            field=name,
        )


def require_status(draw: Draw, *allowed: DrawStatus) -> None:
    if draw.status is DrawStatus.ABANDONED:
        raise InvalidState(
            _("Ce tirage a été abandonné : aucune action n'est plus possible."),
            code="tirage-abandonne",
        )
    if draw.status not in allowed:
        raise InvalidState(
            _("Action impossible : le tirage est à l'état « {status} ».").format(
                status=draw.status.label
            ),
            extra={"status": draw.status.value},
        )


def has_ranking(status: DrawStatus) -> bool:
    """Whether a draw in this state holds its ranking (and may have rounds)."""
    return status in (DrawStatus.RANKED, DrawStatus.ROUNDS)


def require_committed(draw: Draw) -> None:
    """The public entropy comes after the commitment (§4): say so before anything else."""
    if draw.status is DrawStatus.PREPARED:
        raise InvalidState(
            _("Le tirage n'est pas encore engagé : publiez l'engagement avant de saisir l'aléa."),
            code="non-engage",
        )


def require_rankable(status: DrawStatus) -> None:
    """Ranking happens once, right after the entropy; a second attempt is a conflict."""
    if has_ranking(status):
        raise Conflict(_("Le classement de ce tirage est déjà établi."), code="deja-classe")
    if status is DrawStatus.ABANDONED:
        raise InvalidState(
            _("Ce tirage a été abandonné : aucune action n'est plus possible."),
            code="tirage-abandonne",
        )
    if status is not DrawStatus.ENTROPY_ENTERED:
        raise InvalidState(_("Saisissez d'abord l'aléa public : le classement en dépend."), code="alea-manquant")


def require_ranked(status: DrawStatus) -> None:
    """Rounds are proposed from the ranking."""
    if not has_ranking(status):
        raise InvalidState(_("Le classement n'est pas encore établi."), code="non-classe")


def require_ranking_published(status: DrawStatus, seed: str, ranking_digest: str) -> None:
    """A key's rank is public once the ranking is (an abandoned draw's stays public)."""
    if status not in (DrawStatus.RANKED, DrawStatus.ROUNDS, DrawStatus.ABANDONED) or not seed or ranking_digest == "":
        raise InvalidState(_("Le classement de ce tirage n'est pas encore établi."), code="non-classe")


def require_reply_awaited(draw: Draw) -> None:
    """A resident answering online: an abandoned draw awaits no reply."""
    if draw.status is DrawStatus.ABANDONED:
        raise InvalidState(
            _("Ce tirage a été annulé : votre réponse n'est plus attendue."),
            code="tirage-abandonne",
        )


def require_commitment(draw: Draw) -> None:
    """The procès-verbal exists once the draw is committed."""
    if draw.commitment is None:
        raise InvalidState(_("Le procès-verbal n'existe qu'une fois le tirage engagé."), code="non-engage")


def _require_not_before(at: datetime, previous: datetime | None) -> None:
    if previous is not None and at < previous:
        raise InvalidInput(_("Cette date précède l'étape précédente du tirage."), field="at")


# --------------------------------------------------------------------------------------
# Entropy
# --------------------------------------------------------------------------------------


def check_entropy(text: str, kind: EntropyKind) -> None:
    """Refuse entropy that cannot be what was produced in public.

    Dice: at least ``MIN_DICE`` faces, each 1 to 6, separated by spaces or commas. Text:
    anything non-empty once normalised (§4).
    """
    normalised = normalise_entropy(text)
    if kind is EntropyKind.TEXT:
        if not normalised:
            raise InvalidInput(_("L'aléa ne peut pas être vide."), field="entropy")
        return
    faces = [f for f in _DICE_SEPARATORS.split(normalised) if f]
    for face in faces:
        if face not in {"1", "2", "3", "4", "5", "6"}:
            raise InvalidInput(
                _(
                    "« {face} » n'est pas une face de dé : indiquez des chiffres de 1 à 6 séparés "
                    "par des espaces ou des virgules."
                ).format(face=face),
                field="entropy",
            )
    if len(faces) < MIN_DICE:
        raise InvalidInput(
            ngettext("Il faut au moins {min} lancers de dé ; {n} saisi.",
                     "Il faut au moins {min} lancers de dé ; {n} saisis.", len(faces)).format(
                min=MIN_DICE, n=len(faces)
            ),
            field="entropy",
        )


# --------------------------------------------------------------------------------------
# Transitions
# --------------------------------------------------------------------------------------


def prepare(
    draw_id: str,
    council: Council,
    pool: Pool,
    plan: Plan | Mapping[str, Any],
    at: datetime,
) -> Draw:
    """Freeze a pool and a plan. The plan is checked against the pool (§3); ``seats``, if
    the plan has them, must respect parity and the §7 allocation."""
    _require_aware(at)
    if not draw_id:
        raise InvalidInput(_("Le tirage doit avoir un identifiant."), field="draw_id")
    if pool.size == 0:
        raise InvalidInput(
            _("La liste est vide : il n'y a personne à tirer au sort."), field="pool"
        )
    checked = parse_plan(plan.as_json() if isinstance(plan, Plan) else plan, pool.strata_counts)
    if checked.seats is not None:
        if all(sex_of_stratum(s) is not None for s in checked.seats):
            enforce([DrawParityRule().check(checked.seats)])
        problem = seats_allocation_problem(checked.seats, pool.strata_counts)
        if problem is not None:
            raise InvalidInput(
                _("Plan : {problem}.").format(problem=problem),
                code="plan-invalide",
                field="plan.seats",
            )
    return Draw(
        draw_id=draw_id,
        council=council,
        pool_digest=pool.digest,
        pool_size=pool.size,
        strata_counts=MappingProxyType(dict(pool.strata_counts)),
        plan=checked,
        prepared_at=at,
    )


def commit(draw: Draw, at: datetime) -> Draw:
    """§3: compute and freeze the commitment. It is published before any entropy."""
    require_status(draw, DrawStatus.PREPARED)
    _require_aware(at)
    _require_not_before(at, draw.prepared_at)
    return replace(
        draw,
        status=DrawStatus.COMMITTED,
        commitment=commitment(draw.pool_digest, draw.plan),
        committed_at=at,
    )


def enter_entropy(draw: Draw, text: str, kind: EntropyKind, entered_by: str, at: datetime) -> Draw:
    """§4: accept the public entropy — once, ever, for this commitment."""
    if draw.entropy is not None:
        raise InvalidState(
            _(
                "Un aléa a déjà été saisi pour cet engagement ; il ne peut pas être remplacé. "
                "Pour tirer à nouveau, abandonnez ce tirage et préparez-en un nouveau."
            ),
            code="alea-deja-saisi",
        )
    require_status(draw, DrawStatus.COMMITTED)
    _require_aware(at)
    _require_not_before(at, draw.committed_at)
    if not entered_by:
        raise InvalidInput(_("Indiquez qui a saisi l'aléa."), field="entered_by")
    check_entropy(text, kind)
    assert draw.commitment is not None  # COMMITTED guarantees it
    return replace(
        draw,
        status=DrawStatus.ENTROPY_ENTERED,
        entropy=EntropyEntry(text=text, kind=kind, entered_by=entered_by, entered_at=at),
        seed=derive_seed(draw.commitment, text),
    )


def rank_draw(draw: Draw, pool: Pool) -> Draw:
    """§5: rank the frozen pool with the seed. The pool must be the committed one."""
    require_status(draw, DrawStatus.ENTROPY_ENTERED)
    if pool.digest != draw.pool_digest:
        raise InvalidInput(
            _("Cette liste n'est pas celle qui a été engagée (empreinte différente)."),
            code="liste-differente",
            field="pool",
        )
    assert draw.seed is not None  # ENTROPY_ENTERED guarantees it
    return replace(
        draw,
        status=DrawStatus.RANKED,
        ranking=rank(pool, draw.seed, draw.plan.one_per_household),
    )


def open_round(draw: Draw, at: datetime, counts: Mapping[str, int] | None = None) -> Draw:
    """§6: send a round. Round 1 is fixed by the quotas (``counts`` omitted or equal to
    them); later rounds take ``counts`` (see ``proposed_next_round``)."""
    require_status(draw, DrawStatus.RANKED, DrawStatus.ROUNDS)
    _require_aware(at)
    entered = draw.entropy.entered_at if draw.entropy else None
    _require_not_before(at, entered)
    ranked = draw.ranked
    if not draw.rounds:
        first = rounds_mod.first_round_counts(draw.plan.quotas, ranked)
        if counts is not None and {s: n for s, n in counts.items() if n} != {
            s: n for s, n in first.items() if n
        }:
            raise InvalidInput(
                _("Le premier tour invite exactement les quotas du plan engagé."),
                field="counts",
            )
        counts = first
    elif counts is None:
        raise InvalidInput(
            _("Indiquez le nombre de personnes à inviter par strate."), field="counts"
        )
    new_round = rounds_mod.next_round(ranked, draw.rounds, counts, at)
    return replace(draw, status=DrawStatus.ROUNDS, rounds=(*draw.rounds, new_round))


def record_reply(draw: Draw, key: str, reply: Reply, correction: str = "") -> Draw:
    """Record (or correct) an invited person's reply (``correction``: the reason for
    correcting a letter recorded as returned NPAI)."""
    require_status(draw, DrawStatus.ROUNDS)
    if key in draw.departed:
        raise InvalidState(
            _("« {key} » a quitté le conseil : sa réponse ne peut plus changer.").format(key=key),
            code="membre-parti",
        )
    replies = rounds_mod.record_reply(draw.replies, draw.rounds, key, reply, correction)
    return replace(draw, replies=MappingProxyType(replies))


def record_departure(draw: Draw, key: str) -> Draw:
    """An accepter (titulaire or suppléant) leaves; seats are recomputed from the order."""
    require_status(draw, DrawStatus.ROUNDS)
    if draw.replies.get(key) is not Reply.ACCEPTED or key in draw.departed:
        raise InvalidInput(
            _("« {key} » n'est ni titulaire ni suppléant.").format(key=key), field="key"
        )
    return replace(draw, departed=draw.departed | {key})


def abandon(draw: Draw, reason: str, at: datetime) -> Draw:
    """Abandon the draw. It stays in the audit trail; drawing again needs a new one."""
    require_status(draw, *(s for s in DrawStatus if s is not DrawStatus.ABANDONED))
    _require_aware(at)
    if not reason.strip():
        raise InvalidInput(_("Indiquez la raison de l'abandon."), field="reason")
    return replace(draw, status=DrawStatus.ABANDONED, abandoned_at=at, abandon_reason=reason)


# --------------------------------------------------------------------------------------
# Questions about a draw with rounds
# --------------------------------------------------------------------------------------


def _seats_of(draw: Draw, seats: Mapping[str, int] | None) -> Mapping[str, int]:
    chosen = seats if seats is not None else draw.plan.seats
    if chosen is None:
        raise InvalidInput(
            _("Le plan ne fixe pas le nombre de sièges : indiquez-le."), field="seats"
        )
    return chosen


def seat_assignment(draw: Draw, seats: Mapping[str, int] | None = None) -> SeatAssignment:
    """Titulaires and suppléants now (seats from the plan unless given)."""
    return rounds_mod.assign_seats(
        draw.ranked, draw.rounds, draw.replies, _seats_of(draw, seats), draw.departed
    )


def replacement_for(
    draw: Draw, leaving: str, seats: Mapping[str, int] | None = None
) -> ReplacementProposal:
    """Who would take ``leaving``'s seat (ask before ``record_departure``)."""
    return rounds_mod.propose_replacement(seat_assignment(draw, seats), leaving)


def draw_progress(draw: Draw, seats: Mapping[str, int] | None = None) -> dict[str, StratumProgress]:
    return rounds_mod.progress(
        draw.ranked, draw.rounds, draw.replies, _seats_of(draw, seats), draw.departed
    )


def proposed_next_round(
    draw: Draw,
    seats: Mapping[str, int] | None = None,
    reserve: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """The parity-balanced size of the next round (``rounds.propose_next_round``)."""
    return rounds_mod.propose_next_round(
        draw.ranked,
        draw.rounds,
        draw.replies,
        _seats_of(draw, seats),
        draw.departed,
        reserve=reserve,
    )
