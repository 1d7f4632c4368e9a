"""Writing a mail into the outbox, and reading its state back.

``enqueue`` builds the whole RFC 5322 message at once (Date and Message-ID fixed now,
attachments inside), so each attempt hands the server the same bytes; only the From line,
taken from ``MAIL_FROM`` when sending, is prepended by the sender."""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime
from email.header import Header
from email.utils import encode_rfc2231, format_datetime

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


def _header(name: str, value: str, *, utf8: bool) -> str:
    """One header line; non-ASCII text as RFC 2047 words (raw UTF-8 under SMTPUTF8)."""
    if value.isascii() or utf8:
        return f"{name}: {value}"
    return f"{name}: " + Header(value, "utf-8", header_name=name).encode(linesep="\r\n")


def _base64_lines(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")


def _param(key: str, value: str) -> str:
    if value.isascii() and '"' not in value:
        return f'{key}="{value}"'
    return f"{key}*={encode_rfc2231(value, 'utf-8')}"


def build_message(mail: OutgoingMail, *, now: datetime, message_id: str) -> bytes:
    """The message without its From line, CRLF line ends as SMTP wants them.

    Written directly as MIME (RFC 2045–2047, 2231) rather than through the standard
    ``email`` package, which spent a quarter of the time of convening 200 members on
    folding lines: the text and every attachment, text ones included, are carried in
    base64, so a calendar's CRLFs and a PDF's bytes arrive untouched. The boundary comes
    from the Message-ID, so the same mail always gives the same bytes."""
    # An address with accents cannot be encoded in an ASCII header: such a message is
    # written in UTF-8 and sent with SMTPUTF8.
    utf8 = not mail.to.isascii()
    head = [
        _header("To", mail.to, utf8=utf8),
        _header("Subject", mail.subject, utf8=utf8),
        f"Date: {format_datetime(now)}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
    ]
    text = ['Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: base64", "",
            _base64_lines(mail.body.encode("utf-8"))]
    if not mail.attachments:
        return "\r\n".join([*head, *text]).encode("utf-8")
    boundary = "=_" + hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:40]
    parts = [*head, f'Content-Type: multipart/mixed; boundary="{boundary}"', "", f"--{boundary}", *text]
    for att in mail.attachments:
        maintype, subtype, params = _content_type(att.content_type)
        extra = "".join(f"; {_param(k, v)}" for k, v in params.items())
        parts += [f"--{boundary}", f"Content-Type: {maintype}/{subtype}{extra}",
                  "Content-Transfer-Encoding: base64", f"Content-Disposition: attachment; {_param('filename', att.filename)}", "",
                  _base64_lines(att.data)]
    parts += [f"--{boundary}--", ""]
    return "\r\n".join(parts).encode("utf-8")


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
