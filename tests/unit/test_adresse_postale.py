"""AFNOR NF Z10-011 address blocks (domain.adresse_postale): fast, no I/O."""

from __future__ import annotations

import re
import unicodedata

import pytest

from domain.adresse_postale import (
    COMPLEMENTS_NUMERO,
    LONGUEUR_MAX,
    MOTS_COURANTS,
    TITRES,
    TYPES_DE_VOIE,
    AdresseInutilisable,
    AdressePostale,
    CodeAvertissement,
    CodeRaison,
    StatutAdresse,
    formater_adresse,
)

NORMALISEE = re.compile(r"^[A-Z0-9]+( [A-Z0-9]+)*$")


def adresse(**champs: str) -> AdressePostale:
    base = {
        "civilite": "Madame",
        "prenom": "Claire",
        "nom": "Dupont",
        "numero": "12",
        "voie": "rue des Lilas",
        "code_postal": "93200",
        "commune": "Saint-Denis",
    }
    base.update(champs)
    return AdressePostale(**base)


def lignes_par_role(bloc: object) -> dict[int, str]:
    return {lg.role: lg.texte for lg in bloc.lignes}  # type: ignore[attr-defined]


# --- a plain address -----------------------------------------------------------------


def test_plain_address_in_the_norms_order() -> None:
    bloc = formater_adresse(
        adresse(
            complement_destinataire="Appartement 12, 3e étage",
            complement_lieu="Résidence Les Érables – Bât. C",
            lieu_dit="Lieu-dit Le Moulin",
        )
    )
    assert bloc.ok and bloc.status is StatutAdresse.OK
    assert bloc.lines == (
        "Madame Claire DUPONT",
        "Appartement 12, 3e étage",
        "Résidence Les Érables – Bât. C",
        "12 RUE DES LILAS",
        "LIEU DIT LE MOULIN",
        "93200 SAINT DENIS",
    )
    assert [lg.role for lg in bloc.lignes] == [1, 2, 3, 4, 5, 6]
    assert bloc.warnings == () and bloc.reasons == ()


def test_empty_lines_are_dropped_and_roles_kept() -> None:
    bloc = formater_adresse(adresse())
    assert bloc.lines == ("Madame Claire DUPONT", "12 RUE DES LILAS", "93200 SAINT DENIS")
    assert [lg.role for lg in bloc.lignes] == [1, 4, 6]


def test_last_three_lines_capitals_without_accents_or_punctuation() -> None:
    bloc = formater_adresse(
        adresse(
            numero="3-5",
            voie="place de l'Église, bât. A",
            lieu_dit="Hameau d'Œuvre-Sainte-Thérèse",
            code_postal="94 240",
            commune="L'Haÿ-les-Roses",
        )
    )
    roles = lignes_par_role(bloc)
    assert roles[4] == "3 5 PLACE DE L EGLISE BAT A"
    assert roles[5] == "HAMEAU D OEUVRE SAINTE THERESE"
    assert roles[6] == "94240 L HAY LES ROSES"
    for role in (4, 5, 6):
        assert NORMALISEE.match(roles[role]), roles[role]


def test_cedex_on_the_last_line() -> None:
    assert lignes_par_role(formater_adresse(adresse(cedex="9")))[6] == "93200 SAINT DENIS CEDEX 9"
    assert lignes_par_role(formater_adresse(adresse(cedex="Cedex")))[6] == "93200 SAINT DENIS CEDEX"


def test_postal_box_or_lieu_dit_without_a_street_is_enough() -> None:
    bloc = formater_adresse(adresse(numero="", voie="", lieu_dit="BP 12"))
    assert bloc.ok
    assert bloc.lines[-2:] == ("BP 12", "93200 SAINT DENIS")


def test_number_written_inside_the_street_field() -> None:
    bloc = formater_adresse(adresse(numero="", voie="12 bis, avenue du Général Leclerc"))
    assert lignes_par_role(bloc)[4] == "12 BIS AVENUE DU GENERAL LECLERC"


# --- rare characters on line 1 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("prenom", "nom", "attendu"),
    [
        ("Hans Christian", "Ørsted", "Monsieur Hans Christian ØRSTED"),
        ("Văn", "Nguyễn", "Monsieur Văn NGUYỄN"),
        ("Seán", "O'Brien", "Monsieur Seán O'BRIEN"),
        ("Lætitia", "Œuvray", "Monsieur Lætitia ŒUVRAY"),
    ],
)
def test_rare_characters_preserved_on_line_1(prenom: str, nom: str, attendu: str) -> None:
    bloc = formater_adresse(adresse(civilite="Monsieur", prenom=prenom, nom=nom))
    assert bloc.lines[0] == attendu


