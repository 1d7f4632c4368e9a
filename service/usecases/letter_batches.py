"""The letters of a draw's round: one PDF in mail-room order, the CSV for a mail house,
and the list of people who cannot be reached by post.

Generation runs in the background (a round may invite thousands): :func:`start_batch`
records a batch row and returns at once, :func:`run_batch` draws the letters in parts
of :data:`PART_SIZE` in a worker thread, appends each part to one PDF (bounded memory,
``documents.assemble``), updates the progress after each part, and stores the result in
the database so any worker can serve it. The same round gives byte-identical files at
every generation: the reply codes are derived (not random), the order is a total order
and the PDF's dates are the round's.

Nothing here logs or audits a name or an address: audit details are counts and digests.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import anyio

from domain.adresse_postale import (
    AdressePostale,
    BlocAdresse,
    StatutAdresse,
    cle_tri_postal,
    formater_adresse,
)
from domain.errors import Conflict, InvalidState, NotFound
from domain.i18n import _
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.db.tables_documents import LetterBatch, LetterBatchChunk
from service.documents.assemble import PdfAssembler
from service.documents.csv_export import CsvExport
from service.documents.fonts import missing_glyphs
from service.documents.letters import (
    CouncilInfo,
    LetterWording,
    ResidentLetter,
    draw_resident_letter,
    letterhead_of,
    letters_info,
)
from service.documents.page import PageTemplate
from service.documents.render import render_to_bytes
from service.organisation import subjects as subjects_uc
from service.organisation import usecases as org
from service.public_address import public_base_url_for_documents
from service.tirage.tables import DrawRound
from service.tirage.usecases import records, rounds
from service.usecases import letters as letters_uc

log = logging.getLogger("conseil.courrier")

PARIS = ZoneInfo("Europe/Paris")
PART_SIZE = 250
"""Letters per reportlab canvas: small enough for a steady progress bar and flat memory."""
CHUNK_BYTES = 4 * 1024 * 1024
STALE_AFTER_S = 15 * 60
"""A running batch whose heartbeat is older than this is shown as failed (worker died)."""

STATUS_LABELS = {
    "en_attente": "en attente",
    "en_cours": "en cours",
    "pret": "prêt",
    "echec": "échec",
    "vide": "aucune lettre imprimable",
}


@dataclass(frozen=True)
class Withheld:
    """A person whose letter is not printed, and why (no name: pages look it up)."""

    invitation_id: int
    rank: int
    stratum: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class PreparedRound:
    council_id: int
    draw_reference: str
    letters: list[ResidentLetter]
    blocks: dict[int, BlocAdresse]
    withheld: list[Withheld]
    letter_date: date


def _local_date(moment: datetime | None, fallback: date) -> date:
    if moment is None:
        return fallback
    return moment.astimezone(PARIS).date()


def _address_of(subject: subjects_uc.Subject) -> AdressePostale:
    a = subject.address
    if not (a.nom or a.prenom or a.raison_sociale):
        a = dataclasses.replace(
            a, civilite=subject.civilite, prenom=subject.prenom, nom=subject.nom
        )
    return a


async def prepare_round(ctx: AppContext, draw_id: int, round_no: int) -> PreparedRound:
    """The letters of a round in mail-room order, and those withheld with their reason."""
    draw = await records.get_draw(draw_id)
    recipients = await rounds.round_recipients(ctx, draw_id, round_no)
    round_row = (
        await DrawRound.select(DrawRound.at)
        .where((DrawRound.draw == draw_id) & (DrawRound.number == round_no))
        .first()
    )
    letter_date = _local_date(round_row["at"] if round_row else None, ctx.now().date())
    by_type: dict[str, list[int]] = {}
    for r in recipients:
        if r.subject_id is not None:
            by_type.setdefault(r.subject_type, []).append(int(r.subject_id))
    loaded = {t: await subjects_uc.load_subjects(t, ids) for t, ids in by_type.items()}
    letters: list[tuple[tuple[Any, ...], ResidentLetter]] = []
    seats: dict[str, Any] = dict((draw.get("plan") or {}).get("seats") or {})
    blocks: dict[int, BlocAdresse] = {}
    withheld: list[Withheld] = []
    for r in recipients:

        def hold(code: str, message: str, r: rounds.Recipient = r) -> None:
            withheld.append(Withheld(r.invitation_id, r.rank, r.stratum, code, message))

        subject = (
            loaded.get(r.subject_type, {}).get(int(r.subject_id))
            if r.subject_id is not None
            else None
        )
        if subject is None or subject.purged:
            hold(
                "personne-introuvable",
                _("Injoignable par courrier : la personne n'est plus dans le registre."),
            )
            continue
        bloc = formater_adresse(_address_of(subject))
        blocks[r.invitation_id] = bloc
        if bloc.status is StatutAdresse.INJOIGNABLE:
            hold(
                "injoignable",
                _("Injoignable par courrier : {raisons}").format(
                    raisons=" ".join(x.message for x in bloc.reasons)
                ),
            )
            continue
        if bloc.status is StatutAdresse.NE_TIENT_PAS:
            hold(
                "adresse-trop-longue",
                _("Lettre retenue : {raisons}").format(
                    raisons=" ".join(x.message for x in bloc.reasons)
                ),
            )
            continue
        printed = " ".join((*bloc.lines, subject.prenom, subject.nom))
        if missing_glyphs(printed):
            hold(
                "caracteres-non-imprimables",
                _(
                    "Lettre retenue : le nom ou l'adresse contient des caractères que la "
                    "police ne sait pas imprimer ; écrivez-les en lettres latines dans le "
                    "registre."
                ),
            )
            continue
        deadline = _local_date(r.deadline, letter_date)
        letter = ResidentLetter(
            invitation_id=r.invitation_id,
            civilite=subject.civilite,
            prenom=subject.prenom,
            nom=subject.nom,
            address=bloc.lines,
            reply_code=r.reply_code,
            deadline=deadline,
            draw_reference=r.draw_reference,
            rank=r.rank,
            letter_date=letter_date,
            key=r.key,
            seats=int(seats.get(r.stratum, 0)),
        )
        letters.append(((*cle_tri_postal(bloc), r.invitation_id), letter))
    letters.sort(key=lambda pair: pair[0])
    return PreparedRound(
        council_id=int(draw["council"]),
        draw_reference=str(draw["reference"]),
        letters=[letter for _key, letter in letters],
        blocks=blocks,
        withheld=sorted(withheld, key=lambda w: (w.stratum, w.rank)),
        letter_date=letter_date,
    )


# ---------------------------------------------------------------------------
# Files


def addresses_csv(prepared: PreparedRound, pages: Sequence[int]) -> bytes:
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
    for number, (letter, count) in enumerate(zip(prepared.letters, pages, strict=True), start=1):
        bloc = prepared.blocks[letter.invitation_id]
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


def _render_part(
    template: PageTemplate,
    wording: LetterWording,
    council: CouncilInfo,
    letters: Sequence[ResidentLetter],
    info: Any,
) -> tuple[bytes, list[int]]:
    counts: list[int] = []

    def draw_all(canvas: Any) -> None:
        for letter in letters:
            counts.append(draw_resident_letter(canvas, template, wording, council, letter))

    return render_to_bytes(draw_all, info), counts


# ---------------------------------------------------------------------------
# Background batches


async def start_batch(
    ctx: AppContext, actor: Actor, council_id: int, draw_id: int, round_no: int
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
    if not (await letters_uc.get_template(council_id))["saved"]:
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
        previous = await LetterBatch.select(
            LetterBatch.id, LetterBatch.status, LetterBatch.heartbeat_at
        ).where((LetterBatch.draw_id == draw_id) & (LetterBatch.round_no == round_no))
        for p in previous:
            running = p["status"] in ("en_attente", "en_cours")
            if running and (now - p["heartbeat_at"]).total_seconds() <= STALE_AFTER_S:
                raise Conflict(
                    _("Les lettres de ce tour sont déjà en cours de génération : attendez la fin."),
                    code="lot-en-cours",
                )
        old = [int(p["id"]) for p in previous]
        if old:
            await LetterBatchChunk.delete().where(LetterBatchChunk.batch.is_in(old))
            await LetterBatch.delete().where(LetterBatch.id.is_in(old))
        row = (
            await LetterBatch.insert(
                LetterBatch(
                    council=council_id,
                    draw_id=draw_id,
                    round_no=round_no,
                    status="en_attente",
                    total=len(recipients),
                    created_by=actor.id,
                    created_at=now,
                    heartbeat_at=now,
                )
            ).returning(LetterBatch.id)
        )[0]
        batch_id = int(row["id"])
        await audit.record(
            ctx.db,
            actor=actor,
            action="courrier.lot.demande",
            subject_type="lot_courrier",
            subject_id=batch_id,
            at=now,
            territory_id=int(council["territory"]),
            council_id=council_id,
            details={"draw": draw["reference"], "round": round_no, "invited": len(recipients)},
        )
    return batch_id


async def _update(batch_id: int, **values: Any) -> None:
    await LetterBatch.update({getattr(LetterBatch, k): v for k, v in values.items()}).where(
        LetterBatch.id == batch_id
    )


async def run_batch(ctx: AppContext, batch_id: int) -> None:
    """Generate a recorded batch (called in the background after :func:`start_batch`)."""
    row = await LetterBatch.select().where(LetterBatch.id == batch_id).first()
    if row is None or row["status"] not in ("en_attente",):
        return
    council_id, draw_id, round_no = int(row["council"]), int(row["draw_id"]), int(row["round_no"])
    try:
        await _update(batch_id, status="en_cours", heartbeat_at=ctx.now())
        prepared = await prepare_round(ctx, draw_id, round_no)
        withheld = [w.as_dict() for w in prepared.withheld]
        if not prepared.letters:
            await _update(
                batch_id,
                status="vide",
                withheld=withheld,
                done=0,
                mailed=0,
                finished_at=ctx.now(),
                heartbeat_at=ctx.now(),
            )
            return
        wording = await letters_uc.get_wording(council_id)
        council = await letters_uc.council_info(
            council_id, public_base_url_for_documents(ctx.settings)
        )
        template = PageTemplate(letterhead_of(wording, council))
        info = letters_info(
            wording,
            prepared.letter_date,
            _("Lettres du tirage {ref}, tour {n}").format(ref=prepared.draw_reference, n=round_no),
        )
        pages: list[int] = []
        with tempfile.SpooledTemporaryFile(max_size=CHUNK_BYTES) as out:
            assembler = PdfAssembler(out, info)  # type: ignore[arg-type]
            letters = prepared.letters
            for start in range(0, len(letters), PART_SIZE):
                part = letters[start : start + PART_SIZE]
                pdf, counts = await anyio.to_thread.run_sync(
                    _render_part, template, wording, council, part, info
                )
                await anyio.to_thread.run_sync(assembler.add, pdf)
                pages.extend(counts)
                await _update(batch_id, done=start + len(part), heartbeat_at=ctx.now())
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
        csv_bytes = addresses_csv(prepared, pages)
        council_row = await org.get_council(council_id)
        now = ctx.now()
        async with ctx.db.transaction():
            for seq, data in enumerate(chunks):
                await LetterBatchChunk.insert(LetterBatchChunk(batch=batch_id, seq=seq, data=data))
            await _update(
                batch_id,
                status="pret",
                done=len(letters),
                mailed=len(letters),
                withheld=withheld,
                pdf_digest=digest.hexdigest(),
                pdf_size=size,
                pages=sum(pages),
                csv=csv_bytes,
                finished_at=now,
                heartbeat_at=now,
            )
            await audit.record(
                ctx.db,
                actor=Actor.system("génération des courriers"),
                action="courrier.lot.genere",
                subject_type="lot_courrier",
                subject_id=batch_id,
                at=now,
                territory_id=int(council_row["territory"]),
                council_id=council_id,
                details={
                    "draw": prepared.draw_reference,
                    "round": round_no,
                    "letters": len(letters),
                    "withheld": len(withheld),
                    "pdf_sha256": digest.hexdigest(),
                    "csv_sha256": hashlib.sha256(csv_bytes).hexdigest(),
                },
            )
    except Exception:
        # No personal data in the log: the batch id is enough to find the round.
        log.exception("génération du lot de courriers %s en échec", batch_id)
        await _update(
            batch_id,
            status="echec",
            error=_(
                "La génération a échoué ; relancez-la. Si l'échec se "
                "répète, contactez l'administrateur."
            ),
            finished_at=ctx.now(),
        )


async def get_batch(
    council_id: int, draw_id: int, round_no: int, now: datetime
) -> dict[str, Any] | None:
    """The latest batch of a round with its progress (and stale detection), or None."""
    row = (
        await LetterBatch.select(*[c for c in LetterBatch.all_columns() if c._meta.name != "csv"])
        .where(
            (LetterBatch.council == council_id)
            & (LetterBatch.draw_id == draw_id)
            & (LetterBatch.round_no == round_no)
        )
        .order_by(LetterBatch.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    if row is None:
        return None
    out = dict(row)
    if (
        out["status"] in ("en_attente", "en_cours")
        and (now - out["heartbeat_at"]).total_seconds() > STALE_AFTER_S
    ):
        out["status"] = "echec"
        out["error"] = _("La génération s'est interrompue ; relancez-la.")
    out["status_label"] = _(STATUS_LABELS.get(out["status"], out["status"]))
    out["percent"] = int(100 * out["done"] / out["total"]) if out["total"] else 0
    out["running"] = out["status"] in ("en_attente", "en_cours")
    return out


async def batch_pdf_chunks(batch_id: int) -> list[bytes]:
    rows = (
        await LetterBatchChunk.select(LetterBatchChunk.data)
        .where(LetterBatchChunk.batch == batch_id)
        .order_by(LetterBatchChunk.seq)
    )
    return [bytes(r["data"]) for r in rows]


async def iter_pdf(batch_id: int) -> AsyncIterator[bytes]:
    """The PDF chunk by chunk (a download never holds the whole file in memory)."""
    seqs = (
        await LetterBatchChunk.select(LetterBatchChunk.id)
        .where(LetterBatchChunk.batch == batch_id)
        .order_by(LetterBatchChunk.seq)
    )
    for s in seqs:
        row = (
            await LetterBatchChunk.select(LetterBatchChunk.data)
            .where(LetterBatchChunk.id == s["id"])
            .first()
        )
        if row is not None:
            yield bytes(row["data"])


async def ready_batch(
    council_id: int, draw_id: int, round_no: int, now: datetime
) -> dict[str, Any]:
    batch = await get_batch(council_id, draw_id, round_no, now)
    if batch is None or batch["status"] != "pret":
        raise NotFound(
            _("Les lettres de ce tour n'ont pas encore été générées."), code="lot-absent"
        )
    return batch


async def batch_csv(batch_id: int) -> bytes:
    row = await LetterBatch.select(LetterBatch.csv).where(LetterBatch.id == batch_id).first()
    if row is None or row["csv"] is None:
        raise NotFound(_("Fichier introuvable."))
    return bytes(row["csv"])


async def withheld_with_names(batch: dict[str, Any], draw_id: int) -> list[dict[str, Any]]:
    """The withheld list with names, for the lead's page only (never stored or logged)."""
    items = list(batch.get("withheld") or [])
    if not items:
        return []
    ids = {int(w["invitation_id"]) for w in items}
    from service.tirage.tables import DrawInvitation

    invs = await DrawInvitation.select(
        DrawInvitation.id, DrawInvitation.subject_type, DrawInvitation.subject_id
    ).where(DrawInvitation.id.is_in(list(ids)))
    by_type: dict[str, list[int]] = {}
    for i in invs:
        if i["subject_id"] is not None:
            by_type.setdefault(i["subject_type"], []).append(int(i["subject_id"]))
    loaded = {t: await subjects_uc.load_subjects(t, v) for t, v in by_type.items()}
    names = {}
    for i in invs:
        s = (
            loaded.get(i["subject_type"], {}).get(i["subject_id"])
            if i["subject_id"] is not None
            else None
        )
        names[int(i["id"])] = s.display_name if s is not None else "—"
    return [{**w, "name": names.get(int(w["invitation_id"]), "—")} for w in items]


