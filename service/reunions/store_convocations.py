"""The only code querying the convocation tables: typed methods returning frozen
dataclasses. Rules (notice, proxies, versions) live in the use cases and the domain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import Conflict
from domain.i18n import _
from service.db.engine import Database
from service.reunions.tables_convocations import CalendarLink, Convocation, ConvocationRound


@dataclass(frozen=True)
class RoundRow:
    id: int
    reunion_id: int
    council_id: int
    version: int
    urgence: bool
    motif: str
    content_digest: str
    snapshot: dict[str, Any]
    created_at: datetime
    posted_at: datetime | None


@dataclass(frozen=True)
class ConvocationRow:
    id: int
    reunion_id: int
    council_id: int
    membre_id: int
    version: int
    channel: str
    created_at: datetime
    sent_at: datetime | None
    sha256: str
    outbox_id: int | None
    replaced_by: int | None
    replaced_at: datetime | None
    acknowledged_at: datetime | None
    answer: str
    answered_at: datetime | None
    proxy_holder_id: int | None
    changes: str

    @property
    def current(self) -> bool:
        return self.replaced_by is None


@dataclass(frozen=True)
class NewConvocation:
    membre_id: int
    channel: str
    sha256: str
    pdf: bytes
    ack_token_hash: str
    changes: str = ""
    sent_at: datetime | None = None


@dataclass(frozen=True)
class CalendarLinkRow:
    id: int
    membre_id: int
    council_id: int
    created_at: datetime
    revoked_at: datetime | None


_ROW_COLUMNS = [c for c in Convocation._meta.columns if c._meta.name not in ("pdf", "dedup_key", "ack_token_hash")]


def _round(row: dict[str, Any]) -> RoundRow:
    return RoundRow(
        id=int(row["id"]),
        reunion_id=int(row["reunion_id"]),
        council_id=int(row["council_id"]),
        version=int(row["version"]),
        urgence=bool(row["urgence"]),
        motif=row["motif"],
        content_digest=row["content_digest"],
        snapshot=dict(row["snapshot"] or {}),
        created_at=row["created_at"],
        posted_at=row["posted_at"],
    )


def _conv(row: dict[str, Any]) -> ConvocationRow:
    return ConvocationRow(
        id=int(row["id"]),
        reunion_id=int(row["reunion_id"]),
        council_id=int(row["council_id"]),
        membre_id=int(row["membre_id"]),
        version=int(row["version"]),
        channel=row["channel"],
        created_at=row["created_at"],
        sent_at=row["sent_at"],
        sha256=row["sha256"],
        outbox_id=row["outbox_id"],
        replaced_by=row["replaced_by"],
        replaced_at=row["replaced_at"],
        acknowledged_at=row["acknowledged_at"],
        answer=row["answer"],
        answered_at=row["answered_at"],
        proxy_holder_id=row["proxy_holder_id"],
        changes=row["changes"],
    )


class ConvocationStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- rounds
    async def latest_round(self, reunion_id: int) -> RoundRow | None:
        row = (
            await ConvocationRound.select()
            .where(ConvocationRound.reunion_id == reunion_id)
            .order_by(ConvocationRound.version, ascending=False)
            .output(load_json=True)
            .first()
        )
        return _round(row) if row else None

    async def rounds(self, reunion_id: int) -> list[RoundRow]:
        rows = (
            await ConvocationRound.select()
            .where(ConvocationRound.reunion_id == reunion_id)
            .order_by(ConvocationRound.version)
            .output(load_json=True)
        )
        return [_round(r) for r in rows]

    async def insert_round(
        self,
        *,
        reunion_id: int,
        council_id: int,
        version: int,
        urgence: bool,
        motif: str,
        content_digest: str,
        snapshot: dict[str, Any],
        at: datetime,
        actor_id: int | None,
    ) -> int:
        try:
            rows = await self._insert_round(
                reunion_id, council_id, version, urgence, motif, content_digest, snapshot, at, actor_id
            )
        except Exception as exc:
            if not _unique_violation(exc):
                raise
            raise Conflict(
                _("Les convocations de cette réunion viennent d'être envoyées par quelqu'un d'autre : "
                  "rechargez la page."),
                code="convocations-concurrentes",
            ) from exc
        return int(rows[0]["id"])

    async def _insert_round(
        self, reunion_id: int, council_id: int, version: int, urgence: bool, motif: str,
        content_digest: str, snapshot: dict[str, Any], at: datetime, actor_id: int | None,
    ) -> list[dict[str, Any]]:
        return await ConvocationRound.insert(
            ConvocationRound(
                reunion_id=reunion_id,
                council_id=council_id,
                version=version,
                round_key=f"{reunion_id}:{version}",
                urgence=urgence,
                motif=motif,
                content_digest=content_digest,
                snapshot=snapshot,
                created_at=at,
                created_by=actor_id,
            )
        ).returning(ConvocationRound.id)

    async def mark_posted(self, reunion_id: int, version: int, at: datetime) -> int:
        """The printed batch of this version was posted: its letters' sending date."""
        await ConvocationRound.update({ConvocationRound.posted_at: at}).where(
            (ConvocationRound.reunion_id == reunion_id) & (ConvocationRound.version == version)
        )
        rows = await Convocation.update({Convocation.sent_at: at}).where(
            (Convocation.reunion_id == reunion_id)
            & (Convocation.version == version)
            & (Convocation.channel == "courrier")
            & Convocation.sent_at.is_null()
        ).returning(Convocation.id)
        return len(rows)

    # -- convocations
    async def convocations(self, reunion_id: int, *, current_only: bool = True) -> list[ConvocationRow]:
        query = Convocation.select(*_ROW_COLUMNS).where(Convocation.reunion_id == reunion_id)
        if current_only:
            query = query.where(Convocation.replaced_by.is_null())
        rows = await query.order_by(Convocation.membre_id).order_by(Convocation.version)
        return [_conv(r) for r in rows]

    async def get(self, convocation_id: int) -> ConvocationRow | None:
        row = await Convocation.select(*_ROW_COLUMNS).where(Convocation.id == convocation_id).first()
        return _conv(row) if row else None

    async def by_token_hash(self, token_hash: str) -> ConvocationRow | None:
        row = await Convocation.select(*_ROW_COLUMNS).where(Convocation.ack_token_hash == token_hash).first()
        return _conv(row) if row else None

    async def pdf(self, convocation_id: int) -> bytes | None:
        row = await Convocation.select(Convocation.pdf).where(Convocation.id == convocation_id).first()
        return bytes(row["pdf"]) if row and row["pdf"] is not None else None

    async def pdfs(self, ids: Sequence[int]) -> dict[int, bytes]:
        if not ids:
            return {}
        rows = await Convocation.select(Convocation.id, Convocation.pdf).where(Convocation.id.is_in(list(ids)))
        return {int(r["id"]): bytes(r["pdf"]) for r in rows if r["pdf"] is not None}

    async def insert_many(
        self,
        *,
        reunion_id: int,
        council_id: int,
        version: int,
        items: Sequence[NewConvocation],
        at: datetime,
    ) -> dict[int, int]:
        """Insert one row per member; returns {membre_id: convocation id}. The unique
        key refuses a member convened twice to the same version."""
        if not items:
            return {}
        try:
            return await self._insert_many(reunion_id, council_id, version, items, at)
        except Exception as exc:
            if not _unique_violation(exc):
                raise
            raise Conflict(
                _("Un de ces membres vient d'être convoqué par quelqu'un d'autre : rechargez la page."),
                code="convocations-concurrentes",
            ) from exc

    async def _insert_many(
        self, reunion_id: int, council_id: int, version: int, items: Sequence[NewConvocation], at: datetime
    ) -> dict[int, int]:
        rows = await Convocation.insert(
            *[
                Convocation(
                    reunion_id=reunion_id,
                    council_id=council_id,
                    membre_id=item.membre_id,
                    version=version,
                    dedup_key=f"{reunion_id}:{item.membre_id}:{version}",
                    channel=item.channel,
                    created_at=at,
                    sent_at=item.sent_at,
                    sha256=item.sha256,
                    pdf=item.pdf,
                    ack_token_hash=item.ack_token_hash,
                    changes=item.changes,
                )
                for item in items
            ]
        ).returning(Convocation.id, Convocation.membre_id)
        return {int(r["membre_id"]): int(r["id"]) for r in rows}

    async def set_outbox(self, convocation_id: int, outbox_id: int) -> None:
        await Convocation.update({Convocation.outbox_id: outbox_id}).where(Convocation.id == convocation_id)

    async def mark_replaced(self, replaced: dict[int, int], at: datetime) -> None:
        """{old convocation id: new convocation id}."""
        for old, new in replaced.items():
            await Convocation.update(
                {Convocation.replaced_by: new, Convocation.replaced_at: at}
            ).where(Convocation.id == old)

    async def record_ack(self, convocation_id: int, at: datetime) -> bool:
        """First acknowledgement only; returns whether this call recorded it."""
        rows = await Convocation.update({Convocation.acknowledged_at: at}).where(
            (Convocation.id == convocation_id) & Convocation.acknowledged_at.is_null()
        ).returning(Convocation.id)
        return bool(rows)

    async def record_answer(
        self, convocation_id: int, answer: str, holder_id: int | None, at: datetime
    ) -> None:
        await Convocation.update(
            {
                Convocation.answer: answer,
                Convocation.proxy_holder_id: holder_id,
                Convocation.answered_at: at,
            }
        ).where(Convocation.id == convocation_id)

    async def member_reunions(self, membre_id: int) -> list[int]:
        rows = await Convocation.select(Convocation.reunion_id).where(
            (Convocation.membre_id == membre_id) & Convocation.replaced_by.is_null()
        ).distinct()
        return sorted(int(r["reunion_id"]) for r in rows)

    # -- calendar links
    async def active_link(self, membre_id: int) -> CalendarLinkRow | None:
        row = await CalendarLink.select().where(
            (CalendarLink.membre_id == membre_id) & CalendarLink.revoked_at.is_null()
        ).first()
        return _link(row) if row else None

    async def link_by_hash(self, token_hash: str) -> CalendarLinkRow | None:
        row = await CalendarLink.select().where(CalendarLink.token_hash == token_hash).first()
        return _link(row) if row else None

    async def revoke_links(self, membre_id: int, at: datetime) -> int:
        rows = await CalendarLink.update({CalendarLink.revoked_at: at}).where(
            (CalendarLink.membre_id == membre_id) & CalendarLink.revoked_at.is_null()
        ).returning(CalendarLink.id)
        return len(rows)

    async def create_link(self, membre_id: int, council_id: int, token_hash: str, at: datetime) -> int:
        rows = await CalendarLink.insert(
            CalendarLink(membre_id=membre_id, council_id=council_id, token_hash=token_hash, created_at=at)
        ).returning(CalendarLink.id)
        return int(rows[0]["id"])


def _unique_violation(exc: BaseException) -> bool:
    """A unique key refused the row (asyncpg's UniqueViolationError, sqlite3's
    IntegrityError): two sendings of the same version raced."""
    return type(exc).__name__ in ("UniqueViolationError", "IntegrityError")


def _link(row: dict[str, Any]) -> CalendarLinkRow:
    return CalendarLinkRow(
        id=int(row["id"]),
        membre_id=int(row["membre_id"]),
        council_id=int(row["council_id"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )
