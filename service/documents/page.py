"""A4 page templates on reportlab's canvas API (the text flow is in ``flow.py``).

Why the canvas and not platypus for letters: 1,000 one-page letters take ~0.6 s on the
canvas and ~1.8 s with platypus (DESIGN.md §4). Letters have a fixed layout, so the
canvas is enough: this module gives them a letterhead, a footer with « Page 1 sur 2 »,
the address block placed in the envelope window, and paragraphs wrapped and paginated
by :class:`service.documents.flow.Flow`. Documents that need real layout (multi-page tables in a composition
report) use platypus through :func:`service.documents.render.render_story`, with the
same template drawing their pages.

Speed notes, measured on the 1,000-letter batch:
* the letterhead (logo, names, rules) is identical on every page: it is drawn once per
  PDF into a form XObject and each page only references it;
* a block of text met a second time in the same PDF (the generic paragraphs of a
  batch) becomes a form XObject too, so its glyphs are encoded once, not per letter;
* line breaking is cached per (text, font, width): the generic paragraphs are wrapped
  once, and word widths are cached for the personal ones.

All positions in the public dataclasses are millimetres from the top-left corner of the
sheet, as a person measures a printed page; reportlab's points from the bottom-left
stay inside this module.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from domain.i18n import _
from service.documents.fonts import BOLD, ITALIC, REGULAR, register_fonts

mm: float = 72 / 25.4
"""One millimetre in points (reportlab.lib.units.mm, typed)."""

PAGE_WIDTH: float = 210 * mm
PAGE_HEIGHT: float = 297 * mm
"""A4 in points (595.28 × 841.89), as reportlab.lib.pagesizes.A4."""

GREY = (0.35, 0.35, 0.35)


@dataclass(frozen=True)
class Box:
    """A rectangle in reportlab points, origin bottom-left (internal geometry)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class Margins:
    """Page margins in mm."""

    top: float = 15
    right: float = 20
    bottom: float = 22
    left: float = 20


@dataclass(frozen=True)
class EnvelopeWindow:
    """Where the address block must sit so the window of a DL envelope shows it.

    Default: the usual French window envelope, DL 110 × 220 mm (ISO 269) with a
    45 × 100 mm window 20 mm from the right edge and 15 mm from the bottom edge — the
    « fenêtre 45 × 100 » sold by French stationers. The A4 letter is folded in three
    (99 mm panels) with the address panel on top, facing the window.

    The sheet moves inside the envelope: 10 mm sideways (210 mm in 220 mm) and 11 mm
    up and down (a 99 mm panel in a 110 mm envelope). :meth:`address_area` is the part
    of the sheet that the window shows *whatever* the position, less ``padding_mm``:
    with the defaults, 102–188 mm from the left and 52–82 mm from the top — the
    classic French « 11 cm du bord gauche, 5 cm du haut » letter layout.
    Every measure is configurable for other envelopes (C5/6, left windows…).
    """

    envelope_width_mm: float = 220
    envelope_height_mm: float = 110
    window_width_mm: float = 100
    window_height_mm: float = 45
    window_right_mm: float = 20
    window_bottom_mm: float = 15
    panel_height_mm: float = 297 / 3
    sheet_width_mm: float = 210
    padding_mm: float = 2

    def address_area_mm(self) -> tuple[float, float, float, float]:
        """(left, top, width, height) in mm from the sheet's top-left corner."""
        slack_x = max(0.0, self.envelope_width_mm - self.sheet_width_mm)
        slack_y = max(0.0, self.envelope_height_mm - self.panel_height_mm)
        window_left = self.envelope_width_mm - self.window_right_mm - self.window_width_mm
        window_top = self.envelope_height_mm - self.window_bottom_mm - self.window_height_mm
        # Sheet pushed fully right (offset slack_x) or left (0): visible columns are the
        # intersection of both; likewise vertically.
        left = window_left + self.padding_mm
        width = self.window_width_mm - slack_x - 2 * self.padding_mm
        top = window_top + self.padding_mm
        height = self.window_height_mm - slack_y - 2 * self.padding_mm
        if width <= 0 or height <= 0:
            raise ValueError(_("La fenêtre est plus petite que le jeu de la feuille."))
        return left, top, width, height

    def address_area(self) -> Box:
        left, top, width, height = self.address_area_mm()
        return Box(left * mm, PAGE_HEIGHT - (top + height) * mm, width * mm, height * mm)


