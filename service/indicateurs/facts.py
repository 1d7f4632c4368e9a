"""Facts for the contrat de ville's indicators that the features before them hand over
through their stores (DESIGN.md §2): one query per kind of fact for any number of
councils, so a territory's dashboard costs the same number of queries for 5 councils as
for 50."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from domain.indicators import MemberFact
from service.composition.rows import MemberSeat
from service.organisation.store import OrganisationStore

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class CouncilFact:
    id: int
    name: str
    territory_id: int
    regime: str
    created_on: date
    archived: bool


async def councils_of_territory(territory_id: int) -> list[CouncilFact]:
    rows = await OrganisationStore().councils_of_territory(territory_id, include_archived=True)
    return [CouncilFact(c.id, c.name, c.territory, c.regime, c.created_at.astimezone(PARIS).date(),
                        c.archived_at is not None) for c in rows]


def member_facts(seats: Sequence[MemberSeat], council_ids: Sequence[int]) -> dict[int, list[MemberFact]]:
    """Each seat of the councils, from its start to its last day (the day before a
    departure, or the mandate's end)."""
    out: dict[int, list[MemberFact]] = {c: [] for c in council_ids}
    for s in seats:
        end = s.mandate_end
        if s.status != "actif" and s.status_since is not None:
            end = min(end, s.status_since - timedelta(days=1))
        out[s.council].append(MemberFact(s.college, s.sexe, s.seat, s.mandate_start, end))
    return out
