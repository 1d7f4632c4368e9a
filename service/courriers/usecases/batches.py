"""The letters of a draw's round: one PDF in mail-room order, the CSV for a mail house,
and the list of people who cannot be reached by post.

Generation runs in the background (a round may invite thousands): :func:`start_batch`
records a batch row and returns at once, :func:`run_batch` draws the letters in parts
in a worker thread (``documents_batch``), updates the progress after each part, and
stores the result in the database so any worker can serve it. The same round gives
byte-identical files at every generation (``rounds.prepare_round``).

Nothing here logs or audits a name or an address: audit details are counts and digests.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain.errors import Conflict, InvalidState, NotFound
from domain.i18n import _
from domain.organisation import CouncilSettings
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.courriers.documents import letterhead_of, letters_info
from service.courriers.documents_batch import addresses_csv, assemble_letters
from service.courriers.store import RUNNING, BatchResult, BatchRow, LetterStore
from service.courriers.usecases import templates
from service.courriers.usecases.rounds import prepare_round, subjects_of
from service.documents.page import PageTemplate
from service.organisation import usecases as org
from service.public_address import public_base_url_for_documents
from service.tirage.usecases import records, rounds

log = logging.getLogger("conseil.courrier")

STALE_AFTER_S = 15 * 60
"""A running batch whose heartbeat is older than this is shown as failed (worker died)."""


async def start_batch(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    draw_id: int,
    round_no: int,
    *,
    store: LetterStore | None = None,
) -> int:
    """Record a new generation of the round's letters (replacing the previous one)."""
    # Letters go to residents: refuse before recording anything if the reply address and
    # QR code would point to a loopback or unset address.
    public_base_url_for_documents(ctx.settings)
    draw = await records.get_draw(draw_id, council_id)  # NotFound for another council's draw
    if draw["kind"] != "residents":
        # The letter's wording (drawn from the register; RGPD source: electoral list and
        # landlords' files) is only true for residents; volunteers applied themselves.
        raise InvalidState(
            _(
                "Les lettres ne concernent que les tirages parmi les habitants : les volontaires "
                "tirés au sort sont prévenus avec leur candidature."
            ),
            code="tirage-volontaires",
        )
    recipients = await rounds.round_recipients(ctx, draw_id, round_no)
    if not recipients:
        raise InvalidState(
            _("Ce tour n'invite personne : il n'y a aucune lettre à produire."), code="tour-vide"
        )
    store = store or LetterStore(ctx.db)
    if not (await templates.get_template(council_id, store=store)).saved:
        raise InvalidState(
            _(
                "Relisez et enregistrez d'abord le modèle de lettre du conseil (coordonnées, "
                "signataire) : aucune lettre ne part avec le texte d'exemple."
            ),
            code="modele-absent",
        )
    council = await org.get_council(council_id)
    now = ctx.now()
    async with ctx.db.transaction():
        previous = await store.round_batches(draw_id, round_no)
        for p in previous:
            running = p.status in RUNNING
            if running and (now - p.heartbeat_at).total_seconds() <= STALE_AFTER_S:
                raise Conflict(
                    _("Les lettres de ce tour sont déjà en cours de génération : attendez la fin."),
                    code="lot-en-cours",
                )
        await store.delete_batches([p.id for p in previous])
        batch_id = await store.add_batch(council_id, draw_id, round_no, len(recipients), actor.id, now)
        await audit.record(
            ctx.db,
            actor=actor,
            action="courrier.lot.demande",
            subject_type="lot_courrier",
            subject_id=batch_id,
            at=now,
            territory_id=council.territory,
            council_id=council_id,
            details={"draw": draw["reference"], "round": round_no, "invited": len(recipients)},
        )
    return batch_id



async def _generate(ctx: AppContext, store: LetterStore, batch: BatchRow) -> None:
    council_id, round_no = batch.council_id, batch.round_no
    await store.mark_running(batch.id, ctx.now())
    prepared = await prepare_round(ctx, batch.draw_id, round_no)
    if not prepared.letters:
        await store.finish(batch.id, "vide", BatchResult(0, prepared.withheld), ctx.now())
        return
    wording = await templates.get_wording(council_id, store=store)
    council = await templates.council_info(council_id, public_base_url_for_documents(ctx.settings))
    info = letters_info(
        wording,
        prepared.letter_date,
        _("Lettres du tirage {ref}, tour {n}").format(ref=prepared.draw_reference, n=round_no),
    )

    async def progress(done: int) -> None:
        await store.progress(batch.id, done, ctx.now())

    pdf = await assemble_letters(
        prepared.letters, PageTemplate(letterhead_of(wording, council)), wording, council, info, progress
    )
    csv_bytes = addresses_csv(prepared.letters, prepared.blocks, pdf.pages)
    council_row = await org.get_council(council_id)
    now = ctx.now()
    result = BatchResult(
        len(prepared.letters), prepared.withheld, pdf.sha256, pdf.size, sum(pdf.pages), csv_bytes
    )
    async with ctx.db.transaction():
        await store.add_chunks(batch.id, pdf.chunks)
        await store.finish(batch.id, "pret", result, now)
        await audit.record(
            ctx.db,
            actor=Actor.system("génération des courriers"),
            action="courrier.lot.genere",
            subject_type="lot_courrier",
            subject_id=batch.id,
            at=now,
            territory_id=council_row.territory,
            council_id=council_id,
            details={
                "draw": prepared.draw_reference,
                "round": round_no,
                "letters": len(prepared.letters),
                "withheld": len(prepared.withheld),
                "pdf_sha256": pdf.sha256,
                "csv_sha256": hashlib.sha256(csv_bytes).hexdigest(),
            },
        )


