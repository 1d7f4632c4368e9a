"""What is wrong with a file is said in French, precisely (issue 14, item 11): a damaged
spreadsheet is « endommagé », not « une archive ZIP qui n'est pas un tableur » ;
UTF-16 without a byte-order mark is text, not « binaire » ; one Windows-1252 line in a
UTF-8 file is named with its line, not read as an unrecognised header ; an oversize
file is refused the same way (413 over HTTP, see tests/e2e/test_registre_bad_files.py)."""

from __future__ import annotations

import zipfile

import pytest

from domain.errors import InvalidInput, TooLarge
from service.http.errors import status_of
from service.registre.reader import read_table
from tests.sheets_support import ods, ods_cell, ods_row, sheet_xml, xlsx

HEADER = ("NomdeNaissance;NomDusage;Prenoms;Sexe;DateNaissance;Adresse1;Adresse2;CodePostal;"
          "Commune;BureauVote\r\n")
ROWS = "".join(f"DURAND{i};;Hélène;F;12/03/1980;3 Rue des Tilleuls;;37990;VALMONT;0101\r\n"
               for i in range(80))


def _refused(data: bytes, name: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as err:
        read_table(data, filename=name)
    return err.value


@pytest.mark.parametrize("name", ["registre.xlsx", "registre.ods"])
def test_truncated_spreadsheet_is_damaged_not_a_text_document(name: str) -> None:
    good = (xlsx(sheet_xml([(1, 1, "Nom"), (2, 1, "Durand")])) if name.endswith("xlsx")
            else ods(ods_row(ods_cell("Nom")) + ods_row(ods_cell("Durand"))))
    err = _refused(good[: len(good) * 2 // 3], name)
    assert err.code == "tableur-endommage"
    assert err.detail.startswith("Fichier tableur endommagé")
    assert "texte" not in err.detail and "ZIP" not in err.detail


def test_spreadsheet_without_its_workbook_is_damaged(tmp_path: object) -> None:
    import io

    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml([(1, 1, "Nom")]))
    err = _refused(b.getvalue(), "registre.xlsx")
    assert err.code == "tableur-endommage" and "classeur introuvable" in err.detail


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read_as_text(encoding: str) -> None:
    with read_table((HEADER + ROWS).encode(encoding), filename="liste.csv") as table:
        assert table.encoding == encoding and table.delimiter == ";"
        assert table.header[0] == "NomdeNaissance"
        line, cells = next(table.rows)
        assert line == 2 and cells[2] == "Hélène"


def test_binary_is_still_binary() -> None:
    err = _refused(bytes(range(256)) * 40, "liste.csv")
    assert err.code == "type-fichier" and "binaire" in err.detail


def test_one_windows_1252_line_in_a_utf8_file_is_named() -> None:
    lines = (HEADER + ROWS).encode("utf-8").split(b"\r\n")
    lines[56] = "LEBLÉ;;Zoé;F;12/03/1980;3 Rue;;37990;VALMONT;0101".encode("cp1252")
    err = _refused(b"\r\n".join(lines), "liste.csv")
    assert err.code == "encodage-mixte" and err.line == 57 and err.field == "encodage"
    assert err.detail.startswith("Ligne 57 : caractère non UTF-8 (« É » en Windows-1252 ?)")


def test_a_windows_1252_file_is_still_read_as_such() -> None:
    with read_table((HEADER + ROWS).encode("cp1252"), filename="liste.csv") as table:
        assert table.encoding == "cp1252"
        assert next(table.rows)[1][2] == "Hélène"


def test_oversize_is_one_error_answered_413() -> None:
    with pytest.raises(TooLarge) as err:
        read_table(b"x" * 2000, filename="liste.csv", max_bytes=1000)
    assert err.value.code == "fichier-trop-volumineux" and status_of(err.value) == 413
