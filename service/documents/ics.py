"""iCalendar files (RFC 5545) made with the ``icalendar`` library: meetings, trainings,
invitations attached to mails and the calendar feeds (contract B).

Times are written in Europe/Paris with ``TZID=Europe/Paris`` and the matching VTIMEZONE,
so a calendar shows 18 h 30 whatever the reader's zone, across daylight-saving changes.
The VTIMEZONE covers only the years the events span (plus one each side), which keeps it
short; it is built once per span and cached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

PARIS_TZID = "Europe/Paris"
PARIS = ZoneInfo(PARIS_TZID)
PRODID = "-//Conseil citoyen//Service des conseils citoyens//FR"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # stable, e.g. "reunion-12@<host of PUBLIC_BASE_URL>"
    sequence: int  # raised on every change
    start: datetime  # aware
    end: datetime  # aware
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    cancelled: bool = False  # STATUS:CANCELLED
    last_modified: datetime | None = None


@lru_cache(maxsize=16)
def _paris_timezone(first_year: int, last_year: int) -> Timezone:
    return Timezone.from_tzid(PARIS_TZID, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31))


def _aware(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{field} must be timezone-aware")
    return moment


def calendar_bytes(
    events: Sequence[CalendarEvent],
    *,
    name: str,
    method: str | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """VCALENDAR made with the ``icalendar`` library, VTIMEZONE Europe/Paris, DTSTART/DTEND
    with TZID=Europe/Paris, PRODID of the service; ``method="REQUEST"`` for invitations
    (``"CANCEL"`` for a cancellation sent by mail).

    DTSTAMP is ``stamp`` when given, else the event's ``last_modified``, else the
    event's start: the same events then always give the same bytes (a mail's SHA-256
    and a feed's ETag stay stable)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method.upper())
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", PARIS_TZID)
    if events:
        starts = [_aware(e.start, "start").astimezone(PARIS) for e in events]
        ends = [_aware(e.end, "end").astimezone(PARIS) for e in events]
        cal.add_component(_paris_timezone(min(starts).year - 1, max(ends).year + 1))
    for e in events:
        ev = Event()
        ev.add("uid", e.uid)
        ev.add("sequence", int(e.sequence))
        dtstamp = stamp or e.last_modified or e.start
        ev.add("dtstamp", _aware(dtstamp, "stamp").astimezone(UTC))
        ev.add("dtstart", e.start.astimezone(PARIS))
        ev.add("dtend", e.end.astimezone(PARIS))
        ev.add("summary", e.summary)
        if e.location:
            ev.add("location", e.location)
        if e.description:
            ev.add("description", e.description)
        if e.url:
            ev.add("url", e.url)
        if e.last_modified is not None:
            ev.add("last-modified", _aware(e.last_modified, "last_modified").astimezone(UTC))
        ev.add("status", "CANCELLED" if e.cancelled else "CONFIRMED")
        cal.add_component(ev)
    return bytes(cal.to_ical())