async def run_batch(ctx: AppContext, batch_id: int, *, store: LetterStore | None = None) -> None:
    """Generate a recorded batch (called in the background after :func:`start_batch`)."""
    store = store or LetterStore(ctx.db)
    batch = await store.batch(batch_id)
    if batch is None or batch.status not in ("en_attente",):
        return
    try:
        await _generate(ctx, store, batch)
    except Exception:
        # No personal data in the log: the batch id is enough to find the round.
        log.exception("génération du lot de courriers %s en échec", batch_id)
        await store.fail(
            batch_id,
            _(
                "La génération a échoué ; relancez-la. Si l'échec se "
                "répète, contactez l'administrateur."
            ),
            ctx.now(),
        )


async def get_batch(
    council_id: int, draw_id: int, round_no: int, now: datetime, *, store: LetterStore | None = None
) -> BatchRow | None:
    """The latest batch of a round with its progress (and stale detection), or None."""
    batch = await (store or LetterStore()).latest_batch(council_id, draw_id, round_no)
    if batch is not None and batch.running and (now - batch.heartbeat_at).total_seconds() > STALE_AFTER_S:
        return replace(batch, status="echec", error=_("La génération s'est interrompue ; relancez-la."))
    return batch


async def batch_pdf_chunks(batch_id: int, *, store: LetterStore | None = None) -> list[bytes]:
    return await (store or LetterStore()).pdf_chunks(batch_id)


def iter_pdf(batch_id: int, *, store: LetterStore | None = None) -> AsyncIterator[bytes]:
    """The PDF chunk by chunk (a download never holds the whole file in memory)."""
    return (store or LetterStore()).iter_pdf(batch_id)


async def ready_batch(
    council_id: int, draw_id: int, round_no: int, now: datetime, *, store: LetterStore | None = None
) -> BatchRow:
    batch = await get_batch(council_id, draw_id, round_no, now, store=store)
    if batch is None or batch.status != "pret":
        raise NotFound(
            _("Les lettres de ce tour n'ont pas encore été générées."), code="lot-absent"
        )
    return batch


async def batch_csv(batch_id: int, *, store: LetterStore | None = None) -> bytes:
    data = await (store or LetterStore()).csv(batch_id)
    if data is None:
        raise NotFound(_("Fichier introuvable."))
    return data


@dataclass(frozen=True)
class NamedWithheld:
    """A withheld person with their name, for the lead's page only."""

    invitation_id: int
    rank: int
    stratum: str
    code: str
    message: str
    name: str


async def withheld_with_names(ctx: AppContext, batch: BatchRow) -> list[NamedWithheld]:
    """The withheld list with names, for the lead's page only (never stored or logged)."""
    if not batch.withheld:
        return []
    ids = {w.invitation_id for w in batch.withheld}
    recipients = [
        r for r in await rounds.round_recipients(ctx, batch.draw_id, batch.round_no) if r.invitation_id in ids
    ]
    subjects = await subjects_of(recipients)
    names = {i: s.display_name if s is not None else "—" for i, s in subjects.items()}
    return [NamedWithheld(**w.as_dict(), name=names.get(w.invitation_id, "—")) for w in batch.withheld]


async def purge_expired_batches(ctx: AppContext, actor: Actor, *, store: LetterStore | None = None) -> int:
    """The automatic pass: each council's letters go once its retention period
    (``conservation_jours``, the same rule as the registers) has passed."""
    store = store or LetterStore(ctx.db)
    deleted = 0
    for council_id in await store.councils_with_batches():
        settings = (await org.get_council(council_id)).settings
        days = int(settings.get("conservation_jours", CouncilSettings().conservation_jours))
        deleted += await purge_batches(ctx, actor, days, council_id=council_id, store=store)
    return deleted


async def purge_batches(
    ctx: AppContext,
    actor: Actor,
    older_than_days: int,
    council_id: int | None = None,
    *,
    store: LetterStore | None = None,
) -> int:
    """Delete generated letters (PDF and CSV hold names and addresses) older than
    ``older_than_days`` (of one council, or all); the audit keeps their digests.
    Returns how many were deleted."""
    if older_than_days < 0:
        raise InvalidState(
            _("La durée de conservation ne peut pas être négative."), code="duree-invalide"
        )
    store = store or LetterStore(ctx.db)
    now = ctx.now()
    async with ctx.db.transaction():
        ids = await store.batches_created_before(now - timedelta(days=older_than_days), council_id)
        if ids:
            await store.delete_batches(ids)
            await audit.record(
                ctx.db,
                actor=actor,
                action="courrier.lot.purge",
                subject_type="lot_courrier",
                at=now,
                council_id=council_id,
                details={"deleted": len(ids), "older_than_days": older_than_days},
            )
    return len(ids)