@dataclass(frozen=True)
class Letterhead:
    """What heads every page: who writes. ``logo`` is PNG or JPEG bytes."""

    organisation: str
    """« Ville de Saint-Denis »."""
    council: str = ""
    """« Conseil citoyen du quartier Franc-Moisin – Bel-Air »."""
    lines: tuple[str, ...] = ()
    """Service, postal address, telephone, e-mail: small grey lines under the names."""
    logo: bytes | None = None
    footer_note: str = ""
    """One small line above the page number (e.g. the RGPD contact)."""


@dataclass(frozen=True)
class TextStyle:
    font: str = REGULAR
    size: float = 10.5
    leading: float = 14.5
    align: Literal["left", "right", "center", "justify"] = "left"
    space_before: float = 0
    space_after: float = 7
    color: tuple[float, float, float] = (0, 0, 0)


BODY = TextStyle(align="justify")
BODY_LEFT = TextStyle()
BOLD_BODY = TextStyle(font=BOLD)
RIGHT = TextStyle(align="right")
SMALL = TextStyle(size=8.5, leading=11, color=GREY)
ITALIC_SMALL = TextStyle(font=ITALIC, size=8.5, leading=11, color=GREY)
TITLE = TextStyle(font=BOLD, size=13, leading=17, space_after=10)


# ---------------------------------------------------------------------------
# Measuring and wrapping


@lru_cache(maxsize=65536)
def _word_width(word: str, font: str) -> float:
    """Width at 1 pt: reportlab has no kerning, so widths add up and scale linearly."""
    return float(stringWidth(word, font, 1.0))


def text_width(text: str, font: str, size: float) -> float:
    return float(stringWidth(text, font, size))


def _split_long_word(word: str, font: str, width: float) -> list[str]:
    # Body text only (a long URL): addresses are never cut, see domain.adresse_postale.
    parts: list[str] = []
    current = ""
    for ch in word:
        if current and _word_width(current + ch, font) > width:
            parts.append(current)
            current = ch
        else:
            current += ch
    if current:
        parts.append(current)
    return parts


CELL_PADDING = 12.0  # points: reportlab's default 6 pt on each side of a table cell


def fit_columns(rows: list[list[object]], widths: list[float], font: str = "Helvetica",
                size: float = 9.0, padding: float = CELL_PADDING) -> list[float]:
    """Column widths (points) where every cell's longest word fits whole.

    Table cells wrap at spaces; a word wider than its column used to be cut anywhere
    (« Avertisseme nt », « sans-bur eau »). Columns too narrow for their longest word are
    widened, taking the room from columns that have some to spare, in proportion; the
    table keeps its total width. Paragraph cells are measured in their own font.
    """
    need = [0.0] * len(widths)
    for row in rows:
        for i, cell in enumerate(row[:len(widths)]):
            get_text = getattr(cell, "getPlainText", None)
            text = get_text() if get_text else str(cell)
            style = getattr(cell, "style", None)
            cell_font = getattr(style, "fontName", font) if style is not None else font
            cell_size = float(getattr(style, "fontSize", size)) if style is not None else size
            for word in text.split():
                need[i] = max(need[i], text_width(word, cell_font, cell_size) + padding)
    out = list(widths)
    deficit = sum(max(0.0, n - w) for n, w in zip(need, out, strict=True))
    if deficit <= 0:
        return out
    slack = [max(0.0, w - n) for n, w in zip(need, out, strict=True)]
    room = sum(slack)
    if room <= 0:
        return out
    take = min(1.0, deficit / room)
    return [max(w, n) if n > w else w - s * take
            for n, w, s in zip(need, out, slack, strict=True)]


