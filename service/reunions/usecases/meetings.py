"""Meetings: create, change, cancel, postpone, convene (for the convocations), second
convocation after a meeting without quorum."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from domain.errors import InvalidInput
from domain.i18n import _
from domain.meetings import (
    QUESTIONS_HEADING,
    AgendaItem,
    Meeting,
    MeetingKind,
    MeetingStatus,
    NoticeRule,
    cancel,
    check_second_convocation,
    convene,
    postpone,
)
from domain.meetings.model import check_editable, check_place, check_title
from domain.meetings.questions import pending_for_agenda
from domain.meetings.quorum import SECOND_CONVOCATION_MIN_CLEAR_DAYS
from domain.organisation import CouncilSettings
from service.audit import Actor
from service.context import AppContext
from service.organisation.store import CouncilRow
from service.reunions.store import MemberRef
from service.reunions.usecases.common import council_settings, local_today, record, snapshot, store


@dataclass(frozen=True)
class MeetingInput:
    titre: str
    debut: datetime
    fin: datetime
    lieu: str = ""
    kind: str = MeetingKind.PLENIERE.value
    publique: bool = False


@dataclass(frozen=True)
class MeetingUpdate:
    version: int
    titre: str | None = None
    debut: datetime | None = None
    fin: datetime | None = None
    lieu: str | None = None
    kind: str | None = None
    publique: bool | None = None


def parse_kind(raw: str) -> MeetingKind:
    try:
        return MeetingKind(raw)
    except ValueError:
        raise InvalidInput(
            _("Type de réunion inconnu (attendu : pleniere, bureau, groupe_de_travail ou assemblee_publique)."),
            field="kind", code="type-reunion-inconnu",
        ) from None


async def create_meeting(ctx: AppContext, actor: Actor, council_id: int, data: MeetingInput) -> Meeting:
    await council_settings(council_id)  # NotFound for an unknown council
    meeting = Meeting(
        id=None, council_id=council_id, titre=check_title(data.titre), debut=data.debut, fin=data.fin,
        lieu=check_place(data.lieu), kind=parse_kind(data.kind), publique=data.publique,
    )
    async with ctx.db.transaction():
        created = await store(ctx).insert_meeting(meeting, ctx.now())
        await record(ctx, actor, "reunion.creation", created, after=snapshot(created))
    return created


async def get_meeting(ctx: AppContext, meeting_id: int) -> Meeting:
    return await store(ctx).get_meeting(meeting_id)


async def list_meetings(ctx: AppContext, council_id: int, *, publique_only: bool = False) -> list[Meeting]:
    await council_settings(council_id)
    return await store(ctx).list_meetings(council_id, publique_only=publique_only)


async def update_meeting(ctx: AppContext, actor: Actor, meeting_id: int, data: MeetingUpdate) -> Meeting:
    st = store(ctx)
    async with ctx.db.transaction():
        current = await st.get_meeting(meeting_id)
        check_editable(current)
        changed = replace(
            current,
            titre=check_title(data.titre) if data.titre is not None else current.titre,
            debut=data.debut or current.debut,
            fin=data.fin or current.fin,
            lieu=check_place(data.lieu) if data.lieu is not None else current.lieu,
            kind=parse_kind(data.kind) if data.kind is not None else current.kind,
            publique=current.publique if data.publique is None else data.publique,
            sequence=current.sequence + 1,
        )
        updated = await st.update_meeting(changed, data.version, ctx.now())
        await record(ctx, actor, "reunion.modification", updated, before=snapshot(current), after=snapshot(updated))
    return updated


async def cancel_meeting(ctx: AppContext, actor: Actor, meeting_id: int, version: int) -> Meeting:
    st = store(ctx)
    async with ctx.db.transaction():
        current = await st.get_meeting(meeting_id)
        updated = await st.update_meeting(cancel(current), version, ctx.now())
        await record(ctx, actor, "reunion.annulation", updated, before=snapshot(current), after=snapshot(updated))
    return updated


async def _copy_agenda(ctx: AppContext, source_id: int, target_id: int) -> None:
    st = store(ctx)
    ids: dict[int, int] = {}
    for item in await st.agenda(source_id):  # reading order: parents before children
        if item.kind in ("questions", "question"):
            continue  # listed again when the new meeting is convened
        new_id = await st.insert_item(replace(
            item, meeting_id=target_id, parent_id=ids.get(item.parent_id) if item.parent_id else None,
        ), ctx.now())
        ids[item.id] = new_id


async def postpone_meeting(
    ctx: AppContext, actor: Actor, meeting_id: int, version: int, debut: datetime, fin: datetime
) -> tuple[Meeting, Meeting]:
    """The postponed meeting (reportée, pointing at the new date) and the new one (prévue,
    same agenda, to be convened again)."""
    st = store(ctx)
    async with ctx.db.transaction():
        current = await st.get_meeting(meeting_id)
        old, new = postpone(current, debut, fin)
        old = await st.update_meeting(old, version, ctx.now())
        created = await st.insert_meeting(new, ctx.now())
        await _copy_agenda(ctx, meeting_id, created.id or 0)
        await record(ctx, actor, "reunion.report", old, before=snapshot(current), after=snapshot(old),
                     details={"nouvelle_reunion": created.id})
    return old, created


async def notice_rule(council_id: int) -> NoticeRule:
    settings, _c = await council_settings(council_id)
    return NoticeRule(days=settings.delai_convocation_jours_francs)


async def check_notice(
    ctx: AppContext, meeting_id: int, sent: datetime | date, *, urgence: bool = False, motif: str = ""
) -> int:
    """The notice rule for convocations leaving at ``sent`` (aware datetime or Paris date):
    clear days, or ``NoticeTooShort`` (409, code ``delai-convocation``) / InvalidInput
    (an emergency without its reason, field ``motif``)."""
    from domain.meetings import NoticeCheck

    meeting = await store(ctx).get_meeting(meeting_id)
    rule = await notice_rule(meeting.council_id)
    return rule.enforce(NoticeCheck(sent, meeting.debut, urgence=urgence, motif=motif))


async def mark_convened(
    ctx: AppContext, actor: Actor, meeting_id: int, *, sent_on: date, urgence_motif: str = "",
    version: int | None = None,
) -> Meeting:
    """Record that the convocations went out on ``sent_on`` (Paris date): status
    convoquée, the emergency reason kept for the minutes, the residents' questions still
    open listed on the agenda. Joins the caller's transaction (the convocations' one).
    The notice rule is the caller's to check (``notice_rule``) before sending."""
    st = store(ctx)
    async with ctx.db.transaction():
        current = await st.get_meeting(meeting_id)
        updated = await st.update_meeting(
            convene(current, urgence_motif, sent_on), current.version if version is None else version, ctx.now())
        await sync_pending_questions(ctx, updated, sent_on)
        await record(ctx, actor, "reunion.convocation", updated, before=snapshot(current), after=snapshot(updated),
                     details={"urgence": bool(urgence_motif.strip()), "envoi": sent_on.isoformat()})
    return await st.get_meeting(meeting_id)


