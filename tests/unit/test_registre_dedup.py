"""One person counted once across registers; doubtful pairs left to a person."""

from __future__ import annotations

from datetime import date

from domain.registre.dedup import (
    AMBIGUITE_ADRESSE_DIFFERENTE,
    AMBIGUITE_PLUSIEURS_CANDIDATS,
    AMBIGUITE_SEXE_DISCORDANT,
    CRITERE_NOMS_ADRESSE,
    CRITERE_NOMS_DATE,
    deduplicate,
)
from domain.registre.entries import Entry
from domain.registre.normalise import Sexe, parse_address

F, M = Sexe.FEMININ, Sexe.MASCULIN
_line = iter(range(2, 10_000))


def electoral(nn: str, prenoms: str, born: date, rue: str, nu: str = "",
              sexe: Sexe = F, bv: str = "0101") -> Entry:
    return Entry.build(source="liste_electorale", line=next(_line), nom_naissance=nn,
                       nom_usage=nu, prenoms=prenoms, sexe=sexe, date_naissance=born,
                       adresse=parse_address(rue, code_postal="37990"), bureau_vote=bv)


def landlord(nom: str, prenoms: str, born: date | None, rue: str,
             sexe: Sexe | None = F) -> Entry:
    return Entry.build(source="bailleur", line=next(_line), nom_usage=nom, prenoms=prenoms,
                       sexe=sexe, date_naissance=born,
                       adresse=parse_address(rue, code_postal="37990"))


D = date(1958, 2, 5)


def test_same_person_in_two_registers_by_birth_or_usage_name() -> None:
    a = electoral("COURTOIS", "Isabelle Bernadette", D, "1 Square Œillets", nu="LAMY")
    b = landlord("Lamy", "Isabelle", D, "1 Sq. des Œillets", sexe=None)
    c = electoral("MARTIN", "Paul", date(1970, 1, 1), "3 rue Colbert", sexe=M)
    d = landlord("Martin", "Paul", date(1970, 1, 1), "3 Rue Colbert", sexe=M)
    report = deduplicate([a, c, b, d])
    assert report.entries == (a, c)
    assert report.duplicates_merged == 2
    assert [(m.kept, m.entries, m.criteria) for m in report.merges] == [
        (a, (a, b), (CRITERE_NOMS_DATE,)), (c, (c, d), (CRITERE_NOMS_DATE,))]
    assert report.ambiguous == ()


def test_the_kept_row_is_completed_by_the_others() -> None:
    a = landlord("DUPONT", "Marcelle", D, "52 Allée Maryse Bastié", sexe=None)
    b = electoral("DUPONT", "Marcelle", D, "52 Allee Maryse Bastie", sexe=F, bv="0102")
    (kept,) = deduplicate([a, b]).entries
    assert (kept.reference, kept.sexe, kept.bureau_vote) == (a.reference, F, "0102")


def test_without_birth_date_names_and_address() -> None:
    a = electoral("TECHER", "Gilles", date(1993, 6, 18), "30 Rue Édouard Vaillant", sexe=M)
    b = landlord("Techer", "Gilles", None, "30 rue Edouard-Vaillant", sexe=M)
    c = landlord("PELLETIER", "Nath", None, "166 Bd Béranger")
    d = landlord("Pelletier", "Nath", None, "166 Boulevard Béranger")
    report = deduplicate([a, b, c, d])
    assert report.entries == (a, c)
    assert [(m.entries, m.criteria) for m in report.merges] == [
        ((a, b), (CRITERE_NOMS_ADRESSE,)), ((c, d), (CRITERE_NOMS_ADRESSE,))]


def test_same_identity_at_two_addresses_is_ambiguous_not_merged() -> None:
    a = electoral("RENARD", "Clémence", D, "12 Square Œillets")
    b = landlord("RENARD", "Clémence", D, "4 Rue Colbert")
    report = deduplicate([a, b])
    assert report.entries == (a, b) and report.merges == ()
    (pair,) = report.ambiguous
    assert (pair.a, pair.b, pair.code) == (a, b, AMBIGUITE_ADRESSE_DIFFERENTE)
    assert pair.message == "mêmes nom, prénom et date de naissance mais adresses différentes"


