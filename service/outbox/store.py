"""The only code querying the outbox table. Engine differences live here: the claim is
one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`` on PostgreSQL, the same
statement without row locks inside SQLite's IMMEDIATE transaction (which already holds
the one write lock, so two claims run one after the other)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from service.db.engine import Database
from service.outbox.model import (
    ECHEC,
    EN_ATTENTE,
    ENVOI,
    ENVOYE,
    AttachmentInfo,
    ClaimedMail,
    MailHeader,
    OutboxEntry,
)
from service.outbox.tables import OutboxMail

_CLAIM_SQL = (
    "UPDATE courriel_sortant SET state = 'envoi', claimed_by = {}, lease_until = {}, "
    "attempts = attempts + 1 "
    "WHERE id IN (SELECT id FROM courriel_sortant "
    "WHERE (state = 'en_attente' AND next_attempt_at <= {}) "
    "OR (state = 'envoi' AND lease_until < {}) "
    "ORDER BY id LIMIT {}%s) RETURNING id"
)


def _header(row: dict[str, Any]) -> dict[str, Any]:
    """A row's MailHeader fields as keyword arguments, for OutboxEntry and ClaimedMail
    alike (the table says ``reference`` for ``ref``)."""
    return vars(MailHeader(id=int(row["id"]), kind=row["kind"], ref=row["reference"], council_id=row["council_id"],
                           territory_id=row["territory_id"], recipient=row["recipient"]))


def _entry(row: dict[str, Any]) -> OutboxEntry:
    return OutboxEntry(
        **_header(row),
        subject=row["subject"],
        attachments=tuple(
            AttachmentInfo(a["filename"], a["content_type"], int(a["size"])) for a in (row["attachments"] or [])
        ),
        state=row["state"],
        attempts=int(row["attempts"]),
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        sent_at=row["sent_at"],
        sha256=row["sha256"],
        message_id=row["message_id"],
        created_at=row["created_at"],
    )


_ENTRY_COLUMNS = [c for c in OutboxMail._meta.columns if c._meta.name not in ("message", "body")]


class OutboxStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def insert(
        self,
        *,
        kind: str,
        ref: str,
        council_id: int | None,
        territory_id: int | None,
        recipient: str,
        subject: str,
        body: str,
        attachments: Sequence[AttachmentInfo],
        message: bytes,
        message_id: str,
        now: datetime,
    ) -> int:
        rows = await OutboxMail.insert(
            OutboxMail(
                kind=kind,
                reference=ref,
                council_id=council_id,
                territory_id=territory_id,
                recipient=recipient,
                subject=subject,
                body=body,
                attachments=[{"filename": a.filename, "content_type": a.content_type, "size": a.size} for a in attachments],
                message=message,
                message_id=message_id,
                state=EN_ATTENTE,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        ).returning(OutboxMail.id)
        return int(rows[0]["id"])

    async def claim(self, batch: int, worker_id: str, now: datetime, lease: timedelta) -> list[ClaimedMail]:
        """Take up to ``batch`` due rows for ``worker_id`` until ``now + lease``: rows
        waiting whose time has come, and rows whose sender's lease ran out (it died)."""
        sql = _CLAIM_SQL % ("" if self.db.is_sqlite else " FOR UPDATE SKIP LOCKED")
        async with self.db.transaction():
            claimed = await OutboxMail.raw(sql, worker_id, now + lease, now, now, batch)
            ids = [int(r["id"]) for r in claimed]
            if not ids:
                return []
            rows = await OutboxMail.select(
                OutboxMail.id,
                OutboxMail.kind,
                OutboxMail.reference,
                OutboxMail.council_id,
                OutboxMail.territory_id,
                OutboxMail.recipient,
                OutboxMail.message,
                OutboxMail.message_id,
                OutboxMail.attempts,
            ).where(OutboxMail.id.is_in(ids)).order_by(OutboxMail.id)
        return [
            ClaimedMail(
                **_header(r),
                message=bytes(r["message"]),
                message_id=r["message_id"],
                attempts=int(r["attempts"]),
            )
            for r in rows
        ]

    async def mark_sent(self, mail_id: int, worker_id: str, *, sent_at: datetime, sha256: str) -> bool:
        """Record the server's acceptance; must run in the caller's transaction (with the
        audit event). False if the row was not ours any more."""
        rows = await OutboxMail.update(
            {
                OutboxMail.state: ENVOYE,
                OutboxMail.sent_at: sent_at,
                OutboxMail.sha256: sha256,
                OutboxMail.lease_until: None,
                OutboxMail.last_error: "",
            }
        ).where((OutboxMail.id == mail_id) & (OutboxMail.state == ENVOI) & (OutboxMail.claimed_by == worker_id)).returning(
            OutboxMail.id
        )
        return bool(rows)

    async def mark_failed(self, mail_id: int, worker_id: str, *, error: str, retry_at: datetime | None) -> None:
        """Back to waiting until ``retry_at``, or ``echec`` when ``retry_at`` is None."""
        async with self.db.transaction():
            await OutboxMail.update(
                {
                    OutboxMail.state: EN_ATTENTE if retry_at is not None else ECHEC,
                    OutboxMail.last_error: error[:2000],
                    OutboxMail.lease_until: None,
                    **({OutboxMail.next_attempt_at: retry_at} if retry_at is not None else {}),
                }
            ).where((OutboxMail.id == mail_id) & (OutboxMail.state == ENVOI) & (OutboxMail.claimed_by == worker_id))

    async def release(self, mail_id: int, worker_id: str) -> None:
        """Give back a claimed row not tried (the lease was about to end): the attempt
        it was charged is returned."""
        async with self.db.transaction():
            await OutboxMail.update(
                {OutboxMail.state: EN_ATTENTE, OutboxMail.lease_until: None, OutboxMail.attempts: OutboxMail.attempts - 1}
            ).where((OutboxMail.id == mail_id) & (OutboxMail.state == ENVOI) & (OutboxMail.claimed_by == worker_id))

    async def retry(self, mail_id: int, now: datetime) -> OutboxEntry | None:
        """Put a row in ``echec`` (or waiting) back in line now, attempts reset."""
        async with self.db.transaction():
            rows = await OutboxMail.update(
                {OutboxMail.state: EN_ATTENTE, OutboxMail.attempts: 0, OutboxMail.next_attempt_at: now, OutboxMail.lease_until: None}
            ).where((OutboxMail.id == mail_id) & (OutboxMail.state.is_in([ECHEC, EN_ATTENTE]))).returning(OutboxMail.id)
            if not rows:
                return None
            return await self.get(mail_id)

    async def get(self, mail_id: int) -> OutboxEntry | None:
        row = await OutboxMail.select(*_ENTRY_COLUMNS).where(OutboxMail.id == mail_id).first().output(load_json=True)
        return _entry(row) if row else None

    async def latest_by_ref(self, refs: Sequence[str]) -> dict[str, OutboxEntry]:
        if not refs:
            return {}
        rows = await OutboxMail.select(*_ENTRY_COLUMNS).where(OutboxMail.reference.is_in(list(refs))).order_by(OutboxMail.id).output(load_json=True)
        latest: dict[str, OutboxEntry] = {}
        for row in rows:
            latest[row["reference"]] = _entry(row)  # later ids overwrite earlier ones
        return latest

    async def list_entries(self, *, council_id: int | None = None, state: str | None = None, limit: int = 500) -> list[OutboxEntry]:
        q = OutboxMail.select(*_ENTRY_COLUMNS)
        if council_id is not None:
            q = q.where(OutboxMail.council_id == council_id)
        if state is not None:
            q = q.where(OutboxMail.state == state)
        rows = await q.order_by(OutboxMail.id, ascending=False).limit(limit).output(load_json=True)
        return [_entry(r) for r in rows]

    async def forget_sent(self, before: datetime) -> int:
        """Blank the address, text and message of mails sent before ``before``; what
        proves the sending (time, SHA-256, Message-ID, subject) stays."""
        async with self.db.transaction():
            rows = await OutboxMail.update({OutboxMail.recipient: "", OutboxMail.body: "", OutboxMail.message: b""}).where(
                (OutboxMail.state == ENVOYE) & (OutboxMail.sent_at < before) & (OutboxMail.recipient != "")
            ).returning(OutboxMail.id)
        return len(rows)

    async def message(self, mail_id: int) -> bytes | None:
        row = await OutboxMail.select(OutboxMail.message).where(OutboxMail.id == mail_id).first()
        return bytes(row["message"]) if row else None
