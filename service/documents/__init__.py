"""The toolkit every printed document uses (letters, convocations, procès-verbaux, reports).

* ``fonts``      — DejaVu Sans, vendored and embedded (French and rare Latin letters);
* ``formatting`` — French dates (« dimanche 1er mars 2026 »), times (« 18 h 30 »),
  numbers and plurals with babel;
* ``page``       — A4 page template (letterhead, « Page 1 sur 3 », fold marks), the
  address block placed in a DL envelope window, text measuring and wrapping;
* ``flow``       — ``Flow``: paragraphs and blocks laid out and paginated on a template;
* ``assemble``   — one PDF from many parts, written as they come (bounded memory);
* ``qr``         — fast QR codes drawn on the canvas (reportlab's encoder tables);
* ``render``     — deterministic canvases with metadata, platypus stories, and
  ``sample_letter()``.

Address *content* (the AFNOR NF Z10-011 lines) comes from ``domain.adresse_postale``;
this package only places it. Importing the package registers nothing: fonts are
registered on first use.
"""

from service.documents.flow import Flow
from service.documents.fonts import BOLD, ITALIC, REGULAR, missing_glyphs, register_fonts
from service.documents.page import (
    Box,
    EnvelopeWindow,
    Letterhead,
    Margins,
    PageTemplate,
    TextStyle,
    draw_address_block,
    wrap_lines,
)
from service.documents.qr import QrMatrix, draw_qr, encode
from service.documents.render import (
    DocumentInfo,
    new_canvas,
    render_in_batches,
    render_story,
    render_to_bytes,
    sample_letter,
)

__all__ = [
    "BOLD",
    "ITALIC",
    "REGULAR",
    "Box",
    "DocumentInfo",
    "EnvelopeWindow",
    "Flow",
    "Letterhead",
    "Margins",
    "PageTemplate",
    "QrMatrix",
    "TextStyle",
    "draw_address_block",
    "draw_qr",
    "encode",
    "missing_glyphs",
    "new_canvas",
    "register_fonts",
    "render_in_batches",
    "render_story",
    "render_to_bytes",
    "sample_letter",
    "wrap_lines",
]
