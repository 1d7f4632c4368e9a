"""Facts for the contrat de ville's indicators from the features still in the older layout
(composition and draws): one query per kind of fact for any number of councils, so a
territory's dashboard costs the same number of queries for 5 councils as for 50."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from domain.draw.rounds import sex_of_stratum
from domain.indicators import MemberFact, RoundFact
from service.composition.tables import Membre
from service.organisation.tables import Council
from service.tirage.tables import Draw, DrawInvitation, DrawRound

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
    rows = await Council.select(Council.id, Council.name, Council.territory, Council.regime, Council.created_at,
                                Council.archived_at).where(Council.territory == territory_id).order_by(Council.name)
    return [CouncilFact(r["id"], r["name"], r["territory"], r["regime"], r["created_at"].astimezone(PARIS).date(),
                        r["archived_at"] is not None) for r in rows]


async def member_facts(council_ids: Sequence[int]) -> dict[int, list[MemberFact]]:
    """Each seat of the councils, from its start to its last day (the day before a
    departure, or the mandate's end)."""
    out: dict[int, list[MemberFact]] = {c: [] for c in council_ids}
    if not council_ids:
        return out
    rows = await Membre.select(Membre.council, Membre.college, Membre.sexe, Membre.seat, Membre.mandate_start,
                               Membre.mandate_end, Membre.status, Membre.status_since).where(
        Membre.council.is_in(list(council_ids)))
    for r in rows:
        end = r["mandate_end"]
        if r["status"] != "actif" and r["status_since"] is not None:
            end = min(end, r["status_since"] - timedelta(days=1))
        out[r["council"]].append(MemberFact(r["college"], r["sexe"], r["seat"], r["mandate_start"], end))
    return out


async def round_facts(council_ids: Sequence[int]) -> dict[int, list[RoundFact]]:
    """Every invitation round of the residents' draws not abandoned: letters sent (one per
    invitation) and acceptances, by sex when the strata carry it."""
    out: dict[int, list[RoundFact]] = {c: [] for c in council_ids}
    if not council_ids:
        return out
    draws = await Draw.select(Draw.id, Draw.council).where(
        Draw.council.is_in(list(council_ids)) & Draw.abandoned_at.is_null())
    council_of = {d["id"]: d["council"] for d in draws}
    if not council_of:
        return out
    rounds = await DrawRound.select(DrawRound.draw, DrawRound.number, DrawRound.at).where(
        DrawRound.draw.is_in(list(council_of)))
    invitations = await DrawInvitation.select(DrawInvitation.draw, DrawInvitation.round, DrawInvitation.stratum,
                                              DrawInvitation.reply).where(DrawInvitation.draw.is_in(list(council_of)))
    tally: dict[tuple[int, int], dict[str, dict[str, int]]] = {}
    for inv in invitations:
        t = tally.setdefault((inv["draw"], inv["round"]), {"letters": {}, "accepted": {}})
        sex = sex_of_stratum(inv["stratum"])
        key = sex.value if sex else ""
        t["letters"][key] = t["letters"].get(key, 0) + 1
        if inv["reply"] == "accepted":
            t["accepted"][key] = t["accepted"].get(key, 0) + 1
    for r in rounds:
        t = tally.get((r["draw"], r["number"]), {"letters": {}, "accepted": {}})
        out[council_of[r["draw"]]].append(RoundFact(
            draw_id=r["draw"], round_no=r["number"], held_on=r["at"].astimezone(PARIS).date(),
            letters_sent=sum(t["letters"].values()), accepted=sum(t["accepted"].values()),
            letters_by_sex={k: v for k, v in t["letters"].items() if k}, accepted_by_sex={k: v for k, v in t["accepted"].items() if k},
        ))
    for facts in out.values():
        facts.sort(key=lambda f: (f.held_on, f.draw_id, f.round_no))
    return out
