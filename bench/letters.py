"""Letters benchmarks: personalised two-page letters with QR codes in one PDF, drawn in
parts and assembled as the round's background job does (service.courriers.usecases.batches),
and the raw-reportlab baseline drawing the same text without the toolkit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
import tempfile
import time

from bench.registry import bench

SEED = 20140221
FIRST = [
    "Lætitia",
    "Zoë",
    "Mohamed",
    "Nguyễn Thị",
    "Chloé",
    "Aurélien",
    "Maëlys",
    "Jérôme",
    "Fatoumata",
]
LAST = [
    "Martin",
    "Ben Saïd",
    "Nguyễn",
    "Ørsted",
    "Lefèvre",
    "Da Silva",
    "Kowalczyk",
    "N'Diaye",
    "Œhlers",
]
STREETS = [
    "rue des Lilas",
    "avenue du Général de Gaulle",
    "place de l'Œuvre",
    "allée des Érables",
    "boulevard Jean-Jaurès",
    "impasse Saint-Exupéry",
]
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def synthetic_letters(n: int, seed: int = SEED) -> list[object]:
    """n distinct letters: names, NF Z10-011 address blocks, reply codes, keys, ranks."""
    from domain.adresse_postale import AdressePostale, formater_adresse
    from service.courriers.documents import SAMPLE_LETTER

    rng = random.Random(seed)
    out = []
    for i in range(n):
        female = rng.random() < 0.5
        prenom, nom = rng.choice(FIRST), rng.choice(LAST)
        civilite = "Madame" if female else "Monsieur"
        bloc = formater_adresse(
            AdressePostale(
                civilite=civilite,
                prenom=prenom,
                nom=nom,
                complement_lieu=f"Bâtiment {rng.choice('ABCDE')}" if rng.random() < 0.3 else "",
                numero=str(rng.randint(1, 120)),
                voie=rng.choice(STREETS),
                code_postal=rng.choice(["37000", "37100", "37200"]),
                commune="Tours",
            )
        )
        code = "".join(rng.choices(ALPHABET, k=10))
        out.append(
            dataclasses.replace(
                SAMPLE_LETTER,
                invitation_id=i + 1,
                civilite=civilite,
                prenom=prenom,
                nom=nom,
                address=bloc.lines,
                reply_code=code,
                rank=i + 1,
                key="".join(
                    rng.choices("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789_-", k=16)
                ),
            )
        )
    return out


def _letters_pdf(n: int) -> tuple[float, int, str]:
    from service.courriers.documents import (
        SAMPLE_COUNCIL,
        draw_resident_letter,
        letterhead_of,
        letters_info,
    )
    from service.courriers.documents_batch import PART_SIZE
    from service.courriers.documents_wording import LetterWording
    from service.documents.assemble import PdfAssembler
    from service.documents.page import PageTemplate
    from service.documents.render import render_to_bytes

    letters = synthetic_letters(n)
    wording = LetterWording()
    template = PageTemplate(letterhead_of(wording, SAMPLE_COUNCIL))
    info = letters_info(wording, dt.date(2026, 5, 4))
    t0, c0 = time.perf_counter(), time.process_time()
    with tempfile.TemporaryFile() as out:
        assembler = PdfAssembler(out, info)
        for start in range(0, n, PART_SIZE):
            part = letters[start : start + PART_SIZE]

            def draw_all(canvas: object, part: list[object] = part) -> None:
                for letter in part:
                    draw_resident_letter(canvas, template, wording, SAMPLE_COUNCIL, letter)  # type: ignore[arg-type]

            assembler.add(render_to_bytes(draw_all, info))
        assembler.close()
        size = out.tell()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return (
        seconds,
        n,
        (
            f"CPU {cpu:.2f} s ; {assembler.page_count} pages (2 par lettre), QR codes "
            f"distincts, un seul PDF de {size / 1e6:.1f} Mo assemblé par parts de {PART_SIZE}"
        ),
    )


@bench("letters.pdf.1k")
def letters_1k() -> tuple[float, int, str]:
    return _letters_pdf(1000)


@bench("letters.pdf.10k")
def letters_10k() -> tuple[float, int, str]:
    return _letters_pdf(10_000)


@bench("letters.baseline.1k")
def baseline_1k() -> tuple[float, int, str]:
    """Raw reportlab: the same letter text (two pages per letter, personal name, code and
    address) with the same embedded font, wrapped with reportlab's simpleSplit and drawn
    line by line on one canvas; no QR code, no letterhead form, no assembly."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen.canvas import Canvas

    from service.courriers.documents import SAMPLE_COUNCIL, letter_values
    from service.courriers.documents_wording import LetterWording, fill
    from service.documents.fonts import BOLD, REGULAR, register_fonts

    register_fonts()
    letters = synthetic_letters(1000)
    wording = LetterWording()
    t0, c0 = time.perf_counter(), time.process_time()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=REGULAR)
    width = A4[0] - 2 * 56.7
    for letter in letters:
        values = letter_values(wording, SAMPLE_COUNCIL, letter)  # type: ignore[arg-type]
        y = A4[1] - 50
        c.setFont(BOLD, 12)
        c.drawString(56.7, y, wording.organisation)
        c.setFont(REGULAR, 10)
        for i, line in enumerate(letter.address):  # type: ignore[attr-defined]
            c.drawString(289, A4[1] - 160 - 12 * i, line)
        y = A4[1] - 260
        for paragraph in re.split(r"\n\s*\n", fill(wording.corps, values)):
            for line in simpleSplit(" ".join(paragraph.split()), REGULAR, 10.5, width):
                c.drawString(56.7, y, line)
                y -= 14.5
            y -= 7
        c.showPage()
        y = A4[1] - 80
        c.setFont(REGULAR, 9)
        for line in simpleSplit(fill(wording.rgpd, values), REGULAR, 9, width):
            c.drawString(56.7, y, line)
            y -= 12.5
        c.drawString(56.7, 200, f"{letter.prenom} {letter.nom} — {values['code_reponse']}")  # type: ignore[attr-defined]
        c.showPage()
    c.save()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return (
        seconds,
        1000,
        f"CPU {cpu:.2f} s ; "
        f"reportlab nu : 2 000 pages, même texte et même police, sans QR code ; "
        f"{len(buf.getvalue()) / 1e6:.1f} Mo",
    )
