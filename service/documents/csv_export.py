"""The one CSV writer of every export (rejected rows, composition report, addresses).

French spreadsheets open these files directly: UTF-8 with a BOM (so the accents are
right), ``;`` between cells, CRLF line ends. A cell whose text starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is run as a formula by Excel and LibreOffice
(``=HYPERLINK(…)`` in a surname read by the préfecture's auditor): such a cell is
written with a leading ``'``, which the spreadsheet shows as text. Numbers the service
writes itself (line numbers, counts) are left as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

__all__ = ["FORMULA_STARTS", "CsvExport", "safe_cell"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet will read it as text (see the module's docstring)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvExport:
    """Rows written through :func:`safe_cell`; :meth:`to_bytes` gives the file."""

    def __init__(self, delimiter: str = ";", bom: bool = True) -> None:
        self._buf = io.StringIO()
        self._writer = csv.writer(self._buf, delimiter=delimiter, lineterminator="\r\n")
        self._bom = bom

    def row(self, cells: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(c) for c in cells])

    def rows(self, rows: Iterable[Iterable[object]]) -> None:
        for cells in rows:
            self.row(cells)

    def to_bytes(self) -> bytes:
        return (("\ufeff" if self._bom else "") + self._buf.getvalue()).encode("utf-8")