def test_decomposed_input_is_counted_and_printed_composed() -> None:
    # « Nguyễn » typed with combining marks must not count 8 characters nor print apart.
    bloc = formater_adresse(adresse(nom=unicodedata.normalize("NFD", "Nguyễn")))
    assert bloc.lines[0] == "Madame Claire NGUYỄN"
    assert unicodedata.is_normalized("NFC", bloc.lines[0])


def test_lines_2_and_3_keep_accents_and_punctuation() -> None:
    bloc = formater_adresse(adresse(complement_destinataire="Chez Mme Aïcha Ben Saïd, 2e étage"))
    assert bloc.lines[1] == "Chez Mme Aïcha Ben Saïd, 2e étage"


# --- shortening --------------------------------------------------------------------------


def test_no_abbreviation_when_the_line_fits() -> None:
    # La Poste's own example: AVENUE DES FLEURS must not become AV DES FLEURS.
    bloc = formater_adresse(adresse(voie="avenue des Fleurs"))
    assert lignes_par_role(bloc)[4] == "12 AVENUE DES FLEURS"
    assert bloc.warnings == ()


def test_street_type_is_abbreviated_first_and_alone_when_enough() -> None:
    bloc = formater_adresse(adresse(numero="147", voie="boulevard du Général Jean Baptiste Kléber"))
    ligne4 = lignes_par_role(bloc)[4]
    # 44 characters in full; BOULEVARD → BD is enough (37), GENERAL stays.
    assert ligne4 == "147 BD DU GENERAL JEAN BAPTISTE KLEBER"
    assert len(ligne4) <= LONGUEUR_MAX
    assert [w.code for w in bloc.warnings] == [CodeAvertissement.ABREVIATION_TYPE_VOIE]
    assert bloc.warnings[0].avant == "147 BOULEVARD DU GENERAL JEAN BAPTISTE KLEBER"
    assert bloc.warnings[0].apres == ligne4


def test_titles_come_after_the_street_type_one_at_a_time() -> None:
    bloc = formater_adresse(
        adresse(numero="1", voie="avenue du Maréchal Foch et du Général Leclerc")
    )
    # AV alone leaves 43 characters; MARECHAL → MAL makes 38: GENERAL is left whole.
    assert lignes_par_role(bloc)[4] == "1 AV DU MAL FOCH ET DU GENERAL LECLERC"
    assert [w.code for w in bloc.warnings] == [
        CodeAvertissement.ABREVIATION_TYPE_VOIE,
        CodeAvertissement.ABREVIATION_TITRE,
    ]
    assert "MARECHAL" in bloc.warnings[1].message and "MAL" in bloc.warnings[1].message


def test_common_words_come_after_titles() -> None:
    bloc = formater_adresse(
        adresse(numero="12 bis", voie="grande rue du Petit Bois Vieux Chemin Haut")
    )
    # GRANDE RUE → GR (street type), then PETIT → PT; VIEUX and HAUT stay whole.
    assert lignes_par_role(bloc)[4] == "12 BIS GR DU PT BOIS VIEUX CHEMIN HAUT"
    assert [w.code for w in bloc.warnings] == [
        CodeAvertissement.ABREVIATION_TYPE_VOIE,
        CodeAvertissement.ABREVIATION_MOT_COURANT,
    ]


def test_number_extension_is_the_last_resort() -> None:
    bloc = formater_adresse(adresse(numero="1234 quater", voie="rue du Docteur Albert Schweitzer"))
    assert bloc.ok
    assert lignes_par_role(bloc)[4] == "1234 Q RUE DU DR ALBERT SCHWEITZER"
    assert [w.code for w in bloc.warnings] == [
        CodeAvertissement.ABREVIATION_TITRE,
        CodeAvertissement.ABREVIATION_COMPLEMENT_NUMERO,
    ]


def test_never_cut_mid_word() -> None:
    voie = "chemin du Professeur Jean Bernard Lucien de la Chapelle Saint Laurent"
    bloc = formater_adresse(adresse(numero="7", voie=voie))
    mots_source = set(
        ["7", "CHEMIN", "DU", "PROFESSEUR", "JEAN", "BERNARD", "LUCIEN", "DE", "LA", "CHAPELLE"]
    )
    mots_source |= {"SAINT", "LAURENT"}
    permis = (
        mots_source
        | set(TYPES_DE_VOIE.values())
        | set(TITRES.values())
        | set(MOTS_COURANTS.values())
    )
    for ligne in bloc.lignes:
        if ligne.role == 4:
            assert set(ligne.texte.split()) <= permis


def test_cannot_fit_is_refused_and_reported() -> None:
    voie = "rue du Professeur Jean Bernard Lucien de la Chapelle Saint Laurent Dumoulin"
    bloc = formater_adresse(adresse(numero="1", voie=voie))
    assert bloc.status is StatutAdresse.NE_TIENT_PAS
    assert not bloc.ok
    assert bloc.lines == ()  # nothing printable
    assert bloc.reason_codes == ("ligne-trop-longue",)
    raison = bloc.reasons[0]
    assert raison.ligne == 4 and raison.champ == "voie"
    assert "38 caractères" in raison.message
    # what was tried is still reported
    assert CodeAvertissement.ABREVIATION_TITRE in {w.code for w in bloc.warnings}
    with pytest.raises(AdresseInutilisable) as exc:
        bloc.require()
    assert exc.value.code == "adresse-inutilisable"
    assert exc.value.errors[0].code == "ligne-trop-longue"
    assert exc.value.errors[0].line == 4


