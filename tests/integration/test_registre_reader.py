"""Reading real register files: the shared samples, spreadsheets, and broken uploads.

Then the whole chain on the samples: mapping, parsing, deduplication across the two
registers, eligibility with the perimeter and the exclusion list, households.
"""

from __future__ import annotations

import codecs
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.errors import InvalidInput
from domain.registre import (
    EligibilitySettings,
    Entry,
    Rejection,
    assign_households,
    deduplicate,
    detect_mapping,
    evaluate,
    parse_exclusions,
    parse_numbered_rows,
    parse_perimeter,
)
from domain.registre.dedup import AMBIGUITE_PLUSIEURS_CANDIDATS, DedupReport
from service.registre import read_table
from tests.conftest import SHARED

SAMPLES = SHARED / "data" / "registre-exemple"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REFERENCE = date(2026, 1, 1)
SALT = b"sel-de-test-0123456789"


def load(path: Path | bytes, label: str, **kw: Any) -> tuple[list[Entry], list[Rejection]]:
    with read_table(path, **kw) as table:
        return parse_numbered_rows(table.rows, detect_mapping(table.header), label)


@pytest.fixture(scope="module")
def electoral() -> list[Entry]:
    entries, rejections = load(SAMPLES / "liste_electorale.csv", "liste_electorale")
    assert rejections == []
    return entries


@pytest.fixture(scope="module")
def landlord() -> list[Entry]:
    entries, rejections = load(SAMPLES / "bailleur.csv", "bailleur")
    assert rejections == []
    return entries


@pytest.fixture(scope="module")
def report(electoral: list[Entry], landlord: list[Entry]) -> DedupReport:
    return deduplicate([*electoral, *landlord])


# ----------------------------------------------------------------------- sample files


def test_electoral_extract_windows_1252_semicolon_crlf() -> None:
    with read_table(SAMPLES / "liste_electorale.csv") as t:
        assert (t.format, t.encoding, t.delimiter, t.delimiter_name) == (
            "csv", "cp1252", ";", "point-virgule")
        assert t.header[:3] == ["NumeroOrdre", "NomdeNaissance", "NomDusage"]
        assert not isinstance(t.rows, list)
        line, row = next(t.rows)
        assert line == 2 and row[7] == "6 Avenue Louise Michel"
        assert row[8] == "Les Jardins de Bastié Bât 8"  # é and â decoded from cp1252
        assert sum(1 for _ in t.rows) == 2999


def test_landlord_file_utf8_bom_comma() -> None:
    with read_table(SAMPLES / "bailleur.csv") as t:
        assert (t.encoding, t.delimiter) == ("utf-8-sig", ",")
        assert t.header[0] == "Civilité"  # no BOM left on the first title
        assert detect_mapping(t.header).name == "bailleur"


def test_sample_registers_parse_without_rejection(
    electoral: list[Entry], landlord: list[Entry]
) -> None:
    assert (len(electoral), len(landlord)) == (3000, 1200)
    assert electoral[-1].line == 3001 and landlord[-1].line == 1201
    # Square Œillets: "Œ" is byte 0x8C in Windows-1252 (Latin-1 would lose it).
    assert any(e.adresse.voie == "Square Œillets" for e in electoral)
    assert Counter(e.sexe is None for e in landlord) == {False: 1200}
    assert sum(e.date_naissance is None for e in landlord) == 233


def test_people_in_both_registers_are_counted_once(report: DedupReport) -> None:
    assert len(report.entries) == 3839
    assert report.duplicates_merged == 361
    assert len(report.merges) == 341
    # Every merged person is on the electoral list and in the landlord's file (20 of
    # them twice in the landlord's file); the electoral row stands for them.
    assert all(m.kept.source == "liste_electorale" for m in report.merges)
    assert Counter(len(m.entries) for m in report.merges) == {2: 321, 3: 20}
    assert Counter(m.criteria for m in report.merges) == {
        ("noms-date",): 263, ("noms-adresse",): 73, ("noms-adresse", "noms-date"): 5}
    renaud = next(m for m in report.merges if m.kept.line == 1587)
    assert [(x.source, x.line, x.prenoms) for x in renaud.entries] == [
        ("liste_electorale", 1587, "Marcelle Michelle"), ("bailleur", 359, "Marcelle"),
        ("bailleur", 740, "Marcelle Michelle")]


