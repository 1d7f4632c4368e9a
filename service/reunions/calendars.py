"""Calendar feeds (issue 11, item 8): the council's public meetings, and each member's
personal feed at a secret, revocable URL.

Both are made by ``service.documents.ics`` (the ``icalendar`` library, VTIMEZONE
Europe/Paris). UIDs are stable (« reunion-12@host »), SEQUENCE is the meeting's
``sequence`` (raised by every change), a cancelled meeting stays in the feed with
STATUS:CANCELLED so calendars remove it instead of keeping a ghost.

Other features add their own events to the personal feed through
:func:`event_provider` (the trainings feature will list the sessions a member is
invited to): a provider is ``async (ctx, membre_id) -> list[CalendarEvent]``.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from domain.errors import NotFound
from domain.i18n import _
from domain.meetings import Meeting, MeetingStatus
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.public_address import public_base_url_for_documents
from service.reunions.store_convocations import ConvocationStore
from service.reunions.usecases.convocations import KIND_LABELS, event_uid, gateway
from service.security import token_digest

if TYPE_CHECKING:
    from service.documents.ics import CalendarEvent

EventProvider = Callable[[AppContext, int], Awaitable[list["CalendarEvent"]]]
_PROVIDERS: list[EventProvider] = []

FEED_PATH = "/calendrier/"
# A postponed meeting points to its new date (another meeting): drop the old one.
CANCELLED = (MeetingStatus.ANNULEE, MeetingStatus.REPORTEE)


def event_provider(fn: EventProvider) -> EventProvider:
    """Register a source of events for the members' personal feeds."""
    if fn not in _PROVIDERS:
        _PROVIDERS.append(fn)
    return fn


def providers() -> tuple[EventProvider, ...]:
    """The features' declared sources (service/feature.py ``member_calendar``), then any
    registered here."""
    import importlib

    from service import features

    declared: list[EventProvider] = []
    for feature in features.declared():
        for ref in feature.member_calendar:
            module, _sep, name = ref.partition(":")
            declared.append(getattr(importlib.import_module(module), name))
    return (*declared, *_PROVIDERS)


def meeting_event(meeting: Meeting, base_url: str, council_name: str = "") -> CalendarEvent:
    from service.documents.ics import CalendarEvent

    kind = KIND_LABELS.get(str(meeting.kind), "")
    summary = meeting.titre + (f" — {council_name}" if council_name else "")
    description = _("Réunion du conseil citoyen ({kind}).").format(kind=kind) if kind else ""
    if meeting.status is MeetingStatus.REPORTEE and meeting.reportee_au is not None:
        description += " " + _("Réunion reportée.")
    return CalendarEvent(
        uid=event_uid(int(meeting.id or 0), base_url),
        sequence=meeting.sequence,
        start=meeting.debut,
        end=meeting.fin,
        summary=summary,
        location=meeting.lieu,
        description=description.strip(),
        url=f"{base_url.rstrip('/')}/conseils/{meeting.council_id}/reunions",
        cancelled=meeting.status in CANCELLED,
    )


_FOLD_INSTALLED = False


def install_fast_fold() -> None:
    """Make icalendar skip its per-character folding loop for lines that need no fold.

    icalendar 7 folds every content line character by character (~13 % of a 1,000-event
    feed); most lines are well under the 75 octets a line may hold. The fast path
    returns those unchanged, which is exactly what the loop returns for them, and hands
    every other line to the library. Installed on first use (not at import), and only
    when the library still has the function it wraps.
    """
    global _FOLD_INSTALLED
    if _FOLD_INSTALLED:
        return
    _FOLD_INSTALLED = True
    try:
        import icalendar.parser.content_line as content_line
    except ImportError:  # pragma: no cover - layout of another icalendar version
        return
    slow = getattr(content_line, "_foldline", None)
    if slow is None or getattr(slow, "_fast_path", False):
        return

    def fold(line: str, limit: int = 75, fold_sep: str = "\r\n ") -> str:
        if len(line) * 4 < limit or len(line.encode("utf-8")) < limit:
            return line
        return str(slow(line, limit, fold_sep))

    fold._fast_path = True  # type: ignore[attr-defined]  # a marker on the function: "already installed"
    setattr(content_line, "_foldline", fold)  # noqa: B010 — a private name of the library


def feed_bytes(events: Sequence[CalendarEvent], name: str) -> bytes:
    from service.documents.ics import calendar_bytes

    install_fast_fold()
    return calendar_bytes(list(events), name=name)


async def public_feed(ctx: AppContext, council_id: int) -> bytes:
    """The council's public meetings (no login)."""
    from service.organisation import usecases as org

    council = await org.get_council(council_id)  # NotFound for an unknown council
    meetings = [m for m in await gateway(ctx).list_meetings(council_id) if m.publique]
    base = ctx.settings.public_base_url
    events = [meeting_event(m, base) for m in meetings]
    return feed_bytes(events, _("Réunions publiques — {nom}").format(nom=council.name))


# ---------------------------------------------------------------------------
# Personal feeds


@dataclass(frozen=True)
class PersonalLink:
    membre_id: int
    url: str
    created_at: datetime


def feed_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{FEED_PATH}{token}.ics"


async def regenerate_link(ctx: AppContext, actor: Actor, council_id: int, membre_id: int) -> PersonalLink:
    """A new secret URL for the member's feed; the previous one stops working."""
    store = ConvocationStore(ctx.db)
    token = secrets.token_urlsafe(24)
    now = ctx.now()
    async with ctx.db.transaction():
        revoked = await store.revoke_links(membre_id, now)
        await store.create_link(membre_id, council_id, token_digest(token), now)
        await audit.record(
            ctx.db, actor=actor, action="reunion.calendrier.lien", subject_type="membre",
            subject_id=membre_id, at=now, council_id=council_id,
            details={"revoques": revoked},
        )
    return PersonalLink(membre_id, feed_url(public_base_url_for_documents(ctx.settings), token), now)


async def revoke_link(ctx: AppContext, actor: Actor, council_id: int, membre_id: int) -> int:
    store = ConvocationStore(ctx.db)
    now = ctx.now()
    async with ctx.db.transaction():
        n = await store.revoke_links(membre_id, now)
        if n:
            await audit.record(
                ctx.db, actor=actor, action="reunion.calendrier.revocation", subject_type="membre",
                subject_id=membre_id, at=now, council_id=council_id, details={"revoques": n},
            )
    return n


async def personal_feed(ctx: AppContext, token: str) -> bytes:
    """Meetings the member is convened to, plus the registered providers' events."""
    if token.endswith(".ics"):
        token = token[:-4]
    store = ConvocationStore(ctx.db)
    link = await store.link_by_hash(token_digest(token)) if token and len(token) <= 100 else None
    if link is None or link.revoked_at is not None:
        raise NotFound(
            _("Ce lien d'agenda n'existe pas ou a été révoqué : demandez-en un nouveau sur votre espace."),
            code="lien-agenda-invalide",
        )
    meetings = gateway(ctx)
    base = ctx.settings.public_base_url
    events: list[CalendarEvent] = []
    for reunion_id in await store.member_reunions(link.membre_id):
        try:
            meeting = await meetings.get_meeting(reunion_id)
        except NotFound:
            continue
        events.append(meeting_event(meeting, base))
    for provider in providers():
        events += await provider(ctx, link.membre_id)
    return feed_bytes(events, _("Mes réunions du conseil citoyen"))
