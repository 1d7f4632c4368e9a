"""Crafted spreadsheets for the reader's hardening tests, built with ``zipfile``."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

_CT = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>'
)
_WB_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '</Relationships>'
)
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def col(n: int) -> str:
    """1 → A, 16384 → XFD."""
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def sheet_xml(cells: list[tuple[int, int, str]], dimension: str | None = None) -> str:
    rows: dict[int, list[str]] = {}
    for r, c, text in cells:
        rows.setdefault(r, []).append(
            f'<c r="{col(c)}{r}" t="inlineStr"><is><t>{escape(text)}</t></is></c>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    return f'<?xml version="1.0"?><worksheet xmlns="{NS}">{dim}<sheetData>{body}</sheetData></worksheet>'


def xlsx(sheet: str, *, sheets: int = 1, extra: dict[str, str | bytes] | None = None) -> bytes:
    tags = "".join(f'<sheet name="F{i}" sheetId="{i}" r:id="rId1"/>' for i in range(1, sheets + 1))
    workbook = (
        f'<?xml version="1.0"?><workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/'
        f'officeDocument/2006/relationships"><sheets>{tags}</sheets></workbook>'
    )
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return b.getvalue()


BOMB_XLSX_SHEET = sheet_xml([(1, 1, "nom"), (1048576, 16384, "x")], "A1:XFD1048576")

_ODS_HEAD = (
    '<?xml version="1.0"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet>'
)


def ods_cell(text: str, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (f'<table:table-cell office:value-type="string"{rep}><text:p>{escape(text)}'
            f'</text:p></table:table-cell>')


def ods_row(cells: str, repeat: int = 1) -> str:
    rep = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{rep}>{cells}</table:table-row>"


def ods(rows_xml: str, *, tables: int = 1) -> bytes:
    body = "".join(f'<table:table table:name="F{i}">{rows_xml}</table:table>'
                   for i in range(1, tables + 1))
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type='
            '"text/xml"/></manifest:manifest>')
        z.writestr("content.xml", _ODS_HEAD + body
                   + "</office:spreadsheet></office:body></office:document-content>",
                   compress_type=zipfile.ZIP_DEFLATED)
    return b.getvalue()
