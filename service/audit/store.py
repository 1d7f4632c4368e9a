"""The audit trail's store: the only code that queries its tables (DESIGN.md §2).

Appends are serialised by updating the single head row (a row lock on PostgreSQL;
SQLite's IMMEDIATE transaction already holds the write lock).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.audit import GENESIS, ChainedEvent
from service.audit.tables import AuditEvent, AuditHead
from service.db.engine import Database, audit_key_of


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    mac: str


@dataclass(frozen=True)
class AuditScope:
    """Which events a reader sees: everything, or those of some territories."""

    everything: bool = False
    territory_ids: tuple[int, ...] = ()


def event_from_row(row: dict[str, Any]) -> ChainedEvent:
    fields = {k: row[k] for k in ChainedEvent.__dataclass_fields__}
    fields["details"] = fields["details"] or {}
    return ChainedEvent(**fields)


class AuditStore:
    def __init__(self, db: Database | None = None) -> None:
        self.db = db

    def key(self) -> bytes | None:
        """The HMAC key travelling with the engine (never stored in the database)."""
        engine = self.db.engine if self.db is not None else AuditEvent._meta.db
        key = audit_key_of(engine)
        return bytes(key) if key else None

    async def ensure_head(self) -> None:
        if not await AuditHead.exists().where(AuditHead.id == 1):
            await AuditHead.insert(AuditHead(id=1, last_seq=0, last_hash=GENESIS)).on_conflict(action="DO NOTHING")

    async def take_next_seq(self) -> Head:
        """Advance the head under its row lock: the new sequence number and the previous
        link (hash and seal) the new event chains to."""
        rows = await AuditHead.raw(
            "UPDATE journal_audit_tete SET last_seq = last_seq + 1 WHERE id = 1 "
            "RETURNING last_seq, last_hash, last_mac"
        )
        return Head(int(rows[0]["last_seq"]), str(rows[0]["last_hash"]), str(rows[0]["last_mac"] or ""))

    async def append(self, event: ChainedEvent) -> None:
        await AuditEvent.insert(AuditEvent(**event.__dict__))
        await AuditHead.update({AuditHead.last_hash: event.hash, AuditHead.last_mac: event.mac}).where(AuditHead.id == 1)

    async def head(self) -> Head | None:
        row = await AuditHead.select().where(AuditHead.id == 1).first()
        if not row:
            return None
        return Head(int(row["last_seq"]), str(row["last_hash"]), str(row["last_mac"] or ""))

    async def count_heads(self) -> int:
        """A cheap query the health check uses to prove the database answers."""
        return int(await AuditHead.count())

    async def events(self, *, up_to_seq: int | None = None) -> list[ChainedEvent]:
        """Every event in chain order (to stream in batches when trails grow past a few
        hundred thousand events)."""
        q = AuditEvent.select().order_by(AuditEvent.seq).output(load_json=True)
        if up_to_seq is not None:
            q = q.where(AuditEvent.seq <= up_to_seq)
        return [event_from_row(r) for r in await q]

    async def recent_events(self, visibility: AuditScope, *, limit: int, before: int | None = None,
                            council_id: int | None = None, actions: Sequence[str] = ()) -> list[ChainedEvent]:
        """The most recent events first, limited to what ``visibility`` allows."""
        q = AuditEvent.select().order_by(AuditEvent.seq, ascending=False).limit(limit).output(load_json=True)
        if not visibility.everything:
            clauses: list[Any] = []
            if visibility.territory_ids:
                clauses.append(AuditEvent.territory_id.is_in(list(visibility.territory_ids)))
            if not clauses:
                return []
            where = clauses[0]
            for c in clauses[1:]:
                where = where | c
            q = q.where(where)
        if before is not None:
            q = q.where(AuditEvent.seq < before)
        if council_id is not None:
            q = q.where(AuditEvent.council_id == council_id)
        if actions:
            q = q.where(AuditEvent.action.is_in(list(actions)))
        return [event_from_row(r) for r in await q]
