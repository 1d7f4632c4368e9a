"""The draw's use cases on in-memory fakes (cosmicpython's ``FakeRepository``): the real
use cases of ``service.tirage.usecases`` run against a ``FakeDrawStore``, a
``FakePoolStore``, an audit recorder and a subject directory held in dictionaries, so
each test checks behaviour in milliseconds without any database. The stores themselves
are tested on both engines in tests/integration/test_tirage.py and test_pools.py."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from domain.draw import protocol as proto
from domain.draw.plan import PlanInput
from domain.draw.rounds import Reply
from domain.errors import Conflict, InvalidInput, InvalidState, NotFound, RuleBroken
from service.audit import Actor
from service.organisation.subjects import Subject
from service.tirage.store import (
    CouncilFacts,
    DrawRow,
    InvitationRow,
    NewDraw,
    NewInvitation,
    NewPool,
    PoolMemberRow,
    PoolRow,
    ReplyWrite,
    RoundRow,
    SeatRow,
)
from service.tirage.usecases import ceremony, plan, records, replies, rounds
from service.tirage.usecases.common import DrawUnitOfWork, code_digest, reply_code
from service.tirage.usecases.pools import PoolItem, create_pool

pytestmark = pytest.mark.anyio

DICE = "3 6 1 4 4 2 5 1 6 2 3 3 5 4 1 2 6 6 5 1"
COUNCIL = 7
LEAD = Actor(1, "lead@ville.fr")
SECRET = "cle-de-test-" + "x" * 40


# --------------------------------------------------------------------------------------
# Fakes: same interface as service.tirage.store, in memory
# --------------------------------------------------------------------------------------


class _Tables:
    """The fakes' state; a transaction restores it when the use case fails midway."""

    def __init__(self) -> None:
        self.draws: dict[int, DrawRow] = {}
        self.draw_extra: dict[int, dict[str, Any]] = {}
        self.rounds: dict[int, list[RoundRow]] = {}
        self.invitations: dict[int, list[InvitationRow]] = {}
        self.seats: dict[int, list[SeatRow]] = {}
        self.pools: dict[int, PoolRow] = {}
        self.pool_content: dict[int, bytes] = {}
        self.pool_members: dict[int, list[PoolMemberRow]] = {}
        self.events: list[dict[str, Any]] = []
        self.selected: list[tuple[str, tuple[int, ...]]] = []


class _Transactional:
    def __init__(self, tables: _Tables) -> None:
        self.t = tables

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        saved = copy.deepcopy(self.t.__dict__)
        try:
            yield
        except BaseException:
            self.t.__dict__.update(saved)
            raise


_DRAW_FIELDS = {f.name for f in dataclasses.fields(DrawRow)}


