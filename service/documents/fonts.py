"""The one font family every document uses: DejaVu Sans, embedded.

Why not Helvetica: the PDF standard fonts are not embedded (each reader substitutes its
own), they have no glyph for U+202F (babel's French thousands separator draws as a black
box) and none for many letters of residents' names (ễ, ő, ł…). DejaVu Sans covers French
entirely (œ Œ « » ’ € U+00A0 U+202F) plus Latin Extended and Vietnamese, and reportlab
always embeds TrueType fonts as subsets (/FontFile2), so a page looks the same on every
printer and reader.

How it ships: the three TTF files (regular, bold, oblique; 2.1 MB) are vendored under
``fonts/`` with their licence (Bitstream Vera / Arev terms: free redistribution), because
no maintained PyPI package provides them and a system package (fonts-dejavu-core) would
be one more thing a fresh machine lacks. Bold italic is not shipped (never used in
letters); the family maps it to bold.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"

FAMILY = "DejaVuSans"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
}

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the family with reportlab (idempotent, thread-safe, ~0.1 s the first time).

    Called by the drawing code, never at import: importing this package has no side
    effect (DESIGN.md §5).
    """
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, filename in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
        # <b>/<i> in platypus paragraphs resolve through this mapping.
        addMapping(FAMILY, 0, 0, REGULAR)
        addMapping(FAMILY, 1, 0, BOLD)
        addMapping(FAMILY, 0, 1, ITALIC)
        addMapping(FAMILY, 1, 1, BOLD)
        _registered = True


@cache
def _covered(font_name: str) -> frozenset[int]:
    register_fonts()
    font = pdfmetrics.getFont(font_name)
    if not isinstance(font, TTFont):
        raise TypeError(f"{font_name} is not a TrueType font")
    return frozenset(font.face.charToGlyph)


def missing_glyphs(text: str, font_name: str = REGULAR) -> frozenset[str]:
    """Characters of ``text`` the font cannot draw (they would print as empty boxes).

    Lets callers refuse or report a letter whose recipient's name uses a script the
    font lacks (e.g. CJK) instead of mailing a box where a name should be.
    """
    covered = _covered(font_name)
    return frozenset(c for c in text if ord(c) not in covered and c not in "\n\r\t")
