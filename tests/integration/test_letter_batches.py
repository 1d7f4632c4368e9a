"""Letters of a draw's round: real draw, real PDF read back with pypdf and poppler."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import World
from tests.letters_support import drawn_round, install_subjects

pytestmark = pytest.mark.anyio

MM = 72 / 25.4


def _lead(world: World) -> Any:
    from service.audit import Actor

    return Actor(world.ids["lead_a"], "lead.a@test.fr")


async def _generate(ctx: Any, world: World, draw_id: int) -> Any:
    from service.courriers.usecases import batches as lb

    batch_id = await lb.start_batch(ctx, _lead(world), world.ids["council_a"], draw_id, 1)
    await lb.run_batch(ctx, batch_id)
    batch = await lb.get_batch(world.ids["council_a"], draw_id, 1, ctx.now())
    assert batch is not None
    return batch


async def _pdf(batch: Any) -> bytes:
    from service.courriers.usecases import batches as lb

    return b"".join(await lb.batch_pdf_chunks(batch.id))


async def test_round_letters_in_mail_room_order_with_withheld_people(
    ctx: Any, world: World, tmp_path: Path
) -> None:
    from service.courriers.usecases import batches as lb
    from service.tirage.usecases import rounds

    install_subjects()
    draw = await drawn_round(ctx, world)
    recipients = await rounds.round_recipients(ctx, draw["id"], 1)
    batch = await _generate(ctx, world, draw["id"])
    assert batch.status == "pret", batch
    withheld = {w.code for w in batch.withheld}
    in_round = {r.subject_id for r in recipients}
    expected_withheld = {
        code
        for sid, code in (
            (1003, "injoignable"),
            (1005, "adresse-trop-longue"),
            (1007, "caracteres-non-imprimables"),
        )
        if sid in in_round
    }
    assert withheld == expected_withheld
    assert batch.mailed == len(recipients) - len(expected_withheld)
    pdf = await _pdf(batch)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2 * batch.mailed == batch.pages
    assert reader.metadata.title.startswith(f"Lettres du tirage {draw['reference']}")
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"

    # Every letter: name, its own code, the deadline with « 1er », rank and reference.
    codes = {r.invitation_id: r for r in recipients}
    csv_text = (await lb.batch_csv(batch.id)).decode("utf-8")
    assert csv_text.startswith("\ufeffpli;invitation;page_debut")
    rows = [line.split(";") for line in csv_text.strip().split("\r\n")[1:]]
    assert len(rows) == batch.mailed
    postcodes = []
    for row in rows:
        inv = codes[int(row[1])]
        first = int(row[2]) - 1
        page1 = " ".join(reader.pages[first].extract_text().split())
        page2 = " ".join(reader.pages[first + 1].extract_text().split())
        assert inv.reply_code in page1 and inv.reply_code in page2
        assert "lundi 1er juin 2026" in page1 + page2
        assert draw["reference"] in page1
        assert f"rang n° {inv.rank}" in page2
        assert inv.key in page1 and inv.key in page2  # to find one's rank on /tirages/verifier
        assert "Nguyễn" in page1 or "NGUYỄN" in page1
        assert "Vos données personnelles" in page2 and "CNIL" in page2
        assert row[8] in page1  # line 4 of the address block printed on page 1
        for line in row[4:10]:
            assert len(line) <= 38
        postcodes.append((row[10], row[7]))
    assert [p for p, _ in postcodes] == sorted(p for p, _ in postcodes)
    assert all(p in ("37000", "37100") for p, _ in postcodes)

    # Withheld people are listed by name for the lead only.
    named = await lb.withheld_with_names(ctx, batch)
    assert all(n.name != "—" for n in named)


async def test_generating_twice_gives_identical_bytes(ctx: Any, world: World, clock: Any) -> None:
    install_subjects()
    draw = await drawn_round(ctx, world, n=24)
    first = await _generate(ctx, world, draw["id"])
    pdf1 = await _pdf(first)
    from service.courriers.usecases import batches as lb

    csv1 = await lb.batch_csv(first.id)
    clock.advance(days=3)  # generated another day: same files
    second = await _generate(ctx, world, draw["id"])
    assert await _pdf(second) == pdf1
    assert await lb.batch_csv(second.id) == csv1
    assert second.pdf_digest == first.pdf_digest
    # The previous batch (names and addresses inside) is not kept.
    from service.courriers.tables import LetterBatch

    assert await LetterBatch.count() == 1


async def test_unknown_round_and_other_councils_draw(ctx: Any, world: World) -> None:
    from domain.errors import NotFound
    from service.courriers.usecases import batches as lb

    install_subjects()
    draw = await drawn_round(ctx, world, n=12)
    with pytest.raises(NotFound):
        await lb.start_batch(ctx, _lead(world), world.ids["council_b"], draw["id"], 1)
    with pytest.raises(NotFound):
        await lb.start_batch(ctx, _lead(world), world.ids["council_a"], draw["id"], 7)


async def test_round_of_unreachable_people_gives_no_pdf(ctx: Any, world: World) -> None:
    from domain.adresse_postale import AdressePostale
    from service.organisation.subjects import Subject, subject_loader

    @subject_loader("resident")
    async def _load(ids: list[int]) -> dict[int, Subject]:
        return {
            i: Subject(
                "resident", i, prenom="A", nom="B", birth_year=1980, address=AdressePostale()
            )
            for i in ids
        }

    draw = await drawn_round(ctx, world, n=12)
    batch = await _generate(ctx, world, draw["id"])
    assert batch.status == "vide"
    assert batch.withheld and all(w.code == "injoignable" for w in batch.withheld)
    assert "Injoignable par courrier" in batch.withheld[0].message
    from service.courriers.usecases import batches as lb

    assert await lb.batch_pdf_chunks(batch.id) == []


@pytest.fixture(scope="module")
def pdftoppm() -> str:
    path = shutil.which("pdftoppm")
    if path is None:
        pytest.skip("pdftoppm missing: install Debian's poppler-utils")
    return path


async def test_batch_pages_render_with_address_in_window_and_coupon(
    ctx: Any, world: World, tmp_path: Path, pdftoppm: str
) -> None:
    from PIL import Image, ImageStat

    from service.documents.page import EnvelopeWindow

    install_subjects()
    draw = await drawn_round(ctx, world, n=12)
    batch = await _generate(ctx, world, draw["id"])
    pdf = await _pdf(batch)
    source = tmp_path / "lot.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "2", str(source), str(tmp_path / "p")],
        check=True,
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 2
    px = 50 / 25.4
    left, top, width, height = EnvelopeWindow().address_area_mm()
    with Image.open(pages[0]) as image:
        grey = image.convert("L")
        window = grey.crop(
            (int(left * px), int(top * px), int((left + width) * px), int((top + height) * px))
        )
        assert window.getextrema()[0] < 100  # the address is printed in the window
    with Image.open(pages[1]) as image:
        grey = image.convert("L")
        # The QR code of the coupon, bottom right, is dense black and white.
        qr = grey.crop((int(150 * px), int(210 * px), int(190 * px), int(250 * px)))
        assert ImageStat.Stat(qr).stddev[0] > 80

    # The address lines' positions are inside the window on page 1 of every letter.
    reader = PdfReader(io.BytesIO(pdf))
    positions: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():
            positions.setdefault(text.strip(), (tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    reader.pages[0].extract_text(visitor_text=visit)
    page_height = float(reader.pages[0].mediabox.height)
    address_lines = [t for t in positions if re.match(r"^37[01]00 TOURS$", t)]
    assert address_lines
    for line in address_lines:
        x, y = positions[line]
        assert left * MM - 0.5 <= x <= (left + width) * MM
        assert top <= (page_height - y) / MM <= top + height


async def test_old_batches_are_purged(ctx: Any, world: World, clock: Any) -> None:
    from service.courriers.tables import LetterBatch, LetterBatchChunk
    from service.courriers.usecases import batches as lb

    install_subjects()
    draw = await drawn_round(ctx, world, n=12)
    await _generate(ctx, world, draw["id"])
    assert await lb.purge_batches(ctx, _lead(world), 30) == 0
    clock.advance(days=31)
    assert await lb.purge_batches(ctx, _lead(world), 30) == 1
    assert await LetterBatch.count() == 0 and await LetterBatchChunk.count() == 0


async def test_volunteers_draws_have_no_letters(ctx: Any, world: World) -> None:
    from domain.errors import InvalidState
    from service.courriers.usecases import batches as lb

    install_subjects()
    draw = await drawn_round(ctx, world, n=12, kind="volontaires")
    with pytest.raises(InvalidState) as info:
        await lb.start_batch(ctx, _lead(world), world.ids["council_a"], draw["id"], 1)
    assert info.value.code == "tirage-volontaires"


async def test_automatic_purge_removes_letters_after_each_councils_retention(ctx: Any, world: World, clock: Any) -> None:
    """The retention task's pass over letters follows each council's conservation_jours."""
    from service.courriers.tables import LetterBatch
    from service.organisation.tables import Council
    from service.registre.purge_task import run_purge_once

    short, long_ = world.ids["council_a"], world.ids["council_b"]
    await Council.update({Council.settings: {"conservation_jours": 10}}).where(Council.id == short)
    await Council.update({Council.settings: {"conservation_jours": 400}}).where(Council.id == long_)
    for cid in (short, long_):
        await LetterBatch.insert(LetterBatch(council=cid, draw_id=1, round_no=1, status="termine", created_at=clock()))
    clock.advance(days=30)
    await run_purge_once(ctx)
    left = await LetterBatch.select(LetterBatch.council)
    assert [r["council"] for r in left] == [long_]
