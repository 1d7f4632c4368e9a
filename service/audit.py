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

from domain.audit import (
    EXPORT_FORMAT,
    GENESIS,
    ChainedEvent,
    ChainReport,
    chain_hash,
    chain_mac,
    digest,
    export_item,
    verify_chain,
    verify_macs,
)
from service.db.engine import Database, audit_key_of
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
    key = _key(db)
    rows = await AuditHead.raw(
        "UPDATE journal_audit_tete SET last_seq = last_seq + 1 WHERE id = 1 "
        "RETURNING last_seq, last_hash, last_mac"
    )
    seq, prev_hash = int(rows[0]["last_seq"]), str(rows[0]["last_hash"])
    prev_mac = str(rows[0]["last_mac"] or "") or GENESIS
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
    mac = chain_mac(key, prev_mac, h)
    row = {**event.__dict__, "hash": h, "mac": mac}
    await AuditEvent.insert(AuditEvent(**row))
    await AuditHead.update({AuditHead.last_hash: h, AuditHead.last_mac: mac}).where(AuditHead.id == 1)
    return ChainedEvent(**row)


def _key(db: Database) -> bytes:
    key = audit_key_of(db.engine)
    if not key:
        raise RuntimeError("the audit key is missing: build the engine with service.db.engine.make_engine(settings)")
    return bytes(key)


def _from_row(row: dict[str, Any]) -> ChainedEvent:
    fields = {k: row[k] for k in ChainedEvent.__dataclass_fields__}
    fields["details"] = fields["details"] or {}
    return ChainedEvent(**fields)


async def verify(db: Database | None = None) -> ChainReport:
    """Recompute the whole chain, plain then keyed. Reads every event at once: to stream
    in batches when trails grow past a few hundred thousand events."""
    head = await AuditHead.select().where(AuditHead.id == 1).first()
    head_seq = head["last_seq"] if head else 0
    head_hash = head["last_hash"] if head else GENESIS
    rows = await AuditEvent.select().order_by(AuditEvent.seq).output(load_json=True)
    events = [_from_row(r) for r in rows]
    report = verify_chain(events, head_seq, head_hash)
    if not report.ok:
        return report
    engine = db.engine if db is not None else AuditEvent._meta.db
    key = audit_key_of(engine)
    if not key:
        return report
    return verify_macs(events, bytes(key), head["last_mac"] if head else "")


async def current_head() -> dict[str, Any]:
    """The chain's head as published on documents (a draw's public record, a composition
    report, minutes): whoever keeps it can later prove a rewrite of the trail up to it
    (``python -m domain.audit_verify export.json --tete SEQ:EMPREINTE``)."""
    head = await AuditHead.select(AuditHead.last_seq, AuditHead.last_hash).where(AuditHead.id == 1).first()
    if not head:
        return {"seq": 0, "hash": GENESIS}
    return {"seq": int(head["last_seq"]), "hash": str(head["last_hash"])}


async def export() -> dict[str, Any]:
    """The plain chain as a document anyone can verify (no seals: they need the key)."""
    head = await current_head()
    rows = await AuditEvent.select().where(AuditEvent.seq <= head["seq"]).order_by(AuditEvent.seq).output(load_json=True)
    return {"format": EXPORT_FORMAT, "head": head, "events": [export_item(_from_row(r)) for r in rows]}