def test_doubtful_pairs_are_listed_for_a_person(report: DedupReport) -> None:
    pairs = [(p.code, p.a.reference, p.b.reference) for p in report.ambiguous]
    assert pairs == [
        (AMBIGUITE_PLUSIEURS_CANDIDATS, "liste_electorale:907", "bailleur:133"),
        (AMBIGUITE_PLUSIEURS_CANDIDATS, "liste_electorale:2047", "bailleur:133"),
        (AMBIGUITE_PLUSIEURS_CANDIDATS, "liste_electorale:443", "bailleur:169"),
        (AMBIGUITE_PLUSIEURS_CANDIDATS, "liste_electorale:1069", "bailleur:169"),
        (AMBIGUITE_PLUSIEURS_CANDIDATS, "liste_electorale:656", "bailleur:873"),
        (AMBIGUITE_PLUSIEURS_CANDIDATS, "liste_electorale:1790", "bailleur:873"),
    ]


def test_eligibility_on_the_samples(report: DedupReport) -> None:
    with read_table(SAMPLES / "perimetre.csv") as t:
        perimeter = parse_perimeter(t.header, (row for _line, row in t.rows))
    with read_table(SAMPLES / "exclusions.csv") as t:
        exclusions = parse_exclusions(t.header, (row for _line, row in t.rows))
    assert (len(perimeter), len(exclusions)) == (7, 5)

    result = evaluate(report.entries, EligibilitySettings(perimeter, exclusions), REFERENCE)
    assert len(result.eligible) == 3020 and len(result.ineligible) == 819
    assert result.counts == {
        "age-minimum": 98, "date-naissance-inconnue": 154, "hors-perimetre": 592,
        "liste-exclusion": 5, "deja-membre": 0, "sexe-inconnu": 0,
    }
    assert Counter(i.codes for i in result.ineligible)[("hors-perimetre", "liste-exclusion")] == 2

    households = assign_households(result.eligible, SALT)
    assert households.count == 2925  # address + flat, or address + family name (1,545 by building)
    assert sum(households.sizes.values()) == 3020


# ------------------------------------------------------------------ CSV, as uploaded


def test_quoted_delimiters_and_multiline_fields_keep_line_numbers() -> None:
    data = (
        "Nom;Prénom;Sexe;Date de naissance;Adresse;Code postal\r\n"
        '"Martin; dit Tintin";Paul;M;01/02/1980;"3 rue Colbert";37990\r\n'
        '"Petit";"Zoé";F;02/03/1981;"Résidence ""Europe""\r\nBât 2";37990\r\n'
        "Durand;Léa;F;31/02/1980;5 rue Colbert;37990\r\n"
    ).encode()
    with read_table(data, filename="saisie.csv") as t:
        assert t.delimiter == ";" and t.encoding == "utf-8"
        rows = list(t.rows)
    assert [line for line, _ in rows] == [2, 3, 5]
    assert rows[0][1][0] == "Martin; dit Tintin"
    assert rows[1][1][4] == 'Résidence "Europe"\r\nBât 2'
    entries, rejections = parse_numbered_rows(rows, detect_mapping(t.header), "saisie")
    assert [e.line for e in entries] == [2, 3]
    assert entries[1].adresse.batiment == "2"
    assert [(r.line, r.fields) for r in rejections] == [(5, ("date_naissance",))]
    assert rejections[0].message == "date impossible : le 31/02/1980 n'existe pas"


def test_wrong_column_count_in_a_file() -> None:
    data = b"Nom,Prenom,Sexe,Adresse\nMartin,Paul,M,3 rue Colbert\nPetit,Zoe,F\n"
    entries, rejections = load(data, "x", filename="x.csv")
    assert len(entries) == 1
    assert [(r.line, r.message) for r in rejections] == [
        (3, "nombre de colonnes incorrect : 3 au lieu de 4")]


def test_encoding_and_delimiter_can_be_forced() -> None:
    data = "Nom|Prénom\r\nŒuvray|Zoé\r\n".encode("cp1252")
    with read_table(data, filename="x.txt") as t:
        assert (t.encoding, t.delimiter) == ("cp1252", "|")
    with read_table(data, filename="x.txt", encoding="latin-1", delimiter="|") as t:
        assert next(t.rows)[1][0] == "\x8cuvray"  # what forcing the wrong encoding gives
    with pytest.raises(InvalidInput):
        read_table(data, encoding="klingon")


def test_utf16_tab_export_and_excel_sep_line() -> None:
    data = codecs.BOM_UTF16_LE + "Nom\tPrénom\r\nÉric\tZoé\r\n".encode("utf-16-le")
    with read_table(data, filename="export.txt") as t:
        assert (t.encoding, t.delimiter, t.header) == ("utf-16", "\t", ["Nom", "Prénom"])
        assert list(t.rows) == [(2, ["Éric", "Zoé"])]
    with read_table(b"sep=,\r\nNom;x,Prenom\r\nA;b,C\r\n") as t:
        assert (t.delimiter, t.header_line, t.header) == (",", 2, ["Nom;x", "Prenom"])
        assert list(t.rows) == [(3, ["A;b", "C"])]


