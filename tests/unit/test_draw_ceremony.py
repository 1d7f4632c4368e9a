"""The draw's state machine, entropy rules and the published record (§3, §4, §6, §8)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from domain.draw.ceremony import (
    MIN_DICE,
    Council,
    Draw,
    DrawStatus,
    EntropyKind,
    abandon,
    check_entropy,
    commit,
    draw_progress,
    enter_entropy,
    open_round,
    prepare,
    proposed_next_round,
    rank_draw,
    record_departure,
    record_reply,
    replacement_for,
    seat_assignment,
)
from domain.draw.protocol import parse_pool, serialise_pool
from domain.draw.record import RECORD_MEMBERS, audit_record, public_record, record_json
from domain.draw.rounds import Reply
from domain.errors import InvalidInput, InvalidState, RuleBroken

PARIS = timezone(timedelta(hours=1))
T0 = datetime(2025, 3, 1, 18, 0, tzinfo=PARIS)
DICE = "3 6 1 4 4 2 5 1 6 2 3 3 5 4 1 2 6 6 5 1"
COUNCIL = Council("Conseil citoyen des Hauts-de-Rouen", ("QN07601M",))
POOL = parse_pool(
    serialise_pool(
        [(f"F{i:07d}", "F", f"h{i % 9}") for i in range(30)]
        + [(f"M{i:07d}", "M", f"h{i % 7}" if i % 2 else "") for i in range(30)]
    )
)
PLAN = {
    "protocol": "cc-draw/1",
    "one_per_household": True,
    "quotas": {"F": 3, "M": 3},
    "seats": {"F": 2, "M": 2},
}


def _ranked_draw() -> Draw:
    d = prepare("T-2025-01", COUNCIL, POOL, PLAN, T0)
    d = commit(d, T0 + timedelta(minutes=1))
    d = enter_entropy(d, DICE, EntropyKind.DICE, "huissier", T0 + timedelta(minutes=5))
    return rank_draw(d, POOL)


def test_happy_path_through_every_state() -> None:
    d = prepare("T-2025-01", COUNCIL, POOL, PLAN, T0)
    assert d.status is DrawStatus.PREPARED and d.commitment is None
    d = commit(d, T0 + timedelta(minutes=1))
    assert d.status is DrawStatus.COMMITTED and len(d.commitment or "") == 64
    d = enter_entropy(d, DICE, EntropyKind.DICE, "huissier", T0 + timedelta(minutes=5))
    assert d.status is DrawStatus.ENTROPY_ENTERED and d.seed is not None
    assert d.entropy is not None and d.entropy.text == DICE
    d = rank_draw(d, POOL)
    assert d.status is DrawStatus.RANKED
    d = open_round(d, T0 + timedelta(days=1))
    assert d.status is DrawStatus.ROUNDS
    assert d.rounds[0].counts() == {"F": 3, "M": 3}
    f1, f2, f3 = d.rounds[0].invited["F"]
    m1, m2, _m3 = d.rounds[0].invited["M"]
    for key in (f1, f2, f3, m1):
        d = record_reply(d, key, Reply.ACCEPTED)
    d = record_reply(d, m2, Reply.DECLINED)
    seats = seat_assignment(d)
    assert seats.titulaires["F"] == (f1, f2) and seats.suppleants["F"] == (f3,)
    assert replacement_for(d, f1).replacement == f3
    d = record_departure(d, f1)
    assert seat_assignment(d).titulaires["F"] == (f2, f3)
    assert draw_progress(d)["M"].empty_seats == 1
    proposal = proposed_next_round(d)
    assert proposal["M"] > 0 and proposal["F"] == 0
    d = open_round(d, T0 + timedelta(days=20), proposal)
    assert d.rounds[1].number == 2 and d.rounds[1].counts()["M"] == proposal["M"]


def test_entropy_is_accepted_exactly_once() -> None:
    d = prepare("T", COUNCIL, POOL, PLAN, T0)
    d = commit(d, T0)
    d = enter_entropy(d, DICE, EntropyKind.DICE, "huissier", T0)
    with pytest.raises(InvalidState) as info:
        enter_entropy(d, DICE, EntropyKind.DICE, "huissier", T0)
    assert info.value.code == "alea-deja-saisi"
    ranked = rank_draw(d, POOL)
    with pytest.raises(InvalidState):
        enter_entropy(ranked, "1 " * 20, EntropyKind.DICE, "x", T0)
    # Abandoning does not reopen the commitment either.
    with pytest.raises(InvalidState):
        enter_entropy(abandon(ranked, "séance interrompue", T0), DICE, EntropyKind.DICE, "x", T0)


def test_transitions_out_of_order_are_refused() -> None:
    d = prepare("T", COUNCIL, POOL, PLAN, T0)
    with pytest.raises(InvalidState):
        enter_entropy(d, DICE, EntropyKind.DICE, "x", T0)  # not committed yet
    with pytest.raises(InvalidState):
        rank_draw(d, POOL)
    with pytest.raises(InvalidState):
        open_round(d, T0)
    c = commit(d, T0)
    with pytest.raises(InvalidState):
        commit(c, T0)
    with pytest.raises(InvalidState):
        public_record(d)  # no record before the commitment


def test_abandoned_draw_refuses_everything() -> None:
    d = abandon(commit(prepare("T", COUNCIL, POOL, PLAN, T0), T0), "liste erronée", T0)
    assert d.status is DrawStatus.ABANDONED and d.abandon_reason == "liste erronée"
    with pytest.raises(InvalidState) as info:
        enter_entropy(d, DICE, EntropyKind.DICE, "x", T0)
    assert info.value.code == "tirage-abandonne"
    with pytest.raises(InvalidState):
        abandon(d, "encore", T0)
    with pytest.raises(InvalidInput):
        abandon(prepare("T", COUNCIL, POOL, PLAN, T0), "  ", T0)
    # The abandoned commitment stays publishable for the audit trail.
    assert public_record(d)["entropy"] is None


def test_rank_requires_the_committed_pool() -> None:
    d = enter_entropy(
        commit(prepare("T", COUNCIL, POOL, PLAN, T0), T0), DICE, EntropyKind.DICE, "x", T0
    )
    other = parse_pool(serialise_pool([*POOL.entries(), ("Z0000000", "F", "")]))
    with pytest.raises(InvalidInput) as info:
        rank_draw(d, other)
    assert info.value.code == "liste-differente"


@pytest.mark.parametrize(
    ("plan", "error"),
    [
        ({**PLAN, "quotas": {"F": 3}}, InvalidInput),
        ({**PLAN, "seats": {"F": 3, "M": 1}}, RuleBroken),  # parity broken
        ({"protocol": "cc-draw/1", "one_per_household": True, "quotas": {"F": 1, "M": 1}}, None),
    ],
)
def test_prepare_checks_plan(plan: dict[str, object], error: type[Exception] | None) -> None:
    if error is None:
        assert prepare("T", COUNCIL, POOL, plan, T0).plan.seats is None
    else:
        with pytest.raises(error):
            prepare("T", COUNCIL, POOL, plan, T0)


def test_prepare_checks_seat_allocation_over_sub_strata() -> None:
    pool = parse_pool(
        serialise_pool(
            [(f"A{i:07d}", "F/A1", "") for i in range(5)]
            + [(f"B{i:07d}", "F/A2", "") for i in range(3)]
            + [(f"C{i:07d}", "M", "") for i in range(4)]
        )
    )
    quotas = {"F/A1": 1, "F/A2": 1, "M": 1}
    good = {
        "protocol": "cc-draw/1",
        "one_per_household": False,
        "quotas": quotas,
        "seats": {"F/A1": 2, "F/A2": 1, "M": 3},
    }
    assert prepare("T", COUNCIL, pool, good, T0).plan.seats is not None
    bad = {**good, "seats": {"F/A1": 1, "F/A2": 2, "M": 3}}
    with pytest.raises(InvalidInput, match="plus forts restes"):
        prepare("T", COUNCIL, pool, bad, T0)


def test_prepare_refuses_empty_pool_and_naive_dates() -> None:
    with pytest.raises(InvalidInput):
        prepare("T", COUNCIL, parse_pool(b""), PLAN, T0)
    with pytest.raises(InvalidInput, match="fuseau"):
        prepare("T", COUNCIL, POOL, PLAN, datetime(2025, 1, 1))
    d = prepare("T", COUNCIL, POOL, PLAN, T0)
    with pytest.raises(InvalidInput, match="précède"):
        commit(d, T0 - timedelta(seconds=1))


# -- entropy checks --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        DICE,
        ",".join("1" * MIN_DICE),
        "6, 6, 6, 6, 6, 1, 2, 3, 4, 5 1 2 3 4 5 6 1 2 3 4 5",
        "  " + DICE + "\n",
    ],
)
def test_dice_entropy_accepted(text: str) -> None:
    check_entropy(text, EntropyKind.DICE)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1 2 3", "au moins 20"),
        (" ".join(["1"] * 19), "au moins 20"),
        (DICE + " 7", "« 7 »"),
        (DICE.replace(" ", ""), "n'est pas une face"),
        (DICE + " six", "« six »"),
        ("", "au moins 20"),
    ],
)
def test_dice_entropy_refused(text: str, words: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_entropy(text, EntropyKind.DICE)
    assert words in info.value.detail


def test_text_entropy() -> None:
    check_entropy("drand round 1234567: 9f2c", EntropyKind.TEXT)
    with pytest.raises(InvalidInput):
        check_entropy(" \n\t ", EntropyKind.TEXT)


def test_first_round_must_follow_quotas() -> None:
    d = _ranked_draw()
    with pytest.raises(InvalidInput, match="quotas"):
        open_round(d, T0 + timedelta(days=1), {"F": 5, "M": 3})
    assert open_round(d, T0 + timedelta(days=1), {"F": 3, "M": 3}).rounds[0].counts() == {
        "F": 3,
        "M": 3,
    }
    later = open_round(d, T0 + timedelta(days=1))
    with pytest.raises(InvalidInput, match="nombre"):
        open_round(later, T0 + timedelta(days=2))


def test_reply_and_departure_guards() -> None:
    d = open_round(_ranked_draw(), T0 + timedelta(days=1))
    first = d.rounds[0].invited["F"][0]
    with pytest.raises(InvalidInput):
        record_departure(d, first)  # has not accepted
    d = record_departure(record_reply(d, first, Reply.ACCEPTED), first)
    with pytest.raises(InvalidState):
        record_reply(d, first, Reply.DECLINED)


# -- the record (§8) -------------------------------------------------------------------


def test_record_members_are_exactly_those_of_section_8() -> None:
    d = open_round(_ranked_draw(), T0 + timedelta(days=1))
    public = public_record(d)
    audit = audit_record(d)
    assert tuple(public) == tuple(audit) == RECORD_MEMBERS
    assert public["protocol"] == "cc-draw/1"
    assert public["council"] == {"name": COUNCIL.name, "qpv": ["QN07601M"]}
    assert public["pool_size"] == 60 and public["strata_counts"] == {"F": 30, "M": 30}
    assert public["plan"] == PLAN
    assert public["committed_at"] == "2025-03-01T18:01:00+01:00"
    assert public["entropy"] == DICE and public["seed"] == (d.seed or b"").hex()
    assert public["rounds"] == [
        {"round": 1, "invited": {"F": 3, "M": 3}, "at": "2025-03-02T18:00:00+01:00"}
    ]
    # Public: invited keys only. Audit: the full lists.
    assert public["ranked"] == {s: list(k) for s, k in d.rounds[0].invited.items()}
    assert audit["ranked"] == {s: list(k) for s, k in d.ranked.items()}
    assert len(audit["ranked"]["F"]) > 3
    assert json.loads(record_json(public)) == public


def test_committed_record_before_entropy() -> None:
    d = commit(prepare("T", COUNCIL, POOL, PLAN, T0), T0)
    record = public_record(d)
    assert tuple(record) == RECORD_MEMBERS
    assert record["entropy"] is None and record["seed"] is None
    assert record["ranked"] == {"F": [], "M": []} and record["rounds"] == []
