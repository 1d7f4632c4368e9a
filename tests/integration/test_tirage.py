"""Draw use cases on the real database (SQLite and PostgreSQL passes)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.conftest import World
from tests.tirage_support import DICE, FAKE_BIRTH_YEAR, install_fake_subjects, make_pool

pytestmark = pytest.mark.anyio


def _lead(world: World) -> Any:
    from service.audit import Actor

    return Actor(world.ids["lead_a"], "lead.a@test.fr")


async def _ranked(ctx: Any, world: World, n: int = 60, seats: int = 4, **plan: Any) -> dict[str, Any]:
    from domain.draw import plan as draw_plan
    from service.tirage.usecases import ceremony

    council = world.ids["council_a"]
    pool = await make_pool(ctx, council, n)
    d = await ceremony.prepare_draw(ctx, _lead(world), council, pool["id"], draw_plan.PlanInput(seats=seats, **plan))
    await ceremony.commit_draw(ctx, _lead(world), council, d["id"])
    await ceremony.enter_entropy(ctx, _lead(world), council, d["id"], DICE)
    return await ceremony.rank_draw(ctx, _lead(world), council, d["id"])


async def test_full_ceremony_matches_the_standalone_verifier(ctx: Any, world: World) -> None:
    from domain.draw import plan as draw_plan
    from domain.draw import protocol as proto
    from service.audit.tables import AuditEvent
    from service.tirage.usecases import ceremony, records, rounds

    council = world.ids["council_a"]
    pool = await make_pool(ctx, council, 60)
    d = await ceremony.prepare_draw(ctx, _lead(world), council, pool["id"], draw_plan.PlanInput(seats=5, odd_seat="F", multiple=3))
    assert d["status"] == "prepared" and d["reference"].startswith("CC-2026-")
    assert d["plan"]["seats"] == {"F": 3, "M": 2} and d["plan"]["quotas"] == {"F": 9, "M": 6}
    d = await ceremony.commit_draw(ctx, _lead(world), council, d["id"])
    assert d["commitment"] == proto.commitment(d["pool_digest"], d["plan"])
    d = await ceremony.enter_entropy(ctx, _lead(world), council, d["id"], DICE)
    d = await ceremony.rank_draw(ctx, _lead(world), council, d["id"])
    assert d["status"] == "ranked"
    # The stored ranking is exactly the protocol's on the pool file.
    content = await records.draw_pool_file(d["id"])
    expected = proto.rank(proto.parse_pool(content), bytes.fromhex(d["seed"]), True)
    record = await records.audit_record(d["id"])
    assert record["ranked"] == {s: list(v) for s, v in expected.ranked.items()}
    assert (await records.reverify(d["id"])).ok
    await rounds.open_round(ctx, _lead(world), council, d["id"])
    pub = await records.public_record(d["reference"])
    assert {s: len(v) for s, v in pub["ranked"].items()} == {"F": 9, "M": 6}
    assert pub["rounds"][0]["invited"] == {"F": 9, "M": 6}
    assert (await records.reverify(d["id"])).ok
    actions = [r["action"] for r in await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.seq)]
    assert actions[-5:] == [
        "tirage.preparation",
        "tirage.engagement",
        "tirage.alea",
        "tirage.classement",
        "tirage.tour",
    ]


async def test_stratum_smaller_than_its_seats_is_refused_before_commit(ctx: Any, world: World) -> None:
    from domain.draw import plan as draw_plan
    from domain.errors import RuleBroken
    from service.tirage.usecases import ceremony

    pool = await make_pool(ctx, world.ids["council_a"], 6)
    with pytest.raises(RuleBroken) as err:
        await ceremony.prepare_draw(ctx, _lead(world), world.ids["council_a"], pool["id"], draw_plan.PlanInput(seats=8))
    assert err.value.code == "strate-insuffisante"
    with pytest.raises(Exception) as odd:
        await ceremony.prepare_draw(ctx, _lead(world), world.ids["council_a"], pool["id"], draw_plan.PlanInput(seats=3))
    assert odd.value.field == "odd_seat"  # type: ignore[attr-defined]


async def test_entropy_rules(ctx: Any, world: World) -> None:
    from domain.draw import plan as draw_plan
    from domain.errors import InvalidInput, InvalidState
    from service.tirage.usecases import ceremony

    council = world.ids["council_a"]
    pool = await make_pool(ctx, council, 30)
    d = await ceremony.prepare_draw(ctx, _lead(world), council, pool["id"], draw_plan.PlanInput(seats=2))
    with pytest.raises(InvalidState):
        await ceremony.enter_entropy(ctx, _lead(world), council, d["id"], DICE)
    await ceremony.commit_draw(ctx, _lead(world), council, d["id"])
    with pytest.raises(InvalidInput):
        await ceremony.enter_entropy(ctx, _lead(world), council, d["id"], "1 2 3 4 5 6 7")
    with pytest.raises(InvalidState):
        await ceremony.rank_draw(ctx, _lead(world), council, d["id"])
    await ceremony.enter_entropy(ctx, _lead(world), council, d["id"], DICE)
    with pytest.raises(InvalidState) as second:
        await ceremony.enter_entropy(ctx, _lead(world), council, d["id"], DICE.replace("3", "4"))
    assert second.value.code == "alea-deja-saisi"
    # Same pool and plan again: the commitment already received entropy elsewhere.
    again = await ceremony.prepare_draw(ctx, _lead(world), council, pool["id"], draw_plan.PlanInput(seats=2))
    await ceremony.commit_draw(ctx, _lead(world), council, again["id"])
    with pytest.raises(InvalidState) as reused:
        await ceremony.enter_entropy(ctx, _lead(world), council, again["id"], "autre tirage du loto 12 18 33", "text")
    assert reused.value.code == "alea-deja-saisi"


async def test_pool_changed_after_commitment_is_refused(ctx: Any, world: World) -> None:
    from domain.draw import plan as draw_plan
    from domain.errors import RuleBroken
    from service.tirage.tables import Pool
    from service.tirage.usecases import ceremony, records

    council = world.ids["council_a"]
    pool = await make_pool(ctx, council, 30)
    d = await ceremony.prepare_draw(ctx, _lead(world), council, pool["id"], draw_plan.PlanInput(seats=2))
    await ceremony.commit_draw(ctx, _lead(world), council, d["id"])
    await ceremony.enter_entropy(ctx, _lead(world), council, d["id"], DICE)
    content = await records.draw_pool_file(d["id"])
    await Pool.update({Pool.content: content.replace(b"\tF\t", b"\tM\t", 1)}).where(Pool.id == pool["id"])
    with pytest.raises(RuleBroken) as err:
        await ceremony.rank_draw(ctx, _lead(world), council, d["id"])
    assert err.value.code == "liste-modifiee"
    assert (await records.get_draw(d["id"]))["status"] == "entropy_entered"


async def test_two_leads_pressing_draw_at_once(ctx: Any, world: World) -> None:
    from domain.draw import plan as draw_plan
    from domain.errors import Conflict
    from service.tirage.usecases import ceremony

    council = world.ids["council_a"]
    pool = await make_pool(ctx, council, 400)
    d = await ceremony.prepare_draw(ctx, _lead(world), council, pool["id"], draw_plan.PlanInput(seats=4))
    await ceremony.commit_draw(ctx, _lead(world), council, d["id"])
    await ceremony.enter_entropy(ctx, _lead(world), council, d["id"], DICE)
    results = await asyncio.gather(
        *[ceremony.rank_draw(ctx, _lead(world), council, d["id"]) for _ in range(3)],
        return_exceptions=True,
    )
    ok = [r for r in results if isinstance(r, dict)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(ok) == 1 and len(conflicts) == 2, results
    assert all(c.code == "deja-classe" for c in conflicts)


async def test_crash_while_storing_leaves_nothing_and_resuming_is_identical(ctx: Any, world: World, monkeypatch: Any) -> None:
    from domain.draw import plan as draw_plan
    from service import audit
    from service.tirage.store import DrawStore
    from service.tirage.usecases import ceremony, common, records

    council = world.ids["council_a"]
    pool = await make_pool(ctx, council, 200)
    d = await ceremony.prepare_draw(ctx, _lead(world), council, pool["id"], draw_plan.PlanInput(seats=4))
    await ceremony.commit_draw(ctx, _lead(world), council, d["id"])
    await ceremony.enter_entropy(ctx, _lead(world), council, d["id"], DICE)
    real = audit.record

    async def crash(*a: Any, **kw: Any) -> Any:
        if kw.get("action") == "tirage.classement":
            raise RuntimeError("panne simulée")
        return await real(*a, **kw)

    monkeypatch.setattr(audit, "record", crash)
    with pytest.raises(RuntimeError):
        await ceremony.rank_draw(ctx, _lead(world), council, d["id"])
    after_crash = await DrawStore().draw(d["id"], with_ranking=True)
    assert after_crash.status == "entropy_entered" and after_crash.ranking is None
    monkeypatch.setattr(audit, "record", real)
    common._RANKING_CACHE.clear()
    done = await ceremony.rank_draw(ctx, _lead(world), council, d["id"])
    from domain.draw import protocol as proto

    expected = proto.rank(proto.parse_pool(await records.draw_pool_file(d["id"])), bytes.fromhex(done["seed"]), True)
    assert (await records.audit_record(d["id"]))["ranked"] == {s: list(v) for s, v in expected.ranked.items()}


async def test_rounds_replies_seats_and_replacement(ctx: Any, world: World) -> None:
    from domain.errors import InvalidInput, RuleBroken
    from service.tirage.usecases import records, replies, rounds

    install_fake_subjects()
    council = world.ids["council_a"]
    d = await _ranked(ctx, world, n=80, seats=4, multiple=2)
    await rounds.open_round(ctx, _lead(world), council, d["id"])
    state = await records.draw_state(d["id"])
    f_keys = [i["key"] for i in state["invitations"] if i["stratum"] == "F"]
    m_keys = [i["key"] for i in state["invitations"] if i["stratum"] == "M"]
    assert len(f_keys) == 4 and len(m_keys) == 4
    # Accept in reverse rank order: seats still go in rank order.
    for k in reversed(f_keys[:3]):
        await replies.record_reply(ctx, _lead(world), council, d["id"], k, "accepte")
    await replies.record_reply(ctx, _lead(world), council, d["id"], m_keys[0], "npai")
    with pytest.raises(RuleBroken):
        await replies.record_reply(ctx, _lead(world), council, d["id"], m_keys[0], "accepte")
    with pytest.raises(InvalidInput):
        await replies.record_reply(ctx, _lead(world), council, d["id"], "JAMAISINVITE", "accepte")
    res = await records.draw_results(d["id"])
    assert [h.key for h in res.titulaires if h.stratum == "F"] == f_keys[:2]
    assert [h.key for h in res.suppleants if h.stratum == "F"] == f_keys[2:3]
    assert res.empty_seats == {"F": 0, "M": 2}
    prop = await replies.replacement_proposal(d["id"], f_keys[0])
    assert prop["replacement"] == f_keys[2]
    await replies.record_departure(ctx, _lead(world), council, d["id"], f_keys[0])
    res = await records.draw_results(d["id"])
    assert [h.key for h in res.titulaires if h.stratum == "F"] == [f_keys[1], f_keys[2]]
    # Parity balancing: women filled, men empty → the next round invites men only.
    proposal = await rounds.propose_round(d["id"])
    assert proposal["M"] > 0 and proposal["M"] >= proposal["F"]
    await rounds.open_round(ctx, _lead(world), council, d["id"], proposal)
    rec = await rounds.round_recipients(ctx, d["id"], 2)
    assert rec and all(r.round_no == 2 for r in rec)
    assert next(r.rank for r in rec if r.stratum == "M") == 5
    again = await rounds.round_recipients(ctx, d["id"], 2)
    assert [r.reply_code for r in again] == [r.reply_code for r in rec]
    assert (await records.reverify(d["id"])).ok
    pv = await records.pv_data(d["id"], lead_copy=True)
    assert all("name" in r for r in pv["ranked"]) and pv["ranked"][0]["name"].startswith("Prénom")
    pv_public = await records.pv_data(d["id"], lead_copy=False)
    assert all("name" not in r for r in pv_public["ranked"])


async def test_csv_replies_are_all_or_nothing_with_line_numbers(ctx: Any, world: World) -> None:
    from domain.errors import InvalidInput
    from service.tirage.usecases import records, replies, rounds

    council = world.ids["council_a"]
    d = await _ranked(ctx, world, n=60, seats=2, multiple=3)
    await rounds.open_round(ctx, _lead(world), council, d["id"])
    recips = await rounds.round_recipients(ctx, d["id"], 1)
    bad = f"cle;reponse\n{recips[0].key};accepte\nINCONNUE99;refuse\n{recips[1].key};peut-être\n".encode()
    with pytest.raises(InvalidInput) as err:
        await replies.import_replies_csv(ctx, _lead(world), council, d["id"], bad)
    assert [e.line for e in err.value.errors] == [3, 4]
    assert all(i["reply"] == "" for i in (await records.draw_state(d["id"]))["invitations"])
    good = f"code;reponse\n{recips[0].reply_code};accepté\n{recips[1].reply_code.lower()};NPAI\n".encode()
    out = await replies.import_replies_csv(ctx, _lead(world), council, d["id"], good)
    assert out == {"recorded": 2, "by_reply": {"accepted": 1, "returned_npai": 1}}


async def test_online_reply_two_factors_and_rate_limit(ctx: Any, world: World, clock: Any) -> None:
    from domain.errors import InvalidInput, TooManyAttempts
    from service.tirage.usecases import records, replies, rounds

    install_fake_subjects()
    council = world.ids["council_a"]
    d = await _ranked(ctx, world, n=40, seats=2, multiple=2)
    await rounds.open_round(ctx, _lead(world), council, d["id"])
    r = (await rounds.round_recipients(ctx, d["id"], 1))[0]
    with pytest.raises(InvalidInput) as wrong_year:
        await replies.reply_online(ctx, r.reply_code, FAKE_BIRTH_YEAR + 1, "accepte", "", "ip-1")
    with pytest.raises(InvalidInput) as wrong_code:
        await replies.reply_online(ctx, "ZZZZZ-ZZZZZ", FAKE_BIRTH_YEAR, "accepte", "", "ip-1")
    assert wrong_year.value.detail == wrong_code.value.detail  # nothing tells them apart
    out = await replies.reply_online(
        ctx,
        r.reply_code.replace("-", " ").lower(),
        str(FAKE_BIRTH_YEAR),
        "accepte",
        "06 00 00 00 00",
        "ip-2",
    )
    assert out["reply"] == "accepted"
    state = await records.draw_state(d["id"])
    inv = next(i for i in state["invitations"] if i["key"] == r.key)
    assert inv["reply"] == "accepted" and inv["reply_via"] == "online"
    # Guessing: per client, then refused even with a right code.
    for n in range(replies.REPLY_MAX_FAILURES_PER_CLIENT - 2):
        with pytest.raises(InvalidInput):
            await replies.reply_online(ctx, f"AAAAA-{n:05d}", FAKE_BIRTH_YEAR, "refuse", "", "ip-1")
    with pytest.raises(TooManyAttempts):
        await replies.reply_online(ctx, r.reply_code, FAKE_BIRTH_YEAR, "refuse", "", "ip-1")
    # Per code, whatever the client.
    r2 = (await rounds.round_recipients(ctx, d["id"], 1))[1]
    for n in range(replies.REPLY_MAX_FAILURES_PER_CODE):
        with pytest.raises(InvalidInput):
            await replies.reply_online(ctx, r2.reply_code, 1900, "refuse", "", f"ip-x{n}")
    with pytest.raises(TooManyAttempts):
        await replies.reply_online(ctx, r2.reply_code, FAKE_BIRTH_YEAR, "refuse", "", "ip-neuve")
    clock.advance(hours=2)
    assert (await replies.reply_online(ctx, r2.reply_code, FAKE_BIRTH_YEAR, "refuse", "", "ip-neuve"))["reply"] == "declined"


async def test_abandon_then_redo_keeps_both_commitments(ctx: Any, world: World) -> None:
    from domain.draw import plan as draw_plan
    from service.tirage.usecases import ceremony, records

    council = world.ids["council_a"]
    pool = await make_pool(ctx, council, 40)
    d = await ceremony.prepare_draw(ctx, _lead(world), council, pool["id"], draw_plan.PlanInput(seats=2))
    d = await ceremony.commit_draw(ctx, _lead(world), council, d["id"])
    await ceremony.enter_entropy(ctx, _lead(world), council, d["id"], DICE)
    other_pool = await make_pool(ctx, council, 40, seed=99)
    new = await ceremony.abandon_draw(ctx, _lead(world), council, d["id"], "séance interrompue", redo_pool_id=other_pool["id"])
    old = await records.get_draw(d["id"])
    assert old["status"] == "abandoned" and old["replaced_by"] == new["id"] and new["replaces"] == d["id"]
    assert new["status"] == "committed" and new["commitment"] != old["commitment"]


async def test_volunteers_pool_end_to_end(ctx: Any, world: World) -> None:
    from domain.draw import plan as draw_plan
    from service.tirage.usecases import ceremony, records, replies, rounds

    council = world.ids["council_a"]
    pool = await make_pool(ctx, council, 24, kind="volontaires", subject_type="candidature")
    d = await ceremony.prepare_draw(ctx, _lead(world), council, pool["id"], draw_plan.PlanInput(seats=2, multiple=2))
    assert d["kind"] == "volontaires"
    await ceremony.commit_draw(ctx, _lead(world), council, d["id"])
    await ceremony.enter_entropy(
        ctx,
        _lead(world),
        council,
        d["id"],
        "Tirage Loto 2026-03-02 : 5 12 23 34 41 chance 7",
        "text",
    )
    await ceremony.rank_draw(ctx, _lead(world), council, d["id"])
    await rounds.open_round(ctx, _lead(world), council, d["id"])
    recips = await rounds.round_recipients(ctx, d["id"], 1)
    assert {r.subject_type for r in recips} == {"candidature"}
    for r in recips:
        await replies.record_reply(ctx, _lead(world), council, d["id"], r.key, "accepte")
    res = await records.draw_results(d["id"])
    assert len(res.titulaires) == 2 and len(res.suppleants) == 2
    assert (await records.reverify(d["id"])).ok


async def test_lookup_key_gives_ticket_and_rank(ctx: Any, world: World) -> None:
    from domain.draw import protocol as proto
    from domain.errors import NotFound
    from service.tirage.usecases import records

    d = await _ranked(ctx, world, n=50, seats=2)
    rec = await records.audit_record(d["id"])
    key = rec["ranked"]["M"][2]
    out = await records.lookup_key(d["reference"], key)
    assert out["rank"] == 3 and out["stratum"] == "M"
    assert out["ticket"] == proto.ticket(bytes.fromhex(d["seed"]), key)
    with pytest.raises(NotFound):
        await records.lookup_key(d["reference"], "ABSENTE123")


async def test_two_entropies_at_once_exactly_one_is_kept(ctx: Any, world: World) -> None:
    from domain.draw import plan as draw_plan
    from domain.errors import InvalidState
    from service.tirage.usecases import ceremony, records

    council = world.ids["council_a"]
    pool = await make_pool(ctx, council, 40)
    d = await ceremony.prepare_draw(ctx, _lead(world), council, pool["id"], draw_plan.PlanInput(seats=2))
    await ceremony.commit_draw(ctx, _lead(world), council, d["id"])
    texts = [DICE, DICE.replace("3", "5"), DICE.replace("6", "2")]
    results = await asyncio.gather(
        *[ceremony.enter_entropy(ctx, _lead(world), council, d["id"], x) for x in texts],
        return_exceptions=True,
    )
    ok = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, InvalidState)]
    assert len(ok) == 1 and len(refused) == 2, results
    assert (await records.get_draw(d["id"]))["entropy"] == ok[0]["entropy"]


async def test_concurrent_replies_are_all_kept(ctx: Any, world: World) -> None:
    from service.tirage.usecases import records, replies, rounds

    council = world.ids["council_a"]
    d = await _ranked(ctx, world, n=60, seats=4, multiple=3)
    await rounds.open_round(ctx, _lead(world), council, d["id"])
    recips = await rounds.round_recipients(ctx, d["id"], 1)
    await asyncio.gather(*[replies.record_reply(ctx, _lead(world), council, d["id"], r.key, "accepte") for r in recips[:5]])
    state = await records.draw_state(d["id"])
    assert sum(1 for i in state["invitations"] if i["reply"] == "accepted") == 5


async def test_close_round_after_deadline(ctx: Any, world: World, clock: Any) -> None:
    from domain.errors import InvalidState
    from service.tirage.usecases import common, records, replies, rounds

    council = world.ids["council_a"]
    d = await _ranked(ctx, world, n=40, seats=2, multiple=2)
    await rounds.open_round(ctx, _lead(world), council, d["id"])
    recips = await rounds.round_recipients(ctx, d["id"], 1)
    await replies.record_reply(ctx, _lead(world), council, d["id"], recips[0].key, "refuse")
    with pytest.raises(InvalidState):
        await rounds.close_round(ctx, _lead(world), council, d["id"], 1)
    clock.advance(days=common.DEFAULT_REPLY_DAYS + 1)
    out = await rounds.close_round(ctx, _lead(world), council, d["id"], 1)
    assert out["marked_no_reply"] == len(recips) - 1
    # A late "yes" is still a yes.
    await replies.record_reply(ctx, _lead(world), council, d["id"], recips[1].key, "accepte")
    assert [h.key for h in (await records.draw_results(d["id"])).titulaires] == [recips[1].key]


async def test_prepared_draw_is_not_public(ctx: Any, world: World) -> None:
    from domain.draw import plan as draw_plan
    from domain.errors import NotFound
    from service.tirage.usecases import ceremony, records

    pool = await make_pool(ctx, world.ids["council_a"], 20)
    d = await ceremony.prepare_draw(ctx, _lead(world), world.ids["council_a"], pool["id"], draw_plan.PlanInput(seats=2))
    with pytest.raises(NotFound):
        await records.public_record(d["reference"])


async def test_redo_on_the_same_pool_after_entropy_is_refused_and_nothing_changes(ctx: Any, world: World) -> None:
    from domain.draw import plan as draw_plan
    from domain.errors import RuleBroken
    from service.tirage.usecases import ceremony, records

    council = world.ids["council_a"]
    pool = await make_pool(ctx, council, 40)
    d = await ceremony.prepare_draw(ctx, _lead(world), council, pool["id"], draw_plan.PlanInput(seats=2))
    await ceremony.commit_draw(ctx, _lead(world), council, d["id"])
    await ceremony.enter_entropy(ctx, _lead(world), council, d["id"], DICE)
    with pytest.raises(RuleBroken) as err:
        await ceremony.abandon_draw(ctx, _lead(world), council, d["id"], "résultat contesté", redo_pool_id=pool["id"])
    assert err.value.code == "engagement-deja-utilise"
    assert (await records.get_draw(d["id"]))["status"] == "entropy_entered"
    assert len(await records.list_draws(council)) == 1