class FakeDrawStore(_Transactional):
    def __init__(self, tables: _Tables) -> None:
        super().__init__(tables)
        self.council_facts = {COUNCIL: CouncilFacts("Conseil citoyen des Tilleuls", ("QN00001M",), 3)}
        self.roles = {LEAD.id: {"chef_de_projet"}}

    async def draw(self, draw_id: int, council_id: int | None = None, *, with_ranking: bool = False) -> DrawRow:
        row = self.t.draws.get(draw_id)
        if row is None or (council_id is not None and row.council_id != council_id):
            raise NotFound("Tirage introuvable.")
        return row if with_ranking else dataclasses.replace(row, ranking=None)

    async def draw_by_reference(self, reference: str) -> DrawRow:
        for row in self.t.draws.values():
            if row.reference == reference:
                return dataclasses.replace(row, ranking=None)
        raise NotFound("Aucun tirage ne porte cette référence.")

    async def draws_of_council(self, council_id: int) -> list[DrawRow]:
        return [r for _i, r in sorted(self.t.draws.items(), reverse=True) if r.council_id == council_id]

    async def council_of_draw(self, draw_id: int) -> int | None:
        row = self.t.draws.get(draw_id)
        return None if row is None else row.council_id

    async def create_draw(self, new: NewDraw) -> int:
        draw_id = len(self.t.draws) + 1
        self.t.draws[draw_id] = DrawRow(
            id=draw_id, council_id=new.council_id, pool_id=new.pool_id, kind=new.kind, reference=new.reference,
            status="prepared", label=new.label, params=dict(new.params), plan=dict(new.plan),
            pool_digest=new.pool_digest, pool_size=new.pool_size, strata_counts=dict(new.strata_counts),
            commitment="", committed_at=None, entropy=None, entropy_kind="", entropy_by="", entropy_by_id=None, prepared_by=None, entropy_at=None, seed="",
            ranking_digest="", ranked_counts={}, skipped_count=0, ranked_at=None, place=new.place,
            present=new.present, prepared_at=new.prepared_at, abandoned_at=None, abandoned_by="", abandon_reason="",
            replaces=new.replaces, replaced_by=None, version=1,
        )
        self.t.draw_extra[draw_id] = {}
        return draw_id

    async def set_reference(self, draw_id: int, reference: str) -> None:
        self.t.draws[draw_id] = dataclasses.replace(self.t.draws[draw_id], reference=reference)

    async def set_replaced_by(self, draw_id: int, replaced_by: int) -> None:
        self.t.draws[draw_id] = dataclasses.replace(self.t.draws[draw_id], replaced_by=replaced_by)

    async def update_draw(self, draw_id: int, version: int, values: Mapping[str, Any], *, status: str | None = None) -> None:
        row = self.t.draws[draw_id]
        if row.version != version or (status is not None and row.status != status):
            raise Conflict("Ce tirage vient d'être modifié par quelqu'un d'autre.", code="tirage-modifie")
        mine = {k: v for k, v in values.items() if k in _DRAW_FIELDS}
        self.t.draw_extra[draw_id].update({k: v for k, v in values.items() if k not in _DRAW_FIELDS})
        self.t.draws[draw_id] = dataclasses.replace(row, **mine, version=version + 1)

    async def entropy_received(self, commitment: str, *, other_than: int) -> bool:
        return any(e.get("entropy_commitment") == commitment for i, e in self.t.draw_extra.items() if i != other_than)

    async def commitment_used(self, commitment: str) -> bool:
        return any(r.commitment == commitment for r in self.t.draws.values()) or any(
            e.get("entropy_commitment") == commitment for e in self.t.draw_extra.values())

    async def rounds(self, draw_id: int) -> list[RoundRow]:
        return sorted(self.t.rounds.get(draw_id, []), key=lambda r: r.number)

    async def add_round(self, draw_id: int, new: RoundRow) -> None:
        self.t.rounds.setdefault(draw_id, []).append(new)

    async def invitations(self, draw_id: int, round_no: int | None = None) -> list[InvitationRow]:
        rows = [i for i in self.t.invitations.get(draw_id, []) if round_no is None or i.round == round_no]
        return sorted(rows, key=lambda i: (i.round, i.stratum, i.rank))

    async def invitation_by_code(self, digest: str) -> InvitationRow | None:
        return next((i for rows in self.t.invitations.values() for i in rows if i.code_digest == digest), None)

    async def invited_round(self, draw_id: int, key: str) -> int | None:
        return next((i.round for i in self.t.invitations.get(draw_id, []) if i.key == key), None)

    async def add_invitations(self, draw_id: int, new: Sequence[NewInvitation]) -> None:
        rows = self.t.invitations.setdefault(draw_id, [])
        start = sum(len(v) for v in self.t.invitations.values())
        rows += [InvitationRow(id=start + n, round=i.round, key=i.key, stratum=i.stratum, rank=i.rank,
                               subject_type=i.subject_type, subject_id=i.subject_id, code_digest=i.code_digest,
                               draw_id=draw_id) for n, i in enumerate(new, start=1)]

    async def record_replies(self, draw_id: int, written: Sequence[ReplyWrite]) -> None:
        by_key = {w.key: w for w in written}
        self.t.invitations[draw_id] = [
            dataclasses.replace(i, reply=w.reply, replied_at=w.at, reply_via=w.via,
                                contact=i.contact if w.contact is None else w.contact)
            if (w := by_key.get(i.key)) else i
            for i in self.t.invitations[draw_id]
        ]

    async def record_departure(self, draw_id: int, key: str, at: datetime) -> None:
        self.t.invitations[draw_id] = [dataclasses.replace(i, departed_at=at) if i.key == key else i
                                       for i in self.t.invitations[draw_id]]

    async def seats(self, draw_id: int) -> list[SeatRow]:
        return sorted(self.t.seats.get(draw_id, []), key=lambda s: (s.stratum, s.role != "titulaire", s.position))

    async def replace_seats(self, draw_id: int, seats: Sequence[SeatRow]) -> None:
        self.t.seats[draw_id] = list(seats)

    async def council(self, council_id: int) -> CouncilFacts:
        if council_id not in self.council_facts:
            raise NotFound("Conseil citoyen introuvable.")
        return self.council_facts[council_id]

    async def roles_of(self, account_id: int) -> set[str]:
        return self.roles.get(account_id, set())


