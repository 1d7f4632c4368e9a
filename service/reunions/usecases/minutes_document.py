"""The minutes as a PDF (spec §5): the council's letterhead, the text written and
adopted, its state and version, signature lines for the chair and the secretary, and,
once published, the head of the audit chain when the service offers it."""

from __future__ import annotations

from domain.errors import InvalidState
from domain.i18n import _
from domain.meetings import MinutesState
from service.context import AppContext
from service.documents.formatting import format_date_long
from service.reunions.minutes_documents import MinutesSheet, minutes_pdf
from service.reunions.usecases.convocation_inputs import council_context
from service.reunions.usecases.convocations import MeetingGateway, gateway, meeting_sheet


async def minutes_document(
    ctx: AppContext, reunion_id: int, *, published_only: bool = False, meetings: MeetingGateway | None = None
) -> bytes:
    from service.reunions.store import ReunionStore

    meetings = meetings or gateway(ctx)
    meeting = await meetings.get_meeting(reunion_id)
    current = await ReunionStore(ctx.db).current_minutes(reunion_id)
    if current is None or (published_only and current.state is not MinutesState.PUBLIE):
        raise InvalidState(
            _("Cette réunion n'a pas encore de compte rendu publié.") if published_only
            else _("Cette réunion n'a pas encore de compte rendu."),
            code="compte-rendu-absent", field="reunion_id",
        )
    if current.state is MinutesState.PUBLIE and current.published_on:
        label = _("Publié le {d}").format(d=format_date_long(current.published_on, weekday=False))
    elif current.state is MinutesState.ADOPTE and current.adopted_on:
        label = _("Adopté le {d}").format(d=format_date_long(current.adopted_on, weekday=False))
    else:
        label = _("Projet de compte rendu (brouillon, non adopté)")
    head = ""
    if current.state is MinutesState.PUBLIE:
        from service import audit

        value = await audit.current_head()
        head = f"n° {value['seq']} — {value['hash']}"
    council = await council_context(meeting.council_id, ctx.settings.public_base_url)
    sheet = MinutesSheet(
        meeting=meeting_sheet(meeting, await meetings.agenda(reunion_id)),
        state_label=label,
        version=current.numero_version,
        correction_reason=current.correction_motif,
        audit_head=head,
        texte=current.texte,
    )
    return minutes_pdf(council.sheet, sheet)
