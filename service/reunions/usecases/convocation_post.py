"""The convocations to post: the printable batch (members without e-mail, in
mail-room order, one PDF assembled from the very files whose SHA-256 was recorded) and
the record that it was posted — the letters' sending date for the notice rule."""

from __future__ import annotations

from domain.errors import InvalidState, NotFound
from domain.i18n import _
from domain.meetings import NoticeCheck, NoticeRule
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.public_address import public_base_url_for_documents
from service.reunions.store_convocations import ConvocationRow, ConvocationStore
from service.reunions.usecases.convocation_inputs import council_context
from service.reunions.usecases.convocations import MeetingGateway, gateway


async def printable(ctx: AppContext, reunion_id: int, meetings: MeetingGateway | None = None) -> bytes:
    """The current convocations to post (members without e-mail) in mail-room order,
    in one PDF assembled from the stored files: exactly the bytes whose SHA-256 was
    recorded (rendering again would draw new acknowledgement links)."""
    from io import BytesIO

    from service.documents.assemble import concatenate
    from service.documents.render import DocumentInfo

    meetings = meetings or gateway(ctx)
    store = ConvocationStore(ctx.db)
    meeting = await meetings.get_meeting(reunion_id)
    rows = [c for c in await store.convocations(reunion_id) if c.channel == "courrier"]
    if not rows:
        raise NotFound(_("Aucune convocation à poster pour cette réunion : tous les membres la reçoivent par courriel."),
                       code="aucun-courrier")
    council = await council_context(meeting.council_id, public_base_url_for_documents(ctx.settings))
    members = {m.membre_id: m for m in await meetings.recipients(meeting.council_id, meeting.on, True)}
    def order(c: ConvocationRow) -> tuple[int, tuple[str, ...], int]:
        # Mail-room order; letters without a postal address (handed over) last.
        key = members[c.membre_id].postal_key if c.membre_id in members else ()
        return (0 if key else 1, tuple(str(k) for k in key), c.membre_id)

    rows.sort(key=order)
    pdfs = await store.pdfs([c.id for c in rows])
    info = DocumentInfo(
        title=_("Convocations à poster — {titre}").format(titre=meeting.titre),
        author=council.sheet.letterhead.organisation,
        subject=council.sheet.council_name,
        keywords=("conseil citoyen", "convocation"),
    )
    out = BytesIO()
    concatenate((pdfs[c.id] for c in rows if c.id in pdfs), out, info)
    return out.getvalue()


async def mark_posted(ctx: AppContext, actor: Actor, reunion_id: int, meetings: MeetingGateway | None = None) -> int:
    """The printed batch was posted today: that is its sending date for the notice rule,
    checked again here (a batch posted too late is refused, not silently recorded)."""
    meetings = meetings or gateway(ctx)
    store = ConvocationStore(ctx.db)
    meeting = await meetings.get_meeting(reunion_id)
    latest = await store.latest_round(reunion_id)
    if latest is None:
        raise InvalidState(_("Aucune convocation n'a encore été préparée pour cette réunion."),
                           code="aucune-convocation")
    council = await council_context(meeting.council_id, public_base_url_for_documents(ctx.settings))
    now = ctx.now()
    NoticeRule(council.settings.delai_convocation_jours_francs).enforce(
        NoticeCheck(sent=now, meeting=meeting.debut, urgence=latest.urgence, motif=latest.motif)
    )
    async with ctx.db.transaction():
        n = await store.mark_posted(reunion_id, latest.version, now)
        await audit.record(
            ctx.db, actor=actor, action="reunion.convocations.postees", subject_type="reunion",
            subject_id=reunion_id, at=now, territory_id=council.territory_id,
            council_id=meeting.council_id, details={"version": latest.version, "courriers": n},
        )
    return n