class FakePoolStore(_Transactional):
    async def create_pool(self, new: NewPool, members: Sequence[PoolMemberRow]) -> int:
        pool_id = len(self.t.pools) + 1
        self.t.pools[pool_id] = PoolRow(
            id=pool_id, council_id=new.council_id, kind=new.kind, label=new.label, reference_date=new.reference_date,
            stratification=dict(new.stratification), digest=new.digest, size=new.size,
            strata_counts=dict(new.strata_counts), created_by=new.created_by, created_at=new.created_at,
        )
        self.t.pool_content[pool_id] = new.content
        self.t.pool_members[pool_id] = list(members)
        return pool_id

    async def pool(self, pool_id: int) -> PoolRow | None:
        return self.t.pools.get(pool_id)

    async def pools(self, council_id: int, kind: str | None = None) -> list[PoolRow]:
        return [p for p in self.t.pools.values() if p.council_id == council_id and kind in (None, p.kind)]

    async def content(self, pool_id: int) -> tuple[bytes, str] | None:
        if pool_id not in self.t.pools:
            return None
        return self.t.pool_content[pool_id], self.t.pools[pool_id].digest

    async def households(self, pool_id: int) -> list[str]:
        return [m.household for m in self.t.pool_members[pool_id]]

    async def members(self, pool_id: int, keys: Sequence[str]) -> dict[str, PoolMemberRow]:
        wanted = set(keys)
        return {m.key: m for m in self.t.pool_members[pool_id] if m.key in wanted}


class FakeAuditTrail:
    def __init__(self, tables: _Tables) -> None:
        self.t = tables

    async def record(self, **event: Any) -> None:
        self.t.events.append(event)

    async def head(self) -> dict[str, Any]:
        return {"seq": len(self.t.events), "hash": "0" * 64}


class FakeSubjects:
    def __init__(self, tables: _Tables) -> None:
        self.t = tables

    async def load(self, subject_type: str, ids: Sequence[int]) -> dict[int, Subject]:
        return {i: Subject(subject_type, i, prenom="Prénom", nom=f"Nom{i}", birth_year=1980) for i in ids}

    async def mark_selected(self, subject_type: str, ids: Sequence[int], at: datetime) -> None:
        self.t.selected.append((subject_type, tuple(ids)))


class Fakes:
    def __init__(self) -> None:
        self.t = _Tables()
        self.draws = FakeDrawStore(self.t)
        self.uow = DrawUnitOfWork(self.draws, FakePoolStore(self.t), FakeAuditTrail(self.t), FakeSubjects(self.t))
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        self.ctx = SimpleNamespace(now=lambda: self.now, db=None, settings=SimpleNamespace(secret_key=SECRET))

    @property
    def actions(self) -> list[str]:
        return [e["action"] for e in self.t.events]


@pytest.fixture
def fx() -> Fakes:
    return Fakes()


def _items(n: int, strata: tuple[str, ...] = ("F", "M")) -> list[PoolItem]:
    return [PoolItem(key=f"K{i:07d}x", stratum=strata[i % len(strata)], household=f"H{i:05d}", subject_id=1000 + i)
            for i in range(n)]


async def _pool(fx: Fakes, n: int = 60, strata: tuple[str, ...] = ("F", "M")) -> int:
    made = await create_pool(fx.ctx, LEAD, COUNCIL, _items(n, strata), uow=fx.uow)
    return int(made["id"])


async def _ranked(fx: Fakes, data: PlanInput, n: int = 60) -> dict[str, Any]:
    pool_id = await _pool(fx, n)
    d = await ceremony.prepare_draw(fx.ctx, LEAD, COUNCIL, pool_id, data, uow=fx.uow)
    await ceremony.commit_draw(fx.ctx, LEAD, COUNCIL, d["id"], uow=fx.uow)
    await ceremony.enter_entropy(fx.ctx, LEAD, COUNCIL, d["id"], DICE, uow=fx.uow)
    return await ceremony.rank_draw(fx.ctx, LEAD, COUNCIL, d["id"], uow=fx.uow)


# --------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------


