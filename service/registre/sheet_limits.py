"""What a spreadsheet declares, bounded before a single cell is read.

calamine builds a sheet as one dense grid of 32-byte cells from its first to its last
used cell: an .xlsx of 1.5 kB holding a cell at ``A1`` and one at ``XFD1048576`` asks
for 512 GiB and the process aborts. So the archive is inspected first, by streaming its
members (never inflating one whole in memory): number of members and of sheets, sizes
once decompressed (counted, not trusted from the headers) and their ratio to the
compressed size, the sheets' declared ``<dimension>`` and the farthest cell they name,
the shared strings' declared count, and for ODS the cells and rows a
``number-columns-repeated`` / ``number-rows-repeated`` attribute would create.

A file within these bounds is then read in a child process under a memory limit
(:mod:`service.registre.sheet_child`): the bounds say clearly what is wrong with a file,
the child keeps anything they miss from taking the service down.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import cast
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from domain.errors import InvalidInput
from domain.i18n import _

__all__ = ["MAX_CELLS", "MAX_COLUMNS", "check_spreadsheet"]

MAX_MEMBERS = 10_000
MAX_SHEETS = 200
# Sum of the members' sizes once decompressed, and the ratio a large member may reach
# (a sheet's XML compresses 5–30 times; a bomb, thousands of times).
MAX_UNCOMPRESSED = 2 * 1024 * 1024 * 1024
MAX_RATIO = 250
_RATIO_FROM = 8 * 1024 * 1024  # below this size any ratio is harmless
# A sheet's grid: columns and cells (rows × columns) it may span. Excel allows 16,384
# columns; a register has a few dozen, a hand-made one rarely more than a few hundred.
MAX_COLUMNS = 1024
MAX_CELLS = 20_000_000  # ~640 MB of calamine cells
MAX_SHARED_STRINGS = MAX_CELLS

_CHUNK = 1 << 20
_REF = re.compile(rb"^\$?([A-Za-z]{1,4})\$?([0-9]{1,10})$")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"\$?([A-Za-z]{1,9})\$?([0-9]{1,20})\"")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"([0-9]{1,20})\"")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\sref=\"([^\"]{0,64})\"")
_SST = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
_SST_COUNT = re.compile(rb"\s(?:count|uniqueCount)=\"([0-9]{1,30})\"")
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b")
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _too_big(detail: str) -> InvalidInput:
    return InvalidInput(detail, code="tableur-trop-grand", field="fichier")


def damaged(reason: str | None = None) -> InvalidInput:
    """A spreadsheet whose archive or XML is broken (truncated download, bad copy)."""
    detail = _("Fichier tableur endommagé : il ne peut pas être lu. Enregistrez-le à "
               "nouveau depuis le tableur (ou exportez-le en CSV) puis déposez-le.")
    if reason:
        detail = f"{detail} ({reason})"
    return InvalidInput(detail, code="tableur-endommage", field="fichier")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def _fmt(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def _check_grid(rows: int, columns: int, where: str) -> None:
    if columns > MAX_COLUMNS:
        raise _too_big(
            _("La feuille %(feuille)s s'étend sur %(colonnes)s colonnes (maximum "
              "%(max)s) : supprimez les cellules inutiles à droite des données ou "
              "exportez la feuille en CSV.")
            % {"feuille": where, "colonnes": _fmt(columns), "max": _fmt(MAX_COLUMNS)})
    if rows * columns > MAX_CELLS:
        raise _too_big(
            _("La feuille %(feuille)s déclare %(lignes)s lignes sur %(colonnes)s colonnes, "
              "soit plus de %(max)s cellules : supprimez les lignes et colonnes vides "
              "au-delà des données ou exportez la feuille en CSV.")
            % {"feuille": where, "lignes": _fmt(rows), "colonnes": _fmt(columns),
               "max": _fmt(MAX_CELLS)})


class _Budget:
    """Decompressed bytes counted as they are inflated, for the whole archive."""

    def __init__(self) -> None:
        self.total = 0

    def declared(self, infos: list[zipfile.ZipInfo]) -> None:
        if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
            raise self._over_total()
        for info in infos:
            if info.file_size > _RATIO_FROM and info.file_size > MAX_RATIO * max(
                    info.compress_size, 1):
                raise self._over_ratio(info)

    @staticmethod
    def _over_total() -> InvalidInput:
        return _too_big(_("Le tableur occupe plus de %(max)s Mo une fois décompressé : "
                          "exportez-le en CSV.") % {"max": MAX_UNCOMPRESSED >> 20})

    @staticmethod
    def _over_ratio(info: zipfile.ZipInfo) -> InvalidInput:
        return _too_big(_("Le tableur est anormalement compressé (« %(partie)s » grossit "
                          "plus de %(ratio)d fois une fois décompressé) : ce n'est pas un "
                          "fichier enregistré par un tableur.")
                        % {"partie": info.filename[:80], "ratio": MAX_RATIO})

    def stream(self, z: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
        read = 0
        with z.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                read += len(chunk)
                self.total += len(chunk)
                if self.total > MAX_UNCOMPRESSED:
                    raise self._over_total()
                if read > _RATIO_FROM and read > MAX_RATIO * max(info.compress_size, 1):
                    raise self._over_ratio(info)
                yield chunk


def check_spreadsheet(path: Path, kind: str) -> None:
    """Refuse (French :class:`InvalidInput`) an .xlsx/.ods whose declared or actual
    size would make reading it unreasonable; a broken archive is « endommagé »."""
    if kind not in ("xlsx", "ods"):
        return  # .xls (OLE) is only read under the child's memory limit
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS:
                raise _too_big(_("Le tableur contient %(n)s fichiers internes (maximum "
                                 "%(max)s) : ce n'est pas un tableur ordinaire.")
                               % {"n": _fmt(len(infos)), "max": _fmt(MAX_MEMBERS)})
            budget = _Budget()
            # Declared sizes first (free to check); the members read below are also
            # counted as they are inflated, since a header may lie.
            budget.declared(infos)
            if kind == "xlsx":
                _check_xlsx(z, infos, budget)
            else:
                _check_ods(z, infos, budget)
    except InvalidInput:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, KeyError,
            NotImplementedError, RuntimeError, ValueError, OSError, ParseError) as exc:
        raise damaged(_("archive ZIP invalide")) from exc


def _scan(stream: Iterator[bytes], patterns: list[re.Pattern[bytes]]) -> Iterator[re.Match[bytes]]:
    """Matches of ``patterns`` over a chunked stream (a tag cut between two chunks is
    found in the next one: the tail of each chunk is kept)."""
    tail = b""
    for chunk in stream:
        data = tail + chunk
        cut = max(0, len(data) - 512)
        # Only matches starting before the kept tail: those after are seen again.
        for pattern in patterns:
            for m in pattern.finditer(data):
                if m.start() < cut:
                    yield m
        tail = data[cut:]
    for pattern in patterns:
        yield from pattern.finditer(tail)


def _check_xlsx(z: zipfile.ZipFile, infos: list[zipfile.ZipInfo], budget: _Budget) -> None:
    names = {i.filename: i for i in infos}
    workbook = names.get("xl/workbook.xml")
    if workbook is not None:
        count = sum(1 for _m in _scan(budget.stream(z, workbook), [_SHEET_TAG]))
        if count > MAX_SHEETS:
            raise _too_big(_("Le tableur contient %(n)s feuilles (maximum %(max)d).")
                           % {"n": _fmt(count), "max": MAX_SHEETS})
    for info in infos:
        name = info.filename
        if name.startswith("xl/sharedStrings") and name.endswith(".xml"):
            _check_shared_strings(z, info, budget)
        elif name.startswith("xl/worksheets/") and name.endswith(".xml"):
            _check_xlsx_sheet(z, info, budget)


def _check_shared_strings(z: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> None:
    head = b""
    for chunk in budget.stream(z, info):
        head += chunk
        if len(head) >= 4096:
            break
    sst = _SST.search(head)
    if sst is None:
        return
    for m in _SST_COUNT.finditer(sst.group(0)):
        if int(m.group(1)) > MAX_SHARED_STRINGS:
            raise _too_big(_("Le tableur déclare %(n)s textes partagés (maximum %(max)s) : "
                             "exportez-le en CSV.")
                           % {"n": _fmt(int(m.group(1))), "max": _fmt(MAX_SHARED_STRINGS)})


def _check_xlsx_sheet(z: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> None:
    where = "« " + info.filename.rsplit("/", 1)[-1].removesuffix(".xml") + " »"
    max_row = max_col = 0
    for m in _scan(budget.stream(z, info), [_DIMENSION, _CELL_REF, _ROW_REF]):
        if m.re is _DIMENSION:
            for ref in m.group(1).split(b":"):
                found = _REF.match(ref)
                if found:
                    max_col = max(max_col, _column_number(found.group(1)))
                    max_row = max(max_row, int(found.group(2)))
        elif m.re is _CELL_REF:
            max_col = max(max_col, _column_number(m.group(1)))
            max_row = max(max_row, int(m.group(2)))
        else:
            max_row = max(max_row, int(m.group(1)))
        if max_col > MAX_COLUMNS or max_row * max(max_col, 1) > MAX_CELLS:
            _check_grid(max_row, max(max_col, 1), where)
    _check_grid(max_row, max(max_col, 1), where)


def _check_ods(z: zipfile.ZipFile, infos: list[zipfile.ZipInfo], budget: _Budget) -> None:
    content = next((i for i in infos if i.filename == "content.xml"), None)
    if content is None:
        raise damaged(_("content.xml manquant"))
    table, cell, row = (f"{{{_TABLE_NS}}}table", f"{{{_TABLE_NS}}}table-cell",
                        f"{{{_TABLE_NS}}}table-row")
    covered = f"{{{_TABLE_NS}}}covered-table-cell"
    cols_rep, rows_rep = (f"{{{_TABLE_NS}}}number-columns-repeated",
                          f"{{{_TABLE_NS}}}number-rows-repeated")
    value_type = f"{{{_OFFICE_NS}}}value-type"
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    sheets = 0
    name = ""
    # Per sheet: rows so far, last row holding a value, widest column holding a value.
    rows = last_row = width = 0
    col = row_width = 0
    row_has_value = False
    stack: list[Element] = []
    for chunk in budget.stream(z, content):
        parser.feed(chunk)
        for pair in parser.read_events():
            event, elem = cast(tuple[str, Element], pair)  # start/end carry elements
            tag = elem.tag
            if event == "start":
                stack.append(elem)
                if tag == table:
                    sheets += 1
                    if sheets > MAX_SHEETS:
                        raise _too_big(_("Le tableur contient plus de %(max)d feuilles.")
                                       % {"max": MAX_SHEETS})
                    name = "« " + str(elem.get(f"{{{_TABLE_NS}}}name", ""))[:60] + " »"
                    rows = last_row = width = 0
                elif tag == row:
                    col = row_width = 0
                    row_has_value = False
                continue
            # A cell or row read is dropped from its parent (whose last child it is),
            # so that memory stays flat whatever the sheet's length.
            stack.pop()
            if tag in (cell, covered, row) and stack and len(stack[-1]) and stack[-1][-1] is elem:
                del stack[-1][-1]
            if tag in (cell, covered):
                repeat = _repeat(elem.get(cols_rep))
                col += repeat
                # Empty cells repeated to the sheet's edge (LibreOffice writes them)
                # cost nothing; cells holding something are materialised.
                if elem.get(value_type) is not None or len(elem) or (elem.text or "").strip():
                    row_width = col
                    row_has_value = True
            elif tag == row:
                repeat = _repeat(elem.get(rows_rep))
                rows += repeat
                if row_has_value:
                    last_row = rows
                    width = max(width, row_width)
                    _check_grid(last_row, max(width, 1), name)
            elif tag == table:
                _check_grid(last_row, max(width, 1), name)
            elem.clear()
    parser.close()


def _repeat(value: str | None) -> int:
    if not value:
        return 1
    try:
        n = int(value)
    except ValueError:
        return 1
    return max(n, 1)
