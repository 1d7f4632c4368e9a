"""Composition rules, departures and replacements, parity over time (pure domain)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from itertools import count
from typing import Any

import pytest

import domain.composition as composition
from domain.composition import (
    College,
    CouncilSettings,
    ExcludedPerson,
    MandateExpiry,
    Member,
    MemberStatus,
    Origin,
    ParityPoint,
    Regime,
    Seat,
    Sex,
    check_change,
    depart,
    evaluate_composition,
    mandate_end_for,
    parity_timeline,
    promote,
    propose_replacement,
)
from domain.errors import InvalidInput, InvalidState, RuleBroken
from domain.rules import RuleResult, Severity, enforce

TODAY = date(2025, 3, 10)
START = date(2024, 1, 15)
END = date(2027, 1, 14)
S2024 = CouncilSettings(regime=Regime.R2024)
S2014 = CouncilSettings(regime=Regime.R2014)

_ids = count(1)


def member(
    sex: Sex = Sex.F,
    college: College = College.HABITANTS,
    *,
    seat: Seat = Seat.TITULAIRE,
    origin: Origin = Origin.TIRE_AU_SORT_REGISTRE,
    id: str | None = None,
    **kw: Any,
) -> Member:
    fields: dict[str, Any] = {"mandate_start": START, "mandate_end": END, **kw}
    return Member(
        id=id or f"m{next(_ids)}", college=college, origin=origin, seat=seat, sex=sex, **fields
    )


def residents(women: int, men: int, **kw: Any) -> list[Member]:
    return [member(Sex.F, **kw) for _ in range(women)] + [member(Sex.M, **kw) for _ in range(men)]


def assoc(n: int, **kw: Any) -> list[Member]:
    return [member(Sex.M, College.ASSOCIATIONS_ACTEURS, **kw) for _ in range(n)]


def result(results: list[RuleResult], code: str) -> RuleResult:
    (found,) = [r for r in results if r.code == code]
    return found


def evaluate(
    members: list[Member], settings: CouncilSettings = S2024, **kw: Any
) -> list[RuleResult]:
    return evaluate_composition(members, settings, TODAY, **kw)


# ---- parity ---------------------------------------------------------------------------


@pytest.mark.parametrize(("women", "men"), [(7, 8), (8, 7), (8, 8), (0, 1), (0, 0)])
def test_parity_holds_when_counts_differ_by_at_most_one(women: int, men: int) -> None:
    r = result(evaluate(residents(women, men) + assoc(women + men)), "parite-habitants")
    assert r.ok


@pytest.mark.parametrize(("women", "men"), [(7, 9), (9, 7), (0, 2)])
def test_parity_broken_beyond_one_names_the_numbers(women: int, men: int) -> None:
    r = result(evaluate(residents(women, men)), "parite-habitants")
    assert not r.ok and r.blocks
    assert f"{women} femmes et {men} hommes" in r.message
    assert r.details == {"women": women, "men": men, "gap": 2, "max_gap": 1}


def test_parity_counts_only_active_titulaires_of_the_residents_college() -> None:
    gone = date(2025, 1, 1)
    members = (
        residents(7, 8)
        + residents(0, 3, seat=Seat.SUPPLEANT)
        + residents(0, 2, status=MemberStatus.DEMISSIONNAIRE, status_since=gone)
        + assoc(15)  # all men, other college
    )
    assert result(evaluate(members), "parite-habitants").ok


# ---- residents' share -----------------------------------------------------------------


def test_residents_share_exactly_half_is_enough() -> None:
    r = result(evaluate(residents(4, 3) + assoc(7)), "part-habitants")
    assert r.ok and r.details["residents"] == 7 and r.details["total"] == 14


def test_residents_share_below_half_is_blocking_with_percentages() -> None:
    r = result(evaluate(residents(4, 3) + assoc(8)), "part-habitants")
    assert r.blocks
    assert "7 sièges de titulaires sur 15 (46,7 %)" in r.message
    assert "au moins 50 %" in r.message


def test_residents_share_uses_exact_arithmetic_for_other_thresholds() -> None:
    # 3/5 is 0.6 exactly; a float comparison could put it a hair under.
    settings = CouncilSettings(regime=Regime.R2024, residents_min_share=0.6)
    assert result(evaluate(residents(2, 1) + assoc(2), settings), "part-habitants").ok
    assert not result(evaluate(residents(2, 1) + assoc(3), settings), "part-habitants").ok


def test_residents_share_ignores_suppleants_of_the_other_college() -> None:
    members = residents(4, 3) + assoc(7) + assoc(5, seat=Seat.SUPPLEANT)
    assert result(evaluate(members), "part-habitants").ok


# ---- size -----------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "ok"), [(14, False), (15, True), (50, True), (51, False)])
def test_size_outside_15_to_50_warns_but_never_blocks(n: int, ok: bool) -> None:
    women = (n + 1) // 2
    members = residents(women, n - women)
    results = evaluate(members)
    r = result(results, "taille-recommandee")
    assert r.ok is ok
    assert r.severity is Severity.WARNING and not r.blocks
    assert str(n) in r.message
    enforce(results)  # nothing else is broken: a size warning alone never raises


# ---- regime 2014 ----------------------------------------------------------------------


def test_volunteers_only_refused_under_2014_allowed_under_2024() -> None:
    volunteers = residents(8, 8, origin=Origin.VOLONTAIRE)
    r2014 = result(evaluate(volunteers, S2014), "volontaires-seuls-regime-2014")
    assert r2014.blocks and "16 habitants titulaires" in r2014.message
    assert result(evaluate(volunteers, S2024), "volontaires-seuls-regime-2014").ok


def test_regime_2014_accepts_volunteers_beside_residents_drawn_on_the_lists() -> None:
    members = [*residents(7, 8, origin=Origin.VOLONTAIRE), member(Sex.F)]
    assert result(evaluate(members, S2014), "volontaires-seuls-regime-2014").ok


def test_regime_2014_drawn_among_volunteers_is_still_volunteers_only() -> None:
    members = residents(8, 8, origin=Origin.TIRE_AU_SORT_VOLONTAIRES)
    # Associations drawn on nothing do not matter, nor do suppléants drawn on the lists.
    members += assoc(16, origin=Origin.REPRESENTANT_STRUCTURE)
    members += residents(1, 1, seat=Seat.SUPPLEANT)
    assert result(evaluate(members, S2014), "volontaires-seuls-regime-2014").blocks


# ---- mandates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ends_in_days", "ok", "severity"),
    [
        (61, True, Severity.WARNING),
        (60, False, Severity.WARNING),
        (0, False, Severity.WARNING),  # last day of the mandate: still valid today
        (-1, False, Severity.BLOCKING),
    ],
)
def test_mandate_expiry_boundaries(ends_in_days: int, ok: bool, severity: Severity) -> None:
    m = member(mandate_end=TODAY + timedelta(days=ends_in_days))
    r = result(evaluate([m]), "echeance-mandats")
    assert (r.ok, r.severity) == (ok, severity)


def test_expired_mandate_of_a_member_marked_ended_is_fine() -> None:
    m = member(
        mandate_end=TODAY - timedelta(days=1),
        status=MemberStatus.MANDAT_TERMINE,
        status_since=TODAY,
    )
    assert result(evaluate([m]), "echeance-mandats").ok


def test_mandate_expiry_lists_both_expired_and_expiring() -> None:
    old = member(id="old", mandate_end=TODAY - timedelta(days=3))
    soon = member(id="soon", mandate_end=TODAY + timedelta(days=10))
    r = MandateExpiry(30).check(composition.Composition.of([old, soon], TODAY))
    assert r.blocks and r.details["expired"] == ["old"] and r.details["expiring"] == ["soon"]
    assert "(old)" in r.message and "1 autres mandats" in r.message


# ---- exclusions -----------------------------------------------------------------------


def test_excluded_person_by_id_set_and_by_predicate() -> None:
    mayor = member(id="maire-adjoint")
    gone = member(id="ancien-elu", status=MemberStatus.DEMISSIONNAIRE, status_since=TODAY)
    reserve = member(id="agent-pv", seat=Seat.SUPPLEANT)
    members = [mayor, gone, reserve, *residents(7, 8)]

    r = result(
        evaluate(members, excluded={"maire-adjoint", "ancien-elu", "agent-pv"}),
        "personne-ineligible",
    )
    assert r.blocks and r.details["members"] == ["agent-pv", "maire-adjoint"]

    r = result(
        evaluate(members, excluded=lambda m: m.id.startswith("maire")), "personne-ineligible"
    )
    assert r.details["members"] == ["maire-adjoint"]
    assert ExcludedPerson(frozenset()).check(composition.Composition.of(members, TODAY)).ok


def test_exclusion_rule_only_runs_when_a_list_is_given() -> None:
    codes = [r.code for r in evaluate(residents(8, 8))]
    assert codes == [
        "parite-habitants",
        "part-habitants",
        "volontaires-seuls-regime-2014",
        "sieges-volontaires",
        "taille-recommandee",
        "echeance-mandats",
    ]


def test_the_same_person_twice_is_refused() -> None:
    m = member()
    with pytest.raises(InvalidInput):
        evaluate([m, m])


# ---- overridable changes --------------------------------------------------------------


def test_change_newly_breaking_parity_is_refused_with_the_rule_code() -> None:
    before = residents(7, 8) + assoc(10)
    after = [*before, member(Sex.M)]
    with pytest.raises(RuleBroken) as err:
        check_change(before, after, S2024, TODAY, None)
    assert err.value.code == "parite-habitants"
    assert err.value.extra["rules"] == ["parite-habitants"]
    assert "7 femmes et 9 hommes" in err.value.detail


@pytest.mark.parametrize("reason", ["", "urgence", "   court   "])
def test_override_reason_must_have_ten_characters(reason: str) -> None:
    before = residents(7, 8)
    with pytest.raises(RuleBroken, match="au moins 10 caractères"):
        check_change(before, [*before, member(Sex.M)], S2024, TODAY, reason)


def test_override_returns_the_codes_to_audit() -> None:
    before = residents(7, 8) + assoc(15)
    after = before + assoc(2) + [member(Sex.M)]  # 7 F / 9 M, 16 residents of 33
    reason = "Démission en attente de remplacement"
    assert check_change(before, after, S2024, TODAY, reason) == [
        "parite-habitants",
        "part-habitants",
    ]
    assert check_change(before, after, S2024, TODAY, "0123456789") != []


def test_change_that_breaks_nothing_new_needs_no_reason() -> None:
    fine = residents(7, 8)
    assert check_change(fine, [*fine, member(Sex.F)], S2024, TODAY) == []
    already_broken = residents(5, 9)
    assert check_change(already_broken, [*already_broken, member(Sex.M)], S2024, TODAY) == []


def test_recording_a_departure_that_breaks_parity_needs_an_override() -> None:
    women, men = residents(8, 0), residents(0, 9)
    leaving = depart(women[0], MemberStatus.DEMENAGE, TODAY).member
    after = [leaving, *women[1:], *men]  # 7 women, 9 men sit
    with pytest.raises(RuleBroken) as err:
        check_change(women + men, after, S2024, TODAY, None)
    assert err.value.code == "parite-habitants"
    reason = "Départ constaté, suppléante convoquée"
    assert check_change(women + men, after, S2024, TODAY, reason) == ["parite-habitants"]


# ---- departures and replacements ------------------------------------------------------


def test_departure_of_a_titulaire_opens_a_vacancy() -> None:
    m = member(Sex.F, stratum="F/A2", rank=3)
    d = depart(m, MemberStatus.DEMISSIONNAIRE, TODAY)
    assert d.member.status is MemberStatus.DEMISSIONNAIRE and d.member.status_since == TODAY
    assert d.vacancy is not None
    assert (d.vacancy.member_id, d.vacancy.stratum, d.vacancy.sex) == (m.id, "F/A2", Sex.F)
    assert not d.member.sits


def test_departure_of_a_suppleant_frees_no_seat() -> None:
    assert depart(member(seat=Seat.SUPPLEANT), MemberStatus.DEMENAGE, TODAY).vacancy is None


def test_departure_needs_an_active_member_and_a_leaving_status() -> None:
    gone = member(status=MemberStatus.DECEDE, status_since=TODAY)
    with pytest.raises(InvalidState):
        depart(gone, MemberStatus.DEMISSIONNAIRE, TODAY)
    with pytest.raises(InvalidInput):
        depart(member(), MemberStatus.ACTIF, TODAY)
    with pytest.raises(InvalidInput):
        depart(member(), MemberStatus.DEMISSIONNAIRE, START - timedelta(days=1))


def test_replacement_is_the_best_ranked_active_suppleant_of_the_same_stratum() -> None:
    departed = member(Sex.F, stratum="F/A2", rank=1)
    vacancy = depart(departed, MemberStatus.DEMENAGE, TODAY).vacancy
    assert vacancy is not None
    sup: dict[str, Any] = {"seat": Seat.SUPPLEANT, "stratum": "F/A2"}
    pool = [
        # Ids sort against rank order, so only the rank can pick the right one.
        member(Sex.F, id="a-rank-5", rank=5, **sup),
        member(
            Sex.F,
            id="b-rank-2-gone",
            rank=2,
            status=MemberStatus.DEMISSIONNAIRE,
            status_since=TODAY,
            **sup,
        ),
        member(Sex.F, id="z-rank-3", rank=3, **sup),
        member(Sex.F, id="c-other-stratum", seat=Seat.SUPPLEANT, stratum="F/A1", rank=1),
        member(Sex.F, id="d-other-college", college=College.ASSOCIATIONS_ACTEURS, rank=1, **sup),
        member(Sex.F, id="e-sitting", stratum="F/A2", rank=1),
        member(Sex.F, id="f-unranked", **sup),
    ]
    proposal = propose_replacement(vacancy, pool)
    assert proposal.candidate is not None and proposal.candidate.id == "z-rank-3"
    assert "rang 3" in proposal.reason and not proposal.needs_new_round


def test_no_suppleant_left_means_a_new_round() -> None:
    vacancy = depart(member(Sex.M, stratum="M/A1"), MemberStatus.DECEDE, TODAY).vacancy
    assert vacancy is not None
    expired = member(
        Sex.M, seat=Seat.SUPPLEANT, stratum="M/A1", rank=1, mandate_end=TODAY - timedelta(days=1)
    )
    wrong_sex = member(Sex.F, seat=Seat.SUPPLEANT, stratum="M/A1", rank=2)
    proposal = propose_replacement(vacancy, [expired, wrong_sex])
    assert proposal.candidate is None and proposal.needs_new_round
    assert "M/A1" in proposal.reason and "nouveau tour" in proposal.reason


def test_promoted_suppleant_sits_from_the_vacancy_date() -> None:
    vacancy = depart(member(Sex.F, stratum="F", rank=1), MemberStatus.DEMENAGE, TODAY).vacancy
    assert vacancy is not None
    sup = member(Sex.F, seat=Seat.SUPPLEANT, stratum="F", rank=4)
    seated = promote(sup, vacancy)
    assert seated.seat is Seat.TITULAIRE and seated.mandate_start == TODAY and seated.sits
    assert (seated.id, seated.rank, seated.mandate_end) == (sup.id, 4, sup.mandate_end)
    with pytest.raises(InvalidState):
        promote(seated, vacancy)


# ---- parity over time -----------------------------------------------------------------


def test_parity_timeline_steps_at_each_change() -> None:
    d1, d2, d3 = date(2024, 6, 1), date(2024, 9, 1), date(2025, 2, 1)
    f1, f2, m1, m2 = member(Sex.F), member(Sex.F), member(Sex.M), member(Sex.M)
    a1 = member(Sex.F, College.ASSOCIATIONS_ACTEURS)
    f1_left = depart(f1, MemberStatus.DEMISSIONNAIRE, d1)
    assert f1_left.vacancy is not None
    sup = member(Sex.F, seat=Seat.SUPPLEANT, stratum="F", rank=1)
    f3 = promote(sup, replace(f1_left.vacancy, opened_on=d2))  # seat taken later
    m2_left = depart(m2, MemberStatus.DEMENAGE, d3).member
    # Versions of one tenure, in any order: the departure is the latest knowledge.
    history = [f1_left.member, f1, f2, m1, m2_left, m2, a1, sup, f3]

    H, A = College.HABITANTS, College.ASSOCIATIONS_ACTEURS
    assert parity_timeline(history, START, date(2025, 12, 31)) == [
        ParityPoint(START, H, 2, 2),
        ParityPoint(START, A, 1, 0),
        ParityPoint(d1, H, 1, 2),
        ParityPoint(d2, H, 2, 2),
        ParityPoint(d3, H, 2, 1),
    ]
    # A window opening after some changes starts from the counts of that day.
    assert parity_timeline(history, d2, d2) == [ParityPoint(d2, H, 2, 2), ParityPoint(d2, A, 1, 0)]


def test_parity_timeline_counts_the_last_day_of_the_mandate() -> None:
    end = date(2024, 12, 31)
    m = member(Sex.M, mandate_end=end)
    points = parity_timeline([m], START, date(2025, 6, 30))
    assert points[0] == ParityPoint(START, College.HABITANTS, 0, 1)
    assert points[-1] == ParityPoint(end + timedelta(days=1), College.HABITANTS, 0, 0)


def test_parity_timeline_swap_on_the_same_day_is_not_a_change() -> None:
    day = date(2024, 5, 5)
    leaving = member(Sex.F, status=MemberStatus.DEMENAGE, status_since=day)
    arriving = member(Sex.F, mandate_start=day)
    assert parity_timeline([leaving, arriving], START, END) == [
        ParityPoint(START, College.HABITANTS, 1, 0),
        ParityPoint(START, College.ASSOCIATIONS_ACTEURS, 0, 0),
    ]


def test_sits_on_follows_the_same_dates_as_the_timeline() -> None:
    left = date(2025, 1, 1)
    m = member(status=MemberStatus.DEMISSIONNAIRE, status_since=left)
    assert not m.sits_on(START - timedelta(days=1)) and m.sits_on(START)
    assert m.sits_on(left - timedelta(days=1)) and not m.sits_on(left)
    active = member()
    assert active.sits_on(END) and not active.sits_on(END + timedelta(days=1))
    assert not member(seat=Seat.SUPPLEANT).sits_on(START)


def test_parity_timeline_rejects_a_reversed_period() -> None:
    with pytest.raises(InvalidInput):
        parity_timeline([], END, START)


# ---- values ---------------------------------------------------------------------------


def test_mandate_end_is_the_day_before_the_anniversary() -> None:
    assert mandate_end_for(date(2024, 1, 15), 3) == date(2027, 1, 14)
    assert mandate_end_for(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert mandate_end_for(date(2024, 3, 1), 4) == date(2028, 2, 29)


def test_member_and_settings_refuse_inconsistent_values() -> None:
    with pytest.raises(InvalidInput):
        member(status=MemberStatus.DEMISSIONNAIRE)  # no date
    with pytest.raises(InvalidInput):
        member(mandate_end=START - timedelta(days=1))
    with pytest.raises(InvalidInput):
        member(rank=0)
    with pytest.raises(InvalidInput):
        CouncilSettings(regime=Regime.R2024, min_size=60)
    with pytest.raises(InvalidInput):
        CouncilSettings(regime=Regime.R2024, residents_min_share=0)


def test_every_enum_value_has_a_french_label_and_a_string_value() -> None:
    for enum in (College, Origin, Seat, MemberStatus, Sex, Regime):
        for value in enum:
            assert isinstance(value, str) and value.label
    assert College.HABITANTS.label == "Collège des habitants"
    assert Regime("2014") is Regime.R2014


def test_volunteer_titulaires_beyond_the_reserved_seats() -> None:
    from dataclasses import replace as _replace

    from domain.composition import Origin, Regime, VolunteerSeats

    members = residents(2, 2)
    volunteer = _replace(members[0], origin=Origin.VOLONTAIRE)
    subject = composition.Composition.of([volunteer, *members[1:]], TODAY)
    # 2024 regime, no seat reserved: a warning that says so.
    r = VolunteerSeats(0, Regime.R2024).check(subject)
    assert not r.ok and not r.blocks
    assert "aucun siège n'est réservé aux volontaires" in r.message
    # 2014 regime: refused.
    assert VolunteerSeats(0, Regime.R2014).check(subject).blocks
    assert VolunteerSeats(1, Regime.R2014).check(subject).ok
    assert VolunteerSeats(0, Regime.R2014).check(composition.Composition.of(members, TODAY)).ok


def test_labels_agree_with_the_person() -> None:
    from domain.composition import Origin, Seat

    assert Seat.SUPPLEANT.label_for("F") == "Suppléante"
    assert Seat.SUPPLEANT.label_for("M") == "Suppléant"
    assert Origin.TIRE_AU_SORT_REGISTRE.label_for("F").startswith("Tirée au sort")
    assert Origin.TIRE_AU_SORT_REGISTRE.label_for("") .startswith("Tiré au sort")


# ---- one person, one college; the change guard ------------------------------------------


def test_one_person_may_not_be_both_a_drawn_resident_and_a_representative() -> None:
    rule = composition.OnePersonOneCollege()
    drawn = composition.PersonSeat(1, "awa|diallo", Origin.TIRE_AU_SORT_VOLONTAIRES)
    rep = composition.PersonSeat(2, "awa|diallo", Origin.REPRESENTANT_STRUCTURE)
    volunteer = composition.PersonSeat(3, "ben|martin", Origin.VOLONTAIRE)
    assert rule.check([drawn, volunteer]).ok
    broken = rule.check([drawn, rep, volunteer])
    assert not broken.ok and broken.details == {"members": ["1", "2"]}
    assert rule.check([drawn, composition.PersonSeat(2, "awa|diallo", Origin.REPRESENTANT_STRUCTURE, False)]).ok
    with pytest.raises(RuleBroken) as err:
        rule.refuse(rep, [drawn, volunteer], "Awa", "Diallo")
    assert err.value.code == "representant-et-habitant" and err.value.extra["member"] == 1
    rule.refuse(rep, [rep, volunteer], "Awa", "Diallo")  # its own record is not a clash


def test_the_change_guard_refuses_worsening_and_lists_every_code_it_overrides() -> None:
    guard = composition.ChangeGuard(S2014)
    before = residents(3, 0)  # already broken: a change that does not fix it may pass…
    assert guard.check(before, [*before, *assoc(1)], TODAY) == []
    worse = [*before, member(Sex.F, origin=Origin.VOLONTAIRE)]
    with pytest.raises(RuleBroken) as err:  # …but not one that makes it worse
        guard.check(before, worse, TODAY)
    assert err.value.code == "parite-habitants"
    assert err.value.extra["rules"] == ["parite-habitants", "sieges-volontaires"]
    assert guard.check(before, worse, TODAY, "  motif assez long ") == ["parite-habitants", "sieges-volontaires"]
    # check_change alone only looks at what is newly broken.
    assert check_change(before, worse, S2014, TODAY) == []