async def purge_expired_batches(ctx: AppContext, actor: Actor) -> int:
    """The automatic pass: each council's letters go once its retention period
    (``conservation_jours``, the same rule as the registers) has passed."""
    from domain.organisation import CouncilSettings
    from service.organisation.tables import Council

    deleted = 0
    councils = await Council.select(Council.id, Council.settings).output(load_json=True)
    for c in councils:
        days = int((c["settings"] or {}).get("conservation_jours", CouncilSettings().conservation_jours))
        deleted += await purge_batches(ctx, actor, days, council_id=int(c["id"]))
    return deleted


async def purge_batches(ctx: AppContext, actor: Actor, older_than_days: int, council_id: int | None = None) -> int:
    """Delete generated letters (PDF and CSV hold names and addresses) older than
    ``older_than_days`` (of one council, or all); the audit keeps their digests.
    Returns how many were deleted."""
    from datetime import timedelta

    if older_than_days < 0:
        raise InvalidState(
            _("La durée de conservation ne peut pas être négative."), code="duree-invalide"
        )
    now = ctx.now()
    limit = now - timedelta(days=older_than_days)
    async with ctx.db.transaction():
        query = LetterBatch.select(LetterBatch.id, LetterBatch.council).where(LetterBatch.created_at < limit)
        if council_id is not None:
            query = query.where(LetterBatch.council == council_id)
        rows = await query
        ids = [int(r["id"]) for r in rows]
        if ids:
            await LetterBatchChunk.delete().where(LetterBatchChunk.batch.is_in(ids))
            await LetterBatch.delete().where(LetterBatch.id.is_in(ids))
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