async def test_planning_a_draw_shares_seats_with_parity_and_stores_nothing_committed(fx: Fakes) -> None:
    pool_id = await _pool(fx)
    proposal = await plan.propose_plan(COUNCIL, pool_id, PlanInput(seats=5, odd_seat="F", multiple=3), uow=fx.uow)
    assert proposal["seats"] == {"F": 3, "M": 2} and proposal["quotas"] == {"F": 9, "M": 6}
    d = await ceremony.prepare_draw(fx.ctx, LEAD, COUNCIL, pool_id, PlanInput(seats=5, odd_seat="F", multiple=3), uow=fx.uow)
    assert d["status"] == "prepared" and d["reference"] == "CC-2026-0001" and d["commitment"] == ""
    assert d["plan"] == proposal and d["pool_size"] == 60
    assert fx.actions == ["vivier.creation", "tirage.preparation"]
    assert fx.t.events[-1]["details"]["reference"] == "CC-2026-0001"


async def test_an_odd_number_of_seats_needs_the_odd_seat_given(fx: Fakes) -> None:
    pool_id = await _pool(fx)
    with pytest.raises(InvalidInput):
        await ceremony.prepare_draw(fx.ctx, LEAD, COUNCIL, pool_id, PlanInput(seats=5), uow=fx.uow)
    assert fx.t.draws == {}


async def test_a_pool_without_men_cannot_fill_the_mens_seats(fx: Fakes) -> None:
    pool_id = await _pool(fx, 10, strata=("F",))
    with pytest.raises(RuleBroken) as err:
        await ceremony.prepare_draw(fx.ctx, LEAD, COUNCIL, pool_id, PlanInput(seats=4), uow=fx.uow)
    assert err.value.code == "parite-impossible" and fx.t.draws == {}
    short = await _pool(fx, 3)  # two women, one man
    with pytest.raises(RuleBroken) as err:
        await ceremony.prepare_draw(fx.ctx, LEAD, COUNCIL, short, PlanInput(seats=4), uow=fx.uow)
    assert err.value.code == "strate-insuffisante" and err.value.field == "seats" and fx.t.draws == {}


async def test_another_councils_pool_is_not_found(fx: Fakes) -> None:
    pool_id = await _pool(fx)
    with pytest.raises(NotFound):
        await ceremony.prepare_draw(fx.ctx, LEAD, COUNCIL + 1, pool_id, PlanInput(seats=4), uow=fx.uow)


# --------------------------------------------------------------------------------------
# The ceremony
# --------------------------------------------------------------------------------------


async def test_ceremony_with_fixed_dice_stores_the_protocols_ranking(fx: Fakes) -> None:
    d = await _ranked(fx, PlanInput(seats=4, multiple=2))
    assert d["status"] == "ranked"
    assert d["commitment"] == proto.commitment(d["pool_digest"], d["plan"])
    assert bytes.fromhex(d["seed"]) == proto.derive_seed(d["commitment"], DICE)
    assert d["entropy_by"] == "Chef de projet politique de la ville"  # the role, never the account
    content = fx.t.pool_content[d["pool"]]
    expected = proto.rank(proto.parse_pool(content), bytes.fromhex(d["seed"]), True)
    record = await records.audit_record(d["id"], COUNCIL, uow=fx.uow)
    assert record["ranked"] == {s: list(v) for s, v in expected.ranked.items()}
    assert (await records.reverify(d["id"], COUNCIL, uow=fx.uow)).ok
    assert fx.actions[1:] == ["tirage.preparation", "tirage.engagement", "tirage.alea", "tirage.classement"]


async def test_wrong_status_transitions_are_refused_and_change_nothing(fx: Fakes) -> None:
    pool_id = await _pool(fx)
    d = await ceremony.prepare_draw(fx.ctx, LEAD, COUNCIL, pool_id, PlanInput(seats=4), uow=fx.uow)
    with pytest.raises(InvalidState) as err:
        await ceremony.enter_entropy(fx.ctx, LEAD, COUNCIL, d["id"], DICE, uow=fx.uow)
    assert err.value.code == "non-engage"
    with pytest.raises(InvalidState) as err:
        await ceremony.rank_draw(fx.ctx, LEAD, COUNCIL, d["id"], uow=fx.uow)
    assert err.value.code == "alea-manquant"
    with pytest.raises(InvalidState):
        await rounds.open_round(fx.ctx, LEAD, COUNCIL, d["id"], uow=fx.uow)
    assert fx.t.draws[d["id"]].version == 1 and fx.actions == ["vivier.creation", "tirage.preparation"]
    await ceremony.commit_draw(fx.ctx, LEAD, COUNCIL, d["id"], uow=fx.uow)
    with pytest.raises(InvalidState):
        await ceremony.commit_draw(fx.ctx, LEAD, COUNCIL, d["id"], uow=fx.uow)
    await ceremony.enter_entropy(fx.ctx, LEAD, COUNCIL, d["id"], DICE, uow=fx.uow)
    with pytest.raises(InvalidState) as err:
        await ceremony.enter_entropy(fx.ctx, LEAD, COUNCIL, d["id"], "6 " * 20, uow=fx.uow)
    assert err.value.code == "alea-deja-saisi"
    await ceremony.rank_draw(fx.ctx, LEAD, COUNCIL, d["id"], uow=fx.uow)
    with pytest.raises(Conflict) as conflict:
        await ceremony.rank_draw(fx.ctx, LEAD, COUNCIL, d["id"], uow=fx.uow)
    assert conflict.value.code == "deja-classe"