async def sync_pending_questions(ctx: AppContext, meeting: Meeting, convocation_on: date) -> None:
    """Put the open residents' questions raised before the convocation on the agenda,
    under « Questions des habitants en attente de réponse » (one sub-item each)."""
    st = store(ctx)
    assert meeting.id is not None
    pending = pending_for_agenda(await st.questions(meeting.council_id), convocation_on)
    heading = await st.item_of_kind(meeting.id, "questions")
    if not pending and heading is None:
        return
    agenda = await st.agenda(meeting.id)
    if heading is None:
        top = [i for i in agenda if i.parent_id is None]
        heading_id = await st.insert_item(AgendaItem(
            id=0, meeting_id=meeting.id, parent_id=None,
            position=(max(i.position for i in top) + 1) if top else 1,
            titre=_(QUESTIONS_HEADING), kind="questions"), ctx.now())
    else:
        heading_id = heading.id
    listed = {i.ref_id for i in agenda if i.kind == "question"}
    position = 1 + max((i.position for i in agenda if i.parent_id == heading_id), default=0)
    for q in pending:
        if q.id in listed:
            continue
        text = q.texte if len(q.texte) <= 180 else q.texte[:179] + "…"
        await st.insert_item(AgendaItem(
            id=0, meeting_id=meeting.id, parent_id=heading_id, position=position,
            titre=_("{dest} — {texte}").format(dest=q.addressee.label, texte=text),
            kind="question", ref_id=q.id), ctx.now())
        position += 1


@dataclass(frozen=True)
class SecondConvocationProposal:
    original: Meeting
    earliest: date  # first date at least three clear days later
    message: str


async def second_convocation_proposal(ctx: AppContext, meeting_id: int) -> SecondConvocationProposal:
    original = await store(ctx).get_meeting(meeting_id)
    earliest = original.on + timedelta(days=SECOND_CONVOCATION_MIN_CLEAR_DAYS + 1)
    check_second_convocation(original, earliest)
    return SecondConvocationProposal(original, earliest, _(
        "Le quorum n'a pas été atteint : une seconde réunion sur le même ordre du jour peut être "
        "convoquée à partir du {d} ; elle délibérera sans condition de quorum."
    ).format(d=earliest.strftime("%d/%m/%Y")))


async def create_second_convocation(
    ctx: AppContext, actor: Actor, meeting_id: int, debut: datetime, fin: datetime, lieu: str | None = None
) -> Meeting:
    st = store(ctx)
    async with ctx.db.transaction():
        original = await st.get_meeting(meeting_id)
        check_second_convocation(original, debut)
        if any(m.second_convocation_of == meeting_id and m.status is not MeetingStatus.ANNULEE
               for m in await st.list_meetings(original.council_id)):
            raise InvalidInput(_("Une seconde convocation existe déjà pour cette réunion."),
                               field="reunion_id", code="seconde-convocation-existante")
        second = Meeting(
            id=None, council_id=original.council_id,
            titre=_("{t} (seconde convocation)").format(t=original.titre),
            debut=debut, fin=fin, lieu=check_place(lieu) if lieu is not None else original.lieu,
            kind=original.kind, publique=original.publique, second_convocation_of=meeting_id,
        )
        created = await st.insert_meeting(second, ctx.now())
        await _copy_agenda(ctx, meeting_id, created.id or 0)
        await record(ctx, actor, "reunion.seconde_convocation", created, after=snapshot(created),
                     details={"premiere_reunion": meeting_id})
    return created


@dataclass(frozen=True)
class ConvocationData:
    """What a convocation needs: the meeting, its numbered agenda, who is convened."""

    meeting: Meeting
    agenda: list[AgendaItem]
    titulaires: list[MemberRef]
    suppleants: list[MemberRef]
    settings: CouncilSettings
    council: CouncilRow


async def convocation_data(ctx: AppContext, meeting_id: int) -> ConvocationData:
    st = store(ctx)
    meeting = await st.get_meeting(meeting_id)
    settings, council = await council_settings(meeting.council_id)
    members = await st.convened_members(meeting.council_id, meeting.on, include_suppleants=settings.convoquer_suppleants)
    return ConvocationData(
        meeting, await st.agenda(meeting_id), [m for m in members if m.titulaire],
        [m for m in members if not m.titulaire], settings, council,
    )


def today(ctx: AppContext) -> date:
    return local_today(ctx.now())
