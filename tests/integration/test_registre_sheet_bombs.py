"""Spreadsheets that declare more than can be read are refused before reading, in
French, and a reader crash happens in a child process, never in the service (issue 14,
item 1)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from domain.errors import InvalidInput
from service.registre import sheet_limits
from service.registre.reader import read_table
from tests.sheets_support import (
    BOMB_XLSX_SHEET,
    ods,
    ods_cell,
    ods_row,
    sheet_xml,
    xlsx,
)

HEADER = [(1, 1, "Nom"), (1, 2, "Prénom")]


def _refused(data: bytes, name: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as err:
        read_table(data, filename=name)
    return err.value


def test_cells_at_a1_and_xfd1048576_are_refused_without_reading() -> None:
    data = xlsx(BOMB_XLSX_SHEET)
    assert len(data) < 2000
    err = _refused(data, "bombe.xlsx")
    assert err.code == "tableur-trop-grand" and err.field == "fichier"
    assert "16\u202f384 colonnes" in err.detail


def test_the_crafted_file_kills_only_a_child_when_the_bounds_are_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the bounds, calamine asks for 512 GiB: the child under its memory limit
    dies, this process answers."""
    monkeypatch.setattr("service.registre.reader.check_spreadsheet", lambda path, kind: None)
    err = _refused(xlsx(BOMB_XLSX_SHEET), "bombe.xlsx")
    assert err.code == "tableur-trop-grand" and "trop de mémoire" in err.detail


def test_the_old_code_aborted_in_process(tmp_path: Path) -> None:
    """What the bounds and the child protect against: calamine itself aborts the
    process reading the file (here a throwaway interpreter)."""
    path = tmp_path / "bombe.xlsx"
    path.write_bytes(xlsx(BOMB_XLSX_SHEET))
    code = ("import resource,sys;resource.setrlimit(resource.RLIMIT_AS,(1<<30,1<<30));"
            "from python_calamine import CalamineWorkbook as W;"
            "W.from_path(sys.argv[1]).get_sheet_by_index(0)")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          timeout=60, check=False)
    assert done.returncode != 0


@pytest.mark.parametrize(
    ("sheet", "words"),
    [
        (sheet_xml(HEADER, "A1:B30000000"), "cellules"),
        (sheet_xml([*HEADER, (50_000_000, 1, "x")]), "cellules"),
        (sheet_xml([*HEADER, (2, 2000, "x")]), "2\u202f000 colonnes"),
        (sheet_xml(HEADER, "A1:ZZZ2"), "colonnes"),
    ],
)
def test_declared_dimensions_and_far_cells_are_bounded(sheet: str, words: str) -> None:
    err = _refused(xlsx(sheet), "r.xlsx")
    assert err.code == "tableur-trop-grand" and words in err.detail


def test_shared_strings_count_is_bounded() -> None:
    sst = (f'<?xml version="1.0"?><sst xmlns="{sheet_limits.__name__}" count="1" '
           'uniqueCount="999999999999"><si><t>a</t></si></sst>')
    err = _refused(xlsx(sheet_xml(HEADER), extra={"xl/sharedStrings.xml": sst}), "r.xlsx")
    assert "textes partagés" in err.detail


def test_sheet_and_member_counts_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    err = _refused(xlsx(sheet_xml(HEADER), sheets=sheet_limits.MAX_SHEETS + 1), "r.xlsx")
    assert "feuilles" in err.detail
    monkeypatch.setattr(sheet_limits, "MAX_MEMBERS", 20)
    extra = {f"xl/media/{i}.bin": b"" for i in range(30)}
    err = _refused(xlsx(sheet_xml(HEADER), extra=extra), "r.xlsx")
    assert "fichiers internes" in err.detail


def test_decompressed_size_and_ratio_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # 64 MB of one repeated byte: a thousandfold ratio.
    padding = b"<!--" + b" " * (64 << 20) + b"-->"
    err = _refused(xlsx(sheet_xml(HEADER), extra={"xl/pad.xml": padding}), "r.xlsx")
    assert "anormalement compressé" in err.detail
    monkeypatch.setattr(sheet_limits, "MAX_UNCOMPRESSED", 4000)
    err = _refused(xlsx(sheet_xml([(r, 1, "x" * 30) for r in range(1, 200)])), "r.xlsx")
    assert "une fois décompressé" in err.detail


def test_ods_repeated_cells_and_rows_are_bounded() -> None:
    wide = ods(ods_row(ods_cell("Nom") + ods_cell("x", repeat=16384)))
    assert "colonnes" in _refused(wide, "r.ods").detail
    tall = ods(ods_row(ods_cell("Nom") + ods_cell("Prénom"))
               + ods_row(ods_cell("a", repeat=100), repeat=1_000_000))
    assert "cellules" in _refused(tall, "r.ods").detail


def test_ods_empty_repeats_to_the_sheet_edge_are_read() -> None:
    """LibreOffice writes empty cells and rows repeated to the sheet's edge: harmless."""
    data = ods(ods_row(ods_cell("Nom") + ods_cell("Prénom")
                       + '<table:table-cell table:number-columns-repeated="16382"/>')
               + ods_row(ods_cell("Durand") + ods_cell("Paul"))
               + ods_row('<table:table-cell table:number-columns-repeated="16384"/>',
                         repeat=1_048_574))
    with read_table(data, filename="r.ods") as table:
        assert table.header == ["Nom", "Prénom"]
        assert [cells[:2] for _n, cells in table.rows] == [["Durand", "Paul"]]


def test_damaged_spreadsheet_is_named_so() -> None:
    good = xlsx(sheet_xml([*HEADER, (2, 1, "Durand"), (2, 2, "Paul")]))
    truncated = good[: len(good) // 2]
    err = _refused(truncated, "registre.xlsx")
    assert err.code == "tableur-endommage" and "Fichier tableur endommagé" in err.detail
    assert "document texte" not in err.detail and "ZIP" not in err.detail
    # A member whose data is corrupt (the directory is fine).
    broken = bytearray(good)
    at = broken.find(b"xl/worksheets/sheet1.xml") + 40
    broken[at:at + 40] = b"\xff" * 40
    err = _refused(bytes(broken), "registre.xlsx")
    assert err.code in ("tableur-endommage", "type-fichier") and "endommagé" in err.detail


def test_reading_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    good = xlsx(sheet_xml([*HEADER, (2, 1, "Durand"), (2, 2, "Paul")]))
    with read_table(good, filename="r.xlsx") as table:
        assert list(table.rows) == [(2, ["Durand", "Paul"])]
    _refused(xlsx(BOMB_XLSX_SHEET), "r.xlsx")
    assert os.listdir(tmp_path) == []


def test_zip_inspection_does_not_inflate_a_member_whole() -> None:
    """The checks stream: a 64 MB member is refused after a few chunks."""
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (64 << 20))
    with pytest.raises(InvalidInput):
        read_table(b.getvalue(), filename="r.xlsx")
