"""Properties of the draw over random pools (hypothesis). Slower than unit tests: kept
apart, and bounded to a few seconds in total."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.draw.ceremony import (
    Council,
    EntropyKind,
    commit,
    enter_entropy,
    open_round,
    prepare,
    rank_draw,
)
from domain.draw.protocol import PoolEntry, parse_pool, rank, serialise_pool
from domain.draw.record import audit_record, public_record
from domain.draw.rounds import Sex, parity_plan
from domain.verify import verify

T0 = datetime(2025, 6, 1, 18, 0, tzinfo=UTC)
KEY_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ0123456789-_abc"
STRATA = ("F", "M", "F/A1", "F/A2", "M/A1", "M/A2", "F/Aé")

keys = st.text(alphabet=KEY_ALPHABET, min_size=8, max_size=14)
entry_fields = st.tuples(
    st.sampled_from(STRATA),
    st.one_of(st.just(""), st.sampled_from([f"h{i}" for i in range(12)])),
)


@st.composite
def pools(draw: st.DrawFn, max_size: int = 60) -> list[PoolEntry]:
    unique = draw(st.lists(keys, min_size=1, max_size=max_size, unique=True))
    return [PoolEntry(k, *draw(entry_fields)) for k in unique]


seeds = st.binary(min_size=32, max_size=32)
FAST = settings(max_examples=60, deadline=None)


@FAST
@given(pools(), seeds, st.booleans())
def test_every_entry_ranked_or_skipped_exactly_once(
    entries: list[PoolEntry], seed: bytes, one_per_household: bool
) -> None:
    pool = parse_pool(serialise_pool(entries))
    ranking = rank(pool, seed, one_per_household)
    seen = [k for keys_ in ranking.ranked.values() for k in keys_] + list(ranking.skipped)
    assert sorted(seen) == sorted(e.key for e in entries)
    assert len(seen) == len(set(seen))
    by_key = {e.key: e for e in entries}
    for stratum, ranked in ranking.ranked.items():
        assert all(by_key[k].stratum == stratum for k in ranked)
    if not one_per_household:
        assert ranking.skipped == ()


@FAST
@given(pools(), seeds, st.randoms(use_true_random=False))
def test_ranking_does_not_depend_on_input_line_order(
    entries: list[PoolEntry], seed: bytes, rnd: random.Random
) -> None:
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    a = parse_pool(serialise_pool(entries))
    b = parse_pool(serialise_pool(shuffled))
    assert a.digest == b.digest
    assert rank(a, seed, True) == rank(b, seed, True)


@FAST
@given(pools(), seeds)
def test_one_per_household(entries: list[PoolEntry], seed: bytes) -> None:
    pool = parse_pool(serialise_pool(entries))
    ranking = rank(pool, seed, True)
    household = {e.key: e.household for e in entries}
    kept = [household[k] for keys_ in ranking.ranked.values() for k in keys_ if household[k]]
    assert len(kept) == len(set(kept))
    # Every skipped person's household is represented by someone ranked.
    assert {household[k] for k in ranking.skipped} <= set(kept)
    # Nobody without a household is ever skipped.
    assert all(household[k] for k in ranking.skipped)


@FAST
@given(
    st.integers(min_value=0, max_value=80),
    st.sampled_from(list(Sex)),
    st.dictionaries(
        st.sampled_from(["F/A1", "F/A2", "F/A3", "M/A1", "M/A2"]),
        st.integers(min_value=1, max_value=500),
        min_size=0,
        max_size=5,
    ),
)
def test_parity_plan_holds(seats: int, odd: Sex, sub_counts: dict[str, int]) -> None:
    counts = sub_counts if {"F", "M"} <= {s[0] for s in sub_counts} else None
    plan = parity_plan(seats, odd, counts)
    f, m = plan.seats_by_sex[Sex.F], plan.seats_by_sex[Sex.M]
    assert abs(f - m) <= 1 and f + m == seats
    assert sum(plan.seats_by_stratum.values()) == seats
    women = sum(n for s, n in plan.seats_by_stratum.items() if s.startswith("F"))
    assert women == f
    if seats % 2:
        assert plan.odd_seat is odd and plan.seats_by_sex[odd] == seats // 2 + 1


@settings(max_examples=30, deadline=None)
@given(pools(max_size=40), st.lists(st.integers(1, 6), min_size=20, max_size=24))
def test_verify_accepts_the_produced_record(entries: list[PoolEntry], dice: list[int]) -> None:
    data = serialise_pool(entries)
    pool = parse_pool(data)
    quotas = {s: 1 for s in pool.strata_counts}
    plan = {"protocol": "cc-draw/1", "one_per_household": True, "quotas": quotas}
    d = prepare("P", Council("Conseil", ("QN00000M",)), pool, plan, T0)
    d = commit(d, T0)
    d = enter_entropy(d, " ".join(map(str, dice)), EntropyKind.DICE, "huissier", T0)
    d = rank_draw(d, pool)
    if any(d.ranked.values()):
        d = open_round(d, T0 + timedelta(days=1))
    for record in (public_record(d), audit_record(d)):
        result = verify(record, data)
        assert result.ok, result.message
