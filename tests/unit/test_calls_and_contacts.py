"""Rules of the applications (domain/calls.py) and of contact privacy (domain/contacts.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.calls import (
    PERIMETRE_LABELS,
    REFUSAL_GIVES_REASON,
    PerimeterStatus,
    ReviewDecision,
    age_on,
    local_today,
)
from domain.contacts import CONTACT_PRIVACY, ContactAudience, audience_for


def test_a_call_closes_at_midnight_in_paris() -> None:
    assert local_today(datetime(2026, 3, 31, 22, 30, tzinfo=UTC)) == date(2026, 4, 1)
    assert local_today(datetime(2026, 3, 31, 21, 30, tzinfo=UTC)) == date(2026, 3, 31)


def test_outside_the_perimeter_is_to_check_not_refused() -> None:
    assert PerimeterStatus.OUTSIDE.to_check and PerimeterStatus.UNKNOWN.to_check
    assert not PerimeterStatus.INSIDE.to_check
    assert "à vérifier" in PerimeterStatus.OUTSIDE.label
    assert set(PERIMETRE_LABELS) == {s.value for s in PerimeterStatus}


@pytest.mark.parametrize(
    "decision,reason,ok,code",
    [
        ("acceptee", "", True, "motif-obligatoire"),
        ("refusee", "trop", False, "motif-obligatoire"),
        ("refusee", " Hors du quartier ", True, "motif-obligatoire"),
        ("peut-etre", "", False, "decision-inconnue"),
    ],
)
def test_a_refusal_gives_its_reason(decision: str, reason: str, ok: bool, code: str) -> None:
    result = REFUSAL_GIVES_REASON.check(ReviewDecision(decision, reason))
    assert (result.ok, result.code) == (ok, code)


def test_age_counts_the_birthday() -> None:
    assert age_on(date(2010, 4, 12), date(2026, 4, 11)) == 15
    assert age_on(date(2010, 4, 12), date(2026, 4, 12)) == 16


@pytest.mark.parametrize(
    "manages,member,audience",
    [
        (True, True, ContactAudience.ALL),
        (False, True, ContactAudience.CONSENTED),
        (False, False, ContactAudience.NONE),
    ],
)
def test_contact_audience_by_role(manages: bool, member: bool, audience: ContactAudience) -> None:
    assert audience_for(manages, member) is audience


def test_contact_shown_as_the_audience_allows() -> None:
    assert CONTACT_PRIVACY.shows("all", False)
    assert CONTACT_PRIVACY.shows("consented", True) and not CONTACT_PRIVACY.shows("consented", False)
    assert not CONTACT_PRIVACY.shows("none", True)
    assert CONTACT_PRIVACY.column("consented") and not CONTACT_PRIVACY.column("none")
