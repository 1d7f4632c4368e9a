"""Flow: the body of a document, paragraphs and blocks laid out and paginated on a
:class:`~service.documents.page.PageTemplate`, then drawn on reportlab's canvas.

Layout happens before drawing, so the page count is known for every footer. A block of
text met a second time in the same PDF becomes a form XObject (see :class:`_SeenChunks`);
line breaking is cached in :func:`service.documents.page.wrap_with_widths`.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from reportlab.pdfgen.canvas import Canvas

from service.documents.formatting import french_spacing
from service.documents.page import BODY, Box, PageTemplate, TextStyle, mm, wrap_with_widths


@dataclass(frozen=True)
class _Paragraph:
    text: str
    style: TextStyle


@dataclass(frozen=True)
class _Block:
    height: float
    draw: Callable[[Canvas, float, float, float], None]
    """draw(canvas, x, y_top, width)."""
    at_bottom: bool = False
    """Pinned to the bottom of the page (a reply coupon to cut off)."""


@dataclass(frozen=True)
class _Space:
    height: float


class _PageBreak:
    pass


_Item = _Paragraph | _Block | _Space | _PageBreak


@dataclass
class _Placed:
    kind: Literal["lines", "block"]
    y_top: float
    lines: tuple[tuple[str, float], ...] = ()
    style: TextStyle | None = None
    last_line_ends_paragraph: bool = True
    block: _Block | None = None


@dataclass
class Flow:
    """The body of one document: add paragraphs and blocks, then :meth:`render`.

    Layout happens before drawing, so the page count is known and every footer can say
    « Page 1 sur 3 » without a second rendering pass.
    """

    template: PageTemplate
    _items: list[_Item] = field(default_factory=list)

    def paragraph(self, text: str, style: TextStyle = BODY, *, typography: bool = True) -> Flow:
        """Add a paragraph; ``typography`` puts French no-break spaces before « : ; ? ! »
        and inside « » (see ``formatting.french_spacing``)."""
        self._items.append(_Paragraph(french_spacing(text) if typography else text, style))
        return self

    def space(self, height_mm: float) -> Flow:
        self._items.append(_Space(height_mm * mm))
        return self

    def block(self, height_mm: float, draw: Callable[[Canvas, float, float, float], None]) -> Flow:
        """A fixed-height drawing kept on one page (QR code with caption, signature)."""
        self._items.append(_Block(height_mm * mm, draw))
        return self

    def bottom_block(
        self, height_mm: float, draw: Callable[[Canvas, float, float, float], None]
    ) -> Flow:
        """A fixed-height drawing pinned to the bottom of the current page, or of a new
        page when the text above leaves no room (a reply coupon along a cut line).
        Nothing may follow it on the same page."""
        self._items.append(_Block(height_mm * mm, draw, at_bottom=True))
        return self

    def page_break(self) -> Flow:
        self._items.append(_PageBreak())
        return self

    def layout(self) -> list[list[_Placed]]:
        pages: list[list[_Placed]] = [[]]
        box = self.template.body_box(1)
        y = box.top

        def new_page() -> None:
            nonlocal box, y
            pages.append([])
            box = self.template.body_box(len(pages))
            y = box.top

        for item in self._items:
            if isinstance(item, _PageBreak):
                new_page()
            elif isinstance(item, _Space):
                y -= item.height
            elif isinstance(item, _Block):
                if y - item.height < box.y and y < box.top:
                    new_page()
                if item.at_bottom:
                    pages[-1].append(_Placed("block", box.y + item.height, block=item))
                    y = box.y
                else:
                    pages[-1].append(_Placed("block", y, block=item))
                    y -= item.height
            else:
                style = item.style
                if y < box.top:
                    y -= style.space_before
                lines = wrap_with_widths(item.text, style.font, box.width / style.size)
                start = 0
                while start < len(lines):
                    room = int((y - box.y) // style.leading)
                    if room <= 0:
                        new_page()
                        continue
                    # Avoid a lone first line at the bottom of a page (an orphan).
                    if start == 0 and room == 1 and len(lines) > 1 and y < box.top:
                        new_page()
                        continue
                    end = min(len(lines), start + room)
                    pages[-1].append(
                        _Placed(
                            "lines",
                            y,
                            lines=lines[start:end],
                            style=style,
                            last_line_ends_paragraph=end == len(lines),
                        )
                    )
                    y -= (end - start) * style.leading
                    start = end
                y -= style.space_after
        return pages

    def render(
        self,
        canvas: Canvas,
        *,
        address: Sequence[str] | None = None,
        on_first_page: Callable[[Canvas], None] | None = None,
    ) -> int:
        """Draw every page (template, address on page 1, body), ending each with
        ``showPage``. Returns the number of pages drawn."""
        pages = self.layout()
        total = len(pages)
        for number, placed in enumerate(pages, start=1):
            self.template.draw_page(canvas, number, total)
            if number == 1:
                if address:
                    self.template.draw_address(canvas, address)
                if on_first_page is not None:
                    on_first_page(canvas)
            box = self.template.body_box(number)
            for p in placed:
                if p.kind == "block" and p.block is not None:
                    p.block.draw(canvas, box.x, p.y_top, box.width)
                elif p.style is not None:
                    _draw_text_chunk(canvas, p, box)
            canvas.showPage()
        return total


class _SeenChunks:
    """Per-canvas memory of the text chunks drawn so far, by digest.

    A chunk (the lines of one paragraph on one page) seen a second time in the same PDF
    is turned into a form XObject, and every later occurrence only references it: in a
    batch of letters the generic paragraphs are then encoded once instead of once per
    letter, which is where most of the text-drawing time went. Bounded, so a batch of
    all-different paragraphs does not grow memory: past ``LIMIT`` new chunks are simply
    drawn inline.
    """

    LIMIT = 4096

    def __init__(self) -> None:
        self.forms: dict[str, bool] = {}  # digest -> form already defined


_SEEN: weakref.WeakKeyDictionary[Canvas, _SeenChunks] = weakref.WeakKeyDictionary()


def _draw_text_chunk(canvas: Canvas, placed: _Placed, box: Box) -> None:
    style = placed.style
    assert style is not None
    key = repr((placed.lines, style, box.width, placed.last_line_ends_paragraph))
    digest = hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:24]
    seen = _SEEN.get(canvas)
    if seen is None:
        seen = _SEEN[canvas] = _SeenChunks()
    defined = seen.forms.get(digest)
    if defined is None:
        if len(seen.forms) < _SeenChunks.LIMIT:
            seen.forms[digest] = False
        _draw_lines(canvas, placed, box.x, placed.y_top, box.width)
        return
    name = f"Tx{digest}"
    if not defined:
        depth = (len(placed.lines) + 1) * style.leading + style.size
        # The stubs type the bounding box as int; reportlab writes any number into /BBox.
        canvas.beginForm(name, -1, -depth, box.width + 1, 2)  # type: ignore[arg-type]
        _draw_lines(canvas, placed, 0, 0, box.width)
        canvas.endForm()
        seen.forms[digest] = True
    canvas.saveState()
    canvas.translate(box.x, placed.y_top)
    canvas.doForm(name)
    canvas.restoreState()


def _draw_lines(canvas: Canvas, placed: _Placed, left: float, y_top: float, width: float) -> None:
    style = placed.style
    assert style is not None
    box = Box(left, 0, width, 0)
    text = canvas.beginText(box.x, y_top - style.size)
    text.setFont(style.font, style.size, style.leading)
    text.setFillColorRGB(*style.color)
    y = y_top - style.size
    last = len(placed.lines) - 1
    current_space = 0.0
    for i, (line, unit_width) in enumerate(placed.lines):
        natural = unit_width * style.size
        word_space = 0.0
        x = box.x
        if style.align == "right":
            x = box.x + box.width - natural
        elif style.align == "center":
            x = box.x + (box.width - natural) / 2
        elif style.align == "justify" and not (i == last and placed.last_line_ends_paragraph):
            # reportlab draws U+00A0 as code 32, which Tw stretches too: count both.
            gaps = line.count(" ") + line.count("\u00a0")
            if gaps:
                word_space = (box.width - natural) / gaps
        if x != box.x:
            text.setTextOrigin(x, y)
        if word_space != current_space:
            # Tw works with reportlab's TrueType subsets: space is always code 32 there.
            text.setWordSpace(word_space)
            current_space = word_space
        # textLine, not textOut: no width measuring, the next line starts at leading.
        text.textLine(line)
        if x != box.x:
            text.setTextOrigin(box.x, y - style.leading)
        y -= style.leading
    if current_space:
        # Tw is graphics state: it would outlive this text object and stretch the next.
        text.setWordSpace(0)
    canvas.drawText(text)