async def test_a_stale_version_is_a_conflict(fx: Fakes) -> None:
    pool_id = await _pool(fx)
    d = await ceremony.prepare_draw(fx.ctx, LEAD, COUNCIL, pool_id, PlanInput(seats=4), uow=fx.uow)
    await fx.draws.update_draw(d["id"], 1, {"place": "Salle des fêtes"})  # someone else's edit in between
    with pytest.raises(Conflict):
        await fx.draws.update_draw(d["id"], 1, {"status": "committed"})
    assert fx.t.draws[d["id"]].status == "prepared"


async def test_a_redo_over_the_same_pool_and_plan_is_refused_once_entropy_was_entered(fx: Fakes) -> None:
    d = await _ranked(fx, PlanInput(seats=4))
    with pytest.raises(RuleBroken) as err:
        await ceremony.abandon_draw(fx.ctx, LEAD, COUNCIL, d["id"], "erreur de liste", redo_pool_id=d["pool"], uow=fx.uow)
    assert err.value.code == "engagement-deja-utilise"
    assert fx.t.draws[d["id"]].status == "ranked"
    abandoned = await ceremony.abandon_draw(fx.ctx, LEAD, COUNCIL, d["id"], "erreur de liste", uow=fx.uow)
    assert abandoned["status"] == "abandoned" and fx.actions[-1] == "tirage.abandon"
    with pytest.raises(InvalidState) as state:
        await rounds.open_round(fx.ctx, LEAD, COUNCIL, d["id"], uow=fx.uow)
    assert state.value.code == "tirage-abandonne"


# --------------------------------------------------------------------------------------
# Rounds, replies, seats
# --------------------------------------------------------------------------------------


async def _first_round(fx: Fakes, seats: int = 2, multiple: int = 3) -> dict[str, Any]:
    d = await _ranked(fx, PlanInput(seats=seats, multiple=multiple))
    await rounds.open_round(fx.ctx, LEAD, COUNCIL, d["id"], uow=fx.uow)
    return d


def _invited(fx: Fakes, draw_id: int, stratum: str) -> list[InvitationRow]:
    return sorted((i for i in fx.t.invitations[draw_id] if i.stratum == stratum), key=lambda i: i.rank)


async def test_the_first_round_invites_the_plans_quotas_in_rank_order(fx: Fakes) -> None:
    d = await _first_round(fx, seats=2, multiple=3)
    ranked = (await records.audit_record(d["id"], uow=fx.uow))["ranked"]
    for stratum in ("F", "M"):
        invited = _invited(fx, d["id"], stratum)
        assert [i.key for i in invited] == ranked[stratum][:3] and [i.rank for i in invited] == [1, 2, 3]
        first = invited[0]
        assert first.code_digest == code_digest(reply_code(SECRET, d["reference"], first.key))
    assert sorted(i for _t, ids in fx.t.selected for i in ids) == sorted(i.subject_id for i in fx.t.invitations[d["id"]])
    state = await records.draw_state(d["id"], COUNCIL, uow=fx.uow)
    assert state["status"] == "rounds" and state["rounds"][0]["invited"] == {"F": 3, "M": 3}
    assert state["rounds"][0]["deadline"] == fx.now + timedelta(days=21)


