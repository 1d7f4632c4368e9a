"""Charts of the dashboard, defined once with reportlab's chart classes and drawn both as
inline SVG for the page (with a title and a description for screen readers; the page
shows the same figures as a table) and into the PDF report. No script, no CDN."""

from __future__ import annotations

import math
import re
from xml.sax.saxutils import escape

from markupsafe import Markup
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from domain.indicators import Unit
from service.documents.fonts import REGULAR, register_fonts
from service.indicateurs.dashboard import Chart

WIDTH, HEIGHT = 480, 230
# Dark blue and a dark orange: both keep AA contrast on white; the legend and the table
# carry the meaning too, and lines differ by their dash pattern.
COLOURS = [colors.HexColor("#000091"), colors.HexColor("#A64B00"), colors.HexColor("#2E7D32")]
DASHES = [None, (4, 3), (1, 2)]


def _values(chart: Chart) -> list[list[float]]:
    return [[0.0 if v is None else v for v in s.values] for s in chart.series]


def _top(chart: Chart) -> float:
    peak = max((v for s in chart.series for v in s.values if v is not None), default=0.0)
    if chart.unit is Unit.PART:
        # Acceptance rates of a few per cent would be flat lines on a 0–100 scale.
        return float(max(10, min(100, math.ceil(peak * 1.2 / 10) * 10)))
    return max(1.0, float(int(peak * 1.15) + 1))


def _bars(chart: Chart) -> VerticalBarChart:
    plot = VerticalBarChart()
    for i in range(len(chart.series)):
        plot.bars[i].fillColor = COLOURS[i % len(COLOURS)]
        plot.bars[i].strokeColor = None
    return plot


def _lines(chart: Chart) -> HorizontalLineChart:
    plot = HorizontalLineChart()
    for i in range(len(chart.series)):
        plot.lines[i].strokeColor = COLOURS[i % len(COLOURS)]
        plot.lines[i].strokeWidth = 2
        if DASHES[i % len(DASHES)]:
            plot.lines[i].strokeDashArray = DASHES[i % len(DASHES)]
    return plot


def drawing(chart: Chart, width: float = WIDTH, height: float = HEIGHT) -> Drawing:
    register_fonts()
    d = Drawing(width, height)
    plot = _bars(chart) if chart.kind == "bar" else _lines(chart)
    plot.x, plot.y = 44, 52
    # types-reportlab declares the plot's geometry as int; reportlab takes any number.
    plot.width, plot.height = width - 60, height - 80  # type: ignore[assignment]
    plot.data = _values(chart) or [[0.0]]
    plot.valueAxis.valueMin = 0
    plot.valueAxis.valueMax = _top(chart)
    plot.valueAxis.labels.fontName = REGULAR
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.labelTextFormat = (lambda v: f"{v:.0f} %") if chart.unit is Unit.PART else (lambda v: f"{v:.0f}")
    plot.categoryAxis.categoryNames = [c if len(c) <= 18 else c[:17] + "…" for c in chart.categories] or [""]
    plot.categoryAxis.labels.fontName = REGULAR
    plot.categoryAxis.labels.fontSize = 7
    if len(chart.categories) > 6:
        plot.categoryAxis.labels.angle = 30
        plot.categoryAxis.labels.boxAnchor = "ne"
    d.add(plot)
    if len(chart.series) > 1 or chart.kind == "line":
        legend = Legend()
        legend.x, legend.y = 44, height - 8  # type: ignore[assignment]  # as above: stubs say int
        legend.fontName = REGULAR
        legend.fontSize = 8
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = 110
        legend.colorNamePairs = [(COLOURS[i % len(COLOURS)], s.label) for i, s in enumerate(chart.series)]
        d.add(legend)
    if not any(v is not None for s in chart.series for v in s.values):
        d.add(String(width / 2, height / 2, "—", fontName=REGULAR, fontSize=10, textAnchor="middle"))
    return d


def svg(chart: Chart) -> Markup:
    """Inline SVG with role="img", its <title> and <desc> (the figures are in the table
    beside it)."""
    text = renderSVG.drawToString(drawing(chart))
    start = text.index("<svg")
    body = text[start:]
    ident = f"graphique-{chart.key}"
    body = re.sub(r"<svg\b", f'<svg role="img" aria-labelledby="{ident}-titre {ident}-desc" class="graphique"', body, count=1)
    head_end = body.index(">") + 1
    body = (body[:head_end] + f'<title id="{ident}-titre">{escape(chart.title)}</title>'
            f'<desc id="{ident}-desc">{escape(chart.description)}</desc>' + body[head_end:])
    return Markup(body)  # noqa: S704 — reportlab's own SVG, titles escaped above
