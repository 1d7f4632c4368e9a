"""The meetings feature's facts for the contrat de ville's indicators: held meetings with
their attendance, and residents' questions — one query each for any number of councils.
The members' seats are the composition's: the caller hands in those it already read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from domain.indicators import MeetingFact, QuestionFact
from service.composition.rows import MemberSeat
from service.composition.store import CompositionStore
from service.reunions.tables import Reunion, ReunionPresence, ReunionQuestion

PARIS = ZoneInfo("Europe/Paris")
HELD = ("tenue", "quorum_non_atteint")


async def meeting_facts(council_ids: Sequence[int], seats: Mapping[int, MemberSeat]) -> dict[int, list[MeetingFact]]:
    """Meetings whose attendance was recorded (held, or not held for want of quorum), with
    titulaires convened and present, by college and by sex. ``seats``: the councils'
    member records by id (``CompositionStore.seats_of_councils``); any other member
    listed in an attendance is read from the composition."""
    out: dict[int, list[MeetingFact]] = {c: [] for c in council_ids}
    if not council_ids:
        return out
    meetings = await Reunion.select(Reunion.id, Reunion.council, Reunion.debut, Reunion.status).where(
        Reunion.council.is_in(list(council_ids)) & Reunion.status.is_in(list(HELD)))
    if not meetings:
        return out
    rows = await ReunionPresence.select(ReunionPresence.reunion, ReunionPresence.membre, ReunionPresence.presence).where(
        ReunionPresence.reunion.is_in([m["id"] for m in meetings]))
    member_ids = sorted({int(r["membre"]) for r in rows})
    members = {i: seats[i] for i in member_ids if i in seats}
    others = [i for i in member_ids if i not in seats]
    if others:
        members.update({m.id: m for m in await CompositionStore().seats_by_id(others)})
    by_meeting: dict[int, list[dict[str, object]]] = {}
    for r in rows:
        by_meeting.setdefault(r["reunion"], []).append(r)
    for m in meetings:
        convened: dict[str, int] = {}
        present: dict[str, int] = {}
        n_convened = n_present = 0
        for r in by_meeting.get(m["id"], []):
            member = members.get(int(str(r["membre"])))
            if member is None or member.seat != "titulaire":
                continue
            n_convened += 1
            is_present = r["presence"] == "present"
            n_present += is_present
            for key in (member.college, member.sexe):
                convened[key] = convened.get(key, 0) + 1
                present[key] = present.get(key, 0) + is_present
        out[m["council"]].append(MeetingFact(m["id"], m["debut"].astimezone(PARIS).date(), m["status"] == "tenue",
                                             n_convened, n_present, convened, present))
    for facts in out.values():
        facts.sort(key=lambda f: (f.held_on, f.meeting_id))
    return out


async def question_facts(council_ids: Sequence[int]) -> dict[int, list[QuestionFact]]:
    out: dict[int, list[QuestionFact]] = {c: [] for c in council_ids}
    if not council_ids:
        return out
    rows = await ReunionQuestion.select(ReunionQuestion.council, ReunionQuestion.raised_on, ReunionQuestion.answered_on).where(
        ReunionQuestion.council.is_in(list(council_ids)))
    for r in rows:
        out[r["council"]].append(QuestionFact(r["raised_on"], r["answered_on"]))
    return out
