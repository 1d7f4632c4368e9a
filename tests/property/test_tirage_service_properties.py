"""Properties of the draw service's own pieces over random pools (hypothesis): the plan
it commits, the stored ranking blob, the pool read back without re-validation, and the
reply codes. The domain's properties (ranking, verifier) are in test_draw_properties."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.draw.protocol import PoolEntry, parse_pool, rank, serialise_pool
from domain.draw.rounds import DrawParityRule, sex_of_stratum
from domain.errors import DomainError

KEY_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ0123456789-_abc"
SUBS = ("F", "M", "F/A1", "F/A2", "F/A3", "M/A1", "M/A2", "M/Aé")
keys = st.text(alphabet=KEY_ALPHABET, min_size=8, max_size=14)
FAST = settings(max_examples=60, deadline=None)


@st.composite
def pools(draw: st.DrawFn, strata: tuple[str, ...] = SUBS, max_size: int = 80) -> list[PoolEntry]:
    unique = draw(st.lists(keys, min_size=1, max_size=max_size, unique=True))
    households = st.one_of(st.just(""), st.sampled_from([f"h{i}" for i in range(15)]))
    return [PoolEntry(k, draw(st.sampled_from(strata)), draw(households)) for k in unique]


@FAST
@given(
    st.dictionaries(
        st.sampled_from(["F/A1", "F/A2", "F/A3", "M/A1", "M/A2"]), st.integers(0, 400), min_size=1
    ),
    st.integers(1, 60),
    st.sampled_from(["F", "M"]),
    st.integers(1, 30),
)
def test_committed_plan_keeps_parity_and_never_exceeds_the_pool(
    counts: dict[str, int], seats: int, odd: str, multiple: int
) -> None:
    from domain.draw.plan import PlanInput, plan_for

    try:
        plan = plan_for(counts, PlanInput(seats=seats, odd_seat=odd, multiple=multiple))
    except DomainError as exc:
        # Refused only for a real reason: a stratum too small, or a sex with nobody.
        assert exc.code in ("strate-insuffisante", "parite-impossible")
        return
    assert DrawParityRule().check(plan["seats"]).ok
    assert sum(plan["seats"].values()) == seats
    women = sum(n for s, n in plan["seats"].items() if sex_of_stratum(s).value == "F")  # type: ignore[union-attr]
    assert women - (seats - women) in ((0,) if seats % 2 == 0 else ((1,) if odd == "F" else (-1,)))
    for s, n in counts.items():
        assert plan["seats"][s] <= n
        assert plan["seats"][s] <= plan["quotas"][s] <= n or n == 0


@FAST
@given(pools(), st.binary(min_size=32, max_size=32), st.booleans())
def test_stored_ranking_blob_round_trips_and_holds_every_entry_once(
    entries: list[PoolEntry], seed: bytes, oph: bool
) -> None:
    from service.tirage.usecases.common import decode_ranking, encode_ranking

    pool = parse_pool(serialise_pool(entries))
    ranking = rank(pool, seed, oph)
    blob, counts = encode_ranking(ranking)
    back = decode_ranking(blob, counts, len(ranking.skipped))
    assert back == ranking
    stored = [k for lst in back.ranked.values() for k in lst] + list(back.skipped)
    assert sorted(stored) == sorted(e.key for e in entries)


@FAST
@given(pools(), st.randoms(use_true_random=False))
def test_pool_read_back_without_revalidation_is_the_parsed_pool(
    entries: list[PoolEntry], rnd: random.Random
) -> None:
    from domain.draw.protocol import pool_digest
    from service.tirage.usecases.plan import trusted_pool

    shuffled = list(entries)
    rnd.shuffle(shuffled)
    data = serialise_pool(shuffled)  # line order of the input never matters
    assert data == serialise_pool(entries)
    ours, ref = trusted_pool(data, pool_digest(data)), parse_pool(data)
    assert (ours.keys, ours.strata, ours.households, dict(ours.strata_counts), ours.digest) == (
        ref.keys,
        ref.strata,
        ref.households,
        dict(ref.strata_counts),
        ref.digest,
    )


@FAST
@given(
    st.text(alphabet="ABCDEFGHJKMNPQRSTVWXYZ0123456789", min_size=8, max_size=12),
    st.sampled_from(["CC-2026-0001", "CC-2027-0042"]),
)
def test_reply_codes_are_stable_and_forgiving(key: str, reference: str) -> None:
    from service.tirage.usecases.common import CODE_ALPHABET, code_digest, reply_code

    code = reply_code("secret" * 8, reference, key)
    assert code == reply_code("secret" * 8, reference, key)
    assert len(code) == 11 and code[5] == "-" and set(code.replace("-", "")) <= set(CODE_ALPHABET)
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert code_digest(typed) == code_digest(code)
    assert reply_code("autre-secret" * 4, reference, key) != code or pytest.fail("secret ignored")
