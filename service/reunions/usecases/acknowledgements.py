"""The member's personal link: acknowledge receipt and answer attendance.

The link carries a random token; only its SHA-256 is stored (like API tokens), so the
database alone cannot forge a link. The member acknowledges receipt with a button (once,
with its time, in the audit trail; merely opening the link records nothing, since mail
filters open links by themselves); answering acknowledges too. The answer is présent,
absent excusé or pouvoir
donné à another member convened to the same meeting. Proxy rules are the domain's
(``AttendanceSheet``): not to oneself, not to a member who said they will be absent or
gave a proxy themself, at most one proxy per holder. Before the meeting a member who has
not answered yet counts as coming.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidInput, InvalidState, NotFound
from domain.i18n import _
from domain.meetings import AttendanceSheet, MeetingStatus, Presence
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.reunions.documents import local
from service.reunions.store_convocations import ConvocationRow, ConvocationStore
from service.reunions.usecases.convocations import MeetingGateway, gateway
from service.security import token_digest

# The answers a convened member can give, in the words of the member's own pages (the
# secretary's board words them its own way: convocation_board.ANSWER_LABELS).
ANSWERS = {
    "present": "présent",
    "absent_excuse": "absent excusé",
    "pouvoir": "pouvoir donné",
}


@dataclass(frozen=True)
class Colleague:
    membre_id: int
    name: str


@dataclass(frozen=True)
class AckView:
    convocation_id: int
    reunion_id: int
    membre_id: int
    member_name: str
    meeting_title: str
    meeting_start: datetime
    meeting_place: str
    acknowledged_at: datetime | None
    answer: str
    proxy_holder_id: int | None
    proxy_holder_name: str
    replaced: bool
    closed: bool
    """The meeting was held, cancelled or postponed: answers are closed."""
    colleagues: tuple[Colleague, ...]


def _invalid_link() -> NotFound:
    return NotFound(
        _("Ce lien de convocation n'est pas valide. Vérifiez l'adresse reçue ou demandez-la au secrétariat du conseil."),
        code="lien-convocation-invalide",
    )


async def _load(ctx: AppContext, token: str) -> ConvocationRow:
    if not token or len(token) > 100:
        raise _invalid_link()
    row = await ConvocationStore(ctx.db).by_token_hash(token_digest(token))
    if row is None:
        raise _invalid_link()
    return row


async def _view(ctx: AppContext, row: ConvocationRow, meetings: MeetingGateway) -> AckView:
    store = ConvocationStore(ctx.db)
    meeting = await meetings.get_meeting(row.reunion_id)
    people = {m.membre_id: m for m in await meetings.recipients(meeting.council_id, meeting.on, True)}
    convened = [c.membre_id for c in await store.convocations(row.reunion_id)]
    colleagues = tuple(
        Colleague(mid, people[mid].display_name)
        for mid in convened
        if mid != row.membre_id and mid in people
    )
    me = people.get(row.membre_id)
    holder = people.get(row.proxy_holder_id) if row.proxy_holder_id else None
    return AckView(
        convocation_id=row.id,
        reunion_id=row.reunion_id,
        membre_id=row.membre_id,
        member_name=me.display_name if me else "",
        meeting_title=meeting.titre,
        meeting_start=local(meeting.debut),
        meeting_place=meeting.lieu,
        acknowledged_at=row.acknowledged_at,
        answer=row.answer,
        proxy_holder_id=row.proxy_holder_id,
        proxy_holder_name=holder.display_name if holder else "",
        replaced=row.replaced_by is not None,
        closed=meeting.status not in (MeetingStatus.PREVUE, MeetingStatus.CONVOQUEE),
        colleagues=tuple(sorted(colleagues, key=lambda c: c.name.casefold())),
    )


async def open_link(ctx: AppContext, token: str, meetings: MeetingGateway | None = None) -> AckView:
    """What the link shows. Opening it records nothing: mail filters open links by
    themselves, so a receipt is an action of the member (:func:`acknowledge`, or an
    answer)."""
    meetings = meetings or gateway(ctx)
    return await _view(ctx, await _load(ctx, token), meetings)


async def acknowledge(ctx: AppContext, token: str, meetings: MeetingGateway | None = None) -> AckView:
    """The member acknowledges receipt: time recorded the first time, with an audit event."""
    meetings = meetings or gateway(ctx)
    row = await _load(ctx, token)
    if row.acknowledged_at is None and row.replaced_by is None:
        now = ctx.now()
        store = ConvocationStore(ctx.db)
        async with ctx.db.transaction():
            if await store.record_ack(row.id, now):
                await audit.record(
                    ctx.db, actor=Actor.system("membre (lien de convocation)"),
                    action="reunion.convocation.accuse", subject_type="convocation",
                    subject_id=row.id, at=now, council_id=row.council_id,
                    details={"reunion": row.reunion_id, "membre": row.membre_id, "version": row.version},
                )
        row = await store.get(row.id) or row
    return await _view(ctx, row, meetings)


async def answer(
    ctx: AppContext,
    token: str,
    reponse: str,
    holder_id: int | None = None,
    meetings: MeetingGateway | None = None,
) -> AckView:
    meetings = meetings or gateway(ctx)
    row = await _load(ctx, token)
    if row.replaced_by is not None:
        raise InvalidState(
            _("Cette convocation a été remplacée par une nouvelle version : répondez avec le lien de la dernière convocation reçue."),
            code="convocation-remplacee",
        )
    if reponse not in ANSWERS:
        raise InvalidInput(
            _("Indiquez votre réponse : présent, absent excusé ou pouvoir donné à un autre membre."),
            field="reponse", code="reponse-invalide",
        )
    meeting = await meetings.get_meeting(row.reunion_id)
    if meeting.status not in (MeetingStatus.PREVUE, MeetingStatus.CONVOQUEE):
        raise InvalidState(
            _("La réunion est « {s} » : les réponses sont closes.").format(s=meeting.status.label),
            code="reponses-closes",
        )
    store = ConvocationStore(ctx.db)
    now = ctx.now()
    async with ctx.db.transaction():
        current = await store.convocations(row.reunion_id)
        members = frozenset(str(c.membre_id) for c in current)
        presence: dict[str, Presence] = {}
        proxies: dict[str, str] = {}
        for c in current:
            if c.id == row.id:
                continue
            if c.answer in ("absent_excuse", "pouvoir"):
                presence[str(c.membre_id)] = Presence.ABSENT_EXCUSE
            else:  # présent, or not answered yet: counted as coming
                presence[str(c.membre_id)] = Presence.PRESENT
            if c.answer == "pouvoir" and c.proxy_holder_id is not None:
                proxies[str(c.membre_id)] = str(c.proxy_holder_id)
        me = str(row.membre_id)
        sheet = AttendanceSheet(members=members, presence=presence, proxies=proxies)
        holder: int | None = None
        if reponse == "pouvoir":
            if holder_id is None:
                raise InvalidInput(
                    _("Choisissez le membre à qui vous donnez pouvoir."),
                    field="porteur_id", code="porteur-manquant",
                )
            if str(holder_id) not in members and holder_id != row.membre_id:
                raise InvalidInput(
                    _("Le pouvoir doit être donné à un membre convoqué à cette réunion."),
                    field="porteur_id", code="porteur-non-convoque",
                )
            sheet.give_proxy(me, str(holder_id))
            holder = holder_id
        elif me in proxies.values() and reponse == "absent_excuse":
            # The proxy this member holds would be lost: say so rather than drop it.
            raise InvalidState(
                _("Un membre vous a donné pouvoir : prévenez-le avant de vous déclarer absent, "
                  "il doit le donner à quelqu'un d'autre."),
                code="porteur-absent", field="reponse",
            )
        await store.record_answer(row.id, reponse, holder, now)
        if row.acknowledged_at is None:
            await store.record_ack(row.id, now)
        await audit.record(
            ctx.db, actor=Actor.system("membre (lien de convocation)"),
            action="reunion.convocation.reponse", subject_type="convocation",
            subject_id=row.id, at=now, council_id=row.council_id,
            details={"reunion": row.reunion_id, "membre": row.membre_id, "reponse": reponse,
                     "porteur": holder},
        )
    updated = await store.get(row.id)
    assert updated is not None
    return await _view(ctx, updated, meetings)
