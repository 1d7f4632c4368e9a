"""spec/meetings.md §1 (notice in clear days) and §2 (quorum): every worked example."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.errors import InvalidInput, InvalidState, RuleBroken
from domain.meetings import (
    PARIS,
    Meeting,
    MeetingStatus,
    NoMemberConvened,
    NoticeCheck,
    NoticeRule,
    NoticeTooShort,
    QuorumRule,
    check_second_convocation,
    clear_days,
    hold,
)


def paris(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=PARIS)


# (sent, meeting, clear days, allowed with N=5, allowed in an emergency)
NOTICE_TABLE = [
    (paris(2026, 3, 2, 10), paris(2026, 3, 8, 18), 5, True, True),
    (paris(2026, 3, 2, 10), paris(2026, 3, 7, 18), 4, False, True),
    (datetime(2026, 3, 2, 22, 59, tzinfo=UTC), paris(2026, 3, 8, 9), 5, True, True),
    (datetime(2026, 3, 2, 23, 30, tzinfo=UTC), paris(2026, 3, 8, 18), 4, False, True),
    (date(2026, 3, 2), date(2026, 3, 4), 1, False, True),
    (date(2026, 3, 2), date(2026, 3, 3), 0, False, False),
    (date(2026, 3, 28), date(2026, 4, 3), 5, True, True),
    (date(2026, 10, 20), paris(2026, 10, 25, 2, 30), 4, False, True),
]


@pytest.mark.parametrize(("sent", "meeting", "days", "normal", "emergency"), NOTICE_TABLE)
def test_notice_table(sent: datetime | date, meeting: datetime | date, days: int, normal: bool, emergency: bool) -> None:
    rule = NoticeRule(days=5)
    assert clear_days(sent, meeting) == days
    assert rule.clear_days(sent, meeting) == days
    assert rule.check(NoticeCheck(sent, meeting)).ok is normal
    assert rule.check(NoticeCheck(sent, meeting, urgence=True, motif="Inondation")).ok is emergency
    if not normal:
        with pytest.raises(NoticeTooShort) as err:
            rule.enforce(NoticeCheck(sent, meeting))
        assert err.value.code == "delai-convocation"
        assert "jours francs" in err.value.detail or "jour franc" in err.value.detail
        assert err.value.extra["jours_francs"] == days


def test_notice_refusal_is_a_rule_with_code_and_french_message() -> None:
    assert NoticeRule.code == "delai-convocation"
    res = NoticeRule(5).check(NoticeCheck(date(2026, 3, 2), date(2026, 3, 7)))
    assert not res.ok and res.code == "delai-convocation"
    assert "4 jours francs" in res.message and "5 jours francs requis" in res.message
    assert isinstance(NoticeTooShort("x"), RuleBroken)


def test_emergency_needs_a_reason() -> None:
    with pytest.raises(InvalidInput) as err:
        NoticeRule(5).enforce(NoticeCheck(date(2026, 3, 2), date(2026, 3, 5), urgence=True, motif="  "))
    assert err.value.field == "motif"
    assert NoticeRule(5).enforce(NoticeCheck(date(2026, 3, 2), date(2026, 3, 5), urgence=True, motif="Crue")) == 2


def test_notice_uses_the_council_setting() -> None:
    assert NoticeRule(days=3).check(NoticeCheck(date(2026, 3, 2), date(2026, 3, 6))).ok
    assert not NoticeRule(days=4).check(NoticeCheck(date(2026, 3, 2), date(2026, 3, 6))).ok


@pytest.mark.parametrize(("n", "majorite", "tiers"), [(24, 13, 8), (25, 13, 9), (1, 1, 1)])
def test_quorum_table(n: int, majorite: int, tiers: int) -> None:
    assert QuorumRule("majorite").required(n) == majorite
    assert QuorumRule("tiers").required(n) == tiers
    assert QuorumRule("aucun").required(n) == 0


@pytest.mark.parametrize("rule", ["majorite", "tiers", "aucun"])
def test_no_member_cannot_be_held(rule: str) -> None:
    with pytest.raises(NoMemberConvened) as err:
        QuorumRule(rule).check(0, 0)
    assert err.value.code == "aucun-membre"


def test_proxies_do_not_count_and_the_result_says_so() -> None:
    # 24 members, 12 present + 5 proxies: present is what counts → not reached.
    res = QuorumRule("majorite").check(24, 12)
    assert (res.required, res.present, res.reached) == (13, 12, False)
    assert "Quorum non atteint" in res.message
    assert QuorumRule("majorite").check(24, 13).reached


def test_unknown_quorum_rule_refused() -> None:
    with pytest.raises(InvalidInput):
        QuorumRule("tous")


def _meeting(status: MeetingStatus, day: int = 10, second_of: int | None = None) -> Meeting:
    return Meeting(id=1, council_id=1, titre="Plénière", debut=paris(2026, 3, day, 18),
                   fin=paris(2026, 3, day, 20), status=status, second_convocation_of=second_of)


def test_quorum_not_reached_then_second_convocation_holds_without_quorum() -> None:
    first = _meeting(MeetingStatus.CONVOQUEE)
    res = QuorumRule("majorite").check(24, 5)
    assert hold(first, res).status is MeetingStatus.QUORUM_NON_ATTEINT
    failed = hold(first, res)
    # at least 3 clear days later: 10 → 14 has 3 clear days (11, 12, 13)
    assert check_second_convocation(failed, paris(2026, 3, 14, 18)) == 3
    with pytest.raises(RuleBroken) as err:
        check_second_convocation(failed, paris(2026, 3, 13, 18))
    assert err.value.code == "delai-seconde-convocation"
    second = _meeting(MeetingStatus.CONVOQUEE, 14, second_of=1)
    res2 = QuorumRule("majorite").check(24, 2, second_convocation=second.is_second_convocation)
    assert res2.reached and "sans condition de quorum" in res2.message
    assert hold(second, res2).status is MeetingStatus.TENUE


def test_second_convocation_only_after_a_failed_quorum() -> None:
    with pytest.raises(InvalidState):
        check_second_convocation(_meeting(MeetingStatus.TENUE), paris(2026, 3, 20, 18))
