"""Appending to and verifying the hash-chained audit trail.

``record`` must run inside the caller's transaction, so the event and the change it
describes are committed together or not at all. Appends are serialised by updating the
single head row (a row lock on PostgreSQL; SQLite's IMMEDIATE transaction already holds
the write lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.audit import GENESIS, ChainedEvent, ChainReport, chain_hash, digest, verify_chain
from service.db.engine import Database
from service.db.tables import AuditEvent, AuditHead


@dataclass(frozen=True)
class Actor:
    """Who acts: an account, or the system itself (CLI, scheduled purge)."""

    id: int | None
    label: str

    @classmethod
    def system(cls, label: str = "système") -> Actor:
        return cls(None, label)


async def ensure_head() -> None:
    exists = await AuditHead.exists().where(AuditHead.id == 1)
    if not exists:
        await AuditHead.insert(AuditHead(id=1, last_seq=0, last_hash=GENESIS)).on_conflict(
            action="DO NOTHING"
        )


async def record(
    db: Database,
    *,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: str | int = "",
    at: datetime,
    territory_id: int | None = None,
    council_id: int | None = None,
    before: Any = None,
    after: Any = None,
    details: dict[str, Any] | None = None,
) -> ChainedEvent:
    """Append one event. ``before``/``after`` are stored only as digests, so the trail
    never holds personal data; ``details`` must not hold any either."""
    if db.engine.current_transaction.get() is None:
        raise RuntimeError("audit.record must run inside a transaction")
    await ensure_head()
    rows = await AuditHead.raw(
        "UPDATE journal_audit_tete SET last_seq = last_seq + 1 WHERE id = 1 "
        "RETURNING last_seq, last_hash"
    )
    seq, prev_hash = int(rows[0]["last_seq"]), str(rows[0]["last_hash"])
    payload = {
        "before": None if before is None else digest(before),
        "after": None if after is None else digest(after),
    }
    event = ChainedEvent(
        seq=seq,
        at=at,
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        territory_id=territory_id,
        council_id=council_id,
        details=dict(details or {}, **{k: v for k, v in payload.items() if v}),
        payload_digest=digest(payload),
        prev_hash=prev_hash,
    )
    h = chain_hash(prev_hash, event)
    row = {**event.__dict__, "hash": h}
    await AuditEvent.insert(AuditEvent(**row))
    await AuditHead.update({AuditHead.last_hash: h}).where(AuditHead.id == 1)
    return ChainedEvent(**row)


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str


async def current_head() -> ChainHead:
    """The last event's number and hash: printed on published documents (minutes) so a
    reader can later check the trail held them at that point."""
    head = await AuditHead.select().where(AuditHead.id == 1).first()
    if not head:
        return ChainHead(0, GENESIS)
    return ChainHead(int(head["last_seq"]), str(head["last_hash"]))


def _from_row(row: dict[str, Any]) -> ChainedEvent:
    fields = {k: row[k] for k in ChainedEvent.__dataclass_fields__}
    fields["details"] = fields["details"] or {}
    return ChainedEvent(**fields)


async def verify() -> ChainReport:
    """Recompute the whole chain. Reads every event at once: to stream in batches when
    trails grow past a few hundred thousand events."""
    head = await AuditHead.select().where(AuditHead.id == 1).first()
    head_seq = head["last_seq"] if head else 0
    head_hash = head["last_hash"] if head else GENESIS
    rows = await AuditEvent.select().order_by(AuditEvent.seq).output(load_json=True)
    return verify_chain([_from_row(r) for r in rows], head_seq, head_hash)
