"""The outbox table. The whole RFC 5322 message (attachments included) is built once at
enqueue time and kept in ``message``, so every attempt hands the same bytes to the
server and the SHA-256 recorded at sending is that of what was written."""

from __future__ import annotations

from piccolo.columns import JSON, Bytea, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxMail(Table, tablename="courriel_sortant"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    kind = Varchar(length=60, default="")
    reference = Varchar(length=200, default="", index=True)
    council_id = Integer(null=True, default=None, index=True)
    territory_id = Integer(null=True, default=None)
    recipient = Varchar(length=320, default="")
    subject = Text(default="")
    body = Text(default="")
    attachments = JSON(default=[])
    """[{filename, content_type, size}] — the bytes are inside ``message``."""
    message = Bytea(default=b"")
    message_id = Varchar(length=255, default="")
    state = Varchar(length=20, default="en_attente", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    claimed_by = Varchar(length=120, default="")
    lease_until = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    sent_at = Timestamptz(null=True, default=None)
    sha256 = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())


TABLES: list[type[Table]] = [OutboxMail]
