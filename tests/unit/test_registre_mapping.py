"""Column mapping: presets, detection, saved per-council mappings."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.registre.mapping import PRESETS, Mapping, detect_mapping, header_key

ELECTORAL = ["NumeroOrdre", "NomdeNaissance", "NomDusage", "Prenoms", "Sexe", "DateNaissance",
             "LieuNaissance", "Adresse1", "Adresse2", "CodePostal", "Commune", "BureauVote"]
LANDLORD = ["Civilité", "Nom", "Prénom", "Date de naissance", "Résidence", "Bâtiment",
            "N° logement", "Adresse", "Code postal", "Ville"]


def test_header_keys_ignore_case_accents_and_punctuation() -> None:
    assert header_key("Nom d'usage") == header_key("NomDusage") == "NOMDUSAGE"
    assert header_key("N° logement") == header_key("n°Logement")


def test_electoral_extract_is_recognised() -> None:
    m = detect_mapping(ELECTORAL)
    assert m.name == "liste_electorale"
    assert m.index("nom_naissance") == 1 and m.index("bureau_vote") == 11
    assert m.index("civilite") == -1
    assert m.ignored_columns == ("NumeroOrdre", "LieuNaissance")
    assert m.unknown_columns == ()
    assert m.width == 12


def test_landlord_file_is_recognised() -> None:
    m = detect_mapping(LANDLORD)
    assert m.name == "bailleur"
    assert m.index("civilite") == 0 and m.index("nom") == 1 and m.index("logement") == 6


def test_titles_match_whatever_their_case_and_accents() -> None:
    m = detect_mapping(["NOM DE NAISSANCE", "prenoms", "SEXE", "date de naissance",
                        "adresse 1", "Code Postal", "COMMUNE", "Téléphone"])
    assert m.name == "liste_electorale"
    assert m.unknown_columns == ("Téléphone",)


def test_a_header_matching_no_preset_lists_the_expected_columns() -> None:
    with pytest.raises(InvalidInput) as err:
        detect_mapping(["Identifiant", "Nom", "Ville"])
    e = err.value
    assert e.code == "en-tete-non-reconnu"
    assert "NomdeNaissance" in e.detail and "Civilité" in e.detail and "Prénom" in e.detail
    assert set(e.extra["colonnes_attendues"]) == set(PRESETS)
    assert "Identifiant" in e.extra["colonnes_inconnues"]
    # The closest preset (landlord: it has "Nom") says what is missing.
    assert {x.code for x in e.errors} == {"colonne-obligatoire"}
    assert any("prénoms" in x.message for x in e.errors)


def test_saved_mapping_round_trip() -> None:
    header = ["NOM", "PRENOM", "GENRE", "NE LE", "RUE", "NUM", "CP"]
    saved = {"nom": "Nom", "prenoms": "Prénom", "sexe": "genre", "date_naissance": "né le",
             "voie": "rue", "numero": "num", "code_postal": "cp"}
    m = Mapping.from_dict(saved, header, name="ville-de-x")
    assert m.index("numero") == 5
    assert m.to_dict() == {"nom": "NOM", "prenoms": "PRENOM", "sexe": "GENRE",
                           "date_naissance": "NE LE", "voie": "RUE", "numero": "NUM",
                           "code_postal": "CP"}
    assert Mapping.from_dict(m.to_dict(), header).columns == m.columns


def test_saved_mapping_errors_are_all_listed() -> None:
    with pytest.raises(InvalidInput) as err:
        Mapping.from_dict({"nom": "Nom", "surnom": "X", "prenoms": "Absent"}, ["Nom", "Adresse"])
    codes = sorted(e.code for e in err.value.errors)
    assert codes == ["champ-inconnu", "colonne-absente", "colonne-obligatoire",
                     "colonne-obligatoire", "colonne-obligatoire"]