async def test_a_refusal_gives_the_seat_to_the_next_in_rank(fx: Fakes) -> None:
    d = await _first_round(fx, seats=2, multiple=3)
    first, second, third = _invited(fx, d["id"], "F")
    await replies.record_reply(fx.ctx, LEAD, COUNCIL, d["id"], first.key, "refuse", uow=fx.uow)
    await replies.record_reply(fx.ctx, LEAD, COUNCIL, d["id"], third.key, "accepte", uow=fx.uow)
    state = await replies.record_reply(fx.ctx, LEAD, COUNCIL, d["id"], second.key, "oui", uow=fx.uow)
    assert state["seats"]["titulaires"]["F"] == [second.key]
    assert state["seats"]["suppleants"]["F"] == [third.key]
    results = await records.draw_results(d["id"], uow=fx.uow)
    assert [(h.key, h.rank) for h in results.titulaires] == [(second.key, 2)]
    assert results.empty_seats == {"F": 0, "M": 1}
    # The titulaire leaves: the best-ranked suppléant takes the seat.
    proposal = await replies.record_departure(fx.ctx, LEAD, COUNCIL, d["id"], second.key, uow=fx.uow)
    assert proposal["replacement"] == third.key
    assert [s.key for s in fx.t.seats[d["id"]] if s.role == "titulaire"] == [third.key]
    assert fx.actions[-1] == "tirage.depart"


async def test_a_replies_file_with_one_bad_line_records_nothing(fx: Fakes) -> None:
    d = await _first_round(fx)
    f1, f2, _f3 = _invited(fx, d["id"], "F")
    before = len(fx.t.events)
    bad = f"cle;reponse\n{f1.key};accepte\n{f2.key};peut-etre\nINCONNUE01;refuse\n".encode()
    with pytest.raises(InvalidInput) as err:
        await replies.import_replies_csv(fx.ctx, LEAD, COUNCIL, d["id"], bad, uow=fx.uow)
    assert err.value.code == "fichier-reponses-invalide" and [e.line for e in err.value.errors] == [3, 4]
    assert all(not i.reply for i in fx.t.invitations[d["id"]]) and len(fx.t.events) == before
    code = reply_code(SECRET, d["reference"], f2.key)
    good = f"cle,code,reponse\n{f1.key},,accepte\n,{code.lower()},npai\n".encode()
    out = await replies.import_replies_csv(fx.ctx, LEAD, COUNCIL, d["id"], good, uow=fx.uow)
    assert out == {"recorded": 2, "by_reply": {"accepted": 1, "returned_npai": 1}}
    stored = {i.key: i for i in fx.t.invitations[d["id"]]}
    assert stored[f1.key].reply == "accepted" and stored[f2.key].reply == "returned_npai"
    assert stored[f1.key].reply_via == "csv" and fx.t.events[-1]["details"]["count"] == 2


async def test_closing_a_round_waits_for_its_deadline(fx: Fakes) -> None:
    d = await _first_round(fx)
    with pytest.raises(InvalidState) as err:
        await rounds.close_round(fx.ctx, LEAD, COUNCIL, d["id"], 1, uow=fx.uow)
    assert err.value.code == "delai-en-cours"
    fx.now += timedelta(days=22)
    out = await rounds.close_round(fx.ctx, LEAD, COUNCIL, d["id"], 1, uow=fx.uow)
    assert out == {"round": 1, "marked_no_reply": 6}
    assert {i.reply for i in fx.t.invitations[d["id"]]} == {Reply.NO_REPLY.value}


async def test_the_next_round_proposal_keeps_parity(fx: Fakes) -> None:
    d = await _first_round(fx, seats=2, multiple=1)
    for stratum in ("F", "M"):
        (only,) = _invited(fx, d["id"], stratum)
        await replies.record_reply(fx.ctx, LEAD, COUNCIL, d["id"], only.key, "refuse", uow=fx.uow)
    proposal = await rounds.propose_round(d["id"], COUNCIL, uow=fx.uow)
    assert set(proposal) == {"F", "M"} and proposal["F"] == proposal["M"] > 0
    await rounds.open_round(fx.ctx, LEAD, COUNCIL, d["id"], proposal, uow=fx.uow)
    second = [i for i in fx.t.invitations[d["id"]] if i.round == 2]
    assert {i.stratum: i.rank for i in second if i.rank == 2} == {"F": 2, "M": 2}  # ranks continue after round 1


async def test_the_public_record_shows_keys_of_invited_people_only(fx: Fakes) -> None:
    d = await _first_round(fx, seats=2, multiple=3)
    pub = await records.public_record(d["reference"].lower(), uow=fx.uow)
    assert {s: len(v) for s, v in pub["ranked"].items()} == {"F": 3, "M": 3}
    assert pub["journal_audit"] == {"seq": len(fx.t.events), "hash": "0" * 64}
    first = _invited(fx, d["id"], "F")[0]
    found = await records.lookup_key(d["reference"], first.key, uow=fx.uow)
    assert found["rank"] == 1 and found["invited_round"] == 1 and found["stratum"] == "F"
