"""The letters feature's store: the only code that queries its tables (DESIGN.md §2).

Typed methods return frozen dataclasses. A batch's PDF is kept in chunks so a download
never holds the whole file in memory; the rows hold no name (withheld people are listed
by invitation, the pages look their names up).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.i18n import _
from service.courriers.tables import LetterBatch, LetterBatchChunk, LetterTemplate
from service.db.engine import Database

STATUS_LABELS = {
    "en_attente": "en attente",
    "en_cours": "en cours",
    "pret": "prêt",
    "echec": "échec",
    "vide": "aucune lettre imprimable",
}
RUNNING = ("en_attente", "en_cours")


@dataclass(frozen=True)
class StoredTemplate:
    """A council's saved wording (only the editable fields) and logo."""

    id: int
    council_id: int
    wording: Mapping[str, str]
    logo: bytes | None
    logo_type: str
    version: int


@dataclass(frozen=True)
class TemplateVersion:
    id: int
    version: int


@dataclass(frozen=True)
class LogoChange:
    """What a save does to the logo: keep it (default), replace it, or remove it."""

    data: bytes | None = None
    mime_type: str = ""
    remove: bool = False


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
class BatchHead:
    id: int
    status: str
    heartbeat_at: datetime


@dataclass(frozen=True)
class BatchRow:
    """One generation of a round's letters, without its files."""

    id: int
    council_id: int
    draw_id: int
    round_no: int
    status: str
    total: int
    done: int
    mailed: int
    withheld: tuple[Withheld, ...]
    pdf_digest: str
    pdf_size: int
    pages: int
    error: str
    created_by: int | None
    created_at: datetime
    heartbeat_at: datetime
    finished_at: datetime | None

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    @property
    def ready(self) -> bool:
        return self.status == "pret"

    @property
    def status_label(self) -> str:
        return _(STATUS_LABELS.get(self.status, self.status))

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class BatchResult:
    """What a finished generation records."""

    letters: int
    withheld: Sequence[Withheld]
    pdf_digest: str = ""
    pdf_size: int = 0
    pages: int = 0
    csv: bytes | None = None


def _withheld(items: Any) -> tuple[Withheld, ...]:
    return tuple(
        Withheld(int(w["invitation_id"]), int(w["rank"]), str(w["stratum"]), str(w["code"]), str(w["message"]))
        for w in items or ()
    )


def _batch(row: Mapping[str, Any]) -> BatchRow:
    return BatchRow(
        id=int(row["id"]), council_id=int(row["council"]), draw_id=int(row["draw_id"]),
        round_no=int(row["round_no"]), status=row["status"], total=int(row["total"]), done=int(row["done"]),
        mailed=int(row["mailed"]), withheld=_withheld(row["withheld"]), pdf_digest=row["pdf_digest"],
        pdf_size=int(row["pdf_size"]), pages=int(row["pages"]), error=row["error"], created_by=row["created_by"],
        created_at=row["created_at"], heartbeat_at=row["heartbeat_at"], finished_at=row["finished_at"],
    )


