"""Rows to entries, and rejections that name the line, the field and the reason."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from domain.registre.entries import Entry, parse_numbered_rows, parse_rows
from domain.registre.mapping import detect_mapping
from domain.registre.normalise import Sexe, fast_frozen_constructor, parse_address

ELECTORAL = detect_mapping(
    ["NumeroOrdre", "NomdeNaissance", "NomDusage", "Prenoms", "Sexe", "DateNaissance",
     "LieuNaissance", "Adresse1", "Adresse2", "CodePostal", "Commune", "BureauVote"])
LANDLORD = detect_mapping(
    ["Civilité", "Nom", "Prénom", "Date de naissance", "Résidence", "Bâtiment", "N° logement",
     "Adresse", "Code postal", "Ville"])


def electoral(**over: str) -> list[str]:
    row = {"n": "1", "nn": "BENOIT", "nu": "MOREL", "pr": "Claude Anne", "sexe": "F",
           "date": "13/12/1952", "lieu": "TOURS", "a1": "52 Rue Colbert",
           "a2": "Les Jardins de Bastié Bât 9", "cp": "37990", "commune": "VALMONT",
           "bv": "0103"}
    row.update(over)
    return list(row.values())


def test_electoral_row() -> None:
    entries, rejections = parse_rows([electoral()], ELECTORAL, "liste_electorale")
    assert rejections == []
    (e,) = entries
    assert (e.source, e.line, e.nom, e.nom_naissance) == ("liste_electorale", 2, "MOREL", "BENOIT")
    assert (e.sexe, e.date_naissance, e.bureau_vote) == (Sexe.FEMININ, date(1952, 12, 13), "0103")
    assert e.cles_noms == ("BENOIT", "MOREL") and e.premier_prenom == "CLAUDE"
    assert (e.adresse.numero, e.adresse.voie_cle, e.adresse.batiment) == (52, "RUE COLBERT", "9")
    assert e.reference == "liste_electorale:2"


def test_impossible_date_rejected_with_line_and_field() -> None:
    rows = [electoral(), electoral(date="31/02/1980")]
    entries, rejections = parse_rows(rows, ELECTORAL, "liste_electorale", first_line_number=10)
    assert len(entries) == 1
    (r,) = rejections
    assert (r.line, r.fields) == (11, ("date_naissance",))
    assert r.errors[0].line == 11
    assert r.message == "date impossible : le 31/02/1980 n'existe pas"
    assert r.values[5] == "31/02/1980"


def test_unknown_civility_and_missing_date_in_a_landlord_file() -> None:
    rows = [
        ["M.", "Martin", "Paul", "", "", "", "", "3 rue Colbert", "37990", "Valmont"],
        ["Dr", "Durand", "Paul", "", "", "", "", "7 rue Colbert", "37990", "Valmont"],
        ["", "Petit", "Zoé", "", "", "", "", "9 rue Colbert", "37990", "Valmont"],
    ]
    entries, rejections = parse_rows(rows, LANDLORD, "bailleur")
    assert [(e.nom_usage, e.sexe, e.date_naissance) for e in entries] == [
        ("Martin", Sexe.MASCULIN, None), ("Petit", None, None)]
    (r,) = rejections
    assert (r.line, r.fields, r.errors[0].code) == (3, ("civilite",), "civilite-invalide")
    assert "civilité inconnue : « Dr »" in r.message


def test_missing_name_and_given_name() -> None:
    rows = [electoral(nn="", nu=""), electoral(pr="  ")]
    _entries, rejections = parse_rows(rows, ELECTORAL, "le")
    assert [(r.line, r.fields, r.message) for r in rejections] == [
        (2, ("nom_naissance",), "nom manquant"),
        (3, ("prenoms",), "prénom manquant"),
    ]


def test_every_reason_of_a_row_is_reported() -> None:
    _entries, (r,) = parse_rows([electoral(nn="", nu="", sexe="Z", date="1980", a1="", cp="ABC")],
                                ELECTORAL, "le")
    assert r.fields == ("nom_naissance", "sexe", "date_naissance", "adresse1")


def test_wrong_number_of_columns() -> None:
    short = electoral()[:10]
    shifted = [*electoral(), "en trop"]
    trailing_empty = [*electoral(), "", ""]
    entries, rejections = parse_rows([short, shifted, trailing_empty], ELECTORAL, "le")
    assert [(r.line, r.fields) for r in rejections] == [(2, ("ligne",)), (3, ("ligne",))]
    assert rejections[0].message == "nombre de colonnes incorrect : 10 au lieu de 12"
    assert [e.line for e in entries] == [4]


def test_blank_rows_are_skipped_and_input_rows_left_untouched() -> None:
    row = electoral()
    copy = list(row)
    entries, rejections = parse_numbered_rows(
        [(2, [""] * 12), (3, row), (4, []), (7, [" "] * 12)], ELECTORAL, "le")
    assert [e.line for e in entries] == [3] and rejections == []
    assert row == copy  # the parser borrows one cell at the end of each row, then gives it back


def test_repeated_values_share_their_keys() -> None:
    entries, _ = parse_rows([electoral(), electoral(n="2")], ELECTORAL, "le")
    assert entries[0].adresse is entries[1].adresse


def test_fast_constructor_builds_a_real_frozen_entry() -> None:
    adresse = parse_address("1 rue X")
    values = ("s", 2, "A", "", "Jo", None, None, adresse, "", "A", "", "JO")
    fast = fast_frozen_constructor(Entry)(*values)
    assert type(fast) is Entry and fast == Entry(*values)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.line = 3  # type: ignore[misc]
    built = Entry.build(source="s", line=2, nom_naissance="A", prenoms="Jo", sexe=None,
                        date_naissance=None, adresse=adresse)
    assert built == fast


def test_column_and_row_paths_agree() -> None:
    # A chunk of clean rows is parsed column by column; one faulty row sends its whole
    # chunk through the row-by-row path. Both must give the same entries.
    rows = [electoral(n=str(i), nn=f"NOM{i % 7}", pr=["Jo", "Anne Marie", "Zoé"][i % 3],
                      date=f"{1 + i % 28:02d}/0{1 + i % 9}/19{50 + i % 40}",
                      a1=f"{1 + i % 30} Rue Colbert", sexe="FM"[i % 2]) for i in range(40)]
    clean, none = parse_rows([list(r) for r in rows], ELECTORAL, "le")
    assert none == [] and len(clean) == 40
    faulty = [list(r) for r in rows]
    faulty[17][5] = "31/02/1980"
    mixed, (rejected,) = parse_rows(faulty, ELECTORAL, "le")
    assert rejected.line == 19
    assert mixed == clean[:17] + clean[18:]
    one_by_one = [parse_rows([list(r)], ELECTORAL, "le", first_line_number=i + 2)[0][0]
                  for i, r in enumerate(rows)]
    assert one_by_one == clean


def test_address_cells_holding_the_memo_separator_are_not_confused() -> None:
    # The address memo joins cells with U+001F; cells holding it must not collide.
    rows = [electoral(a1="52 Rue Colbert", a2="Bât 9\x1fAppt 3"),
            electoral(a1="52 Rue Colbert\x1fBât 9", a2="Appt 3")]
    entries, rejections = parse_rows(rows, ELECTORAL, "le")
    assert rejections == []
    assert entries[0].adresse.complement == "Bât 9\x1fAppt 3"
    assert entries[0].adresse != entries[1].adresse
    assert entries == [parse_rows([r], ELECTORAL, "le", first_line_number=i + 2)[0][0]
                       for i, r in enumerate(rows)]
