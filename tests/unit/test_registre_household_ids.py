"""Issue 13 §5: the source's own household identifier decides the household."""

from __future__ import annotations

from domain.registre import PRESETS, deduplicate, detect_mapping, parse_rows
from domain.registre.entries import Entry
from domain.registre.households import household_keys, merged_household, set_aside
from domain.registre.mapping import FOYER
from domain.registre.normalise import Sexe, parse_address

SALT = b"sel-du-conseil-0123456789"


def tenant(nom: str, foyer: str = "", source: str = "7", line: int = 2, logement: str = "",
           prenoms: str = "Awa") -> Entry:
    return Entry.build(source=source, line=line, nom_usage=nom, prenoms=prenoms,
                       sexe=Sexe.FEMININ, date_naissance=None,
                       adresse=parse_address("6 Avenue Louise Michel", code_postal="37990",
                                             logement=logement),
                       foyer_source=foyer)


def test_the_lease_joins_a_family_with_two_surnames() -> None:
    # Tower without flat numbers. By address + family name, DIALLO and KONE would be two
    # households; the landlord's lease B-1042 says they live together.
    rows = [tenant("DIALLO", "B-1042"), tenant("KONE", "B-1042"), tenant("DIALLO", "B-1043")]
    keys = household_keys(rows, SALT)
    assert keys[0] == keys[1] != keys[2]
    figures = set_aside(keys, set(keys))
    assert (figures.people, figures.households, figures.set_aside) == (3, 2, 1)
    assert figures.by_source_id == 2


def test_the_identifier_outranks_the_flat_and_is_compared_loosely() -> None:
    rows = [tenant("DIALLO", "b-1042", logement="12"), tenant("DIALLO", " B-1042 ", logement="13")]
    keys = household_keys(rows, SALT)
    assert keys[0] == keys[1]


def test_identifiers_of_two_sources_never_collide() -> None:
    # Two landlords both number their households from 1: foyer "1" of one is not foyer
    # "1" of the other, even at the same address.
    a = tenant("DIALLO", "1", source="7")
    b = tenant("MARTIN", "1", source="8")
    assert household_keys([a], SALT) != household_keys([b], SALT)
    # Rows being imported carry a provisional label: the source id scopes them.
    new = tenant("DIALLO", "1", source="nouveau")
    assert household_keys([new], SALT, source="7") == household_keys([a], SALT)


def test_without_an_identifier_the_address_rule_holds() -> None:
    rows = [tenant("DIALLO"), tenant("KONE"), tenant("DIALLO", "B-1")]
    keys = household_keys(rows, SALT)
    assert len(set(keys)) == 3
    # An identifier never hashes like an address key.
    assert keys[0] != household_keys([tenant("DIALLO", "6|AVENUE LOUISE MICHEL|37990")], SALT)[0]
    figures = set_aside(["", "", keys[0], keys[0]])  # an empty key groups nobody
    assert (figures.households, figures.set_aside, figures.by_source_id) == (3, 1, 0)


def test_the_landlords_household_survives_a_merge_into_the_electoral_row() -> None:
    elector = tenant("DIALLO", source="1", line=5)
    lease = tenant("DIALLO", "B-1042", source="2", line=9)
    assert merged_household([elector, lease]) is lease
    assert merged_household([elector]) is None


def test_a_landlord_file_maps_its_household_column() -> None:
    header = ["Civilité", "Nom", "Prénom", "Adresse", "Code postal", "Ville", "Référence bail"]
    mapping = detect_mapping(header, PRESETS)
    assert mapping.name == "bailleur" and mapping.index(FOYER) == 6
    rows = [["Mme", "DIALLO", "Awa", "6 Avenue Louise Michel", "37990", "Valmont", "B-1042"],
            ["M.", "KONE", "Issa", "6 Avenue Louise Michel", "37990", "Valmont", "B-1042"],
            ["Mme", "KONE", "Mariam", "6 Avenue Louise Michel", "37990", "Valmont", ""]]
    entries, rejections = parse_rows(rows, mapping, "bailleur")
    assert not rejections and [e.foyer_source for e in entries] == ["B-1042", "B-1042", ""]
    keys = household_keys(entries, SALT)
    assert keys[0] == keys[1] != keys[2]
    # The row-by-row path (a faulty row in the chunk) reads it the same way.
    slow, rejected = parse_rows([*rows, ["Mme", "", "", "", "", "", ""]], mapping, "bailleur")
    assert [e.foyer_source for e in slow] == ["B-1042", "B-1042", ""] and len(rejected) == 1
    for header_title in ("Identifiant foyer", "N° de ménage", "Numéro de ménage", "N° bail"):
        bound = detect_mapping([*header[:-1], header_title], PRESETS)
        assert bound.index(FOYER) == 6, header_title


def test_deduplication_keeps_the_identifier_of_each_row() -> None:
    elector = Entry.build(source="1", line=2, nom_naissance="DIALLO", prenoms="Awa",
                          sexe=Sexe.FEMININ, date_naissance=None,
                          adresse=parse_address("6 Avenue Louise Michel", code_postal="37990"))
    lease = tenant("DIALLO", "B-1042", source="2", line=3)
    report = deduplicate([elector, lease])
    assert len(report.merges) == 1
    assert merged_household(report.merges[0].entries) is lease
