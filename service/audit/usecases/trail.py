"""Appending to and verifying the hash-chained audit trail.

``record`` must run inside the caller's transaction, so the event and the change it
describes are committed together or not at all.
"""

from __future__ import annotations

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
from service.audit.actor import Actor
from service.audit.store import AuditStore
from service.db.engine import Database


async def ensure_head(store: AuditStore | None = None) -> None:
    await (store or AuditStore()).ensure_head()


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
    store = AuditStore(db)
    await store.ensure_head()
    key = store.key()
    if not key:
        raise RuntimeError("the audit key is missing: build the engine with service.db.engine.make_engine(settings)")
    head = await store.take_next_seq()
    payload = {
        "before": None if before is None else digest(before),
        "after": None if after is None else digest(after),
    }
    event = ChainedEvent(
        seq=head.seq,
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
        prev_hash=head.hash,
    )
    h = chain_hash(head.hash, event)
    chained = ChainedEvent(**{**event.__dict__, "hash": h, "mac": chain_mac(key, head.mac or GENESIS, h)})
    await store.append(chained)
    return chained


async def verify(db: Database | None = None) -> ChainReport:
    """Recompute the whole chain, plain then keyed."""
    store = AuditStore(db)
    head = await store.head()
    events = await store.events()
    report = verify_chain(events, head.seq if head else 0, head.hash if head else GENESIS)
    if not report.ok:
        return report
    key = store.key()
    if not key:
        return report
    return verify_macs(events, key, head.mac if head else "")


async def current_head(store: AuditStore | None = None) -> dict[str, Any]:
    """The chain's head as published on documents (a draw's public record, a composition
    report, minutes): whoever keeps it can later prove a rewrite of the trail up to it
    (``python -m domain.audit_verify export.json --tete SEQ:EMPREINTE``)."""
    head = await (store or AuditStore()).head()
    if head is None:
        return {"seq": 0, "hash": GENESIS}
    return {"seq": head.seq, "hash": head.hash}


async def export(store: AuditStore | None = None) -> dict[str, Any]:
    """The plain chain as a document anyone can verify (no seals: they need the key)."""
    store = store or AuditStore()
    head = await current_head(store)
    events = await store.events(up_to_seq=head["seq"])
    return {"format": EXPORT_FORMAT, "head": head, "events": [export_item(e) for e in events]}
