"""spec/meetings.md §3 (proxies and votes) and §4 (absences that end a mandate)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput
from domain.meetings import (
    AbsenceStreak,
    AttendanceRecord,
    AttendanceSheet,
    Presence,
    ProxyRefused,
    VoteChoice,
    consensus,
    tally,
)
from domain.meetings.attendance import members_of

P, E, A = Presence.PRESENT, Presence.ABSENT_EXCUSE, Presence.ABSENT


def sheet() -> AttendanceSheet:
    s = AttendanceSheet(members_of(["a", "b", "c", "d"]))
    return s.record("a", P).record("b", P)


def test_proxy_given_by_an_absent_member_to_a_present_one() -> None:
    s = sheet().give_proxy("c", "a")
    assert s.proxies == {"c": "a"}
    assert s.presence["c"] is E  # a proxy given counts as an excused absence
    assert s.voters == 3  # two present, one proxy


def test_proxy_to_oneself_refused() -> None:
    with pytest.raises(ProxyRefused) as err:
        sheet().give_proxy("c", "c")
    assert err.value.code == "pouvoir-a-soi-meme" and err.value.field == "porteur_id"


def test_proxy_to_an_absent_member_refused() -> None:
    with pytest.raises(ProxyRefused) as err:
        sheet().record("d", A).give_proxy("c", "d")
    assert err.value.code == "pouvoir-a-un-absent"


def test_proxy_given_before_the_meeting_lapses_if_the_holder_does_not_come() -> None:
    s = AttendanceSheet(members_of(["a", "b", "c"])).give_proxy("c", "a")  # a convocation's reply
    assert s.proxies == {"c": "a"}
    assert s.record("a", P).settle().proxies == {"c": "a"}
    settled = s.settle()
    assert settled.proxies == {}  # "a" never recorded present
    assert settled.presence == {"a": A, "b": A, "c": E}  # not recorded → absent, not excused


def test_at_most_one_proxy_held() -> None:
    s = sheet().give_proxy("c", "a")
    with pytest.raises(ProxyRefused) as err:
        s.give_proxy("d", "a")
    assert err.value.code == "pouvoir-deja-detenu"
    assert s.give_proxy("d", "b").proxies == {"c": "a", "d": "b"}


def test_proxy_lapses_when_the_giver_arrives() -> None:
    s = sheet().give_proxy("c", "a").record("c", P)
    assert s.proxies == {}
    assert s.voters == 3


def test_proxy_lapses_when_the_holder_leaves() -> None:
    assert sheet().give_proxy("c", "a").record("a", A).proxies == {}


def test_attendance_of_a_non_member_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        sheet().record("z", P)
    assert err.value.code == "non-membre-a-cette-date"


def test_votes_adopted_when_pour_exceeds_contre() -> None:
    r = tally(7, 3, 2)
    assert r.adopted and r.exprimes == 10
    assert not tally(3, 7, 0).adopted


def test_tie_not_adopted_unless_the_chair_decides() -> None:
    assert not tally(5, 5, 1).adopted
    assert not tally(5, 5, 1, president_vote=VoteChoice.POUR).adopted  # setting off
    r = tally(5, 5, 1, voix_preponderante_president=True, president_vote=VoteChoice.POUR)
    assert r.adopted and r.president_decided
    assert not tally(5, 5, 1, voix_preponderante_president=True, president_vote=VoteChoice.CONTRE).adopted


def test_consensus_has_no_counts() -> None:
    r = consensus()
    assert r.consensus and r.adopted and (r.pour, r.contre, r.abstention) == (0, 0, 0)
    assert r.message == "Adopté par consensus."


def test_more_votes_than_voters_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        tally(3, 1, 0, voters=3)
    assert err.value.code == "trop-de-voix"


def _history(*presences: Presence | tuple[Presence, bool]) -> list[AttendanceRecord]:
    out = []
    for i, p in enumerate(presences):
        pres, proxy = p if isinstance(p, tuple) else (p, False)
        out.append(AttendanceRecord(date(2026, 1 + i, 10), pres, proxy))
    return out


def test_absence_streak_first_example_proposed_at_fifth_meeting() -> None:
    rule = AbsenceStreak(3)
    history = _history(P, A, E, A, A)
    assert not rule.evaluate(history[:4]).proposed
    res = rule.evaluate(history)
    assert res.streak == 3 and res.proposed
    assert res.dates == (date(2026, 2, 10), date(2026, 4, 10), date(2026, 5, 10))
    assert "3 absences non excusées" in res.message


def test_absence_streak_second_example_nothing() -> None:
    res = AbsenceStreak(3).evaluate(_history(P, A, A, P, A))
    assert res.streak == 1 and not res.proposed


def test_proxy_given_leaves_the_streak_unchanged() -> None:
    assert AbsenceStreak(3).evaluate(_history(A, (A, True), A)).streak == 2