def test_undated_row_with_two_candidates_is_ambiguous() -> None:
    # The landlord's row matches a birth name at the same door and a usage name elsewhere.
    here = electoral("CHRÉTIEN", "Christiane", date(1981, 6, 23), "44 Rue des Tilleuls",
                     nu="FLEURY")
    there = electoral("BESSON", "Christiane", date(1980, 4, 6), "17 Av. Louise Michel",
                      nu="CHRÉTIEN")
    row = landlord("Chrétien", "Christiane", None, "44 Rue des Tilleuls")
    report = deduplicate([here, there, row])
    assert len(report.entries) == 3 and report.merges == ()
    assert [(p.a, p.b, p.code) for p in report.ambiguous] == [
        (here, row, AMBIGUITE_PLUSIEURS_CANDIDATS), (there, row, AMBIGUITE_PLUSIEURS_CANDIDATS)]


def test_undated_namesake_elsewhere_is_neither_merged_nor_flagged() -> None:
    a = electoral("SAMSON", "Léon", date(1983, 2, 11), "70 Avenue Louise Michel", sexe=M)
    b = landlord("SAMSON", "Léon", None, "23 Place de l'Europe", sexe=M)
    report = deduplicate([a, b])
    assert report.entries == (a, b) and report.merges == () and report.ambiguous == ()


def test_different_birth_dates_or_given_names_are_different_people() -> None:
    a = landlord("BRUNET", "Denise", date(1942, 7, 15), "58 Avenue Louise Michel")
    b = landlord("BRUNET", "Denise", date(1934, 10, 23), "58 Avenue Louise Michel")
    twin1 = electoral("ROUX", "Marie Anne", D, "2 rue Colbert")
    twin2 = electoral("ROUX", "Marie Claire", D, "2 rue Colbert")
    report = deduplicate([a, b, twin1, twin2])
    assert len(report.entries) == 4 and report.merges == () and report.ambiguous == ()


def test_a_row_matching_two_people_is_not_merged() -> None:
    anne = electoral("ROUX", "Marie Anne", D, "2 rue Colbert")
    claire = electoral("ROUX", "Marie Claire", D, "2 rue Colbert")
    marie = landlord("Roux", "Marie", D, "2 rue Colbert")
    report = deduplicate([anne, claire, marie])
    assert report.merges == ()
    assert {(p.a, p.code) for p in report.ambiguous} == {
        (anne, AMBIGUITE_PLUSIEURS_CANDIDATS), (claire, AMBIGUITE_PLUSIEURS_CANDIDATS)}


def test_conflicting_sexes_are_flagged() -> None:
    a = electoral("JOLY", "Claude", date(1977, 7, 9), "71 Avenue Louise Michel", sexe=F)
    b = landlord("JOLY", "Claude", date(1977, 7, 9), "71 Avenue Louise Michel", sexe=M)
    report = deduplicate([a, b])
    assert report.merges == ()
    assert [p.code for p in report.ambiguous] == [AMBIGUITE_SEXE_DISCORDANT]


def test_duplicates_within_one_file_and_groups_of_three() -> None:
    a = electoral("FISCHER", "Alain", date(1934, 5, 19), "120 Rue Nationale", sexe=M)
    b = landlord("Fischer", "Alain", date(1934, 5, 19), "120 Rue Nationale", sexe=M)
    c = landlord("FISCHER", "Alain", date(1934, 5, 19), "120 rue Nationale", sexe=M)
    d = landlord("FISCHER", "Alain", None, "120 rue Nationale", sexe=M)
    report = deduplicate([a, b, c, d])
    assert report.entries == (a,)
    assert report.duplicates_merged == 3
    assert report.merges[0].criteria == (CRITERE_NOMS_ADRESSE, CRITERE_NOMS_DATE)


def test_empty_input() -> None:
    report = deduplicate([])
    assert report.entries == () and report.duplicates_merged == 0
