# ruff: noqa: E501  (XML and SVG markup lines are kept whole to stay readable)
"""Server-rendered SVG step chart of women and men sitting in each college over the mandate.

No script and no CDN: the SVG is inline, carries a title and a description for screen
readers, and the page shows the same points as a table (the accessible alternative).
Women are drawn with a solid line, men with a dashed one, so the chart does not rely on
colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape

from markupsafe import Markup

from domain.composition import College, ParityPoint
from domain.i18n import _

WIDTH, PANEL_H, LEFT, RIGHT, TOP, BOTTOM = 680, 170, 44, 16, 26, 34


def _series(points: Sequence[ParityPoint], college: College) -> list[ParityPoint]:
    return [p for p in points if p.college is college]


def parity_svg(points: Sequence[ParityPoint], start: date, end: date) -> Markup:
    if not points:
        return Markup("")
    span = max((end - start).days, 1)
    peak = max(max(p.women, p.men) for p in points) or 1
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = PANEL_H - TOP - BOTTOM
    height = PANEL_H * len(College)

    def x(day: date) -> float:
        return LEFT + plot_w * min(max((day - start).days, 0), span) / span

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        'aria-labelledby="parite-titre parite-desc" class="graphique-parite">',
        f'<title id="parite-titre">{escape(_("Femmes et hommes titulaires par collège au fil du mandat"))}</title>',
        f'<desc id="parite-desc">{escape(_("Du {a} au {b}. Trait plein : femmes ; tirets : hommes. Le tableau qui suit donne les mêmes valeurs.").format(a=start.strftime("%d/%m/%Y"), b=end.strftime("%d/%m/%Y")))}</desc>',
    ]
    for i, college in enumerate(College):
        top = i * PANEL_H + TOP
        base = top + plot_h

        def y(n: int, base: float = base) -> float:
            return base - plot_h * n / peak

        out.append(
            f'<text x="{LEFT}" y="{top - 8}" font-size="13" font-weight="bold">{escape(college.label)}</text>'
        )
        out.append(
            f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#555"/>'
        )
        out.append(f'<line x1="{LEFT}" y1="{top}" x2="{LEFT}" y2="{base}" stroke="#555"/>')
        for tick in sorted({0, peak // 2, peak}):
            out.append(
                f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end">{tick}</text>'
            )
        out.append(
            f'<text x="{LEFT}" y="{base + 16}" font-size="11">{start.strftime("%d/%m/%Y")}</text>'
        )
        out.append(
            f'<text x="{WIDTH - RIGHT}" y="{base + 16}" font-size="11" text-anchor="end">'
            f"{end.strftime('%d/%m/%Y')}</text>"
        )
        series = _series(points, college)
        for attr, style in (
            ("women", 'stroke="#7a1f5c" stroke-width="2.5"'),
            ("men", 'stroke="#1f4e7a" stroke-width="2.5" stroke-dasharray="6 4"'),
        ):
            path: list[str] = []
            for k, p in enumerate(series):
                n = getattr(p, attr)
                if k == 0:
                    path.append(f"M{x(p.day):.1f},{y(n):.1f}")
                else:
                    path.append(f"H{x(p.day):.1f}V{y(n):.1f}")
            if series:
                path.append(f"H{x(end):.1f}")
            out.append(f'<path d="{"".join(path)}" fill="none" {style}/>')
        legend_y = base + 30
        out.append(
            f'<line x1="{LEFT + 150}" y1="{legend_y - 4}" x2="{LEFT + 180}" y2="{legend_y - 4}" '
            'stroke="#7a1f5c" stroke-width="2.5"/>'
        )
        out.append(
            f'<text x="{LEFT + 186}" y="{legend_y}" font-size="11">{escape(_("Femmes"))}</text>'
        )
        out.append(
            f'<line x1="{LEFT + 260}" y1="{legend_y - 4}" x2="{LEFT + 290}" y2="{legend_y - 4}" '
            'stroke="#1f4e7a" stroke-width="2.5" stroke-dasharray="6 4"/>'
        )
        out.append(
            f'<text x="{LEFT + 296}" y="{legend_y}" font-size="11">{escape(_("Hommes"))}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704  (every text part above is escaped)
