"""The composition's use cases on an in-memory store (cosmicpython's FakeRepository):
naming members, the change guard and its override, one person in one college, departures
and replacements from the reserve, the exclusion list. No database: each test runs the
real use case in milliseconds; the real store is tested on both engines by the
integration and e2e tests."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, date, datetime
from typing import Any, TypeVar, cast

import pytest

from domain.errors import Conflict, InvalidInput, InvalidState, RuleBroken
from domain.organisation import normalise_key
from domain.registre.exclusions import Exclusion, ExclusionList
from service.audit import Actor
from service.composition.rows import (
    CompositionUnit,
    HistoryEntry,
    HistoryRow,
    Mandate,
    MemberRow,
    MemberValues,
    VolunteerRow,
    sort_members,
)
from service.composition.usecases import departures, members, report
from service.composition.usecases.members import MemberInput
from service.context import AppContext
from service.organisation.store import CouncilRow

T = TypeVar("T")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEAD = Actor(7, "lead")
_ROW_FIELDS = {f.name for f in fields(MemberRow)}


class FakeCompositionStore:
    """Same interface as service.composition.store.CompositionStore, in memory. A
    transaction restores everything (members, history, audit) when its block raises."""

    def __init__(self, council: CouncilRow) -> None:
        self.councils = {council.id: council}
        self.members: dict[int, MemberRow] = {}
        self.history_entries: list[HistoryEntry] = []
        self.audit_events: list[dict[str, Any]] = []
        self.accounts: set[int] = set()
        self.exclusions = ExclusionList()
        self.volunteers_born: dict[int, date] = {}
        self.next_id = 1
        self.in_transaction = False

    # --- the unit of work ---------------------------------------------------------
    def transaction(self) -> AbstractAsyncContextManager[Any]:
        return self._transaction()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        saved = copy.deepcopy((self.members, self.history_entries, self.audit_events, self.next_id))
        self.in_transaction = True
        try:
            yield
        except BaseException:
            self.members, self.history_entries, self.audit_events, self.next_id = saved
            raise
        finally:
            self.in_transaction = False

    async def audit(self, **event: Any) -> object:
        assert self.in_transaction, "the audit event is written in the change's transaction"
        self.audit_events.append(event)
        return event

    def unit(self) -> CompositionUnit:
        return CompositionUnit(self, self.audit)

    # --- members ------------------------------------------------------------------
    async def list_members(self, council_id: int) -> list[MemberRow]:
        return sort_members([m for m in self.members.values() if m.council == council_id])

    async def get_member(self, member_id: int) -> MemberRow | None:
        return self.members.get(member_id)

    async def member_by_draw_key(self, council_id: int, draw_id: int, pool_key: str) -> MemberRow | None:
        return next((m for m in self.members.values()
                     if (m.council, m.draw_id, m.pool_key) == (council_id, draw_id, pool_key)), None)

    async def draw_keys(self, council_id: int, draw_id: int) -> set[str]:
        return {m.pool_key for m in self.members.values() if m.council == council_id and m.draw_id == draw_id}

    async def seat_taken(self, member_id: int) -> bool:
        return any(m.replaces == member_id for m in self.members.values())

    async def has_subject(self, council_id: int, subject_type: str, subject_id: int) -> bool:
        return any((m.council, m.subject_type, m.subject_id) == (council_id, subject_type, subject_id)
                   for m in self.members.values())

    async def subject_ids(self, council_id: int, subject_type: str) -> set[int]:
        return {m.subject_id for m in self.members.values()
                if m.council == council_id and m.subject_type == subject_type and m.subject_id is not None}

    async def sitting_subjects(self, council_id: int) -> list[tuple[str, int]]:
        return [(m.subject_type, m.subject_id) for m in self.members.values()
                if m.council == council_id and m.is_active and m.subject_id]

    async def memberships(self, account_id: int) -> list[Mandate]:
        rows = [m for m in self.members.values() if m.account == account_id]
        return [Mandate(**asdict(m), council_name=self.councils[m.council].name)
                for m in sorted(rows, key=lambda m: m.mandate_start, reverse=True)]

    async def insert_member(self, council_id: int, values: MemberValues, now: datetime) -> int:
        assert self.in_transaction
        member_id, self.next_id = self.next_id, self.next_id + 1
        self.members[member_id] = MemberRow(
            id=member_id, council=council_id, **asdict(values), adresse_complement_destinataire="",
            adresse_complement_lieu="", adresse_numero="", adresse_voie="", adresse_lieu_dit="",
            adresse_code_postal="", adresse_commune="", status="actif", status_since=None, replaces=None,
            created_at=now, updated_at=now, version=1)
        return member_id

    def _versioned(self, member_id: int, version: int, **changes: Any) -> None:
        assert self.in_transaction
        row = self.members[member_id]
        if row.version != version:
            raise Conflict("modifié entre-temps", code="modification-concurrente", field="version")
        self.members[member_id] = replace(row, **changes, version=version + 1)

    async def update_member(self, member_id: int, version: int, values: MemberValues, now: datetime) -> None:
        self._versioned(member_id, version, **asdict(values), updated_at=now)

    async def change_status(self, member_id: int, version: int, status: str, since: date, now: datetime) -> None:
        self._versioned(member_id, version, status=status, status_since=since, updated_at=now)

    async def take_seat(self, member_id: int, version: int, mandate_start: date, replaces: int, now: datetime) -> None:
        self._versioned(member_id, version, seat="titulaire", mandate_start=mandate_start, replaces=replaces,
                        updated_at=now)

    async def set_address(self, member_id: int, version: int, parts: dict[str, str], now: datetime) -> None:
        self._versioned(member_id, version, **{f"adresse_{k}": v for k, v in parts.items()}, updated_at=now)

    # --- history ------------------------------------------------------------------
    async def add_history(self, entry: HistoryEntry) -> None:
        assert self.in_transaction
        self.history_entries.append(entry)

    async def history(self, council_id: int, limit: int) -> list[HistoryRow]:
        out = []
        for i, e in reversed(list(enumerate(self.history_entries, start=1))):
            if e.council == council_id:
                m = self.members[e.membre]
                out.append(HistoryRow(**asdict(e), id=i, prenom=m.prenom, nom=m.nom))
        return out[:limit]

    # --- the features before the composition ------------------------------------
    async def council(self, council_id: int) -> CouncilRow:
        return self.councils[council_id]

    async def account_exists(self, account_id: int) -> bool:
        return account_id in self.accounts

    async def council_accounts(self, council_id: int) -> list[tuple[str, str]]:
        return [(str(a), f"compte {a}") for a in sorted(self.accounts)]

    async def exclusion_list(self, council_id: int) -> ExclusionList:
        return self.exclusions

    async def applicants_born(self, volunteer_ids: list[int], structure_ids: list[int]) -> tuple[dict[int, date], dict[int, date]]:
        return {i: self.volunteers_born[i] for i in volunteer_ids if i in self.volunteers_born}, {}

    async def accepted_volunteers(self, council_id: int) -> list[VolunteerRow]:
        return []


@dataclass
class _Ctx:
    clock: Callable[[], datetime] = lambda: NOW
    extra: dict[str, object] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()


CTX = cast(AppContext, _Ctx())


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(coro)  # type: ignore[arg-type]


def council(regime: str = "2024", volunteer_seats: int = 0) -> FakeCompositionStore:
    return FakeCompositionStore(CouncilRow(
        id=1, territory=3, territory_name="Tours", departement="37", name="Conseil des Tilleuls",
        name_key="conseil des tilleuls", regime=regime,
        settings={"sieges_volontaires": volunteer_seats, "duree_mandat_annees": 3},
        archived_at=None, created_at=NOW, updated_at=NOW, version=1))


def resident(prenom: str, sexe: str, origin: str = "tire_au_sort_registre", **extra: Any) -> MemberInput:
    return MemberInput(college="habitants", origin=origin, prenom=prenom, nom=f"Nom{prenom}", sexe=sexe, **extra)


def name(store: FakeCompositionStore, data: MemberInput, reason: str = "") -> MemberRow:
    return run(members.create_member(CTX, LEAD, 1, data, reason, unit=store.unit()))


# --- naming members --------------------------------------------------------------------


def test_a_named_member_is_stored_with_its_history_and_audit_event_and_a_default_mandate() -> None:
    store = council()
    row = name(store, resident("Awa", "F", email=" awa@exemple.fr "))
    assert row.seat == "titulaire" and row.is_active and row.email == "awa@exemple.fr"
    assert row.mandate_start == date(2026, 3, 2) and row.mandate_end == date(2029, 3, 1)
    assert row.person_key == f"{normalise_key('Awa')}|{normalise_key('NomAwa')}"
    (entry,) = store.history_entries
    assert entry.action == "creation" and entry.membre == row.id and entry.snapshot["status"] == "actif"
    assert "email" not in entry.snapshot  # no contact data in the history
    (event,) = store.audit_events
    assert event["action"] == "membre.creation" and event["territory_id"] == 3 and event["council_id"] == 1
    assert "derogation" not in event["details"]


def test_an_origin_foreign_to_the_college_is_refused_and_nothing_is_written() -> None:
    store = council()
    with pytest.raises(InvalidInput) as err:
        name(store, MemberInput(college="associations_acteurs", origin="volontaire", prenom="A", nom="B", sexe="F"))
    assert err.value.code == "origine-incoherente"
    assert not store.members and not store.history_entries and not store.audit_events


def test_a_composition_breaking_parity_in_the_residents_college_is_refused() -> None:
    store = council()
    name(store, resident("Awa", "F"))
    name(store, resident("Ben", "M"))
    name(store, resident("Cleo", "F"))  # gap 1: allowed
    with pytest.raises(RuleBroken) as err:
        name(store, resident("Dina", "F"))  # gap 2
    assert err.value.code == "parite-habitants" and err.value.extra["rules"] == ["parite-habitants"]
    assert len(store.members) == 3 and len(store.audit_events) == 3


def test_an_override_reason_lets_the_change_through_and_is_recorded() -> None:
    store = council()
    name(store, resident("Awa", "F"))
    name(store, resident("Ben", "M"))
    name(store, resident("Cleo", "F"))
    with pytest.raises(RuleBroken):
        name(store, resident("Dina", "F"), reason=" bref      ")  # 10 characters needed, spaces do not count
    row = name(store, resident("Dina", "F"), reason="  En attente du tour suivant  ")
    entry = store.history_entries[-1]
    assert entry.membre == row.id and entry.overridden_rules == ["parite-habitants"]
    assert store.audit_events[-1]["details"]["derogation"] == {
        "regles": ["parite-habitants"], "motif": "En attente du tour suivant"}


def test_a_change_making_broken_parity_worse_is_refused_too() -> None:
    store = council()
    for p in ("Awa", "Cleo", "Dina"):
        name(store, resident(p, "F"), reason="composition de départ, test")
    with pytest.raises(RuleBroken) as err:
        name(store, resident("Eve", "F"))  # already broken (3-0): 4-0 is worse
    assert err.value.code == "parite-habitants" and "aggrave" in err.value.detail
    name(store, resident("Ben", "M"))  # 3-1 improves it: no reason needed


def test_a_volunteer_titulaire_is_refused_under_2014_when_no_seat_is_reserved_for_volunteers() -> None:
    store = council(regime="2014", volunteer_seats=0)
    name(store, resident("Awa", "F"))
    name(store, resident("Ben", "M"))
    with pytest.raises(RuleBroken) as err:
        name(store, resident("Vera", "F", origin="volontaire"))
    assert err.value.code == "sieges-volontaires"
    # As a suppléant the volunteer does not sit: nothing to refuse.
    assert name(store, resident("Vera", "F", origin="volontaire", seat="suppleant")).seat == "suppleant"


def test_volunteer_seats_only_warn_under_2024_and_count_under_2014() -> None:
    name(council(regime="2024", volunteer_seats=0), resident("Vera", "F", origin="volontaire"))
    store = council(regime="2014", volunteer_seats=1)
    name(store, resident("Awa", "F"))
    name(store, resident("Ben", "M"))
    name(store, resident("Vera", "F", origin="volontaire"))  # the one reserved seat
    with pytest.raises(RuleBroken) as err:
        name(store, resident("Victor", "M", origin="volontaire"))
    assert err.value.code == "sieges-volontaires"


def test_a_drawn_resident_may_not_also_represent_a_structure() -> None:
    store = council()
    drawn = name(store, resident("Awa", "F"))
    rep = MemberInput(college="associations_acteurs", origin="representant_structure", prenom=" awa ",
                      nom="NOMAWA", sexe="F", structure="Les Jardins")
    with pytest.raises(RuleBroken) as err:
        name(store, rep)
    assert err.value.code == "representant-et-habitant" and err.value.extra["member"] == drawn.id
    assert len(store.members) == 1


def test_an_edit_with_a_stale_version_is_refused_and_rolled_back() -> None:
    store = council()
    row = name(store, resident("Awa", "F"))
    edited = run(members.update_member(CTX, LEAD, row.id, resident("Awa", "F", structure="x"), row.version,
                                       unit=store.unit()))
    assert edited.version == row.version + 1 and store.history_entries[-1].action == "modification"
    with pytest.raises(Conflict) as err:
        run(members.update_member(CTX, LEAD, row.id, resident("Awa", "F"), row.version, unit=store.unit()))
    assert err.value.code == "modification-concurrente"
    assert len(store.history_entries) == 2 and len(store.audit_events) == 2


# --- departures and replacements from the reserve ----------------------------------------


def _drawn_council() -> tuple[FakeCompositionStore, dict[str, MemberRow]]:
    store = council()
    rows = {
        "Awa": name(store, resident("Awa", "F", stratum="F", rank=1)),
        "Ben": name(store, resident("Ben", "M", stratum="M", rank=1)),
        "Cleo": name(store, resident("Cleo", "F", seat="suppleant", stratum="F", rank=3)),
        "Dina": name(store, resident("Dina", "F", seat="suppleant", stratum="F", rank=2)),
        "Eli": name(store, resident("Eli", "M", seat="suppleant", stratum="M", rank=2)),
    }
    return store, rows


def test_a_departure_frees_the_seat_and_proposes_the_best_ranked_suppleant_of_the_stratum() -> None:
    store, rows = _drawn_council()
    awa = rows["Awa"]
    result = run(departures.depart_member(CTX, LEAD, awa.id, "demenage", date(2026, 6, 1), awa.version,
                                          "départ avant remplacement", unit=store.unit()))
    assert result.vacancy and result.member.status == "demenage"
    assert result.member.status_since == date(2026, 6, 1)
    assert result.proposal is not None and result.proposal.prenom == "Dina"  # rank 2 before rank 3
    entry = store.history_entries[-1]
    assert entry.action == "depart" and entry.overridden_rules == [] and entry.override_reason == ""
    assert store.audit_events[-1]["action"] == "membre.depart"


def test_the_promoted_suppleant_sits_from_the_departure_and_the_seat_is_then_taken() -> None:
    store, rows = _drawn_council()
    awa, dina = rows["Awa"], rows["Dina"]
    run(departures.depart_member(CTX, LEAD, awa.id, "demissionnaire", date(2026, 6, 1), awa.version,
                                 "départ avant remplacement", unit=store.unit()))
    promoted = run(departures.promote_replacement(CTX, LEAD, awa.id, dina.id, dina.version, unit=store.unit()))
    assert promoted.seat == "titulaire" and promoted.replaces == awa.id
    assert promoted.mandate_start == date(2026, 6, 1)
    assert store.audit_events[-1]["action"] == "membre.promotion"
    with pytest.raises(InvalidState) as err:
        run(departures.replacement_proposal(awa.id, store=store))
    assert err.value.code == "siege-deja-pourvu"
    # Parity holds again: one woman, one man sitting.
    view = run(report.composition(CTX, 1, store=store))
    assert view.counts()["habitants"] == {"F": 1, "M": 1, "total": 2}


def test_a_suppleant_leaving_frees_no_seat_and_the_next_rank_moves_up() -> None:
    store, rows = _drawn_council()
    dina = rows["Dina"]
    result = run(departures.depart_member(CTX, LEAD, dina.id, "demissionnaire", date(2026, 6, 1), dina.version,
                                          unit=store.unit()))
    assert not result.vacancy and result.proposal is None
    awa = rows["Awa"]
    after = run(departures.depart_member(CTX, LEAD, awa.id, "decede", date(2026, 7, 1), awa.version,
                                         "départ avant remplacement", unit=store.unit()))
    assert after.proposal is not None and after.proposal.prenom == "Cleo"


def test_no_suppleant_left_in_the_stratum_means_a_new_round() -> None:
    store = council()
    awa = name(store, resident("Awa", "F", stratum="F", rank=1))
    result = run(departures.depart_member(CTX, LEAD, awa.id, "demenage", date(2026, 6, 1), awa.version,
                                          unit=store.unit()))
    assert result.vacancy and result.proposal is None and "nouveau tour" in result.message


# --- the composition judged live ---------------------------------------------------------


def test_the_exclusion_list_matches_names_and_the_applications_birth_date() -> None:
    store = council()
    julie = name(store, resident("Julie", "F", origin="volontaire", subject_type="candidature", subject_id=41))
    paul = name(store, resident("Paul", "M", origin="volontaire"))
    view = run(report.composition(CTX, 1, store=store))
    assert "personne-ineligible" not in {r.code for r in view.results}  # no list imported
    store.exclusions = ExclusionList([Exclusion("NomJulie", "Julie", date(1980, 5, 1), "élue"),
                                      Exclusion("NomPaul", "Paul Henri", date(1975, 1, 1), "agent")])
    store.volunteers_born[41] = date(1990, 1, 1)  # another Julie NomJulie: not her
    rule = next(r for r in run(report.composition(CTX, 1, store=store)).results if r.code == "personne-ineligible")
    assert rule.details["members"] == [str(paul.id)]  # no birth date known: reported for the lead to check
    store.volunteers_born[41] = date(1980, 5, 1)
    rule = next(r for r in run(report.composition(CTX, 1, store=store)).results if r.code == "personne-ineligible")
    assert rule.details["members"] == sorted([str(julie.id), str(paul.id)])


def test_the_history_reads_in_french_newest_first() -> None:
    store, rows = _drawn_council()
    awa = rows["Awa"]
    run(departures.depart_member(CTX, LEAD, awa.id, "demenage", date(2026, 6, 1), awa.version,
                                 "départ avant remplacement", unit=store.unit()))
    first = run(report.history(1, store=store))[0]
    assert first.action == "depart" and first.prenom == "Awa"
    assert first.etat == "Collège des habitants, titulaire, femme, a quitté le quartier (depuis le 2026-06-01)"
