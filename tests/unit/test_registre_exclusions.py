"""The exclusion list: officials who may not be drawn."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput
from domain.registre.entries import Entry
from domain.registre.exclusions import ExclusionList, parse_exclusions
from domain.registre.normalise import Sexe, parse_address

HEADER = ["nom", "prenom", "date_naissance", "motif"]


def entry(nn: str, prenoms: str, born: date | None, nu: str = "") -> Entry:
    return Entry.build(source="le", line=2, nom_naissance=nn, nom_usage=nu, prenoms=prenoms,
                       sexe=Sexe.FEMININ, date_naissance=born, adresse=parse_address("1 rue X"))


@pytest.fixture(scope="module")
def exclusions() -> ExclusionList:
    return parse_exclusions(HEADER, [
        ["JACOB", "Pénélope", "28/02/1944", "délégué du préfet"],
        ["Le Gall", "Anne", "1970-05-01", "élue municipale"],
    ])


def test_match_on_names_and_birth_date(exclusions: ExclusionList) -> None:
    found = exclusions.find(entry("JACOB", "Pénélope Élisabeth", date(1944, 2, 28)))
    assert found is not None and found.motif == "délégué du préfet"
    assert exclusions.find(entry("DURAND", "Anne", date(1970, 5, 1), nu="LEGALL")) is not None


def test_namesakes_and_undated_entries_are_not_excluded(exclusions: ExclusionList) -> None:
    assert exclusions.find(entry("JACOB", "Pénélope", date(1944, 2, 27))) is None
    assert exclusions.find(entry("JACOB", "Pénélope", None)) is None
    assert exclusions.find(entry("JACOB", "Paule", date(1944, 2, 28))) is None
    assert ExclusionList().find(entry("JACOB", "Pénélope", date(1944, 2, 28))) is None


def test_a_faulty_list_is_refused_with_every_line() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_exclusions(HEADER, [["A", "B", "", "x"], ["", "B", "31/02/1980", ""]])
    assert [(e.line, e.field) for e in err.value.errors] == [
        (2, "date_naissance"), (3, "nom"), (3, "date_naissance")]
    with pytest.raises(InvalidInput):
        parse_exclusions(["nom", "motif"], [])


def test_a_council_member_matches_on_names_and_the_birth_date_when_known(exclusions: ExclusionList) -> None:
    # A member's birth date is known only from their application: without it, a match on
    # names is reported for the lead to check; with another date, it is a namesake.
    assert exclusions.find_person("Le  Gall", "anne", None) is not None
    assert exclusions.find_person("JACOB", "Pénélope Élisabeth", date(1944, 2, 28)) is not None
    assert exclusions.find_person("JACOB", "Pénélope", date(1944, 2, 27)) is None
    assert exclusions.find_person("JACOB", "Paule", None) is None
    assert exclusions.find_person("DURAND", "Anne", None) is None
