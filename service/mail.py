"""Sending e-mail with the standard library, only when a mail server is configured.

``SMTP_URL`` (service/settings.py): ``smtp://user:password@host:587`` (STARTTLS when the
server offers it), ``smtps://…:465`` (TLS from the start) or empty (nothing is sent and
nothing fails). Mails are sent in a background task after the response, so a slow or
absent server never delays or breaks a form; failures are logged without the address.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from litestar.background_tasks import BackgroundTask

from service.settings import Settings

log = logging.getLogger("conseil.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


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


def build_message(settings: Settings, mail: Mail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg.set_content(mail.body)
    return msg


# Tests replace this to capture messages instead of opening a connection.
Transport = Callable[[SmtpTarget, EmailMessage], None]


def smtp_transport(target: SmtpTarget, msg: EmailMessage) -> None:
    context = ssl.create_default_context()
    if target.tls:
        with smtplib.SMTP_SSL(target.host, target.port, timeout=15, context=context) as s:
            if target.user:
                s.login(target.user, target.password)
            s.send_message(msg)
        return
    with smtplib.SMTP(target.host, target.port, timeout=15) as s:
        s.ehlo()
        if s.has_extn("starttls"):
            s.starttls(context=context)
            s.ehlo()
        if target.user:
            s.login(target.user, target.password)
        s.send_message(msg)


TRANSPORT: list[Transport] = [smtp_transport]


def send_now(settings: Settings, mail: Mail) -> bool:
    """Send synchronously; True if handed to the server. Never raises."""
    target = smtp_target(settings.smtp_url)
    if target is None or not mail.to:
        return False
    try:
        TRANSPORT[0](target, build_message(settings, mail))
    except Exception as exc:  # a mail failure must not break what was recorded
        log.warning("courriel non envoyé (%s)", type(exc).__name__)
        return False
    return True


async def _send_in_thread(settings: Settings, mail: Mail) -> None:
    import anyio

    await anyio.to_thread.run_sync(send_now, settings, mail)


def mail_task(settings: Settings, mail: Mail | None) -> BackgroundTask | None:
    """A background task sending ``mail``, or None when no server is configured."""
    if mail is None or not mail.to or smtp_target(settings.smtp_url) is None:
        return None
    return BackgroundTask(_send_in_thread, settings, mail)
