"""Rounds, replies, seats, replacements, parity balancing and the parity plan (§6, §7)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest

from domain.draw.rounds import (
    DrawParityRule,
    Reply,
    Round,
    Sex,
    acceptance_rate,
    assign_seats,
    awaiting_first_replies,
    first_round_counts,
    ineligible,
    invitations,
    invited_depths,
    next_round,
    parity_plan,
    progress,
    propose_next_round,
    propose_replacement,
    record_reply,
    sex_of_stratum,
)
from domain.errors import InvalidInput, RuleBroken

T0 = datetime(2025, 3, 1, 18, 0, tzinfo=timezone(timedelta(hours=1)))
RANKED = {
    "F": tuple(f"F{i:07d}" for i in range(1, 21)),
    "M": tuple(f"M{i:07d}" for i in range(1, 21)),
}


def _rounds(*counts: dict[str, int]) -> list[Round]:
    out: list[Round] = []
    for i, c in enumerate(counts):
        out.append(next_round(RANKED, out, c, T0 + timedelta(days=i)))
    return out


def _replies(pairs: dict[str, Reply], rounds: list[Round]) -> dict[str, Reply]:
    replies: dict[str, Reply] = {}
    for key, reply in pairs.items():
        replies = record_reply(replies, rounds, key, reply)
    return replies


# -- rounds ----------------------------------------------------------------------------


def test_rounds_take_next_never_invited_in_rank_order() -> None:
    rounds = _rounds({"F": 3, "M": 2}, {"F": 2})
    assert rounds[0].number == 1 and rounds[1].number == 2
    assert rounds[0].invited["F"] == RANKED["F"][:3]
    assert rounds[1].invited["F"] == RANKED["F"][3:5]
    assert rounds[1].invited["M"] == ()
    assert rounds[1].counts() == {"F": 2, "M": 0}
    assert invited_depths(RANKED, rounds) == {"F": 5, "M": 2}
    inv = invitations(rounds, RANKED)
    assert inv["F0000004"].rank == 4 and inv["F0000004"].round == 2
    assert inv["M0000002"].stratum == "M"


def test_first_round_counts_capped_by_list_length() -> None:
    assert first_round_counts({"F": 3, "M": 50}, RANKED) == {"F": 3, "M": 20}


@pytest.mark.parametrize(
    "counts",
    [{"F": 21}, {"X": 1}, {"F": 0, "M": 0}, {"F": -1}, {}],
)
def test_next_round_refuses(counts: dict[str, int]) -> None:
    with pytest.raises(InvalidInput):
        next_round(RANKED, [], counts, T0)


def test_next_round_refuses_naive_or_earlier_dates() -> None:
    with pytest.raises(InvalidInput, match="fuseau"):
        next_round(RANKED, [], {"F": 1}, datetime(2025, 1, 1))
    rounds = _rounds({"F": 1})
    with pytest.raises(InvalidInput, match="avant"):
        next_round(RANKED, rounds, {"F": 1}, T0 - timedelta(days=1))


def test_no_one_is_invited_twice_and_lists_run_out() -> None:
    rounds = _rounds({"F": 20, "M": 1})
    with pytest.raises(InvalidInput, match="il ne reste que 0"):
        next_round(RANKED, rounds, {"F": 1}, T0 + timedelta(days=1))


# -- replies ---------------------------------------------------------------------------


def test_reply_only_for_invited_people() -> None:
    rounds = _rounds({"F": 2})
    with pytest.raises(InvalidInput, match="invitée"):
        record_reply({}, rounds, "F0000003", Reply.ACCEPTED)


def test_npai_makes_person_ineligible() -> None:
    rounds = _rounds({"F": 2})
    replies = _replies({"F0000001": Reply.RETURNED_NPAI}, rounds)
    assert ineligible(replies) == {"F0000001"}
    with pytest.raises(RuleBroken) as info:
        record_reply(replies, rounds, "F0000001", Reply.ACCEPTED)
    assert info.value.code == "npai-ineligible"
    # Other corrections stay possible: a late yes after no reply.
    late = record_reply(
        _replies({"F0000002": Reply.NO_REPLY}, rounds), rounds, "F0000002", Reply.ACCEPTED
    )
    assert late["F0000002"] is Reply.ACCEPTED


def test_npai_corrected_with_a_reason() -> None:
    rounds = _rounds({"F": 2})
    replies = _replies({"F0000001": Reply.RETURNED_NPAI}, rounds)
    with pytest.raises(RuleBroken, match="motif"):
        record_reply(replies, rounds, "F0000001", Reply.ACCEPTED, correction="erreur")  # too short
    fixed = record_reply(replies, rounds, "F0000001", Reply.ACCEPTED, correction="NPAI saisi par erreur")
    assert fixed["F0000001"] is Reply.ACCEPTED and not ineligible(fixed)


# -- seats -----------------------------------------------------------------------------


def test_seats_go_to_accepters_in_rank_order() -> None:
    rounds = _rounds({"F": 6, "M": 3})
    replies = _replies(
        {
            "F0000005": Reply.ACCEPTED,  # replied first, but ranked after F2 and F3
            "F0000001": Reply.DECLINED,
            "F0000002": Reply.ACCEPTED,
            "F0000003": Reply.ACCEPTED,
            "F0000004": Reply.RETURNED_NPAI,
            "F0000006": Reply.ACCEPTED,
            "M0000002": Reply.ACCEPTED,
        },
        rounds,
    )
    seats = assign_seats(RANKED, rounds, replies, {"F": 2, "M": 2})
    assert seats.titulaires["F"] == ("F0000002", "F0000003")
    assert seats.suppleants["F"] == ("F0000005", "F0000006")
    assert seats.titulaires["M"] == ("M0000002",)
    assert seats.suppleants["M"] == ()
    assert dict(seats.empty_seats) == {"F": 0, "M": 1}
    assert seats.stratum_of("F0000006") == "F" and seats.stratum_of("nobody00") is None


def test_replacement_is_best_ranked_suppleant_of_same_stratum() -> None:
    rounds = _rounds({"F": 4, "M": 2})
    replies = _replies(
        {k: Reply.ACCEPTED for k in ("F0000001", "F0000002", "F0000004", "F0000003", "M0000001")},
        rounds,
    )
    seats = assign_seats(RANKED, rounds, replies, {"F": 2, "M": 1})
    proposal = propose_replacement(seats, "F0000001")
    assert proposal.stratum == "F" and proposal.replacement == "F0000003"
    assert not proposal.new_round_needed and "F0000003" in proposal.message
    # After the departure the recomputed assignment agrees with the proposal.
    after = assign_seats(RANKED, rounds, replies, {"F": 2, "M": 1}, departed={"F0000001"})
    assert after.titulaires["F"] == ("F0000002", "F0000003")
    # No suppléant left among the men: a new round is needed.
    men = propose_replacement(seats, "M0000001")
    assert men.new_round_needed and men.replacement is None and "nouveau tour" in men.message
    with pytest.raises(InvalidInput, match="titulaire"):
        propose_replacement(seats, "F0000004")


def test_seats_refuse_unknown_strata_or_bad_numbers() -> None:
    with pytest.raises(InvalidInput):
        assign_seats(RANKED, [], {}, {"X": 1})
    with pytest.raises(InvalidInput):
        assign_seats(RANKED, [], {}, {"F": -1})


# -- parity balancing ------------------------------------------------------------------


def test_no_more_letters_before_anyone_has_answered() -> None:
    rounds = _rounds({"F": 2, "M": 2})
    # Letters sent, no reply yet: the next round waits (it used to propose 18 + 18 on the
    # prior rate alone).
    assert propose_next_round(RANKED, rounds, {}, {"F": 3, "M": 3}) == {"F": 0, "M": 0}
    assert awaiting_first_replies(RANKED, rounds, {}, {"F": 3, "M": 3}) == ["F", "M"]
    # One answer in F: F's proposal uses it; M still waits.
    replies = _replies({"F0000001": Reply.DECLINED}, rounds)
    proposal = propose_next_round(RANKED, rounds, replies, {"F": 1, "M": 1})
    assert proposal["F"] > 0 and proposal["M"] == 0
    assert awaiting_first_replies(RANKED, rounds, replies, {"F": 1, "M": 1}) == ["M"]


def test_fewer_women_accepting_means_more_women_invited() -> None:
    rounds = _rounds({"F": 10, "M": 10})
    answers: dict[str, Reply] = {}
    for i in range(1, 11):
        answers[f"F{i:07d}"] = Reply.ACCEPTED if i <= 1 else Reply.DECLINED
        answers[f"M{i:07d}"] = Reply.ACCEPTED if i <= 4 else Reply.DECLINED
    replies = _replies(answers, rounds)
    seats = {"F": 3, "M": 6}  # both strata miss 2 seats
    stats = progress(RANKED, rounds, replies, seats)
    assert stats["F"].empty_seats == 2 and stats["M"].empty_seats == 2
    assert acceptance_rate(stats["F"]) < acceptance_rate(stats["M"])
    # Exact values from the documented formula: F rate (1 + 1) / (10 + 20) = 1/15, so
    # 2 / (1/15) = 30 letters; M rate (4 + 1) / 30 = 1/6, so 12 letters.
    big = {
        "F": tuple(f"F{i:07d}" for i in range(1, 101)),
        "M": tuple(f"M{i:07d}" for i in range(1, 101)),
    }
    big_rounds = [next_round(big, [], {"F": 10, "M": 10}, T0)]
    proposal = propose_next_round(big, big_rounds, replies, seats)
    assert proposal == {"F": 30, "M": 12}
    # …bounded by the people left in each list (10 of 20 here).
    assert propose_next_round(RANKED, rounds, replies, seats) == {"F": 10, "M": 10}


def test_no_proposal_when_seats_are_full_and_pending_replies_count() -> None:
    rounds = _rounds({"F": 4, "M": 4})
    replies = _replies({"F0000001": Reply.ACCEPTED, "M0000001": Reply.ACCEPTED}, rounds)
    assert propose_next_round(RANKED, rounds, replies, {"F": 1, "M": 1}) == {"F": 0, "M": 0}
    # Asking for a reserve as large as the seats proposes more letters.
    with_reserve = propose_next_round(
        RANKED, rounds, replies, {"F": 1, "M": 1}, reserve={"F": 1, "M": 1}
    )
    assert with_reserve["F"] > 0


def test_departed_titulaire_opens_a_seat_in_the_proposal() -> None:
    rounds = _rounds({"F": 1, "M": 1})
    replies = _replies({"F0000001": Reply.ACCEPTED, "M0000001": Reply.ACCEPTED}, rounds)
    seats = {"F": 1, "M": 1}
    assert propose_next_round(RANKED, rounds, replies, seats) == {"F": 0, "M": 0}
    after = propose_next_round(RANKED, rounds, replies, seats, departed={"F0000001"})
    assert after["F"] > 0 and after["M"] == 0


def test_prior_must_be_sensible() -> None:
    with pytest.raises(InvalidInput):
        propose_next_round(RANKED, [], {}, {"F": 1}, prior_rate=Fraction(0))


# -- parity plan -----------------------------------------------------------------------


def test_parity_plan_even_and_odd() -> None:
    even = parity_plan(12)
    assert dict(even.seats_by_sex) == {Sex.F: 6, Sex.M: 6}
    assert dict(even.seats_by_stratum) == {"F": 6, "M": 6} and even.odd_seat is None
    odd = parity_plan(13, Sex.M)
    assert dict(odd.seats_by_sex) == {Sex.F: 6, Sex.M: 7} and odd.odd_seat is Sex.M
    with pytest.raises(InvalidInput, match="impair"):
        parity_plan(13)
    assert parity_plan(12, Sex.F).odd_seat is None  # no odd seat to give


def test_parity_plan_splits_each_sex_by_largest_remainder() -> None:
    counts = {"F/A1": 500, "F/A2": 300, "F/A3": 200, "M/A1": 100, "M/A2": 100, "M/A3": 100}
    plan = parity_plan(15, Sex.F, counts)
    assert dict(plan.seats_by_stratum) == {
        "F/A1": 4,
        "F/A2": 2,
        "F/A3": 2,
        "M/A1": 3,
        "M/A2": 2,
        "M/A3": 2,
    }
    assert DrawParityRule().check(plan.seats_by_stratum).ok


def test_parity_plan_refusals() -> None:
    with pytest.raises(InvalidInput, match="F ou M"):
        parity_plan(4, None, {"F": 3, "X": 2})
    with pytest.raises(RuleBroken):
        parity_plan(4, None, {"F": 3})
    with pytest.raises(InvalidInput):
        parity_plan(-2)


def test_parity_rule_and_sex_of_stratum() -> None:
    assert sex_of_stratum("F/A2") is Sex.F and sex_of_stratum("M") is Sex.M
    assert sex_of_stratum("Femmes") is None
    result = DrawParityRule().check({"F/A1": 3, "F/A2": 2, "M": 3})
    assert (
        not result.ok
        and result.code == "tirage-parite"
        and "Parité non respectée" in (result.message)
    )
