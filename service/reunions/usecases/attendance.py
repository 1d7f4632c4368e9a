"""Attendance at a meeting, proxies, the quorum, decisions and their votes, and the
absences in a row that may end a mandate (proposed to the lead, never automatic)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from domain.errors import InvalidInput, InvalidState, NotFound
from domain.i18n import _
from domain.meetings import (
    AbsenceProposal,
    AbsenceStreak,
    AttendanceSheet,
    Meeting,
    MeetingStatus,
    Presence,
    QuorumResult,
    QuorumRule,
    VoteChoice,
    consensus,
    hold,
    tally,
)
from domain.meetings.attendance import members_of
from service.audit import Actor
from service.context import AppContext
from service.reunions.store import AttendanceRow, MemberRef
from service.reunions.store_minutes import Decision
from service.reunions.usecases.common import council_settings, local_today, record, snapshot, store

if TYPE_CHECKING:
    from service.composition.usecases.departures import DepartureResult


@dataclass(frozen=True)
class AttendanceView:
    meeting: Meeting
    members: list[MemberRef]  # titulaires sitting on the meeting's date
    rows: dict[int, AttendanceRow]
    quorum: QuorumResult | None  # None when the council has no member that day

    @property
    def proxies(self) -> dict[int, int]:
        return {r.membre_id: r.porteur_id for r in self.rows.values() if r.porteur_id is not None}


def parse_presence(raw: str) -> Presence:
    try:
        return Presence(raw)
    except ValueError:
        raise InvalidInput(_("Présence inconnue (attendu : present, absent_excuse ou absent)."),
                           field="presence", code="presence-inconnue") from None


async def _sheet(ctx: AppContext, meeting: Meeting) -> tuple[AttendanceSheet, list[MemberRef]]:
    st = store(ctx)
    assert meeting.id is not None
    members = await st.convened_members(meeting.council_id, meeting.on)
    rows = await st.attendance(meeting.id)
    sheet = AttendanceSheet(
        members_of(m.id for m in members),
        {str(r.membre_id): r.presence for r in rows},
        {str(r.membre_id): str(r.porteur_id) for r in rows if r.porteur_id is not None},
    )
    return sheet, members


async def _view(ctx: AppContext, meeting: Meeting, sheet: AttendanceSheet, members: list[MemberRef]) -> AttendanceView:
    settings, _c = await council_settings(meeting.council_id)
    rows = {
        int(m): AttendanceRow(int(m), p, int(sheet.proxies[m]) if m in sheet.proxies else None)
        for m, p in sheet.presence.items()
    }
    quorum = None
    if members:
        quorum = QuorumRule(settings.quorum).check(
            len(members), len(sheet.present), second_convocation=meeting.is_second_convocation)
    return AttendanceView(meeting, members, rows, quorum)


async def attendance(ctx: AppContext, meeting_id: int) -> AttendanceView:
    meeting = await store(ctx).get_meeting(meeting_id)
    sheet, members = await _sheet(ctx, meeting)
    return await _view(ctx, meeting, sheet, members)


def _check_open(meeting: Meeting) -> None:
    if meeting.status is not MeetingStatus.CONVOQUEE:
        raise InvalidState(
            _("Les présences se relèvent pour une réunion convoquée et non encore close (état : {s}).").format(
                s=meeting.status.label),
            code="presences-fermees", field="status")


async def _save(ctx: AppContext, meeting: Meeting, sheet: AttendanceSheet) -> None:
    assert meeting.id is not None
    await store(ctx).save_attendance(meeting.id, [
        AttendanceRow(int(m), p, int(sheet.proxies[m]) if m in sheet.proxies else None)
        for m, p in sorted(sheet.presence.items(), key=lambda x: int(x[0]))
    ], ctx.now())


async def record_presence(ctx: AppContext, actor: Actor, meeting_id: int, membre_id: int, presence: str) -> AttendanceView:
    pres = parse_presence(presence)
    st = store(ctx)
    async with ctx.db.transaction():
        meeting = await st.lock_meeting(meeting_id, None, ctx.now())
        _check_open(meeting)
        sheet, members = await _sheet(ctx, meeting)
        sheet = sheet.record(str(membre_id), pres)
        await _save(ctx, meeting, sheet)
        await record(ctx, actor, "reunion.presence", meeting, details={"membre_id": membre_id, "presence": pres.value})
    return await _view(ctx, await st.get_meeting(meeting_id), sheet, members)


async def give_proxy(ctx: AppContext, actor: Actor, meeting_id: int, membre_id: int, porteur_id: int) -> AttendanceView:
    st = store(ctx)
    async with ctx.db.transaction():
        meeting = await st.lock_meeting(meeting_id, None, ctx.now())
        _check_open(meeting)
        sheet, members = await _sheet(ctx, meeting)
        sheet = sheet.give_proxy(str(membre_id), str(porteur_id))
        await _save(ctx, meeting, sheet)
        await record(ctx, actor, "reunion.pouvoir", meeting, details={"membre_id": membre_id, "porteur_id": porteur_id})
    return await _view(ctx, await st.get_meeting(meeting_id), sheet, members)


async def withdraw_proxy(ctx: AppContext, actor: Actor, meeting_id: int, membre_id: int) -> AttendanceView:
    st = store(ctx)
    async with ctx.db.transaction():
        meeting = await st.lock_meeting(meeting_id, None, ctx.now())
        _check_open(meeting)
        sheet, members = await _sheet(ctx, meeting)
        sheet = sheet.withdraw_proxy(str(membre_id))
        await _save(ctx, meeting, sheet)
        await record(ctx, actor, "reunion.pouvoir.retrait", meeting, details={"membre_id": membre_id})
    return await _view(ctx, await st.get_meeting(meeting_id), sheet, members)


async def close_attendance(ctx: AppContext, actor: Actor, meeting_id: int, version: int) -> AttendanceView:
    """The quorum decides: the meeting is held (tenue) or recorded « quorum non atteint »
    (then a second convocation is proposed). Proxies do not count."""
    st = store(ctx)
    async with ctx.db.transaction():
        meeting = await st.get_meeting(meeting_id)
        _check_open(meeting)
        sheet, members = await _sheet(ctx, meeting)
        sheet = sheet.settle()  # proxies whose holder did not come lapse
        await _save(ctx, meeting, sheet)
        view = await _view(ctx, meeting, sheet, members)
        if view.quorum is None:
            QuorumRule().required(0)  # raises: no member, the meeting cannot be held
        assert view.quorum is not None
        held = hold(meeting, view.quorum)
        from dataclasses import replace

        held = replace(held, quorum_membres=view.quorum.members, quorum_requis=view.quorum.required,
                       quorum_presents=view.quorum.present)
        updated = await st.update_meeting(held, version, ctx.now())
        await record(ctx, actor, "reunion.cloture_presences", updated, before=snapshot(meeting), after=snapshot(updated),
                     details={"membres": view.quorum.members, "requis": view.quorum.required,
                              "presents": view.quorum.present, "atteint": view.quorum.reached})
    return AttendanceView(updated, view.members, view.rows, view.quorum)


# --- decisions ---------------------------------------------------------------------


async def record_decision(
    ctx: AppContext, actor: Actor, meeting_id: int, point_id: int, *, texte: str = "", consensus_: bool = False,
    pour: int = 0, contre: int = 0, abstention: int = 0, voix_president: str = "",
) -> Decision:
    st = store(ctx)
    president = None
    if voix_president:
        try:
            president = VoteChoice(voix_president)
        except ValueError:
            raise InvalidInput(_("Vote du président inconnu (pour, contre ou abstention)."),
                               field="voix_president", code="vote-inconnu") from None
    if len(texte) > 20000:
        raise InvalidInput(_("Le texte de la décision est trop long."), field="texte", code="texte-trop-long")
    async with ctx.db.transaction():
        meeting = await st.lock_meeting(meeting_id, None, ctx.now())
        if meeting.status is not MeetingStatus.TENUE:
            raise InvalidState(
                _("Aucune décision ne peut être prise : la réunion n'est pas tenue (état : {s}).").format(
                    s=meeting.status.label),
                code="reunion-non-tenue", field="status")
        item = await st.get_item(point_id)
        if item.meeting_id != meeting_id:
            raise NotFound(_("Point de l'ordre du jour introuvable."), field="point_id")
        settings, _c = await council_settings(meeting.council_id)
        if consensus_:
            result = consensus()
        else:
            rows = await st.attendance(meeting_id)
            voters = sum(1 for r in rows if r.presence is Presence.PRESENT) + sum(1 for r in rows if r.porteur_id)
            result = tally(pour, contre, abstention, voters=voters,
                           voix_preponderante_president=settings.voix_preponderante_president,
                           president_vote=president)
        decision = await st.insert_decision(Decision(
            id=0, meeting_id=meeting_id, point_id=point_id, texte=texte.strip(), consensus=result.consensus,
            pour=result.pour, contre=result.contre, abstention=result.abstention,
            voix_president=president.value if president else "", adopte=result.adopted), ctx.now())
        await record(ctx, actor, "reunion.decision", meeting, subject_type="reunion_decision", subject_id=decision.id,
                     details={"point_id": point_id, "adopte": result.adopted, "consensus": result.consensus,
                              "pour": result.pour, "contre": result.contre, "abstention": result.abstention})
    return decision


async def decisions(ctx: AppContext, meeting_id: int) -> list[Decision]:
    return await store(ctx).decisions(meeting_id)


# --- absences that may end a mandate ------------------------------------------------


@dataclass(frozen=True)
class AbsenceCase:
    member: MemberRef
    proposal: AbsenceProposal


async def absence_proposals(ctx: AppContext, council_id: int) -> list[AbsenceCase]:
    """Sitting members whose unexcused absences in a row reached ``absences_fin_mandat``."""
    return [c for c in await absence_streaks(ctx, council_id) if c.proposal.proposed]


async def absence_streaks(ctx: AppContext, council_id: int) -> list[AbsenceCase]:
    """Every sitting member with their current streak of unexcused absences."""
    settings, _c = await council_settings(council_id)
    st = store(ctx)
    today = local_today(ctx.now())
    history = await st.attendance_history(council_id)
    rule = AbsenceStreak(settings.absences_fin_mandat)
    out = []
    for member in await st.convened_members(council_id, today):
        out.append(AbsenceCase(member, rule.evaluate(history.get(member.id, []))))
    return out


async def confirm_absence_end(
    ctx: AppContext, actor: Actor, council_id: int, membre_id: int, version: int, on: date | None = None,
    override_reason: str = "",
) -> DepartureResult:
    """The lead confirms: the mandate ends for absences through the composition's own
    lifecycle (departure → vacancy → replacement proposal from the reserve)."""
    from service.composition.usecases import departures

    cases = {c.member.id: c for c in await absence_proposals(ctx, council_id)}
    if membre_id not in cases:
        raise InvalidState(
            _("Aucune fin de mandat pour absences n'est proposée pour ce membre."),
            code="pas-de-proposition-absences", field="membre_id")
    return await departures.depart_member(
        ctx, actor, membre_id, "fin_absences", on or local_today(ctx.now()), version,
        override_reason=override_reason, council_id=council_id)
