"""Tables of the audit trail: the append-only, hash-chained events and their head."""

from __future__ import annotations

from piccolo.columns import JSON, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class AuditEvent(Table, tablename="journal_audit"):
    """Append-only, SHA-256 hash-chained log. ``seq`` is assigned under the head lock."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    seq = Integer(unique=True)
    at = Timestamptz()
    actor_id = Integer(null=True, default=None)
    actor_label = Varchar(length=254, default="")
    action = Varchar(length=80, index=True)
    subject_type = Varchar(length=40)
    subject_id = Varchar(length=80, default="")
    territory_id = Integer(null=True, default=None, index=True)
    council_id = Integer(null=True, default=None, index=True)
    details = JSON(default={})
    payload_digest = Varchar(length=64)
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64, unique=True)
    # HMAC chain keyed outside the database (settings.audit_key): mac = HMAC(key, prev mac LF hash).
    mac = Varchar(length=64, default="")


class AuditHead(Table, tablename="journal_audit_tete"):
    """One row; updating it serialises appends so the chain never forks."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    last_seq = Integer(default=0)
    last_hash = Varchar(length=64)
    last_mac = Varchar(length=64, default="")


TABLES: list[type[Table]] = [AuditEvent, AuditHead]
