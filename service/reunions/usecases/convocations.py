"""Sending a meeting's convocations (issue 11, item 3; spec/meetings.md §1).

One call convenes every sitting member: the notice rule is applied first (clear days
between today in Paris and the meeting day; an emergency needs a reason and one clear
day), then each member gets their own PDF and a personal acknowledgement link; members
with an e-mail get a mail with the PDF and an ``.ics`` invitation through the outbox,
the others go into the printable batch. Everything — the round, one row per member, the
outbox rows, the meeting's new status and the audit event — is written in ONE
transaction: either every member is convened or none is.

Calling again without any change to the meeting is idempotent (members already convened
are not convened twice; a member who joined since is). After a change (date, place,
agenda…), a new version is sent to everyone: the old convocations are marked replaced
and the new ones say what changed.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from domain.errors import Conflict, InvalidState
from domain.i18n import _
from domain.meetings import AgendaItem, AgendaTree, Meeting, MeetingStatus, NoticeCheck, NoticeRule
from domain.meetings import convene as convene_meeting
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.documents.formatting import format_datetime_long, format_time
from service.public_address import public_base_url_for_documents
from service.reunions.documents import (
    AgendaLine,
    ConvocationLetter,
    MeetingSheet,
    agenda_detail,
    convocation_paragraphs,
    convocation_pdf,
    convocation_subject,
    local,
    template_of,
)
from service.reunions.store_convocations import ConvocationRow, ConvocationStore, NewConvocation
from service.reunions.usecases.convocation_inputs import (
    CouncilContext,
    Recipient,
    council_context,
)
from service.security import token_digest

ACK_PATH = "/convocations/"
KIND_LABELS = {
    "pleniere": "séance plénière",
    "bureau": "réunion du bureau",
    "groupe_de_travail": "groupe de travail",
    "assemblee_publique": "assemblée publique",
}


class MeetingGateway(Protocol):
    """What convocations need from the meetings' store (R-CORE's ReunionStore)."""

    async def get_meeting(self, reunion_id: int) -> Meeting: ...

    async def agenda(self, reunion_id: int) -> list[AgendaItem]: ...

    async def list_meetings(self, council_id: int) -> list[Meeting]: ...

    async def before_sending(self, meeting: Meeting, sent_on: date) -> None:
        """Complete the agenda before it is printed (residents' open questions)."""
        ...

    async def mark_convened(self, actor: Actor, meeting: Meeting, sent_on: date, motif: str) -> Meeting:
        """Store status convoquée, sending date and reason (inside the caller's
        transaction); returns the meeting as stored."""
        ...

    async def recipients(self, council_id: int, on: date, include_suppleants: bool) -> list[Recipient]:
        """Members convened to a meeting on ``on``, with their contact details."""
        ...


def gateway(ctx: AppContext) -> MeetingGateway:
    from service.reunions.meeting_gateway import ReunionGateway

    return ReunionGateway(ctx)


# ---------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class ConvocationReport:
    reunion_id: int
    version: int
    new_version: bool
    convened: int
    by_email: int
    by_post: int
    already: int
    clear_days: int
    urgence: bool
    without_contact: tuple[int, ...] = ()
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rendered:
    recipient: Recipient
    token: str
    pdf: bytes
    letter: ConvocationLetter


@dataclass(frozen=True)
class Snapshot:
    """What the convocation says: its digest decides whether a new version is due."""

    values: dict[str, Any] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        raw = json.dumps(self.values, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------
# Helpers


def agenda_lines(items: Sequence[AgendaItem]) -> tuple[AgendaLine, ...]:
    numbered = [i for i in AgendaTree(items).numbered()]
    return tuple(
        AgendaLine(i.numero, i.titre, i.rapporteur, i.duree_minutes) for i in numbered
    )


def meeting_sheet(meeting: Meeting, agenda: Sequence[AgendaItem], motif: str = "") -> MeetingSheet:
    return MeetingSheet(
        reunion_id=int(meeting.id or 0),
        titre=meeting.titre,
        debut=meeting.debut,
        fin=meeting.fin,
        lieu=meeting.lieu,
        kind_label=KIND_LABELS.get(str(meeting.kind), ""),
        agenda=agenda_lines(agenda),
        urgence_motif=motif or meeting.urgence_motif,
        second_convocation=meeting.second_convocation_of is not None,
    )


def snapshot_of(sheet: MeetingSheet) -> Snapshot:
    return Snapshot(
        {
            "titre": sheet.titre,
            "debut": sheet.debut.isoformat(),
            "fin": sheet.fin.isoformat(),
            "lieu": sheet.lieu,
            "agenda": [[a.numero, a.titre, a.rapporteur, a.duree_minutes] for a in sheet.agenda],
            "urgence_motif": sheet.urgence_motif,
            "second": sheet.second_convocation,
        }
    )


def describe_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    """What changed between two versions, in words a member reads."""
    out: list[str] = []
    if old.get("debut") != new.get("debut") or old.get("fin") != new.get("fin"):
        before = datetime.fromisoformat(old["debut"]) if old.get("debut") else None
        after = datetime.fromisoformat(new["debut"])
        if before is not None and local(before).date() != local(after).date():
            out.append(
                _("date : {new} au lieu de {old}").format(
                    new=format_datetime_long(local(after)), old=format_datetime_long(local(before))
                )
            )
        elif before is not None and before != after:
            out.append(
                _("horaire : {new} au lieu de {old}").format(
                    new=format_time(local(after)), old=format_time(local(before))
                )
            )
        else:
            out.append(_("heure de fin"))
    if old.get("lieu") != new.get("lieu"):
        out.append(_("lieu : {lieu}").format(lieu=new.get("lieu") or _("non précisé")))
    if old.get("titre") != new.get("titre"):
        out.append(_("intitulé : « {t} »").format(t=new.get("titre")))
    if old.get("agenda") != new.get("agenda"):
        out.append(_("ordre du jour modifié"))
    if old.get("urgence_motif") != new.get("urgence_motif") and new.get("urgence_motif"):
        out.append(_("convocation en urgence"))
    return tuple(out) or (_("précisions apportées"),)


def ack_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{ACK_PATH}{token}"


def event_uid(reunion_id: int, base_url: str) -> str:
    host = urlsplit(base_url).hostname or "conseil-citoyen"
    return f"reunion-{reunion_id}@{host}"


def invitation_ics(meeting: Meeting, council_name: str, base_url: str) -> bytes:
    from service.documents.ics import CalendarEvent, calendar_bytes

    event = CalendarEvent(
        uid=event_uid(int(meeting.id or 0), base_url),
        sequence=meeting.sequence,
        start=meeting.debut,
        end=meeting.fin,
        summary=f"{meeting.titre} — {council_name}",
        location=meeting.lieu,
        cancelled=meeting.status is MeetingStatus.ANNULEE,
    )
    return calendar_bytes([event], name=council_name, method="REQUEST")


def mail_body(sheet: MeetingSheet, council: CouncilContext, letter: ConvocationLetter) -> str:
    lines = convocation_paragraphs(council.sheet, sheet, letter)
    lines.append(_("Ordre du jour :"))
    for item in sheet.agenda:
        detail = agenda_detail(item)
        indent = "  " * item.depth
        lines.append(f"{indent}{item.numero}. {item.titre}" + (f" ({detail})" if detail else ""))
    lines.append(
        _("La convocation et le pouvoir à remplir sont joints en PDF, ainsi qu'une invitation "
          "à ajouter à votre agenda.")
    )
    if council.sheet.signataire:
        lines.append(f"{council.sheet.signataire}\n{council.sheet.fonction_signataire}".strip())
    return "\n\n".join(lines).replace("\u00a0", " ")


def render_letters(
    council: CouncilContext,
    sheet: MeetingSheet,
    members: Sequence[Recipient],
    *,
    base_url: str,
    today: date,
    version: int,
    changes: tuple[str, ...],
) -> list[Rendered]:
    template = template_of(council.sheet)
    out: list[Rendered] = []
    for m in members:
        token = secrets.token_urlsafe(16)
        letter = ConvocationLetter(
            member_id=m.membre_id,
            civilite=m.civilite,
            prenom=m.prenom,
            nom=m.nom,
            ack_url=ack_url(base_url, token),
            letter_date=today,
            address=m.address,
            version=version,
            changes=changes if version > 1 else (),
            postal_key=m.postal_key,
        )
        pdf = convocation_pdf(council.sheet, sheet, letter, template)
        out.append(Rendered(m, token, pdf, letter))
    return out


# ---------------------------------------------------------------------------
# The use case


async def send_convocations(
    ctx: AppContext,
    actor: Actor,
    reunion_id: int,
    *,
    urgence: bool = False,
    motif: str = "",
    meetings: MeetingGateway | None = None,
) -> ConvocationReport:
    meetings = meetings or gateway(ctx)
    store = ConvocationStore(ctx.db)
    meeting = await meetings.get_meeting(reunion_id)
    if meeting.status not in (MeetingStatus.PREVUE, MeetingStatus.CONVOQUEE):
        raise InvalidState(
            _("La réunion est « {s} » : on ne peut plus envoyer de convocations.").format(
                s=meeting.status.label
            ),
            code="reunion-non-convocable",
            field="status",
        )
    # Convocations carry the acknowledgement link: never a loopback or unset address.
    base_url = public_base_url_for_documents(ctx.settings)
    council = await council_context(meeting.council_id, base_url)
    now = ctx.now()
    motif = " ".join((motif or "").split()) if urgence else ""
    rule = NoticeRule(council.settings.delai_convocation_jours_francs)
    check = NoticeCheck(sent=now, meeting=meeting.debut, urgence=urgence, motif=motif)
    if urgence and not motif:
        rule.enforce(check)  # InvalidInput naming « motif »
    today = local(now).date()
    if rule.check(check).ok:
        # The open residents' questions go on the agenda only when the sending may go
        # ahead: a sending refused for its notice leaves nothing behind.
        await meetings.before_sending(meeting, today)
        meeting = await meetings.get_meeting(reunion_id)
    agenda = await meetings.agenda(reunion_id)
    sheet = meeting_sheet(meeting, agenda, motif)
    snapshot = snapshot_of(sheet)
    include_suppleants = bool(getattr(council.settings, "convoquer_suppleants", False))
    members = await meetings.recipients(meeting.council_id, meeting.on, include_suppleants)
    if not members:
        raise InvalidState(
            _("Aucun membre titulaire n'est en mandat à la date de la réunion : personne à convoquer."),
            code="aucun-membre-a-convoquer",
        )
    latest = await store.latest_round(reunion_id)
    current = {c.membre_id: c for c in await store.convocations(reunion_id)} if latest else {}
    changes: tuple[str, ...] = ()
    if latest is not None and latest.content_digest == snapshot.digest:
        version, new_version = latest.version, False
        to_convene = [m for m in members if m.membre_id not in current]
    else:
        version = 1 if latest is None else latest.version + 1
        new_version = True
        changes = describe_changes(latest.snapshot, snapshot.values) if latest else ()
        to_convene = list(members)
    if not new_version and not to_convene:
        # Nothing changed and everyone is convened: the same call again is a no-op.
        return ConvocationReport(
            reunion_id=reunion_id, version=version, new_version=False, convened=0, by_email=0,
            by_post=0, already=len(members), clear_days=rule.clear_days(now, meeting.debut),
            urgence=latest.urgence if latest else urgence,
        )
    # The notice rule, on today's date in Paris (NoticeTooShort → 409 /delai-convocation).
    days = rule.enforce(check)
    rendered = render_letters(
        council, sheet, to_convene, base_url=base_url, today=today,
        version=version, changes=changes,
    )
    from service.outbox.usecases.enqueue import smtp_configured

    smtp = smtp_configured(ctx.settings)
    by_email = by_post = 0
    async with ctx.db.transaction():
        again = await store.latest_round(reunion_id)
        if (again.id if again else None) != (latest.id if latest else None):
            raise Conflict(
                _("Les convocations de cette réunion viennent d'être envoyées par quelqu'un "
                  "d'autre : rechargez la page."),
                code="convocations-concurrentes",
            )
        if new_version:
            await store.insert_round(
                reunion_id=reunion_id, council_id=meeting.council_id, version=version,
                urgence=urgence, motif=motif, content_digest=snapshot.digest,
                snapshot=snapshot.values, at=now, actor_id=actor.id,
            )
        items = []
        for r in rendered:
            channel = "email" if (r.recipient.email and smtp) else "courrier"
            items.append(
                NewConvocation(
                    membre_id=r.recipient.membre_id,
                    channel=channel,
                    sha256=hashlib.sha256(r.pdf).hexdigest(),
                    pdf=r.pdf,
                    ack_token_hash=token_digest(r.token),
                    changes="; ".join(r.letter.changes),
                    sent_at=None,
                )
            )
        ids = await store.insert_many(
            reunion_id=reunion_id, council_id=meeting.council_id, version=version, items=items, at=now
        )
        if new_version and current:
            await store.mark_replaced(
                {old.id: ids[m] for m, old in current.items() if m in ids}, now
            )
        kept_motif = motif if new_version else meeting.urgence_motif
        if new_version or meeting.status is not MeetingStatus.CONVOQUEE:
            after = await meetings.mark_convened(actor, meeting, today, kept_motif)
        else:
            after = convene_meeting(meeting, kept_motif, today)
        ics = invitation_ics(after, council.name, base_url) if smtp else b""
        for r, item in zip(rendered, items, strict=True):
            if item.channel != "email":
                by_post += 1
                continue
            by_email += 1
            outbox_id = await _enqueue(ctx, council, sheet, r, ics, ids[r.recipient.membre_id], now)
            await store.set_outbox(ids[r.recipient.membre_id], outbox_id)
        await audit.record(
            ctx.db, actor=actor, action="reunion.convocations", subject_type="reunion",
            subject_id=reunion_id, at=now, territory_id=council.territory_id,
            council_id=meeting.council_id,
            details={
                "version": version,
                "urgence": urgence,
                "jours_francs": days,
                "envois": [
                    {"membre": i.membre_id, "canal": i.channel, "sha256": i.sha256} for i in items
                ],
            },
        )
    return ConvocationReport(
        reunion_id=reunion_id, version=version, new_version=new_version,
        convened=len(items), by_email=by_email, by_post=by_post,
        already=len(members) - len(to_convene), clear_days=days, urgence=urgence,
        without_contact=tuple(r.membre_id for r in to_convene if not r.email and not r.address),
        changes=changes,
    )


async def _enqueue(
    ctx: AppContext,
    council: CouncilContext,
    sheet: MeetingSheet,
    r: Rendered,
    ics: bytes,
    convocation_id: int,
    now: datetime,
) -> int:
    from service.outbox.model import Attachment, OutgoingMail
    from service.outbox.usecases import enqueue

    day = local(sheet.debut).date().isoformat()
    mail = OutgoingMail(
        to=r.recipient.email,
        subject=convocation_subject(council.sheet, sheet, r.letter.version),
        body=mail_body(sheet, council, r.letter),
        attachments=(
            Attachment(f"convocation-{day}.pdf", "application/pdf", r.pdf),
            Attachment("invitation.ics", "text/calendar; method=REQUEST", ics),
        ),
        kind="convocation",
        ref=f"convocation:{convocation_id}",
        council_id=council.council_id,
        territory_id=council.territory_id,
    )
    return await enqueue(ctx.db, mail, now=now)


# ---------------------------------------------------------------------------
# Reading


async def list_convocations(ctx: AppContext, reunion_id: int, *, all_versions: bool = False) -> list[ConvocationRow]:
    return await ConvocationStore(ctx.db).convocations(reunion_id, current_only=not all_versions)


__all__ = [
    "ConvocationReport",
    "MeetingGateway",
    "list_convocations",
    "send_convocations",
]
