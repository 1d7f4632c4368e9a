"""The dashboard for the contrat de ville's annual review: a PDF report (figures, their
definitions and the charts), and the figures as CSV and as an ODS spreadsheet, each with
the period and the definitions."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from fractions import Fraction
from xml.sax.saxutils import escape

from babel.numbers import format_decimal
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import ParagraphProperties, Style, TableColumnProperties, TextProperties
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import P
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from domain.i18n import _
from domain.indicators import Figure, Unit
from domain.training import format_hours
from service.documents.fonts import BOLD, REGULAR
from service.documents.formatting import format_date_long, french_spacing
from service.documents.page import Letterhead, PageTemplate
from service.documents.render import DocumentInfo, render_story
from service.indicateurs.charts import drawing
from service.indicateurs.dashboard import Dashboard

UNDEFINED = "non défini"


def display(fig: Figure) -> str:
    """The value as a person reads it: « 47,5 % », « 3,5 h », « 10 jours », « 12 »; a
    share over nothing is « non défini », never 0."""
    if fig.value is None:
        return _(UNDEFINED)
    if fig.unit is Unit.PART:
        return format_decimal(round(float(fig.value) * 100, 1), locale="fr_FR").replace("\u202f", "\u00a0") + "\u00a0%"
    if fig.unit is Unit.HEURES:
        return format_hours(Fraction(fig.value))
    if fig.unit is Unit.JOURS:
        n = float(fig.value)
        text = format_decimal(round(n, 1), locale="fr_FR")
        return text + ("\u00a0jour" if n <= 1 else "\u00a0jours")
    plain = fig.value if isinstance(fig.value, int) else float(fig.value)
    return format_decimal(plain, locale="fr_FR").replace("\u202f", "\u00a0")


def number(fig: Figure) -> float | int | None:
    """The value for a program or a spreadsheet: shares as fractions of 1."""
    if fig.value is None:
        return None
    if isinstance(fig.value, int):
        return fig.value
    return round(float(fig.value), 4)


def _period(d: Dashboard) -> str:
    return _("du {du} au {au}").format(du=format_date_long(d.period.du, weekday=False), au=format_date_long(d.period.au, weekday=False))


def _heading(d: Dashboard) -> str:
    what = _("Conseil citoyen « {n} »") if d.scope == "conseil" else _("Territoire « {n} »")
    return what.format(n=d.name)


HEADERS = ("groupe", "code", "indicateur", "valeur", "valeur affichée", "unité", "définition", "du", "au")


def _rows(d: Dashboard) -> Iterator[list[object]]:
    for _key, label, figures in d.groups:
        for f in figures:
            yield [label, f.code, f.label, number(f), display(f), f.unit.value, f.definition, d.period.du.isoformat(),
                   d.period.au.isoformat()]


def _safe(cell: object) -> object:
    """A text cell that a spreadsheet would run as a formula is written as text."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def to_csv(d: Dashboard) -> bytes:
    """UTF-8 with BOM and « ; », decimal comma: what a French spreadsheet opens as is."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow([_heading(d), _("Période {p}").format(p=_period(d))])
    w.writerow(HEADERS)
    for row in _rows(d):
        w.writerow([_safe(str(c).replace(".", ",") if isinstance(c, float) else ("" if c is None else c)) for c in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_ods(d: Dashboard) -> bytes:
    doc = OpenDocumentSpreadsheet()
    bold = Style(name="gras", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    wrap = Style(name="large", family="table-column")
    wrap.addElement(TableColumnProperties(columnwidth="9cm"))
    left = Style(name="gauche", family="paragraph")
    left.addElement(ParagraphProperties(textalign="left"))
    doc.automaticstyles.addElement(bold)
    doc.automaticstyles.addElement(wrap)
    doc.automaticstyles.addElement(left)
    table = Table(name=_("Indicateurs"))
    for i in range(len(HEADERS)):
        table.addElement(TableColumn(stylename=wrap) if HEADERS[i] in ("indicateur", "définition") else TableColumn())

    def text_cell(value: str, style: Style | None = None) -> TableCell:
        cell = TableCell(valuetype="string", stylename=style) if style else TableCell(valuetype="string")
        cell.addElement(P(text=value))
        return cell

    title = TableRow()
    title.addElement(text_cell(_heading(d), bold))
    title.addElement(text_cell(_("Période {p}").format(p=_period(d))))
    table.addElement(title)
    head = TableRow()
    for h in HEADERS:
        head.addElement(text_cell(h, bold))
    table.addElement(head)
    for row in _rows(d):
        tr = TableRow()
        for c in row:
            if isinstance(c, int | float):
                cell = TableCell(valuetype="float", value=c)
                cell.addElement(P(text=str(c)))
                tr.addElement(cell)
            else:
                tr.addElement(text_cell("" if c is None else str(c)))
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


_H1 = ParagraphStyle("h1", fontName=BOLD, fontSize=14, leading=18, spaceAfter=6)
_H2 = ParagraphStyle("h2", fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=5)
_P = ParagraphStyle("p", fontName=REGULAR, fontSize=9.5, leading=12.5, spaceAfter=4)
_CELL = ParagraphStyle("cell", fontName=REGULAR, fontSize=8.5, leading=10.5)
_CELL_B = ParagraphStyle("cellb", fontName=BOLD, fontSize=8.5, leading=10.5)


def _t(text: str) -> str:
    return escape(french_spacing(text)).replace("\u202f", "\u00a0")


def to_pdf(d: Dashboard, organisation: str) -> bytes:
    template = PageTemplate(Letterhead(organisation=organisation, council=d.name if d.scope == "conseil" else "",
                                       footer_note=_("Indicateurs calculés par le service à partir de ses données.")),
                            reserve_window=False, fold_marks=False)
    info = DocumentInfo(title=_("Indicateurs du contrat de ville — {n}").format(n=d.name), author=organisation,
                        subject=_("Bilan annuel du contrat de ville"), keywords=("conseil citoyen", "indicateurs", "parité"))

    def story() -> list[Flowable]:
        out: list[Flowable] = [Paragraph(_t(_("Indicateurs du contrat de ville")), _H1),
                               Paragraph(_t(_heading(d) + " — " + _("période {p}.").format(p=_period(d))), _P)]
        for _key, label, figures in d.groups:
            rows = [[Paragraph(_t(h), _CELL_B) for h in (_("Indicateur"), _("Valeur"), _("Définition"))]]
            rows += [[Paragraph(_t(f.label), _CELL), Paragraph(_t(display(f)), _CELL_B), Paragraph(_t(f.definition), _CELL)]
                     for f in figures]
            table = PdfTable(rows, colWidths=[62 * mm, 24 * mm, 84 * mm], repeatRows=1)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE"))]))
            out += [Paragraph(_t(label), _H2), table]
        if d.charts:
            out.append(Paragraph(_t(_("Graphiques")), _H2))
        for c in d.charts:
            out.append(KeepTogether([Paragraph(_t(c.title), _CELL_B), Paragraph(_t(c.description), _CELL),
                                     drawing(c, 170 * mm, 75 * mm), Spacer(1, 4 * mm)]))
        return out

    return render_story(story, template, info)
