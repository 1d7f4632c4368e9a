"""What the meeting page shows about its convocations, one line per member: channel,
state of the mail (en attente, envoyé, échec with the server's answer) or of the letter
(à poster, posté), acknowledgement and answer — all in French, ready for a template."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.i18n import _
from domain.meetings import NoticeRule
from domain.meetings.notice import EMERGENCY_MIN_CLEAR_DAYS
from service.context import AppContext
from service.reunions.store_convocations import ConvocationStore
from service.reunions.usecases.convocation_inputs import council_context
from service.reunions.usecases.convocations import MeetingGateway, gateway

ANSWER_LABELS = {
    "present": "présent·e",
    "absent_excuse": "absent·e excusé·e",
    "pouvoir": "pouvoir donné à {nom}",
}


@dataclass(frozen=True)
class ConvocationLine:
    convocation_id: int
    membre_id: int
    member_name: str
    version: int
    channel_label: str
    state: str
    """en_attente | envoi | envoye | echec (mail) or a_poster | poste (letter)."""
    state_label: str
    error: str
    sent_at: datetime | None
    acknowledged_at: datetime | None
    answer_label: str
    sha256: str
    late: bool = False
    """Left later than the notice allows (a mail held back by a server that was down):
    the page says so, the secretary decides (re-send in emergency, postpone…)."""


@dataclass(frozen=True)
class ConvocationBoard:
    version: int | None
    urgence_motif: str
    lines: tuple[ConvocationLine, ...]
    to_post: int
    """Letters of the current version not marked as posted yet."""


async def convocation_board(
    ctx: AppContext, reunion_id: int, meetings: MeetingGateway | None = None
) -> ConvocationBoard:
    from service.outbox.usecases import statuses
    from service.outbox.usecases.enqueue import smtp_configured

    meetings = meetings or gateway(ctx)
    store = ConvocationStore(ctx.db)
    latest = await store.latest_round(reunion_id)
    if latest is None:
        return ConvocationBoard(None, "", (), 0)
    meeting = await meetings.get_meeting(reunion_id)
    council = await council_context(meeting.council_id, ctx.settings.public_base_url)
    rule = NoticeRule(council.settings.delai_convocation_jours_francs)
    required = EMERGENCY_MIN_CLEAR_DAYS if latest.urgence else rule.days
    names = {r.membre_id: r.display_name for r in await meetings.recipients(meeting.council_id, meeting.on, True)}
    rows = await store.convocations(reunion_id)
    mail = await statuses(ctx.db, [f"convocation:{r.id}" for r in rows if r.channel == "email"],
                          smtp_configured=smtp_configured(ctx.settings))
    lines = []
    for r in rows:
        status = mail.get(f"convocation:{r.id}")
        if r.channel == "email":
            state = status.state if status else "en_attente"
            label = status.label if status else _("en attente")
            error = status.last_error if status and status.state == "echec" else ""
            sent_at = status.sent_at if status else None
            channel = _("courriel")
        else:
            state = "poste" if r.sent_at else "a_poster"
            label = _("posté") if r.sent_at else _("à poster")
            error, sent_at, channel = "", r.sent_at, _("courrier")
        answer = ""
        if r.answer:
            answer = _(ANSWER_LABELS[r.answer]).format(nom=names.get(r.proxy_holder_id or 0, "—"))
        lines.append(ConvocationLine(
            convocation_id=r.id, membre_id=r.membre_id, member_name=names.get(r.membre_id, "—"),
            version=r.version, channel_label=channel, state=state, state_label=label, error=error,
            sent_at=sent_at, acknowledged_at=r.acknowledged_at, answer_label=answer, sha256=r.sha256,
            late=sent_at is not None and rule.clear_days(sent_at, meeting.debut) < required,
        ))
    lines.sort(key=lambda x: x.member_name.casefold())
    return ConvocationBoard(
        version=latest.version, urgence_motif=latest.motif, lines=tuple(lines),
        to_post=sum(1 for x in lines if x.state == "a_poster"),
    )