def test_undecodable_bytes_say_which_line() -> None:
    data = b"Nom;Prenom\r\n" + b"A;B\r\n" * 10 + b"\x81\x8d;x\r\n"
    with pytest.raises(InvalidInput) as err:
        read_table(data, filename="x.csv", encoding="utf-8")
    assert (err.value.code, err.value.line) == ("encodage-invalide", 12)
    assert "à la ligne 12" in err.value.detail
    # Past the first bytes read for detection too (the decoder runs a chunk ahead).
    late = b"Nom;Prenom\n" + b"A;B\n" * 30_000 + b"\x81;x\n"
    with read_table(late, filename="x.csv", encoding="utf-8") as t, \
            pytest.raises(InvalidInput) as err:
        list(t.rows)
    assert err.value.line == 30_002


def test_a_big_csv_is_streamed_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "grand.csv"
    row = "DUPONT;Marcelle;F;11/06/1951;52 Allée Maryse Bastié;37990\n"
    path.write_text("Nom;Prénom;Sexe;Date de naissance;Adresse;Code postal\n" + row * 40_000,
                    encoding="utf-8")
    with read_table(path) as t:
        assert next(t.rows)[0] == 2
        raw = t._closer
        assert raw is not None and raw.tell() < path.stat().st_size / 10
    assert raw.closed


# ------------------------------------------------------------------------ spreadsheets


@pytest.mark.parametrize("name", ["registre_tableur.xlsx", "registre_tableur.ods"])
def test_spreadsheets(name: str) -> None:
    with read_table(FIXTURES / name) as t:
        assert t.format == name.rsplit(".", 1)[1]
        assert (t.header_line, t.header[:2]) == (2, ["Civilité", "Nom"])
        rows = list(t.rows)
    assert [line for line, _ in rows] == [3, 4, 6, 7]  # line 5 is blank, line 1 empty
    assert rows[0][1][3] == "11/06/1951"  # a date cell
    assert rows[0][1][5] == "37990"  # a number cell, not "37990.0"
    entries, rejections = parse_numbered_rows(rows, detect_mapping(t.header), "tableur")
    assert [(e.line, e.nom, e.date_naissance) for e in entries] == [
        (3, "Dupont", date(1951, 6, 11)), (4, "Martin", date(1980, 4, 3)),
        (6, "Œuvray", date(2012, 2, 29))]
    assert entries[1].adresse.suffixe == "BIS"
    (r,) = rejections
    assert (r.line, r.fields) == (7, ("civilite", "date_naissance"))


def test_sheet_selection() -> None:
    with read_table(FIXTURES / "registre_tableur.xlsx", sheet="Habitants") as t:
        assert t.header_line == 2
    with pytest.raises(InvalidInput) as err:
        read_table(FIXTURES / "registre_tableur.xlsx", sheet="Feuil2")
    assert "Habitants" in err.value.detail


# ---------------------------------------------------------------------- refused files


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"%PDF-1.7\n...", "liste.pdf", "type-fichier"),
        (b"%PDF-1.7\n...", "liste.csv", "type-fichier"),
        (b"\x89PNG\r\n\x1a\n....", "photo.csv", "type-fichier"),
        (b"Nom;Prenom\n", "liste.exe", "type-fichier"),
        (b"PK\x03\x04...", "courrier.docx", "type-fichier"),
        (b"Nom;Prenom\nA;B\n", "liste.xlsx", "type-fichier"),
        (b"Nom\x00;\x00Prenom", "liste.csv", "type-fichier"),
        (b"", "vide.csv", "fichier-vide"),
    ],
)
def test_wrong_files_are_refused_before_parsing(data: bytes, filename: str, code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        read_table(data, filename=filename)
    assert err.value.code == code
    assert err.value.field == "fichier"


def test_zip_that_is_not_a_spreadsheet(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "courrier.xlsx"  # a text document renamed
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    with pytest.raises(InvalidInput) as err:
        read_table(path)
    assert "n'est pas un tableur" in err.value.detail
    xlsx = (FIXTURES / "registre_tableur.xlsx").read_bytes()
    with pytest.raises(InvalidInput) as err:
        read_table(xlsx, filename="registre.csv")
    assert "tableur (xlsx)" in err.value.detail


def test_size_limit() -> None:
    with pytest.raises(InvalidInput) as err:
        read_table(b"Nom;Prenom\n" * 1000, filename="x.csv", max_bytes=1000)
    assert err.value.code == "fichier-trop-volumineux"
    assert "maximum" in err.value.detail


def test_missing_file() -> None:
    with pytest.raises(InvalidInput):
        read_table(SAMPLES / "absent.csv")
