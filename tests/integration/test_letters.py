"""The letter to a resident drawn (service/courriers/documents.py) and the PDF assembler,
read back with pypdf and rendered with poppler, without a database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from domain.errors import InvalidInput
from service.courriers.documents import (
    SAMPLE_COUNCIL,
    SAMPLE_LETTER,
    draw_resident_letter,
    letterhead_of,
    letters_info,
    preview_pdf,
)
from service.courriers.documents_wording import PLACEHOLDERS, LetterWording, check_wording, fill
from service.documents.assemble import NotReportlabPdf, PdfAssembler, concatenate
from service.documents.page import EnvelopeWindow, PageTemplate
from service.documents.render import render_in_batches

MM = 72 / 25.4


def _words(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.fixture(scope="module")
def preview() -> bytes:
    wording = dataclasses.replace(
        LetterWording(),
        corps=LetterWording().corps
        + "\n\nLes frais de garde sont remboursés jusqu'à 15 € ; l'œuvre est « commune ».",
    )
    return preview_pdf(wording)


def test_letter_has_every_key_field(preview: bytes) -> None:
    reader = PdfReader(io.BytesIO(preview))
    assert len(reader.pages) == 2
    page1, page2 = (_words(p.extract_text()) for p in reader.pages)
    # Why: council, public draw, reference, rank, key, verification page.
    assert "Conseil citoyen des Rives du Cher" in page1
    assert "Vous avez été tirée au sort" in page1  # agreed with « Madame »
    assert "T-2026-0042" in page1 and "rang n° 17" in page1
    assert "q3Xv9_Lm2KpT8wRz" in page1 and "/tirages/verifier" in page1
    # What membership means; how to answer; deadline with « 1er »; €, œ, « ».
    assert "une réunion par mois" in page1 and "formation" in page1
    assert "lundi 1er juin 2026" in page1
    assert "15 €" in page1 and "œuvre" in page1 and "« commune »" in page1
    assert "7KQ2M-9XDA4" in page1 and "02 47 00 00 00" in page1
    assert "Valmont-sur-Loire, le 4 mai 2026" in page1
    # RGPD notice: source, purpose, retention, rights, contact.
    for words in ("liste électorale", "tirage au sort", "6 mois", "rectifier", "dpo@", "CNIL"):
        assert words in page2, words
    # Coupon: name, code, deadline, QR caption, lead's contacts.
    assert "Coupon-réponse — à renvoyer avant le lundi 1er juin 2026" in page2
    assert "Madame Lætitia NGUYỄN" in page2 and "7KQ2M-9XDA4" in page2
    assert "Répondre en ligne" in page2 and "conseil.citoyen@valmont-sur-loire.fr" in page2


def test_address_lines_are_short_and_in_the_window(preview: bytes) -> None:
    reader = PdfReader(io.BytesIO(preview))
    positions: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():
            positions.setdefault(text.strip(), (tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    reader.pages[0].extract_text(visitor_text=visit)
    left, top, width, height = EnvelopeWindow().address_area_mm()
    page_height = float(reader.pages[0].mediabox.height)
    for line in SAMPLE_LETTER.address:
        assert len(line) <= 38
        x, y = positions[line]
        assert left * MM - 0.5 <= x <= (left + width) * MM, line
        assert top <= (page_height - y) / MM <= top + height, line


def test_letter_pages_render_with_poppler(preview: bytes, tmp_path: Path) -> None:
    from PIL import Image, ImageStat

    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm missing: install Debian's poppler-utils")
    (tmp_path / "l.pdf").write_bytes(preview)
    subprocess.run(
        [pdftoppm, "-png", "-r", "50", str(tmp_path / "l.pdf"), str(tmp_path / "p")], check=True
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 2
    px = 50 / 25.4
    with Image.open(pages[1]) as image:
        grey = image.convert("L")
        # The coupon (bottom of page 2) is inked; the middle of page 2 is blank paper.
        assert (
            ImageStat.Stat(grey.crop((0, int(200 * px), grey.width, int(270 * px)))).stddev[0] > 40
        )
        assert (
            grey.crop((int(25 * px), int(120 * px), int(185 * px), int(180 * px))).getextrema()[0]
            > 240
        )


def test_placeholders_are_checked_all_at_once() -> None:
    bad = dataclasses.replace(
        LetterWording(), objet="Objet {nom", corps="Bonjour {prenom} {prenon} {xyz}", signataire=""
    )
    with pytest.raises(InvalidInput) as info:
        check_wording(bad)
    by_field = {e.field: e for e in info.value.errors}
    assert set(by_field) == {"objet", "corps", "signataire"}
    assert "{prenon}" in by_field["corps"].message and "{xyz}" in by_field["corps"].message
    assert by_field["corps"].code == "champ-inconnu"
    assert by_field["objet"].code == "accolade-seule"
    check_wording(LetterWording())  # the default wording is valid
    every = " ".join("{" + name + "}" for name in PLACEHOLDERS)
    check_wording(dataclasses.replace(LetterWording(), corps=every))
    assert fill("{prenom} {nom}", {"prenom": "Zoë", "nom": "Ørsted"}) == "Zoë Ørsted"


def test_a_very_long_name_still_fits_the_coupon() -> None:
    letter = dataclasses.replace(
        SAMPLE_LETTER,
        prenom="Marie-Françoise Anne-Sophie Bénédicte",
        nom="de La Tour d'Auvergne-Lauraguais",
    )
    reader = PdfReader(io.BytesIO(preview_pdf(LetterWording(), letter=letter)))
    assert "LAURAGUAIS" in _words(reader.pages[1].extract_text())
    unknown = dataclasses.replace(SAMPLE_LETTER, civilite="")
    text = _words(
        PdfReader(io.BytesIO(preview_pdf(LetterWording(), letter=unknown))).pages[0].extract_text()
    )
    assert "Vous avez été tiré(e) au sort" in text and "Madame, Monsieur," in text


def test_assembled_batch_is_one_valid_deterministic_pdf() -> None:
    wording = LetterWording()
    template = PageTemplate(letterhead_of(wording, SAMPLE_COUNCIL))
    letters = [
        dataclasses.replace(
            SAMPLE_LETTER, invitation_id=i, reply_code=f"ABCDE{i:05d}", rank=i, nom=f"Nom{i}"
        )
        for i in range(1, 8)
    ]
    info = letters_info(wording, dt.date(2026, 5, 4), "Lot d'essai — œ « »")

    def build() -> bytes:
        out = io.BytesIO()
        parts = render_in_batches(
            letters,
            lambda c, x: draw_resident_letter(c, template, wording, SAMPLE_COUNCIL, x),
            info,
            per_file=3,
        )
        assert concatenate(parts, out, info) == 14
        return out.getvalue()

    pdf = build()
    assert build() == pdf
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 14
    assert reader.metadata.title == "Lot d'essai — œ « »"
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"
    for i, letter in enumerate(letters):
        assert f"ABCDE-{letter.invitation_id:05d}" in _words(reader.pages[2 * i + 1].extract_text())
        assert f"NOM{letter.invitation_id}" in reader.pages[2 * i + 1].extract_text()


def test_assembler_refuses_what_it_cannot_copy() -> None:
    with pytest.raises(NotReportlabPdf):
        PdfAssembler(io.BytesIO(), letters_info(LetterWording(), dt.date(2026, 1, 1))).add(
            b"%PDF-1.7\nnope"
        )
