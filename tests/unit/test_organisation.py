from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.organisation import build_settings, check_regime, normalise_key, parse_qpv_code


@pytest.mark.parametrize("raw,code,dept", [("qn03701m", "QN03701M", "37"), ("QN02A01M", "QN02A01M", "2A"),
                                           ("QN97401M", "QN97401M", "974"), (" QP037005 ", "QP037005", "37")])
def test_qpv_codes(raw: str, code: str, dept: str) -> None:
    assert parse_qpv_code(raw) == (code, dept)


@pytest.mark.parametrize("raw", ["", "QN0370M", "QX03701M", "QN037011", "QN03701MM", "QN0A701M"])
def test_malformed_qpv_code_names_the_field(raw: str) -> None:
    with pytest.raises(InvalidInput) as e:
        parse_qpv_code(raw)
    assert e.value.field == "code" and e.value.code == "code-qpv-invalide"


def test_settings_defaults_follow_the_spec() -> None:
    s = build_settings({})
    assert (s.age_minimum, s.duree_mandat_annees, s.delai_convocation_jours_francs, s.absences_fin_mandat) == (16, 3, 5, 3)
    assert s.quorum == "majorite" and s.conservation_jours == 183


def test_settings_errors_name_every_field() -> None:
    with pytest.raises(InvalidInput) as e:
        build_settings({"inconnu": 1, "age_minimum": "", "quorum": "tous", "sieges_habitants": 1})
    fields = {x.field for x in e.value.errors}
    assert fields == {"inconnu", "age_minimum", "quorum", "sieges_habitants"}
    assert any(x.code == "reglage-manquant" for x in e.value.errors)


def test_volunteer_seats_cannot_exceed_residents_seats() -> None:
    with pytest.raises(InvalidInput) as e:
        build_settings({"sieges_habitants": 10, "sieges_volontaires": 11})
    assert e.value.field == "sieges_volontaires"


def test_unknown_regime() -> None:
    assert check_regime("2014") == "2014"
    with pytest.raises(InvalidInput) as e:
        check_regime("2020")
    assert e.value.field == "regime"


def test_name_key_ignores_case_accents_and_hyphens() -> None:
    assert normalise_key("Conseil  des Tilleuls-Bastié") == normalise_key("conseil des tilleuls bastie")


@pytest.mark.parametrize("raw,expected", [("37", "37"), ("037", "37"), ("2a", "2A"), ("974", "974"), ("01", "01"), ("95", "95")])
def test_departement_codes_accepted(raw: str, expected: str) -> None:
    from domain.organisation import normalise_departement

    assert normalise_departement(raw) == expected


@pytest.mark.parametrize("raw", ["999", "20", "00", "96", "977", "2C", "", "3"])
def test_departement_codes_refused(raw: str) -> None:
    from domain.errors import InvalidInput
    from domain.organisation import normalise_departement

    with pytest.raises(InvalidInput) as err:
        normalise_departement(raw)
    assert err.value.errors[0].field == "departement" if err.value.errors else err.value.field == "departement"
