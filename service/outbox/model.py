"""What features hand to the outbox and what they read back (contract A)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.i18n import _

# Row states, in the order a mail goes through them.
EN_ATTENTE = "en_attente"  # waiting to be sent (first try or after a failed one)
ENVOI = "envoi"  # claimed by a sender; its lease says until when
ENVOYE = "envoye"  # accepted by the SMTP server
ECHEC = "echec"  # given up after the last attempt (retry by hand)
STATES = (EN_ATTENTE, ENVOI, ENVOYE, ECHEC)


def state_label(state: str, *, smtp_configured: bool = True) -> str:
    """The French label a person reads for a state (never the internal code)."""
    if state == EN_ATTENTE and not smtp_configured:
        return _("en attente (aucun serveur de courriel configuré)")
    return {
        EN_ATTENTE: _("en attente"),
        ENVOI: _("envoi en cours"),
        ENVOYE: _("envoyé"),
        ECHEC: _("échec"),
    }.get(state, state)


@dataclass(frozen=True)
class Attachment:
    filename: str  # "convocation-2026-03-12.pdf"
    content_type: str  # "application/pdf", "text/calendar; method=REQUEST"
    data: bytes


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    body: str  # plain text, French
    attachments: tuple[Attachment, ...] = ()
    kind: str = ""  # "convocation", "candidature.accuse", "formation.invitation" …
    ref: str = ""  # what it announces, e.g. "convocation:42" (lookup key for status)
    council_id: int | None = None
    territory_id: int | None = None


@dataclass(frozen=True)
class MailStatus:
    ref: str
    state: str  # en_attente | envoi | envoye | echec
    attempts: int
    last_error: str
    sent_at: datetime | None
    sha256: str
    label: str  # French, for people


@dataclass(frozen=True)
class AttachmentInfo:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class MailHeader:
    """Which mail: its row, what it announces (kind and reference), whose it is, to whom."""

    id: int
    kind: str
    ref: str
    council_id: int | None
    territory_id: int | None
    recipient: str


@dataclass(frozen=True)
class OutboxEntry(MailHeader):
    """One row as the lead sees it: no body, the address only where the caller asks."""

    subject: str
    attachments: tuple[AttachmentInfo, ...]
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    sent_at: datetime | None
    sha256: str
    message_id: str
    created_at: datetime


@dataclass(frozen=True)
class ClaimedMail(MailHeader):
    """What a sender needs to hand one message to the SMTP server."""

    message: bytes  # RFC 5322 message built at enqueue time, without its From line
    message_id: str
    attempts: int
