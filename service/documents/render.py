"""Making PDF files: deterministic canvases, metadata, platypus stories, a sample letter.

Determinism: every canvas is created with ``invariant=1`` (reportlab then derives the
file /ID from the content and uses no clock), and the creation/modification date is
either the one the caller gives (the letter's date, say) or reportlab's fixed invariant
date. Rendering the same input twice gives byte-identical files, so a batch can be
checked by hash and re-generated for audit.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any, BinaryIO, TypeVar

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, NextPageTemplate
from reportlab.platypus import PageTemplate as PlatypusPageTemplate

from service.documents.flow import Flow
from service.documents.fonts import BOLD, REGULAR, register_fonts
from service.documents.formatting import format_date_long, format_euros, format_time
from service.documents.page import (
    BODY,
    GREY,
    RIGHT,
    Letterhead,
    PageTemplate,
    TextStyle,
    mm,
)
from service.documents.qr import draw_qr

PRODUCER = "conseil-citoyen (reportlab)"

T = TypeVar("T")


@dataclass(frozen=True)
class DocumentInfo:
    """PDF metadata. ``lang`` goes to the catalog (/Lang) for screen readers."""

    title: str
    author: str
    subject: str = ""
    keywords: tuple[str, ...] = ()
    created: dt.datetime | None = None
    """Written as both CreationDate and ModDate; None → reportlab's fixed date."""
    lang: str = "fr-FR"


