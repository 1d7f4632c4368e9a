"""Eligibility rules: named, coded, every reason kept, counted per reason."""

from __future__ import annotations

from datetime import date

import pytest

from domain.registre.eligibility import (
    EligibilitySettings,
    MinimumAgeRule,
    age_at,
    evaluate,
    member_identity,
)
from domain.registre.entries import Entry
from domain.registre.exclusions import Exclusion, ExclusionList
from domain.registre.normalise import Sexe, parse_address
from domain.registre.perimeter import Perimeter, PerimeterRule

REF = date(2026, 1, 1)
PERIMETER = Perimeter([PerimeterRule("Rue des Tilleuls", 1, 120)])
EXCLUSIONS = ExclusionList([Exclusion("THOMAS", "Julie", date(1976, 4, 25), "agent")])


def entry(nom: str = "DURAND", prenoms: str = "Léa", born: date | None = date(1980, 1, 1),
          rue: str = "5 Rue des Tilleuls", sexe: Sexe | None = Sexe.FEMININ) -> Entry:
    return Entry.build(source="le", line=2, nom_naissance=nom, prenoms=prenoms, sexe=sexe,
                       date_naissance=born, adresse=parse_address(rue))


def test_age_at() -> None:
    assert age_at(date(2010, 1, 1), REF) == 16
    assert age_at(date(2010, 1, 2), REF) == 15
    # Born on 29 February: 16 on 1 March of a common year, not on 28 February.
    assert age_at(date(2008, 2, 29), date(2024, 2, 28)) == 15
    assert age_at(date(2008, 2, 29), date(2024, 3, 1)) == 16


@pytest.mark.parametrize(
    ("born", "reference", "broken"),
    [
        (date(2010, 1, 1), REF, False),
        (date(2010, 1, 2), REF, True),
        (date(2008, 2, 29), date(2024, 2, 28), True),
        (date(2008, 2, 29), date(2024, 2, 29), False),
        (date(2007, 3, 1), date(2024, 2, 29), True),  # 29 February reference, min 17
    ],
)
def test_minimum_age_rule_agrees_with_age_at(born: date, reference: date, broken: bool) -> None:
    minimum = 17 if reference == date(2024, 2, 29) and born.year == 2007 else 16
    rule = MinimumAgeRule(minimum, reference)
    assert rule.is_broken(entry(born=born)) is broken
    assert broken is (age_at(born, reference) < minimum)


def test_every_reason_is_kept_and_counted() -> None:
    pool = [
        entry(),
        entry(born=date(2012, 5, 1)),
        entry(rue="200 Rue des Tilleuls"),
        entry(born=date(2015, 1, 1), rue="3 Rue Colbert", sexe=None),
        entry("THOMAS", "Julie Lorraine", date(1976, 4, 25)),
        entry(born=None),
        entry("MARTIN", "Paul Henri", date(1970, 3, 3), sexe=Sexe.MASCULIN),
    ]
    members = frozenset({member_identity("Martin", "Paul", date(1970, 3, 3))})
    settings = EligibilitySettings(PERIMETER, EXCLUSIONS, members=members)
    report = evaluate(pool, settings, REF)
    assert report.eligible == (pool[0],)
    assert [i.codes for i in report.ineligible] == [
        ("age-minimum",),
        ("hors-perimetre",),
        ("age-minimum", "hors-perimetre", "sexe-inconnu"),
        ("liste-exclusion",),
        ("date-naissance-inconnue",),
        ("deja-membre",),
    ]
    assert report.counts == {"age-minimum": 2, "date-naissance-inconnue": 1, "hors-perimetre": 2,
                             "liste-exclusion": 1, "deja-membre": 1, "sexe-inconnu": 1}
    assert report.summary()[0] == ("age-minimum", "moins de 16 ans au 01/01/2026", 2)


def test_settings_change_the_rules() -> None:
    pool = [entry(born=None), entry(born=date(2011, 1, 1))]
    report = evaluate(pool, EligibilitySettings(PERIMETER, minimum_age=14,
                                                accept_unknown_birth_date=True), REF)
    assert report.eligible == tuple(pool)
    assert "date-naissance-inconnue" not in report.counts


def test_rules_speak_the_domain_rules_protocol() -> None:
    from domain.registre.eligibility import NotExcludedRule

    rule = NotExcludedRule(EXCLUSIONS)
    result = rule.check(entry("THOMAS", "Julie", date(1976, 4, 25)))
    assert (result.code, result.ok) == ("liste-exclusion", False)
    assert result.details == {"motif": "agent"}
    assert result.blocks and "liste d'exclusion" in result.message
    assert rule.check(entry()).ok
