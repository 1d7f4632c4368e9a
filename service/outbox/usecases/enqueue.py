"""Writing a mail into the outbox, and reading its state back.

``enqueue`` builds the whole RFC 5322 message at once (Date and Message-ID fixed now,
attachments inside), so each attempt hands the server the same bytes; only the From line,
taken from ``MAIL_FROM`` when sending, is prepended by the sender."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime

from domain.errors import InvalidState, NotFound
from domain.i18n import _
from service.db.engine import Database
from service.outbox.model import AttachmentInfo, MailStatus, OutboxEntry, OutgoingMail, state_label
from service.outbox.smtp import smtp_target
from service.outbox.store import OutboxStore
from service.settings import Settings

MESSAGE_ID_DOMAIN = "conseil-citoyen"


class OutsideTransaction(RuntimeError):
    """``enqueue`` was called without an open transaction (a programming error)."""


def _content_type(value: str) -> tuple[str, str, dict[str, str]]:
    head, *params = [p.strip() for p in value.split(";")]
    maintype, _slash, subtype = head.partition("/")
    extra: dict[str, str] = {}
    for param in params:
        key, _eq, val = param.partition("=")
        if key:
            extra[key.strip().lower()] = val.strip().strip('"')
    return (maintype or "application").lower(), (subtype or "octet-stream").lower(), extra


def build_message(mail: OutgoingMail, *, now: datetime, message_id: str) -> bytes:
    """The message without its From line, CRLF line ends as SMTP wants them."""
    # An address with accents cannot be encoded in an ASCII header: such a message is
    # written in UTF-8 and sent with SMTPUTF8.
    policy = SMTP if mail.to.isascii() else SMTPUTF8
    msg = EmailMessage(policy=policy)
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    msg.set_content(mail.body)
    for att in mail.attachments:
        maintype, subtype, params = _content_type(att.content_type)
        # Every attachment, text ones included, is carried as bytes (base64), so a
        # calendar's CRLFs and a PDF's bytes arrive untouched.
        msg.add_attachment(att.data, maintype=maintype, subtype=subtype, filename=att.filename, params=params)
    return msg.as_bytes(policy=policy)


async def enqueue(db: Database, mail: OutgoingMail, *, now: datetime) -> int:
    """Write one outbox row INSIDE the caller's open transaction (raise if none is open),
    so the mail is committed with what it announces, or not at all. Returns the outbox
    id. Nothing is sent here."""
    if db.engine.current_transaction.get() is None:
        raise OutsideTransaction("enqueue must run inside the caller's transaction")
    message_id = f"<{uuid.uuid4().hex}@{MESSAGE_ID_DOMAIN}>"
    message = build_message(mail, now=now, message_id=message_id)
    return await OutboxStore(db).insert(
        kind=mail.kind,
        ref=mail.ref,
        council_id=mail.council_id,
        territory_id=mail.territory_id,
        recipient=mail.to,
        subject=mail.subject,
        body=mail.body,
        attachments=[AttachmentInfo(a.filename, a.content_type, len(a.data)) for a in mail.attachments],
        message=message,
        message_id=message_id,
        now=now,
    )


def smtp_configured(settings: Settings) -> bool:
    """Whether mails can leave at all (pages say « aucun serveur de courriel configuré »)."""
    return smtp_target(settings.smtp_url) is not None


def _status(entry: OutboxEntry, smtp_configured: bool) -> MailStatus:
    return MailStatus(
        ref=entry.ref,
        state=entry.state,
        attempts=entry.attempts,
        last_error=entry.last_error,
        sent_at=entry.sent_at,
        sha256=entry.sha256,
        label=state_label(entry.state, smtp_configured=smtp_configured),
    )


async def statuses(db: Database, refs: Sequence[str], *, smtp_configured: bool = True) -> dict[str, MailStatus]:
    """Latest state per ref (refs never enqueued are absent). ``smtp_configured=False``
    makes the label of waiting mails say no server is configured."""
    latest = await OutboxStore(db).latest_by_ref(refs)
    return {ref: _status(entry, smtp_configured) for ref, entry in latest.items()}


async def list_for_council(db: Database, council_id: int | None, *, state: str | None = None, limit: int = 500) -> list[OutboxEntry]:
    return await OutboxStore(db).list_entries(council_id=council_id, state=state, limit=limit)


async def retry(db: Database, mail_id: int, *, now: datetime) -> OutboxEntry:
    """Put a mail that failed back in line at once, with its attempts reset."""
    store = OutboxStore(db)
    entry = await store.retry(mail_id, now)
    if entry is None:
        if await store.get(mail_id) is None:
            raise NotFound(_("Courriel introuvable."))
        raise InvalidState(_("Ce courriel est déjà envoyé ou en cours d'envoi."), code="courriel-non-relancable")
    return entry
