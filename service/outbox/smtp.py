"""The one SMTP client of the service (standard library ``smtplib``), synchronous: the
sender runs it in a worker thread (``asyncio.to_thread``).

``SMTP_URL`` (service/settings.py): ``smtp://user:password@host:587`` (STARTTLS when the
server offers it), ``smtps://…:465`` (TLS from the start) or empty (nothing is sent).
Error texts keep the server's answer (code and message) and never the recipient list.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

log = logging.getLogger("conseil.outbox")

TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    tls: bool  # implicit TLS (smtps)
    user: str
    password: str


def smtp_target(url: str) -> SmtpTarget | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        log.warning("SMTP_URL ignorée : schéma attendu smtp:// ou smtps://")
        return None
    tls = parts.scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if tls else 25),
        tls=tls,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def from_line(mail_from: str) -> bytes:
    """The From header as the bytes prepended to a stored message."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = mail_from  # encoded words for a display name with accents
    return msg.as_bytes().split(b"\r\n\r\n", 1)[0] + b"\r\n"


def envelope_sender(mail_from: str) -> str:
    return parseaddr(mail_from)[1] or mail_from


class SendFailed(Exception):
    """The message was not accepted. ``answer`` is what the server said (or why no
    server could be reached); ``connection_lost`` means the next message cannot use this
    connection either."""

    def __init__(self, answer: str, *, connection_lost: bool) -> None:
        super().__init__(answer)
        self.answer = answer
        self.connection_lost = connection_lost


def _answer(code: int, msg: bytes | str) -> str:
    text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
    return f"{code} {text}".strip()


class SmtpConnection:
    """One connection reused for a batch, opened on first use and after a failure."""

    def __init__(self, target: SmtpTarget, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.target = target
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        t = self.target
        context = ssl.create_default_context()
        s: smtplib.SMTP
        if t.tls:
            s = smtplib.SMTP_SSL(t.host, t.port, timeout=self.timeout, context=context)
        else:
            s = smtplib.SMTP(t.host, t.port, timeout=self.timeout)
            s.ehlo()
            if s.has_extn("starttls"):
                s.starttls(context=context)
                s.ehlo()
        if t.user:
            s.login(t.user, t.password)
        return s

    def send(self, sender: str, recipient: str, data: bytes) -> None:
        """Hand ``data`` to the server for ``recipient``; returns once it is accepted."""
        try:
            if self._smtp is None:
                self._smtp = self._open()
            # An address with accents needs the server's SMTPUTF8 extension (RFC 6531).
            options = [] if recipient.isascii() else ["SMTPUTF8"]
            self._smtp.sendmail(sender, [recipient], data, mail_options=options)
        except smtplib.SMTPNotSupportedError as exc:
            self.close()
            raise SendFailed("le serveur n'accepte pas les adresses accentuées (SMTPUTF8)", connection_lost=False) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            answers = [_answer(code, msg) for code, msg in exc.recipients.values()]
            self.close()
            raise SendFailed("; ".join(answers) or "destinataire refusé", connection_lost=False) from exc
        except smtplib.SMTPServerDisconnected as exc:
            self.close()
            raise SendFailed(f"connexion interrompue par le serveur ({exc})", connection_lost=True) from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise SendFailed(_answer(exc.smtp_code, exc.smtp_error), connection_lost=False) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise SendFailed(f"serveur de courriel injoignable ({type(exc).__name__}: {exc})", connection_lost=True) from exc

    def close(self) -> None:
        s, self._smtp = self._smtp, None
        if s is None:
            return
        try:
            s.quit()
        except (OSError, smtplib.SMTPException):
            s.close()
