"""Training rules (spec meetings.md §7) and the indicators' definitions (§8)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from fractions import Fraction

import pytest

from domain.errors import InvalidInput, RuleBroken
from domain.indicators import (
    MeetingFact,
    MemberFact,
    Period,
    QuestionFact,
    RoundFact,
    TrainingFact,
    draw_figures,
    meeting_figures,
    member_figures,
    question_figures,
    training_figures,
)
from domain.training import (
    PARIS,
    Audience,
    AudienceRule,
    EnrolmentStatus,
    HalfDayPart,
    ParticipantKind,
    SessionTimes,
    check_session_times,
    format_hours,
    half_days,
    hours_attended,
    place,
    to_promote,
)


def paris(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=PARIS)


def test_spec_example_full_day_morning_only_is_three_and_a_half_hours() -> None:
    day = SessionTimes(paris(2026, 3, 14, 9), paris(2026, 3, 14, 17), time(12, 30), time(13, 30))
    morning, afternoon = half_days(day)
    assert (morning.part, afternoon.part) == (HalfDayPart.MATIN, HalfDayPart.APRES_MIDI)
    assert hours_attended([morning]) == Fraction(7, 2)
    assert hours_attended([morning, afternoon]) == 7
    assert format_hours(hours_attended([morning])) == "3,5\u00a0h"


def test_full_day_without_stated_break_is_cut_at_the_default_lunch() -> None:
    morning, afternoon = half_days(SessionTimes(paris(2026, 3, 14, 9), paris(2026, 3, 14, 17)))
    assert morning.end == paris(2026, 3, 14, 12, 30) and afternoon.start == paris(2026, 3, 14, 13, 30)


def test_evening_session_is_one_half_day() -> None:
    (only,) = half_days(SessionTimes(paris(2026, 3, 12, 18), paris(2026, 3, 12, 20, 30)))
    assert only.part is HalfDayPart.APRES_MIDI and only.hours == Fraction(5, 2)


def test_half_days_count_dates_in_paris_across_the_clock_change() -> None:
    # 29 March 2026: clocks go forward at 02:00; a 09:00–12:00 session lasts 3 h.
    (only,) = half_days(SessionTimes(paris(2026, 3, 29, 9), paris(2026, 3, 29, 12)))
    assert only.hours == 3


def test_session_ending_before_it_starts_or_outside_the_training_is_refused() -> None:
    with pytest.raises(InvalidInput) as e:
        check_session_times(SessionTimes(paris(2026, 3, 12, 18), paris(2026, 3, 12, 17)))
    assert e.value.field == "fin"
    with pytest.raises(InvalidInput) as e:
        check_session_times(SessionTimes(paris(2026, 3, 12, 18), paris(2026, 3, 12, 20)), training_from=date(2026, 4, 1))
    assert e.value.code == "seance-hors-formation"
    with pytest.raises(InvalidInput):
        check_session_times(SessionTimes(paris(2026, 3, 12, 9), paris(2026, 3, 12, 17), time(18), time(19)))
    check_session_times(SessionTimes(datetime(2026, 3, 12, 17, tzinfo=UTC), datetime(2026, 3, 12, 19, tzinfo=UTC)))


def test_capacity_then_waiting_list_in_order_and_promotion() -> None:
    assert place(2, 1, 0).status is EnrolmentStatus.INSCRIT
    full = place(2, 2, 3)
    assert (full.status, full.position) == (EnrolmentStatus.ATTENTE, 4)
    assert place(None, 500, 0).status is EnrolmentStatus.INSCRIT
    assert to_promote(2, 1, [7, 9, 11]) == [7]
    assert to_promote(2, 2, [7, 9]) == []
    assert to_promote(3, 0, [7, 9]) == [7, 9]


def test_audience() -> None:
    AudienceRule.check(Audience.MEMBRES_SUPPLEANTS, ParticipantKind.SUPPLEANT)
    AudienceRule.check(Audience.OUVERT, ParticipantKind.PARTENAIRE)
    with pytest.raises(RuleBroken) as e:
        AudienceRule.check(Audience.MEMBRES, ParticipantKind.SUPPLEANT)
    assert e.value.code == "public-formation"


def test_period_end_before_start_is_refused() -> None:
    with pytest.raises(InvalidInput) as e:
        Period(date(2026, 6, 1), date(2026, 1, 1))
    assert e.value.field == "au"
    with pytest.raises(InvalidInput):
        Period(date(2, 1, 1), date(2026, 1, 1))


def test_indicator_definitions_from_the_spec() -> None:
    period = Period(date(2026, 1, 1), date(2026, 12, 31))
    members = [
        MemberFact("habitants", "F", "titulaire", date(2026, 1, 1), date(2028, 12, 31)),
        MemberFact("habitants", "M", "titulaire", date(2026, 1, 1), date(2026, 6, 30)),  # left mid-year
        MemberFact("associations_acteurs", "M", "titulaire", date(2026, 1, 1), date(2028, 12, 31)),
        MemberFact("habitants", "F", "suppleant", date(2026, 1, 1), date(2028, 12, 31)),
    ]
    figs = {f.code: f for f in member_figures(members, period.au)}
    assert figs["membres.part_femmes"].value == Fraction(1, 2)
    assert figs["membres.habitants.F"].value == 1 and figs["membres.habitants.M"].value == 0
    rounds = [RoundFact(1, 1, date(2026, 2, 1), 200, 10, {"F": 100, "M": 100}, {"F": 7, "M": 3}),
              RoundFact(1, 2, date(2025, 2, 1), 50, 5)]
    d = {f.code: f for f in draw_figures(rounds, period)}
    assert (d["tirages.tenus"].value, d["tirages.courriers"].value, d["tirages.acceptation"].value) == (1, 200, Fraction(1, 20))
    assert d["tirages.acceptation.F"].value == Fraction(7, 100)
    meetings = [MeetingFact(1, date(2026, 3, 1), True, 10, 6, {"F": 5}, {"F": 4}), MeetingFact(2, date(2026, 4, 1), False, 10, 4)]
    m = {f.code: f for f in meeting_figures(meetings, period)}
    assert (m["reunions.tenues"].value, m["reunions.quorum"].value, m["reunions.assiduite"].value) == (2, 1, Fraction(1, 2))
    assert m["reunions.assiduite.F"].value == Fraction(4, 5) and m["reunions.assiduite.M"].value is None
    t = {f.code: f for f in training_figures([TrainingFact(1, 1, date(2026, 3, 14), {"F": 2}, {"F": 1}, Fraction(7, 2))], period, 2)}
    assert t["formations.heures_par_membre"].value == Fraction(7, 4) and t["formations.assiduite.F"].value == Fraction(1, 2)
    assert {f.code: f for f in training_figures([], period, 0)}["formations.heures_par_membre"].value is None
    q = {f.code: f for f in question_figures(
        [QuestionFact(date(2026, 1, 1), date(2026, 1, 11)), QuestionFact(date(2026, 1, 5), date(2026, 1, 8)),
         QuestionFact(date(2026, 2, 1), None), QuestionFact(date(2026, 3, 1), date(2026, 3, 21))], period)}
    assert (q["questions.posees"].value, q["questions.repondues"].value, q["questions.delai_median"].value) == (4, 3, 10)
    assert question_figures([], period)[2].value is None
