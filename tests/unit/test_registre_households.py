"""Households: an opaque key per normalised address."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.registre.entries import Entry
from domain.registre.households import assign_households, household_key
from domain.registre.normalise import Sexe, parse_address

SALT = b"sel-du-conseil-0123456789"


def entry(a1: str, a2: str = "", **columns: str) -> Entry:
    return Entry.build(source="s", line=2, nom_naissance="X", prenoms="Y", sexe=Sexe.FEMININ,
                       date_naissance=None,
                       adresse=parse_address(a1, a2, code_postal="37990", **columns))


def test_same_normalised_address_same_household() -> None:
    pool = [
        entry("12 bis Av. Louise Michel", "Bât 3 Appt 12"),
        entry("12 BIS avenue Louise-Michel", "Résidence Europe Bât. 3 appartement 012"),
        entry("12 bis Avenue Louise Michel", "Bât 3 Appt 13"),  # another flat
        entry("12 Avenue Louise Michel", "Bât 3 Appt 12"),  # no "bis": another door
        entry("12 bis Avenue Louise Michel", batiment="3", logement="12"),
    ]
    h = assign_households(pool, SALT)
    assert h.keys[0] == h.keys[1] == h.keys[4]
    assert len({h.keys[0], h.keys[2], h.keys[3]}) == 3
    assert h.count == 3 and sorted(h.sizes.values()) == [1, 1, 3]


def test_keys_are_opaque_and_depend_on_the_salt() -> None:
    adresse = parse_address("5 Square des Œillets", code_postal="37990")
    key = household_key(adresse, SALT)
    assert len(key) == 16 and int(key, 16) >= 0
    assert "OEILLETS" not in key and "37990" not in key
    assert key == household_key(parse_address("5 Sq Oeillets", code_postal="37990"), SALT)
    assert key != household_key(adresse, b"un-autre-sel-0123456789")
    assert household_key(adresse, SALT.decode()) == key


def test_a_short_salt_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        assign_households([], b"court")
    assert err.value.code == "sel-trop-court"