def test_long_commune_uses_st_then_gives_up() -> None:
    bloc = formater_adresse(
        adresse(
            code_postal="76490",
            commune="Saint-Wandrille-Rançon-et-Sainte-Gertrude-Vieille",
            cedex="12",
        )
    )
    ligne6 = lignes_par_role(bloc)[6]
    assert ligne6.startswith("76490 ST WANDRILLE RANCON ET STE GERTRUDE")
    assert bloc.status is StatutAdresse.NE_TIENT_PAS
    assert bloc.reasons[0].ligne == 6


def test_recipient_line_shortened_civility_then_first_names_never_the_surname() -> None:
    bloc = formater_adresse(
        adresse(civilite="Monsieur", prenom="Jean-Pierre Marie", nom="de La Rochefoucauld-Montbel")
    )
    assert bloc.lines[0] == "M. J.-P. DE LA ROCHEFOUCAULD-MONTBEL"
    assert [w.code for w in bloc.warnings] == [
        CodeAvertissement.ABREVIATION_CIVILITE,
        CodeAvertissement.PRENOMS_SECONDAIRES_OMIS,
        CodeAvertissement.PRENOM_EN_INITIALE,
    ]
    trop_long = formater_adresse(adresse(nom="Wolfeschlegelsteinhausenbergerdorffvoralternwaren"))
    assert trop_long.status is StatutAdresse.NE_TIENT_PAS
    assert trop_long.reasons[0].ligne == 1


def test_complement_lines_abbreviated_with_the_writers_case() -> None:
    bloc = formater_adresse(
        adresse(complement_lieu="Résidence Saint-Exupéry, Bâtiment Les Hirondelles B")
    )
    # building words first (Résidence, Bâtiment), then titles (Saint), case kept.
    assert lignes_par_role(bloc)[3] == "Res St-Exupéry, Bat Les Hirondelles B"
    assert [w.apres for w in bloc.warnings] == [
        "Res Saint-Exupéry, Bâtiment Les Hirondelles B",
        "Res Saint-Exupéry, Bat Les Hirondelles B",
        "Res St-Exupéry, Bat Les Hirondelles B",
    ]
    assert all(
        w.code is CodeAvertissement.ABREVIATION_COMPLEMENT and w.ligne == 3 for w in bloc.warnings
    )


# --- unreachable -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("champs", "code"),
    [
        ({"code_postal": ""}, CodeRaison.CODE_POSTAL_MANQUANT),
        ({"code_postal": "9320"}, CodeRaison.CODE_POSTAL_INVALIDE),
        ({"code_postal": "2A004"}, CodeRaison.CODE_POSTAL_INVALIDE),
        ({"commune": " "}, CodeRaison.COMMUNE_MANQUANTE),
        ({"numero": "12", "voie": "", "lieu_dit": ""}, CodeRaison.VOIE_MANQUANTE),
        ({"civilite": "", "prenom": "", "nom": ""}, CodeRaison.DESTINATAIRE_MANQUANT),
    ],
)
def test_missing_parts_make_the_address_unreachable(
    champs: dict[str, str], code: CodeRaison
) -> None:
    bloc = formater_adresse(adresse(**champs))
    assert bloc.status is StatutAdresse.INJOIGNABLE
    assert bloc.reason_codes == (code.value,)
    assert bloc.lines == ()
    assert bloc.reasons[0].message  # a French sentence for the report


def test_every_missing_part_is_named_at_once() -> None:
    bloc = formater_adresse(AdressePostale(nom="Dupont"))
    assert set(bloc.reason_codes) == {"voie-manquante", "code-postal-manquant", "commune-manquante"}


def test_organisation_on_line_1_when_no_person() -> None:
    bloc = formater_adresse(
        adresse(civilite="", prenom="", nom="", raison_sociale="Association Les Jardins d'Émile")
    )
    assert bloc.lines[0] == "Association Les Jardins d'Émile"


def test_reason_and_warning_codes_are_stable() -> None:
    assert {c.value for c in CodeRaison} == {
        "destinataire-manquant",
        "voie-manquante",
        "code-postal-manquant",
        "code-postal-invalide",
        "commune-manquante",
        "ligne-trop-longue",
    }
    assert {s.value for s in StatutAdresse} == {"ok", "ne-tient-pas", "injoignable"}
    assert set(COMPLEMENTS_NUMERO) == {"BIS", "TER", "QUATER", "QUINQUIES"}


