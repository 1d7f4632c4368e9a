"""Response models of the audit trail's API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from domain.audit import ChainedEvent, ChainReport


class AuditEventOut(BaseModel):
    seq: int
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    subject_type: str
    subject_id: str
    territory_id: int | None
    council_id: int | None
    details: dict[str, Any]
    payload_digest: str
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, e: ChainedEvent) -> AuditEventOut:
        return cls(seq=e.seq, at=e.at, actor_id=e.actor_id, actor_label=e.actor_label, action=e.action,
                   subject_type=e.subject_type, subject_id=e.subject_id, territory_id=e.territory_id,
                   council_id=e.council_id, details=dict(e.details), payload_digest=e.payload_digest,
                   prev_hash=e.prev_hash, hash=e.hash)


class ChainReportOut(BaseModel):
    ok: bool
    checked: int
    first_broken_seq: int | None
    message: str

    @classmethod
    def of(cls, r: ChainReport) -> ChainReportOut:
        return cls(ok=r.ok, checked=r.checked, first_broken_seq=r.first_broken_seq, message=r.message)
