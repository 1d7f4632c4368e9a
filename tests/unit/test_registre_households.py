"""Households: an opaque key per normalised address."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.registre.entries import Entry
from domain.registre.households import assign_households, household_key, household_keys
from domain.registre.normalise import Sexe, parse_address

SALT = b"sel-du-conseil-0123456789"


def entry(a1: str, a2: str = "", nom: str = "X", usage: str = "", **columns: str) -> Entry:
    return Entry.build(source="s", line=2, nom_naissance=nom, nom_usage=usage, prenoms="Y",
                       sexe=Sexe.FEMININ, date_naissance=None,
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


def test_without_a_flat_a_building_is_not_one_household() -> None:
    # A tower without flat numbers: neighbours with other surnames are other households.
    tower = [
        entry("6 Avenue Louise Michel", "Les Jardins de Bastié Bât 8", nom="FERNANDES"),
        entry("6 Avenue Louise Michel", "Les Jardins de Bastié Bât 8", nom="REGNIER"),
        entry("6 Avenue Louise Michel", "Les Jardins de Bastié Bât 8", nom="Fernandes"),
        # her married name DUPONT is the household's name; another MARTIN lives apart
        entry("6 Avenue Louise Michel", "Les Jardins de Bastié Bât 8", nom="MARTIN", usage="DUPONT"),
        entry("6 Avenue Louise Michel", "Les Jardins de Bastié Bât 8", nom="DUPONT"),
        entry("6 Avenue Louise Michel", "Les Jardins de Bastié Bât 8", nom="MARTIN"),
        entry("8 Avenue Louise Michel", "Les Jardins de Bastié Bât 8", nom="REGNIER"),  # other door
    ]
    keys = household_keys(tower, SALT)
    assert keys[0] == keys[2] != keys[1]
    assert keys[3] == keys[4] != keys[5]
    assert keys[6] not in keys[:6]
    assert len(set(keys)) == 5
    # One row's key depends on that row only (files imported in batches agree).
    assert [household_keys([e], SALT)[0] for e in tower] == keys


def test_a_known_flat_decides_whatever_the_names() -> None:
    flats = [
        entry("12 Avenue Louise Michel", batiment="3", logement="12", nom="DIALLO"),
        entry("12 Avenue Louise Michel", batiment="3", logement="12", nom="KONE"),
        entry("12 Avenue Louise Michel", batiment="3", logement="13", nom="DIALLO"),
    ]
    keys = household_keys(flats, SALT)
    assert keys[0] == keys[1] != keys[2]


def test_labels_never_show_internal_codes() -> None:
    from domain.labels import action_label, rule_label, stratum_label, subject_label

    assert stratum_label("F/sans-bureau") == "Femmes, sans bureau de vote"
    assert stratum_label("M/0102") == "Hommes, bureau de vote 0102"
    assert stratum_label("F/30-44") == "Femmes, 30 à 44 ans"
    assert stratum_label("M/60+") == "Hommes, 60 ans et plus"
    assert stratum_label("F") == "Femmes"
    assert rule_label("parite-habitants") == "Parité femmes-hommes dans le collège des habitants"
    assert action_label("membre.creation") == "Membre : création"
    assert action_label("registre.import.liste") == "Registre : import — liste électorale"
    # Every journal action and subject the service writes reads as French words.
    assert action_label("tirage.alea") == "Tirage : aléa public saisi"
    assert action_label("reunion.compte_rendu.brouillon") == "Réunion : compte rendu — brouillon"
    assert rule_label("representant-et-habitant").startswith("Pas de double siège")
    assert subject_label("registre_source", "3") == "fichier importé n° 3"
    assert subject_label("reunion_point", 2) == "point de l'ordre du jour n° 2"


def test_page_dates_are_in_paris_time_in_one_format() -> None:
    from datetime import UTC, datetime

    from service.http.filters import date_fr, datetime_fr

    # 21:59 UTC on 1 June is 23:59 in Paris; 22:30 UTC is already 2 June there.
    # Times as everywhere else: « 23 h 59 » (no-break spaces), never « 23:59 ».
    assert datetime_fr("2026-06-01T21:59:00+00:00") == "1er juin 2026 à 23\u00a0h\u00a059"
    assert date_fr(datetime(2026, 6, 1, 22, 30, tzinfo=UTC), "dd/MM/y") == "02/06/2026"
    # ISO dates kept as text (a form's reference date) read the same way.
    assert date_fr("2026-12-01") == "1er décembre 2026" and date_fr("pas une date") == "pas une date"