class LetterStore:
    def __init__(self, db: Database | None = None) -> None:
        # No engine difference yet: the queries are the same on SQLite and PostgreSQL.
        self.db = db

    # --- templates ------------------------------------------------------------------

    async def template(self, council_id: int) -> StoredTemplate | None:
        row = await LetterTemplate.select().where(LetterTemplate.council == council_id).output(load_json=True).first()
        if row is None:
            return None
        logo = row["logo"]
        return StoredTemplate(
            id=int(row["id"]), council_id=council_id, wording={str(k): str(v) for k, v in dict(row["wording"] or {}).items()},
            logo=bytes(logo) if logo else None, logo_type=row["logo_type"], version=int(row["version"]),
        )

    async def template_version(self, council_id: int) -> TemplateVersion | None:
        row = await LetterTemplate.select(LetterTemplate.id, LetterTemplate.version).where(
            LetterTemplate.council == council_id).first()
        return None if row is None else TemplateVersion(int(row["id"]), int(row["version"]))

    async def save_template(self, council_id: int, current: TemplateVersion | None, wording: Mapping[str, str],
                            logo: LogoChange, at: datetime, by: int | None) -> None:
        """Insert the first version, or update ``current`` to the next one."""
        if current is None:
            await LetterTemplate.insert(LetterTemplate(
                council=council_id, wording=dict(wording), logo=logo.data, logo_type=logo.mime_type, version=1,
                updated_at=at, updated_by=by))
            return
        changes: dict[Any, Any] = {
            LetterTemplate.wording: dict(wording),
            LetterTemplate.updated_at: at,
            LetterTemplate.updated_by: by,
            LetterTemplate.version: current.version + 1,
        }
        if logo.data is not None:
            changes[LetterTemplate.logo] = logo.data
            changes[LetterTemplate.logo_type] = logo.mime_type
        elif logo.remove:
            changes[LetterTemplate.logo] = None
            changes[LetterTemplate.logo_type] = ""
        await LetterTemplate.update(changes).where(LetterTemplate.id == current.id)

    # --- batches --------------------------------------------------------------------

    async def round_batches(self, draw_id: int, round_no: int) -> list[BatchHead]:
        rows = await LetterBatch.select(LetterBatch.id, LetterBatch.status, LetterBatch.heartbeat_at).where(
            (LetterBatch.draw_id == draw_id) & (LetterBatch.round_no == round_no))
        return [BatchHead(int(r["id"]), r["status"], r["heartbeat_at"]) for r in rows]

    async def delete_batches(self, batch_ids: Sequence[int]) -> None:
        if batch_ids:
            await LetterBatchChunk.delete().where(LetterBatchChunk.batch.is_in(list(batch_ids)))
            await LetterBatch.delete().where(LetterBatch.id.is_in(list(batch_ids)))

    async def add_batch(self, council_id: int, draw_id: int, round_no: int, total: int, by: int | None,
                        at: datetime) -> int:
        rows = await LetterBatch.insert(LetterBatch(
            council=council_id, draw_id=draw_id, round_no=round_no, status="en_attente", total=total,
            created_by=by, created_at=at, heartbeat_at=at)).returning(LetterBatch.id)
        return int(rows[0]["id"])

    async def batch(self, batch_id: int) -> BatchRow | None:
        row = await LetterBatch.select(*self._columns()).where(LetterBatch.id == batch_id).output(load_json=True).first()
        return None if row is None else _batch(row)

    async def latest_batch(self, council_id: int, draw_id: int, round_no: int) -> BatchRow | None:
        row = (
            await LetterBatch.select(*self._columns())
            .where((LetterBatch.council == council_id) & (LetterBatch.draw_id == draw_id)
                   & (LetterBatch.round_no == round_no))
            .order_by(LetterBatch.id, ascending=False)
            .output(load_json=True)
            .first()
        )
        return None if row is None else _batch(row)

    @staticmethod
    def _columns() -> list[Any]:
        return [c for c in LetterBatch.all_columns() if c._meta.name != "csv"]

    async def _set(self, batch_id: int, values: Mapping[Any, Any]) -> None:
        await LetterBatch.update(dict(values)).where(LetterBatch.id == batch_id)

    async def mark_running(self, batch_id: int, at: datetime) -> None:
        await self._set(batch_id, {LetterBatch.status: "en_cours", LetterBatch.heartbeat_at: at})

    async def progress(self, batch_id: int, done: int, at: datetime) -> None:
        await self._set(batch_id, {LetterBatch.done: done, LetterBatch.heartbeat_at: at})

    async def finish(self, batch_id: int, status: str, result: BatchResult, at: datetime) -> None:
        """Record a finished generation (``pret`` or ``vide``) with its counts and CSV."""
        values: dict[Any, Any] = {
            LetterBatch.status: status,
            LetterBatch.done: result.letters,
            LetterBatch.mailed: result.letters,
            LetterBatch.withheld: [w.as_dict() for w in result.withheld],
            LetterBatch.finished_at: at,
            LetterBatch.heartbeat_at: at,
        }
        if status == "pret":
            values.update({
                LetterBatch.pdf_digest: result.pdf_digest,
                LetterBatch.pdf_size: result.pdf_size,
                LetterBatch.pages: result.pages,
                LetterBatch.csv: result.csv,
            })
        await self._set(batch_id, values)

    async def fail(self, batch_id: int, error: str, at: datetime) -> None:
        await self._set(batch_id, {LetterBatch.status: "echec", LetterBatch.error: error, LetterBatch.finished_at: at})

    async def add_chunks(self, batch_id: int, chunks: Sequence[bytes]) -> None:
        for seq, data in enumerate(chunks):
            await LetterBatchChunk.insert(LetterBatchChunk(batch=batch_id, seq=seq, data=data))

    async def pdf_chunks(self, batch_id: int) -> list[bytes]:
        rows = (
            await LetterBatchChunk.select(LetterBatchChunk.data)
            .where(LetterBatchChunk.batch == batch_id)
            .order_by(LetterBatchChunk.seq)
        )
        return [bytes(r["data"]) for r in rows]

    async def iter_pdf(self, batch_id: int) -> AsyncIterator[bytes]:
        """The PDF chunk by chunk (one chunk in memory at a time)."""
        seqs = (
            await LetterBatchChunk.select(LetterBatchChunk.id)
            .where(LetterBatchChunk.batch == batch_id)
            .order_by(LetterBatchChunk.seq)
        )
        for s in seqs:
            row = await LetterBatchChunk.select(LetterBatchChunk.data).where(LetterBatchChunk.id == s["id"]).first()
            if row is not None:
                yield bytes(row["data"])

    async def csv(self, batch_id: int) -> bytes | None:
        row = await LetterBatch.select(LetterBatch.csv).where(LetterBatch.id == batch_id).first()
        return None if row is None or row["csv"] is None else bytes(row["csv"])

    # --- retention ------------------------------------------------------------------

    async def councils_with_batches(self) -> list[int]:
        rows = await LetterBatch.select(LetterBatch.council).distinct()
        return sorted({int(r["council"]) for r in rows})

    async def batches_created_before(self, limit: datetime, council_id: int | None = None) -> list[int]:
        query = LetterBatch.select(LetterBatch.id).where(LetterBatch.created_at < limit)
        if council_id is not None:
            query = query.where(LetterBatch.council == council_id)
        return [int(r["id"]) for r in await query]
