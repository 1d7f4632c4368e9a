"""The QPV perimeter: streets, number ranges, sides."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.registre.normalise import parse_address
from domain.registre.perimeter import Cote, Perimeter, PerimeterRule, parse_perimeter

HEADER = ["voie", "numero_min", "numero_max", "cote"]
ROWS = [
    ["Rue des Tilleuls", "1", "120", "tous"],
    ["Avenue Louise Michel", "2", "88", "pairs"],
    ["Avenue Louise Michel", "1", "87", "impairs"],
    ["Square Œillets", "", "", "tous"],
    ["Rue Nationale", "10", "", "Impairs"],
]


@pytest.fixture(scope="module")
def perimeter() -> Perimeter:
    return parse_perimeter(HEADER, ROWS)


@pytest.mark.parametrize(
    ("line", "inside"),
    [
        ("1 Rue des Tilleuls", True),
        ("120 rue des tilleuls", True),
        ("121 Rue des Tilleuls", False),
        ("88 Av. Louise Michel", True),
        ("90 Avenue Louise Michel", False),
        ("87 Avenue Louise-Michel", True),
        ("89 Avenue Louise Michel", False),
        ("12 bis Av Louise Michel", True),  # the number's suffix does not change its side
        ("5 Sq. des Œillets", True),
        ("Square Oeillets", True),  # no number: inside only because the row covers it all
        ("Rue des Tilleuls", False),  # no number, and the row covers 1–120 only
        ("11 Rue Nationale", True),
        ("12 Rue Nationale", False),
        ("9 Rue Nationale", False),
        ("3 Rue Colbert", False),
    ],
)
def test_contains(perimeter: Perimeter, line: str, inside: bool) -> None:
    assert perimeter.contains(parse_address(line)) is inside


def test_rules_are_read_as_typed() -> None:
    p = parse_perimeter(HEADER, ROWS, first_line_number=2)
    assert len(p) == 5
    assert p.rules[1] == PerimeterRule("Avenue Louise Michel", 2, 88, Cote.PAIRS, line=3)
    assert p.rules[3].whole_street and not p.rules[0].whole_street


def test_postcode_column_restricts_a_rule() -> None:
    p = parse_perimeter(["rue", "cp"], [["Rue Colbert", "37990"]])
    assert p.contains(parse_address("3 rue Colbert", code_postal="37990"))
    assert not p.contains(parse_address("3 rue Colbert", code_postal="75001"))


def test_a_faulty_file_is_refused_whole_with_every_line() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_perimeter(HEADER, [["Rue A", "1", "9", "les impairs"], ["", "1", "2", ""],
                                 ["Rue B", "20", "10", "tous"], ["Rue C", "x", "", ""]])
    assert [(e.line, e.field, e.code) for e in err.value.errors] == [
        (2, "cote", "cote-invalide"), (3, "voie", "voie-manquante"),
        (4, "numero_max", "plage-invalide"), (5, "numero_min", "numero-invalide")]


def test_missing_street_column_or_empty_file() -> None:
    with pytest.raises(InvalidInput):
        parse_perimeter(["debut", "fin"], [])
    with pytest.raises(InvalidInput) as err:
        parse_perimeter(HEADER, [["", "", "", ""]])
    assert err.value.code == "perimetre-vide"