def wrap_lines(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """Break ``text`` into lines no wider than ``width`` points.

    Breaks only at ordinary spaces and at ``\\n``: no-break spaces (U+00A0, U+202F,
    as in « 18 h 30 », « 1 234 », « M. Dupont ») keep their words together.
    """
    return tuple(line for line, _ in wrap_with_widths(text, font, width / size))


@lru_cache(maxsize=8192)
def wrap_with_widths(text: str, font: str, unit_width: float) -> tuple[tuple[str, float], ...]:
    """Lines with their widths at 1 pt (``unit_width`` = width ÷ size).

    Cached: the generic paragraphs of a batch of letters are wrapped once; the widths
    let alignment skip measuring each line again.
    """
    space = _word_width(" ", font)
    lines: list[tuple[str, float]] = []
    for raw_line in text.split("\n"):
        current: list[str] = []
        current_width = 0.0
        for word in raw_line.split(" "):
            if not word:
                continue
            w = _word_width(word, font)
            pieces = [(word, w)]
            if w > unit_width:
                pieces = [
                    (p, _word_width(p, font)) for p in _split_long_word(word, font, unit_width)
                ]
            for piece, pw in pieces:
                if current and current_width + space + pw > unit_width:
                    lines.append((" ".join(current), current_width))
                    current, current_width = [piece], pw
                elif current:
                    current.append(piece)
                    current_width += space + pw
                else:
                    current, current_width = [piece], pw
        lines.append((" ".join(current), current_width))
    return tuple(lines)


# ---------------------------------------------------------------------------
# Page template


class PageTemplate:
    """Draws what every page of a document shares: letterhead, footer, fold marks.

    The first page carries the full letterhead and leaves the window zone free for the
    address; later pages carry a one-line reminder of the letterhead.
    """

    def __init__(
        self,
        letterhead: Letterhead,
        *,
        margins: Margins = Margins(),
        window: EnvelopeWindow = EnvelopeWindow(),
        fold_marks: bool = True,
        page_numbers: bool = True,
        reserve_window: bool = True,
    ) -> None:
        """``reserve_window=False`` for documents that are not mailed (reports): the
        body then starts right under the letterhead instead of under the window zone."""
        self.letterhead = letterhead
        self.margins = margins
        self.window = window
        self.fold_marks = fold_marks
        self.page_numbers = page_numbers
        self.reserve_window = reserve_window
        digest = hashlib.sha256(
            repr((letterhead, margins, window, fold_marks)).encode("utf-8")
        ).hexdigest()[:12]
        self._form_first = f"LhFirst{digest}"
        self._form_next = f"LhNext{digest}"

    # -- geometry
    @property
    def content_left(self) -> float:
        return self.margins.left * mm

    @property
    def content_width(self) -> float:
        return PAGE_WIDTH - (self.margins.left + self.margins.right) * mm

    def body_box(self, page_number: int) -> Box:
        """Where the flow may draw on a page (below the window zone on page 1)."""
        bottom = self.margins.bottom * mm
        if page_number == 1 and self.reserve_window:
            top = self.window.address_area().y - 8 * mm
        elif page_number == 1:
            top = self._draw_full_letterhead(None) - 8 * mm
        else:
            top = PAGE_HEIGHT - (self.margins.top + 12) * mm
        return Box(self.content_left, bottom, self.content_width, top - bottom)

    # -- drawing
    def prepare(self, canvas: Canvas) -> None:
        """Build the letterhead forms once per canvas (cheap to call again)."""
        register_fonts()
        if canvas.hasForm(self._form_first):
            return
        canvas.beginForm(self._form_first)
        self._draw_full_letterhead(canvas)
        canvas.endForm()
        canvas.beginForm(self._form_next)
        self._draw_short_letterhead(canvas)
        canvas.endForm()

    def draw_page(self, canvas: Canvas, page_number: int, page_count: int) -> None:
        """Letterhead and footer of one page (call before ``showPage``)."""
        self.prepare(canvas)
        canvas.doForm(self._form_first if page_number == 1 else self._form_next)
        if self.page_numbers:
            canvas.setFont(REGULAR, 8)
            canvas.setFillColorRGB(*GREY)
            canvas.drawCentredString(
                PAGE_WIDTH / 2,
                (self.margins.bottom - 14) * mm,
                _("Page {page} sur {total}").format(page=page_number, total=page_count),
            )
            canvas.setFillColorRGB(0, 0, 0)

    def draw_address(self, canvas: Canvas, lines: Sequence[str]) -> None:
        draw_address_block(canvas, lines, self.window.address_area())

    def _draw_full_letterhead(self, canvas: Canvas | None) -> float:
        """Draw the first page's letterhead; with ``canvas=None`` only measure it.

        Returns the y of its lowest line, so one function holds the layout for both.
        """
        lh = self.letterhead
        x = self.content_left
        y = PAGE_HEIGHT - self.margins.top * mm
        if lh.logo:
            image = ImageReader(io.BytesIO(lh.logo))
            iw, ih = image.getSize()
            max_w, max_h = 45 * mm, 20 * mm
            scale = min(max_w / iw, max_h / ih)
            w, h = iw * scale, ih * scale
            if canvas is not None:
                canvas.drawImage(image, x, y - h, w, h, mask="auto")
            y -= h + 3 * mm
        if self.reserve_window:
            max_width = (self.window.address_area().x - 4 * mm) - x
        else:
            max_width = self.content_width
        rows: list[tuple[str, float, float, tuple[float, float, float]]] = [
            (lh.organisation, 12, 12, (0, 0, 0))
        ]
        rows += [
            (line, 10, 13, (0, 0, 0)) for line in wrap_lines(lh.council, REGULAR, 10, max_width)
        ]
        small = [line for raw in lh.lines for line in wrap_lines(raw, REGULAR, 8, max_width)]
        # 3 pt more above the first small grey line, to separate it from the names.
        rows += [(line, 8, 13 if i == 0 else 10, GREY) for i, line in enumerate(small)]
        for k, (line, size, step, color) in enumerate(rows):
            if not line:
                continue
            y -= step
            if canvas is not None:
                canvas.setFont(BOLD if k == 0 else REGULAR, size)
                canvas.setFillColorRGB(*color)
                canvas.drawString(x, y, line)
        if canvas is not None:
            self._draw_common(canvas)
        return y

    def _draw_short_letterhead(self, canvas: Canvas) -> None:
        lh = self.letterhead
        y = PAGE_HEIGHT - (self.margins.top + 4) * mm
        canvas.setFont(BOLD, 8.5)
        canvas.setFillColorRGB(*GREY)
        text = lh.organisation + (f" — {lh.council}" if lh.council else "")
        line = wrap_lines(text, BOLD, 8.5, self.content_width)[0]
        canvas.drawString(self.content_left, y, line)
        canvas.setStrokeColorRGB(*GREY)
        canvas.setLineWidth(0.4)
        canvas.line(
            self.content_left, y - 2 * mm, self.content_left + self.content_width, y - 2 * mm
        )
        self._draw_common(canvas)

    def _draw_common(self, canvas: Canvas) -> None:
        if self.letterhead.footer_note:
            canvas.setFont(REGULAR, 7)
            canvas.setFillColorRGB(*GREY)
            for i, line in enumerate(
                reversed(wrap_lines(self.letterhead.footer_note, REGULAR, 7, self.content_width))
            ):
                canvas.drawCentredString(
                    PAGE_WIDTH / 2, (self.margins.bottom - 9) * mm + i * 8.5, line
                )
        if self.fold_marks:
            # Short ticks in the left margin where an A4 sheet folds for a DL envelope.
            canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
            canvas.setLineWidth(0.3)
            for at in (self.window.panel_height_mm, 2 * self.window.panel_height_mm):
                y = PAGE_HEIGHT - at * mm
                canvas.line(4 * mm, y, 9 * mm, y)
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setStrokeColorRGB(0, 0, 0)


def draw_address_block(
    canvas: Canvas,
    lines: Sequence[str],
    area: Box,
    *,
    font: str = REGULAR,
    max_size: float = 10,
    min_size: float = 8,
) -> float:
    """Draw the address lines left-aligned from the top-left of ``area``.

    The size shrinks from ``max_size`` until the widest line fits the window (38
    capitals of DejaVu Sans need ~9 pt in the default window); never below
    ``min_size`` (the sorting machines' minimum is about 8 pt). Returns the size used.
    """
    register_fonts()
    widest = max((_word_width(line, font) for line in lines), default=0.0)
    size = max_size if widest == 0 else min(max_size, area.width / widest)
    size = max(size, min_size)
    leading = size * 1.2
    text = canvas.beginText(area.x, area.top - size)
    text.setFont(font, size, leading)
    for line in lines:
        text.textLine(line)
    canvas.drawText(text)
    return size
