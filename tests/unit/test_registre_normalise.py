"""Normalisation of names, sex/civility, dates and addresses (domain/registre/normalise)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.registre.normalise import (
    Sexe,
    cle_nom,
    cle_prenoms,
    cle_voie,
    normalise_texte,
    parse_address,
    parse_civilite,
    parse_complement,
    parse_date,
    parse_numero,
    parse_sexe,
    prenoms_compatibles,
)

# ------------------------------------------------------------------------------ names


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("De Oliveira", "DEOLIVEIRA"),
        ("D'Almeida", "dalmeida"),
        ("D’ALMEIDA", "D ALMEIDA"),
        ("Le Gall", "LEGALL"),
        ("Boutin-Fischer", "BOUTIN FISCHER"),
        ("Chrétien", "CHRETIEN"),
        ("Œuvray", "OEUVRAY"),
        ("Müller", "MULLER"),
        ("  Lefèbvre ", "LEFEBVRE"),
    ],
)
def test_surname_keys_ignore_case_accents_spaces_hyphens_apostrophes(a: str, b: str) -> None:
    assert cle_nom(a) == cle_nom(b)


def test_given_names_keep_word_boundaries() -> None:
    assert cle_prenoms("Jean-Pierre") == "JEAN PIERRE"
    assert cle_prenoms("Élodie  Sylvie") == "ELODIE SYLVIE"


def test_other_scripts_are_kept_not_emptied() -> None:
    # Dropping non-Latin letters would give every such name the same empty key.
    assert normalise_texte("محمد") == "محمد"
    assert cle_nom("Дмитриев") not in ("", cle_nom("Иванов"))


def test_typographic_separators_and_ligatures() -> None:
    assert normalise_texte("Place de l’Europe – N°12 «A»") == "PLACE DE L EUROPE N 12 A"
    assert normalise_texte("Straße Æbelø") == "STRASSE AEBELO"


@pytest.mark.parametrize(
    ("a", "b", "ok"),
    [
        ("ISABELLE", "ISABELLE BERNADETTE", True),
        ("ISABELLE BERNADETTE", "ISABELLE", True),
        ("MARIE ANNE", "MARIE CLAIRE", False),
        ("JEAN", "JEANNE", False),
        ("PAUL", "PAUL", True),
    ],
)
def test_prenoms_compatibles(a: str, b: str, ok: bool) -> None:
    assert prenoms_compatibles(a, b) is ok


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x24F), max_size=30))
def test_normalisation_is_idempotent_and_ascii_for_latin(s: str) -> None:
    once = normalise_texte(s)
    assert normalise_texte(once) == once
    assert once == once.strip()
    assert "  " not in once


# ------------------------------------------------------------------------ sex, civility


@pytest.mark.parametrize("value", ["M.", "M", "Monsieur", "MR", "m."])
def test_civility_men(value: str) -> None:
    assert parse_civilite(value) is Sexe.MASCULIN


@pytest.mark.parametrize("value", ["Mme", "MME", "Madame", "Mlle", "mme."])
def test_civility_women(value: str) -> None:
    assert parse_civilite(value) is Sexe.FEMININ


def test_unknown_civility_is_refused_in_french_with_its_field() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_civilite("M. et Mme")
    assert err.value.field == "civilite"
    assert "civilité inconnue" in err.value.detail
    assert "M. et Mme" in err.value.detail


@pytest.mark.parametrize(
    ("value", "sexe"),
    [("F", Sexe.FEMININ), ("m", Sexe.MASCULIN), ("H", Sexe.MASCULIN), ("2", Sexe.FEMININ),
     ("Féminin", Sexe.FEMININ), ("", None), ("  ", None)],
)
def test_sex_values(value: str, sexe: Sexe | None) -> None:
    assert parse_sexe(value) is sexe


def test_unknown_sex_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_sexe("X")
    assert err.value.field == "sexe"


# ------------------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    "value",
    ["03/02/1980", "3/2/1980", "03-02-1980", "03.02.1980", "1980-02-03", "1980-02-03 00:00:00",
     " 03/02/1980 "],
)
def test_date_formats(value: str) -> None:
    assert parse_date(value) == date(1980, 2, 3)


def test_impossible_date_is_refused_with_field_and_french_reason() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_date("31/02/1980")
    assert err.value.code == "date-impossible"
    assert err.value.field == "date_naissance"
    assert err.value.detail == "date impossible : le 31/02/1980 n'existe pas"


def test_leap_days() -> None:
    assert parse_date("29/02/2000") == date(2000, 2, 29)
    with pytest.raises(InvalidInput):
        parse_date("29/02/1900")


@pytest.mark.parametrize("value", ["03/02/80", "1980/02/03", "3 février 1980", "03/02-1980"])
def test_unreadable_dates(value: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_date(value)
    assert err.value.code == "date-invalide"


def test_implausible_year_and_blank() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_date("01/01/0980")
    assert err.value.code == "date-invraisemblable"
    assert parse_date("") is None


# -------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    ("line", "numero", "suffixe", "rest"),
    [
        ("12 bis rue X", 12, "BIS", "rue X"),
        ("12bis, rue X", 12, "BIS", "rue X"),
        ("7 TER Avenue Y", 7, "TER", "Avenue Y"),
        ("3 quater Place Z", 3, "QUATER", "Place Z"),
        ("12 B Rue X", 12, "B", "Rue X"),
        ("12B Rue X", 12, "B", "Rue X"),
        ("12 Bd Victor Hugo", 12, "", "Bd Victor Hugo"),
        ("3 Terrasse des Lilas", 3, "", "Terrasse des Lilas"),
        ("12-14 rue X", 12, "", "rue X"),
        ("Rue X", None, "", "Rue X"),
    ],
)
def test_number_and_suffix(line: str, numero: int | None, suffixe: str, rest: str) -> None:
    assert parse_numero(line) == (numero, suffixe, rest)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Av. Louise Michel", "AVENUE LOUISE MICHEL"),
        ("Bd Béranger", "Boulevard Beranger"),
        ("Sq. des Œillets", "Square Œillets"),
        ("square oeillets", "SQUARE ŒILLETS"),
        ("Place de l'Europe", "Pl. Europe"),
        ("Rue St-Jean", "rue Saint Jean"),
        ("Allée Maryse Bastié", "ALLEE MARYSE BASTIE"),
    ],
)
def test_street_keys(a: str, b: str) -> None:
    assert cle_voie(a) == cle_voie(b)


def test_street_keys_keep_different_streets_apart() -> None:
    assert cle_voie("Rue Colbert") != cle_voie("Avenue Colbert")
    assert cle_voie("Rue") == "RUE"  # a lone type is a name


def test_complement() -> None:
    assert parse_complement("Résidence Les Tilleuls Bât 6 Appt 012") == ("LES TILLEULS", "6", "12")
    assert parse_complement("Les Jardins de Bastié Bât 8") == ("LES JARDINS DE BASTIE", "8", "")
    assert parse_complement("") == ("", "", "")


def test_electoral_address() -> None:
    a = parse_address("12 bis Av. de la Libération", "Résidence Europe Bât 6", code_postal="37990",
                      commune="VALMONT")
    assert (a.numero, a.suffixe, a.voie, a.voie_cle) == (
        12, "BIS", "Av. de la Libération", "AVENUE LIBERATION")
    assert (a.residence, a.batiment, a.logement) == ("EUROPE", "6", "")
    assert a.ligne_voie == "12 bis Av. de la Libération"
    assert a.cle == "12BIS|AVENUE LIBERATION|37990|6|"


def test_landlord_columns_and_swapped_lines() -> None:
    a = parse_address(adresse1="52 Allée Maryse Bastié", residence="Les Jardins de Bastié",
                      batiment="6", logement="0144", code_postal="37990")
    assert (a.batiment, a.logement, a.residence) == ("6", "144", "LES JARDINS DE BASTIE")
    assert a.complement == "Les Jardins de Bastié Bât. 6 Logt 0144"
    # Building on line 1, street on line 2: some extracts do that.
    b = parse_address("Résidence Europe Bât 2", "4 rue des Tilleuls")
    assert (b.numero, b.voie_cle, b.batiment) == (4, "RUE TILLEULS", "2")


def test_split_number_and_street_columns() -> None:
    a = parse_address(numero="12 bis", voie="Avenue Louise Michel", code_postal="1000")
    assert (a.numero, a.suffixe, a.code_postal) == (12, "BIS", "01000")
    b = parse_address(numero="", voie="8 Rue Colbert")
    assert (b.numero, b.voie_cle) == (8, "RUE COLBERT")
    with pytest.raises(InvalidInput) as err:
        parse_address(numero="douze", voie="Rue X")
    assert err.value.field == "numero"


def test_address_errors_name_their_field() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_address("", "")
    assert (err.value.field, err.value.code) == ("adresse1", "adresse-manquante")
    with pytest.raises(InvalidInput) as err:
        parse_address("1 rue X", code_postal="3799A")
    assert err.value.field == "code_postal"
    assert parse_address("1 rue X", code_postal="37990.0").code_postal == "37990"


def test_same_door_ignores_a_missing_postcode() -> None:
    a = parse_address("5 Square des Œillets", code_postal="37990")
    assert a.meme_porte(parse_address("5 Sq. Œillets"))
    assert not a.meme_porte(parse_address("5 Square Œillets", code_postal="75001"))
    assert not a.meme_porte(parse_address("5 bis Square Œillets"))


@pytest.mark.parametrize("line", [
    "12bis, rue X", "12 B Rue X", "12 Bd Victor Hugo", "3 Terrasse du Parc", "007 rue X",
    "12-14 rue X Bât 3", "12 à 14 Rue X Appt 5", "123456 rue X", " 12 rue X", "12",
    "\u0663 rue X", "12\u0663 rue X", "Rue X", "12 ter", "5 quater, Place Y Esc. B",
])
def test_street_line_split_agrees_with_the_whole_line_pattern(line: str) -> None:
    # The bulk path splits the leading digits off and parses the rest once per street.
    from domain.registre.normalise import _street_and_extra, _street_line
    n, suffixe, rest = parse_numero(line)
    assert _street_line(line) == (n, suffixe, *_street_and_extra(rest))