def _pdf_date(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        return moment.strftime("D:%Y%m%d%H%M%S")
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hh, mm_ = divmod(abs(minutes), 60)
    return moment.strftime("D:%Y%m%d%H%M%S") + f"{sign}{hh:02d}'{mm_:02d}'"


def apply_info(canvas: Canvas, info: DocumentInfo) -> None:
    canvas.setTitle(info.title)
    canvas.setAuthor(info.author)
    canvas.setSubject(info.subject)
    canvas.setKeywords(", ".join(info.keywords))
    canvas.setCreator(PRODUCER)
    canvas.setProducer(PRODUCER)
    if info.created is not None:
        fixed = _pdf_date(info.created)
        canvas.setDateFormatter(lambda *_parts: fixed)


def configure_reportlab() -> None:
    """Process-wide reportlab settings this service relies on (idempotent).

    ``useA85 = 0``: compressed streams stay binary instead of being re-encoded in
    ASCII-85 — a 7-bit e-mail relic that makes files 25 % larger and, without the
    optional C accelerator, cost more time than drawing the page (measured: ~40 % of
    a 1,000-letter batch). Set on first use, not at import (DESIGN.md §5).
    """
    rl_config.useA85 = 0
    register_fonts()


def _document_options(info: DocumentInfo) -> dict[str, Any]:
    """What every document is: A4, deterministic, compressed, in its language, starting
    in DejaVu. Without ``initialFontName`` reportlab sets Helvetica at the top of every
    page: a standard font resource that is never embedded, even if no text uses it
    (types-reportlab declares that argument a float, hence a plain dict here)."""
    return {"pagesize": A4, "invariant": 1, "pageCompression": 1, "lang": info.lang, "initialFontName": REGULAR}


def new_canvas(target: BinaryIO | str, info: DocumentInfo) -> Canvas:
    """An A4 canvas, deterministic, compressed, with metadata and the fonts registered."""
    configure_reportlab()
    canvas = Canvas(target, initialFontSize=10, **_document_options(info))
    apply_info(canvas, info)
    return canvas


def render_to_bytes(draw: Callable[[Canvas], object], info: DocumentInfo) -> bytes:
    """Run ``draw`` on a fresh canvas and return the PDF (``draw`` calls showPage)."""
    buf = io.BytesIO()
    canvas = new_canvas(buf, info)
    draw(canvas)
    canvas.save()
    return buf.getvalue()


def render_in_batches(
    items: Iterable[T],
    draw: Callable[[Canvas, T], object],
    info: DocumentInfo,
    *,
    per_file: int = 1000,
) -> Iterator[bytes]:
    """Draw many documents (one per item, e.g. letters) into PDFs of ``per_file`` items.

    Why batches: reportlab keeps every page of a canvas in memory until ``save`` (it
    does not stream), so one 10,000-letter PDF peaks at ~230 MB and grows with the
    batch. Files of 1,000 letters keep the peak flat (~80 MB) whatever the total, and
    are the size print shops and mail merges expect. Each file is deterministic; its
    title gets « (lot n) ».
    """
    if per_file < 1:
        raise ValueError("per_file must be at least 1")
    iterator = iter(items)
    number = 0
    while True:
        chunk = list(islice(iterator, per_file))
        if not chunk:
            return
        number += 1
        batch_info = replace(info, title=f"{info.title} (lot {number})")

        def draw_all(canvas: Canvas, chunk: list[T] = chunk) -> None:
            for item in chunk:
                draw(canvas, item)

        yield render_to_bytes(draw_all, batch_info)


# ---------------------------------------------------------------------------
# Platypus, for documents whose layout needs it (multi-page tables)


def render_story(
    story: Callable[[], list[Flowable]],
    template: PageTemplate,
    info: DocumentInfo,
) -> bytes:
    """Lay out a platypus story inside ``template``'s pages.

    ``story`` is a factory because platypus consumes (splits) its flowables. The story
    is built twice: first to count pages, then to draw « Page n sur N » — simpler and
    more robust than patching the count in afterwards, and reports are short.
    """
    configure_reportlab()

    def build(page_count: int | None) -> tuple[bytes, int]:
        buf = io.BytesIO()
        first, later = template.body_box(1), template.body_box(2)

        def on_page(canvas: Canvas, doc: BaseDocTemplate) -> None:
            template.draw_page(canvas, doc.page, page_count or doc.page)

        class _Canvas(Canvas):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                apply_info(self, info)

        doc = BaseDocTemplate(
            buf,
            title=info.title,
            author=info.author,
            subject=info.subject,
            creator=PRODUCER,
            producer=PRODUCER,
            keywords=list(info.keywords),
            **_document_options(info),
        )
        doc.addPageTemplates(
            [
                PlatypusPageTemplate(
                    "first",
                    [Frame(first.x, first.y, first.width, first.height, 0, 0, 0, 0, id="f1")],
                    onPage=on_page,
                    autoNextPageTemplate="later",
                ),
                PlatypusPageTemplate(
                    "later",
                    [Frame(later.x, later.y, later.width, later.height, 0, 0, 0, 0, id="f2")],
                    onPage=on_page,
                ),
            ]
        )
        flowables = [NextPageTemplate("later"), *story()]
        doc.build(flowables, canvasmaker=_Canvas)
        return buf.getvalue(), doc.page

    _, pages = build(None)
    data, _ = build(pages)
    return data


# ---------------------------------------------------------------------------
# The sample letter: every feature on one page, for tests and for looking at.

SAMPLE_LETTERHEAD = Letterhead(
    organisation="Ville de Saint-Denis",
    council="Conseil citoyen du quartier Franc-Moisin – Bel-Air",
    lines=(
        "Direction de la politique de la ville",
        "2 place Victor-Hugo, 93200 Saint-Denis",
        "01 49 33 00 00 · conseil.citoyen@ville-exemple.fr",
    ),
    footer_note=(
        "Vos données viennent de la liste électorale (art. L. 37 du code électoral) et ne "
        "servent qu'au tirage au sort du conseil citoyen. Droits : dpo@ville-exemple.fr"
    ),
)

SAMPLE_ADDRESS = (
    "Madame Lætitia NGUYỄN",
    "Appartement 42, 3e étage",
    "Résidence Les Œillets – Bât. C",
    "12 BIS AV DU GAL DE GAULLE",
    "93200 SAINT DENIS",
)


def draw_sample_letter(
    canvas: Canvas,
    template: PageTemplate,
    *,
    address: Sequence[str] = SAMPLE_ADDRESS,
    day: dt.date = dt.date(2026, 3, 1),
    meeting: dt.datetime = dt.datetime(2026, 3, 17, 18, 30),
    reply_url: str = "https://conseil.ville-exemple.fr/r/7KQ2-M9XD",
    salutation: str = "Madame,",
) -> int:
    """One résident's invitation letter; returns the number of pages drawn."""
    flow = Flow(template)
    flow.paragraph(f"Saint-Denis, le {format_date_long(day)}", RIGHT)
    flow.space(4)
    flow.paragraph(
        "Objet : vous avez été tirée au sort pour le conseil citoyen de votre quartier",
        TextStyle(font=BOLD, size=10.5, leading=14.5),
    )
    flow.paragraph(salutation, BODY)
    flow.paragraph(
        "Le tirage au sort public du conseil citoyen du quartier Franc-Moisin – Bel-Air a eu "
        "lieu en mairie, en présence du délégué du préfet. Votre nom fait partie des "
        "personnes désignées pour le collège « habitants ». Ce conseil, indépendant de la "
        "mairie, donne son avis sur le contrat de ville et porte les projets des habitants "
        "dans le cadre des Engagements Quartiers 2030.",
        BODY,
    )
    flow.paragraph(
        "Une réunion d'information aura lieu le "
        f"{format_date_long(meeting.date())} à {format_time(meeting)} à la Maison de "
        "quartier, 5 rue de l'Œuvre. Vous y rencontrerez les autres membres et l'équipe "
        "du cœur de quartier ; la participation est gratuite, les frais de garde "
        f"d'enfants sont pris en charge jusqu'à {format_euros(15)} par séance.",
        BODY,
    )
    flow.paragraph(
        "Pour accepter ou décliner, répondez avant un mois en scannant le code ci-dessous ou "
        f"à l'adresse {reply_url}. Sans réponse de votre part, la personne suivante de la "
        "liste complémentaire sera contactée.",
        BODY,
    )

    def qr_block(c: Canvas, x: float, y_top: float, width: float) -> None:
        side = 28 * mm
        draw_qr(c, reply_url, x, y_top - side, side)
        c.setFont(REGULAR, 8)
        c.setFillColorRGB(*GREY)
        c.drawString(x + side + 3 * mm, y_top - 12 * mm, "Votre code de réponse : 7KQ2-M9XD")
        c.drawString(x + side + 3 * mm, y_top - 16 * mm, reply_url)
        c.setFillColorRGB(0, 0, 0)

    flow.block(30, qr_block)
    flow.paragraph(
        "Je vous prie d'agréer, Madame, l'expression de mes salutations distinguées.", BODY
    )
    flow.space(6)
    flow.paragraph(
        "La cheffe de projet politique de la ville", TextStyle(align="right", space_after=2)
    )
    flow.paragraph("Claire Lefèvre", TextStyle(font=BOLD, align="right"))
    return flow.render(canvas, address=address)


def sample_letter(
    *,
    logo: bytes | None = None,
    day: dt.date = dt.date(2026, 3, 1),
    address: Sequence[str] = SAMPLE_ADDRESS,
) -> bytes:
    """The demonstration letter as PDF bytes (deterministic)."""
    letterhead = SAMPLE_LETTERHEAD if logo is None else replace(SAMPLE_LETTERHEAD, logo=logo)
    template = PageTemplate(letterhead)
    info = DocumentInfo(
        title="Tirage au sort du conseil citoyen — courrier aux habitants",
        author="Ville de Saint-Denis",
        subject="Lettre d'information d'une personne tirée au sort",
        keywords=("conseil citoyen", "tirage au sort"),
        created=dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=dt.UTC),
    )
    return render_to_bytes(
        lambda c: draw_sample_letter(c, template, address=address, day=day), info
    )
