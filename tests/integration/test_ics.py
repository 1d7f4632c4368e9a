"""Calendars made by service/documents/ics.py, parsed back with icalendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from service.documents.ics import CalendarEvent, calendar_bytes

PARIS = ZoneInfo("Europe/Paris")


def _event(**kw: object) -> CalendarEvent:
    base: dict[str, object] = dict(
        uid="reunion-12@conseil.example.fr",
        sequence=3,
        start=datetime(2026, 3, 12, 17, 30, tzinfo=UTC),  # 18 h 30 in Paris (winter)
        end=datetime(2026, 3, 12, 19, 30, tzinfo=UTC),
        summary="Assemblée plénière ; ordre du jour, vote",
        location="Maison de quartier, 2 rue des Lilas",
        description="Ordre du jour joint.\nVenez nombreux.",
        url="https://conseil.example.fr/reunions/12",
        last_modified=datetime(2026, 2, 20, 8, 0, tzinfo=UTC),
    )
    base.update(kw)
    return CalendarEvent(**base)  # type: ignore[arg-type]


def test_event_fields_timezone_and_method_survive_a_round_trip() -> None:
    summer = _event(
        uid="reunion-13@conseil.example.fr",
        sequence=0,
        start=datetime(2026, 7, 2, 16, 0, tzinfo=UTC),
        end=datetime(2026, 7, 2, 18, 0, tzinfo=UTC),
        cancelled=True,
    )
    raw = calendar_bytes([_event(), summer], name="Conseil citoyen des Rives", method="REQUEST")
    cal = Calendar.from_ical(raw)
    assert str(cal["METHOD"]) == "REQUEST"
    assert "Conseil citoyen" in str(cal["PRODID"])
    assert str(cal["X-WR-CALNAME"]) == "Conseil citoyen des Rives"
    (tz,) = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Paris"
    assert {c["TZOFFSETTO"].td for c in tz.subcomponents} == {timedelta(hours=1), timedelta(hours=2)}
    winter_ev, summer_ev = cal.walk("VEVENT")
    assert str(winter_ev["UID"]) == "reunion-12@conseil.example.fr"
    assert int(winter_ev["SEQUENCE"]) == 3
    assert winter_ev["DTSTART"].params["TZID"] == "Europe/Paris"
    start = winter_ev["DTSTART"].dt
    assert (start.hour, start.minute) == (18, 30) and start.utcoffset() == timedelta(hours=1)
    assert winter_ev["DTEND"].dt == datetime(2026, 3, 12, 20, 30, tzinfo=PARIS)
    assert str(winter_ev["SUMMARY"]) == "Assemblée plénière ; ordre du jour, vote"
    assert str(winter_ev["DESCRIPTION"]) == "Ordre du jour joint.\nVenez nombreux."
    assert str(winter_ev["LOCATION"]) == "Maison de quartier, 2 rue des Lilas"
    assert str(winter_ev["URL"]) == "https://conseil.example.fr/reunions/12"
    assert str(winter_ev["STATUS"]) == "CONFIRMED"
    assert summer_ev["DTSTART"].dt.hour == 18 and summer_ev["DTSTART"].dt.utcoffset() == timedelta(hours=2)
    assert str(summer_ev["STATUS"]) == "CANCELLED"
    # Every TZID used has its VTIMEZONE (what strict clients such as Outlook need).
    assert cal.get_missing_tzids() == set()
    assert raw.count(b"\r\n") > 20  # RFC 5545 line ends


def test_same_events_give_the_same_bytes_and_a_change_shows_in_sequence() -> None:
    one = calendar_bytes([_event()], name="x")
    assert one == calendar_bytes([_event()], name="x")  # stable: a mail's SHA-256 holds
    assert b"METHOD" not in one  # a feed carries no method
    changed = Calendar.from_ical(calendar_bytes([_event(sequence=4, location="Mairie annexe")], name="x"))
    (ev,) = changed.walk("VEVENT")
    assert int(ev["SEQUENCE"]) == 4 and str(ev["UID"]) == "reunion-12@conseil.example.fr"


def test_naive_times_are_refused_and_an_empty_feed_is_valid() -> None:
    with pytest.raises(ValueError):
        calendar_bytes([_event(start=datetime(2026, 3, 12, 18, 30))], name="x")
    cal = Calendar.from_ical(calendar_bytes([], name="Aucune réunion"))
    assert cal.walk("VEVENT") == [] and str(cal["VERSION"]) == "2.0"
