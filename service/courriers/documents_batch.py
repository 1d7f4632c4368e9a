"""A round's files: the letters drawn in parts and assembled into one PDF, kept in chunks,
and the CSV for a mail house.

Letters are drawn :data:`PART_SIZE` at a time on a fresh canvas in a worker thread, and
each part is appended to one PDF as soon as it exists (``documents.assemble``): memory
stays that of one part whatever the round. The PDF is spooled to disk past
:data:`CHUNK_BYTES` and handed back in chunks of that size, for the database.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

import anyio
from reportlab.pdfgen.canvas import Canvas

from domain.adresse_postale import BlocAdresse
from service.courriers.documents import CouncilInfo, ResidentLetter, draw_resident_letter
from service.courriers.documents_wording import LetterWording
from service.documents.assemble import PdfAssembler
from service.documents.csv_export import CsvExport
from service.documents.page import PageTemplate
from service.documents.render import DocumentInfo, render_to_bytes

PART_SIZE = 250
"""Letters per reportlab canvas: small enough for a steady progress bar and flat memory."""
CHUNK_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class AssembledPdf:
    chunks: list[bytes]
    size: int
    sha256: str
    pages: list[int]
    """Pages of each letter, in order (the CSV says where each one starts)."""


def render_part(
    template: PageTemplate,
    wording: LetterWording,
    council: CouncilInfo,
    letters: Sequence[ResidentLetter],
    info: DocumentInfo,
) -> tuple[bytes, list[int]]:
    """One part's PDF and the page count of each of its letters."""
    counts: list[int] = []

    def draw_all(canvas: Canvas) -> None:
        for letter in letters:
            counts.append(draw_resident_letter(canvas, template, wording, council, letter))

    return render_to_bytes(draw_all, info), counts


async def assemble_letters(
    letters: Sequence[ResidentLetter],
    template: PageTemplate,
    wording: LetterWording,
    council: CouncilInfo,
    info: DocumentInfo,
    on_part: Callable[[int], Awaitable[None]],
) -> AssembledPdf:
    """Every letter in one PDF, drawn part by part in a worker thread; ``on_part(done)``
    is awaited after each part (progress and heartbeat)."""
    pages: list[int] = []
    with tempfile.SpooledTemporaryFile(max_size=CHUNK_BYTES) as out:
        assembler = PdfAssembler(out, info)
        for start in range(0, len(letters), PART_SIZE):
            part = letters[start : start + PART_SIZE]
            pdf, counts = await anyio.to_thread.run_sync(
                render_part, template, wording, council, part, info
            )
            await anyio.to_thread.run_sync(assembler.add, pdf)
            pages.extend(counts)
            await on_part(start + len(part))
        assembler.close()
        size = out.tell()
        out.seek(0)
        digest = hashlib.sha256()
        chunks: list[bytes] = []
        while True:
            data = out.read(CHUNK_BYTES)
            if not data:
                break
            digest.update(data)
            chunks.append(data)
    return AssembledPdf(chunks, size, digest.hexdigest(), pages)


def addresses_csv(
    letters: Sequence[ResidentLetter], blocks: Mapping[int, BlocAdresse], pages: Sequence[int]
) -> bytes:
    """The mail house's file: one row per letter in PDF order. UTF-8 with BOM (Excel
    opens it with the accents right), ``;`` separators, CRLF. ``lignes`` 1–6 are the
    norm's roles, so a column always holds the same kind of line."""
    writer = CsvExport()  # cells neutralised against formulas (CSV injection)
    writer.row(
        [
            "pli",
            "invitation",
            "page_debut",
            "nb_pages",
            "ligne1",
            "ligne2",
            "ligne3",
            "ligne4",
            "ligne5",
            "ligne6",
            "code_postal",
            "commune",
        ]
    )
    first = 1
    for number, (letter, count) in enumerate(zip(letters, pages, strict=True), start=1):
        bloc = blocks[letter.invitation_id]
        by_role = {ligne.role: ligne.texte for ligne in bloc.lignes}
        code_postal, _sep, commune = by_role.get(6, "").partition(" ")
        writer.row(
            [
                number,
                letter.invitation_id,
                first,
                count,
                *[by_role.get(role, "") for role in range(1, 7)],
                code_postal,
                commune,
            ]
        )
        first += count
    return writer.to_bytes()
