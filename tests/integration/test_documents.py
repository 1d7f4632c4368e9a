"""The document toolkit (service/documents): real PDFs, read back with pypdf and poppler.

Needs pypdf (dev dependency) and, for the picture checks, ``pdftoppm`` from Debian's
poppler-utils; those checks are skipped with a reason when the binary is missing.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from service.documents import (
    BOLD,
    REGULAR,
    DocumentInfo,
    EnvelopeWindow,
    Flow,
    Letterhead,
    PageTemplate,
    missing_glyphs,
    render_story,
    render_to_bytes,
    sample_letter,
    wrap_lines,
)
from service.documents import qr as qrmod
from service.documents.formatting import (
    NBSP,
    NNBSP,
    count_of,
    format_date_long,
    format_date_short,
    format_datetime_long,
    format_euros,
    format_number,
    format_time,
    plural,
)
from service.documents.render import SAMPLE_ADDRESS

MM = 72 / 25.4


def _logo_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 100, 120), fill=(0, 35, 149))
    draw.rectangle((200, 0, 300, 120), fill=(237, 41, 57))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def letter_pdf() -> bytes:
    return sample_letter(logo=_logo_png())


@pytest.fixture(scope="module")
def letter(letter_pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(letter_pdf))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _squash(text: str) -> str:
    # Extraction may render no-break spaces as spaces and re-flow lines: compare words.
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


# --- formatting (babel) ------------------------------------------------------------------


def test_french_dates_with_1er() -> None:
    assert format_date_long(dt.date(2026, 3, 2)) == "lundi 2 mars 2026"
    assert format_date_long(dt.date(2026, 3, 1)) == "dimanche 1er mars 2026"
    assert format_date_long(dt.date(2026, 8, 1), weekday=False) == "1er août 2026"
    assert format_date_short(dt.date(2026, 3, 2)) == "02/03/2026"


def test_french_times_with_no_break_spaces() -> None:
    assert format_time(dt.time(18, 30)) == f"18{NBSP}h{NBSP}30"
    assert format_time(dt.time(9, 5)) == f"9{NBSP}h{NBSP}05"
    assert format_time(dt.time(18, 0)) == f"18{NBSP}h"
    assert format_datetime_long(dt.datetime(2026, 3, 10, 18, 30)) == (
        f"mardi 10 mars 2026 à 18{NBSP}h{NBSP}30"
    )


def test_numbers_and_plurals() -> None:
    assert format_number(1234) == f"1{NNBSP}234"
    assert format_number(1234.5, thousands_sep=NBSP) == f"1{NBSP}234,5"
    assert format_euros(15) == f"15,00{NBSP}€"
    assert plural(0, "membre", "membres") == "membre"  # French: 0 is singular
    assert plural(1, "membre", "membres") == "membre"
    assert plural(2, "membre", "membres") == "membres"
    assert plural(1_000_000, "personne", "personnes", many="de personnes") == "de personnes"
    assert count_of(1234, "lettre", "lettres") == f"1{NNBSP}234{NBSP}lettres"


def test_the_font_has_every_french_character_and_u202f() -> None:
    french = "œŒ«»’€àâçéèêëîïôùûüÿÀÂÇÉÈÊËÎÏÔÙÛÜŸæÆ\u00a0\u202f…–—"
    for font in (REGULAR, BOLD):
        assert missing_glyphs(french, font) == frozenset()
    assert missing_glyphs("Ørsted Nguyễn Łódź Øre") == frozenset()
    # A script the font lacks is reported, so a letter can be held back, not misprinted.
    assert missing_glyphs("王小明") == frozenset("王小明")


def test_wrapping_never_breaks_at_no_break_spaces() -> None:
    text = ("réunion le mardi 10 mars à " + format_time(dt.time(18, 30)) + " ") * 6
    for line in wrap_lines(text, REGULAR, 10.5, 120):
        assert not line.startswith(("h", "30"))
    assert all(
        f"18{NBSP}h{NBSP}30" in line or "18" not in line
        for line in wrap_lines(text, REGULAR, 10.5, 120)
    )


# --- the sample letter ---------------------------------------------------------------------


def test_sample_letter_text(letter: PdfReader) -> None:
    text = _squash(_text(letter))
    assert len(letter.pages) == 1
    assert "Saint-Denis, le dimanche 1er mars 2026" in text
    for line in SAMPLE_ADDRESS:
        assert line in text, line
    assert "« habitants »" in text
    assert "Œuvre" in text and "cœur" in text
    assert "15,00 €" in text
    assert "18 h 30" in text
    assert "Page 1 sur 1" in text
    assert "Ville de Saint-Denis" in text  # letterhead (drawn in a form XObject)


def test_sample_letter_metadata(letter: PdfReader) -> None:
    meta = letter.metadata
    assert meta is not None
    assert meta.title == "Tirage au sort du conseil citoyen — courrier aux habitants"
    assert meta.author == "Ville de Saint-Denis"
    assert meta.subject and "tirée au sort" in meta.subject
    assert meta["/CreationDate"].startswith("D:20260301090000")
    assert letter.trailer["/Root"]["/Lang"] == "fr-FR"


def _fonts(obj: Any, seen: set[int] | None = None) -> Iterator[DictionaryObject]:
    """Every font dictionary reachable from a page, form XObjects included."""
    seen = seen if seen is not None else set()
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if not isinstance(obj, DictionaryObject):
        return
    resources = obj.get("/Resources")
    if resources is not None:
        resources = resources.get_object()
        for font in (resources.get("/Font") or DictionaryObject()).get_object().values():
            yield font.get_object()
        for xobject in (resources.get("/XObject") or DictionaryObject()).get_object().values():
            yield from _fonts(xobject, seen)


def test_fonts_are_embedded_truetype_and_never_helvetica(letter: PdfReader) -> None:
    fonts = [f for page in letter.pages for f in _fonts(page)]
    assert fonts
    names = {str(f["/BaseFont"]) for f in fonts}
    assert all("DejaVuSans" in n for n in names), names
    assert not any("Helvetica" in n for n in names)
    for font in fonts:
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font["/BaseFont"]
    assert any("Bold" in n for n in names)


def test_rendering_twice_gives_identical_bytes(letter_pdf: bytes) -> None:
    assert sample_letter(logo=_logo_png()) == letter_pdf
    assert sample_letter() == sample_letter()
    assert sample_letter(day=dt.date(2026, 3, 2)) != sample_letter()


def test_address_block_sits_in_the_dl_window(letter: PdfReader) -> None:
    positions: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():
            positions.setdefault(text.strip(), (tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    letter.pages[0].extract_text(visitor_text=visit)
    left, top, width, height = EnvelopeWindow().address_area_mm()
    page_height = float(letter.pages[0].mediabox.height)
    for line in SAMPLE_ADDRESS:
        x, y = positions[line]
        assert left * MM - 0.5 <= x <= (left + width) * MM, (line, x / MM)
        from_top_mm = (page_height - y) / MM
        assert top <= from_top_mm <= top + height, (line, from_top_mm)


def test_default_window_is_the_french_dl_45x100() -> None:
    left, top, width, height = EnvelopeWindow().address_area_mm()
    assert (left, top) == (102, 52)
    assert width == pytest.approx(86)
    assert height == pytest.approx(30, abs=0.01)
    # A C5/6 envelope (114 × 229, window 45 × 100 at 20 mm / 15 mm) moves the zone down.
    _, top_c56, _, _ = EnvelopeWindow(
        envelope_width_mm=229, envelope_height_mm=114
    ).address_area_mm()
    assert top_c56 == 56


@pytest.fixture(scope="module")
def pdftoppm() -> str:
    path = shutil.which("pdftoppm")
    if path is None:
        pytest.skip("pdftoppm missing: install Debian's poppler-utils to check the rendering")
    return path


def test_letter_renders_as_a_non_blank_a4_page(
    letter_pdf: bytes, pdftoppm: str, tmp_path: Path
) -> None:
    from PIL import Image, ImageStat

    source = tmp_path / "lettre.pdf"
    source.write_bytes(letter_pdf)
    subprocess.run([pdftoppm, "-png", "-r", "60", str(source), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    with Image.open(pages[0]) as image:
        width, height = image.size
        assert height / width == pytest.approx(297 / 210, rel=0.01)
        grey = image.convert("L")
        assert ImageStat.Stat(grey).stddev[0] > 20  # text, logo and QR, not a blank page
        # The address window zone is inked; the margin right of it is blank.
        px = 60 / 25.4
        window = grey.crop((int(102 * px), int(52 * px), int(188 * px), int(82 * px)))
        assert window.getextrema()[0] < 100
        margin = grey.crop((int(195 * px), int(40 * px), int(209 * px), int(90 * px)))
        assert margin.getextrema()[0] > 240


# --- flow, pages, platypus -------------------------------------------------------------


def test_long_letter_flows_onto_numbered_pages() -> None:
    template = PageTemplate(
        Letterhead("Ville de Bobigny", council="Conseil citoyen de l'Abreuvoir")
    )
    paragraph = "Le conseil citoyen se réunit chaque mois à la maison de quartier. " * 12

    def draw(canvas: Any) -> None:
        flow = Flow(template)
        for _ in range(12):
            flow.paragraph(paragraph)
        assert (
            flow.render(canvas, address=("Monsieur Ali BEN SAÏD", "3 RUE DU PARC", "93000 BOBIGNY"))
            == 3
        )

    reader = PdfReader(io.BytesIO(render_to_bytes(draw, DocumentInfo("Essai", "Ville"))))
    assert len(reader.pages) == 3
    for number in (1, 2, 3):
        assert f"Page {number} sur 3" in reader.pages[number - 1].extract_text()
    assert "BEN SAÏD" in reader.pages[0].extract_text()
    assert "BEN SAÏD" not in reader.pages[1].extract_text()


def test_platypus_story_with_a_long_table() -> None:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    template = PageTemplate(
        Letterhead("Ville de Saint-Denis", council="Composition du conseil citoyen"),
        fold_marks=False,
    )
    style = ParagraphStyle("t", fontName=BOLD, fontSize=13)

    def story() -> list[Any]:
        rows = [["Nom", "Collège", "Qualité"]] + [
            [f"Membre n° {i} Œ", "habitants", "titulaire"] for i in range(1, 121)
        ]
        table = Table(rows, repeatRows=1)
        table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), REGULAR, 9)]))
        return [Paragraph("Composition au 1er mars 2026", style), table]

    info = DocumentInfo("Composition", "Ville de Saint-Denis", created=dt.datetime(2026, 3, 1, 9))
    pdf = render_story(story, template, info)
    assert pdf == render_story(story, template, info)
    reader = PdfReader(io.BytesIO(pdf))
    count = len(reader.pages)
    assert count >= 3
    assert f"Page 1 sur {count}" in reader.pages[0].extract_text()
    assert f"Page {count} sur {count}" in reader.pages[-1].extract_text()
    assert "Membre n° 120" in reader.pages[-1].extract_text()
    names = {str(f["/BaseFont"]) for page in reader.pages for f in _fonts(page)}
    assert names and not any("Helvetica" in n for n in names), names


# --- QR codes --------------------------------------------------------------------------------


def _reference_modules(data: str, level: str, version: int, mask: int) -> tuple[str, ...]:
    from reportlab.graphics.barcode import qrencoder

    code = qrencoder.QRCode(version, getattr(qrencoder.QRErrorCorrectLevel, level))
    code.addData(data)
    code.makeImpl(False, mask)
    return tuple("".join("1" if m else "0" for m in row) for row in code.modules)


@pytest.mark.parametrize(
    "data",
    ["https://conseil.ville-exemple.fr/r/7KQ2-M9XD", "0612345678", "CONSEIL CITOYEN 93", "é" * 150],
)
@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
def test_qr_matrix_matches_reportlabs_encoder(data: str, level: str) -> None:
    matrix = qrmod.encode(data, level)  # type: ignore[arg-type]
    assert matrix.rows == _reference_modules(data, level, matrix.version, matrix.mask)


def _naive_penalty(rows: tuple[str, ...]) -> int:
    n = len(rows)
    cols = tuple("".join(r[c] for r in rows) for c in range(n))
    score = 0
    for line in rows + cols:
        for run in re.findall(r"0{5,}|1{5,}", line):
            score += len(run) - 2
        for pattern in ("10111010000", "00001011101"):
            score += 40 * len(re.findall(f"(?={pattern})", line))
    for r in range(n - 1):
        for c in range(n - 1):
            if rows[r][c] == rows[r][c + 1] == rows[r + 1][c] == rows[r + 1][c + 1]:
                score += 3
    dark = sum(row.count("1") for row in rows)
    score += 10 * (abs(dark * 100 // (n * n) - 50) // 5)
    return score


def test_qr_mask_is_chosen_by_the_iso_penalty() -> None:
    data = "https://conseil.ville-exemple.fr/r/7KQ2-M9XD"
    matrix = qrmod.encode(data, "M")
    scores = [
        _naive_penalty(_reference_modules(data, "M", matrix.version, mask)) for mask in range(8)
    ]
    for mask in range(8):
        symbol = int("".join(_reference_modules(data, "M", matrix.version, mask)), 2)
        assert qrmod._penalty(symbol, matrix.size) == scores[mask]
    assert matrix.mask == scores.index(min(scores))


def test_qr_is_drawn_as_one_filled_path_of_whole_modules() -> None:
    matrix = qrmod.encode("https://conseil.ville-exemple.fr/r/7KQ2-M9XD")
    ops = qrmod.path_operators(matrix).splitlines()
    assert ops[-1] == "f"
    dark = sum(row.count("1") for row in matrix.rows)
    assert sum(int(op.split()[2]) for op in ops[:-1]) == dark
    assert all(re.fullmatch(r"\d+ \d+ \d+ 1 re", op) for op in ops[:-1])


def test_qr_too_long_is_refused() -> None:
    with pytest.raises(qrmod.QrDataTooLong):
        qrmod.encode("x" * 3000, "H")


# --- numbers on the page, batches ---------------------------------------------------------


def test_babel_u202f_is_kept_and_drawn_with_the_embedded_font() -> None:
    # DejaVu Sans has U+202F, so babel's separator is kept (Helvetica drew a black box).
    template = PageTemplate(Letterhead("Ville de Saint-Denis"))
    letters = count_of(1234, "lettre", "lettres")
    sentence = f"Lettres envoyées : {letters}, total {format_number(1234567.5)}"
    assert missing_glyphs(sentence) == frozenset()

    def draw(canvas: Any) -> None:
        Flow(template).paragraph(sentence).render(canvas)

    text = (
        PdfReader(io.BytesIO(render_to_bytes(draw, DocumentInfo("n", "v")))).pages[0].extract_text()
    )
    assert f"1{NNBSP}234" in text
    assert f"1{NNBSP}234{NNBSP}567,5" in text


def test_render_in_batches_bounds_each_file() -> None:
    from service.documents import render_in_batches

    template = PageTemplate(Letterhead("Ville de Saint-Denis"))

    def draw(canvas: Any, name: str) -> None:
        Flow(template).paragraph(f"Bonjour {name}.").render(
            canvas, address=(name, "1 RUE A", "93200 SAINT DENIS")
        )

    names = ["Aïcha", "Zoé", "Ørsted", "Nguyễn", "Lætitia"]
    info = DocumentInfo("Lettres", "Ville", created=dt.datetime(2026, 3, 1))
    files = list(render_in_batches(names, draw, info, per_file=2))
    assert [len(PdfReader(io.BytesIO(f)).pages) for f in files] == [2, 2, 1]
    assert PdfReader(io.BytesIO(files[2])).metadata.title == "Lettres (lot 3)"  # type: ignore[union-attr]
    assert "Nguyễn" in PdfReader(io.BytesIO(files[1])).pages[1].extract_text()
    assert files == list(render_in_batches(names, draw, info, per_file=2))


def test_french_spacing() -> None:
    from service.documents.formatting import french_spacing

    assert french_spacing("Objet : le collège « habitants » ; venez !") == (
        f"Objet{NBSP}: le collège «{NBSP}habitants{NBSP}»{NNBSP}; venez{NNBSP}!"
    )
    assert french_spacing("Objet: oui") == f"Objet{NBSP}: oui"
    for untouched in ("https://conseil.fr/r?id=1", "à 18:30", "n°3"):
        assert french_spacing(untouched) == untouched
