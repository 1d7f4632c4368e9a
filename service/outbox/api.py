"""The outbox of a council over the API: what was sent, what waits, what failed."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get
from pydantic import BaseModel

from domain.access import Action
from service.http.auth import allow
from service.http.common import ctx_of
from service.outbox.model import OutboxEntry, state_label
from service.outbox.smtp import smtp_target
from service.outbox.usecases.enqueue import list_for_council

_ADDRESS = re.compile(r"[^\s<>@]+@[^\s<>@]+")


def without_addresses(text: str) -> str:
    """A server's answer with any e-mail address in it blanked."""
    return _ADDRESS.sub("…", text)


class AttachmentOut(BaseModel):
    filename: str
    content_type: str
    size: int


class CourrielOut(BaseModel):
    id: int
    kind: str
    ref: str
    objet: str
    pieces_jointes: list[AttachmentOut]
    etat: str
    etat_libelle: str
    tentatives: int
    prochaine_tentative: datetime | None
    reponse_serveur: str
    envoye_le: datetime | None
    sha256: str
    message_id: str
    cree_le: datetime


def courriel_out(entry: OutboxEntry, *, smtp_configured: bool) -> CourrielOut:
    return CourrielOut(
        id=entry.id,
        kind=entry.kind,
        ref=entry.ref,
        objet=entry.subject,
        pieces_jointes=[AttachmentOut(filename=a.filename, content_type=a.content_type, size=a.size) for a in entry.attachments],
        etat=entry.state,
        etat_libelle=state_label(entry.state, smtp_configured=smtp_configured),
        tentatives=entry.attempts,
        prochaine_tentative=entry.next_attempt_at if entry.state == "en_attente" else None,
        reponse_serveur=without_addresses(entry.last_error),
        envoye_le=entry.sent_at,
        sha256=entry.sha256,
        message_id=entry.message_id,
        cree_le=entry.created_at,
    )


class OutboxController(Controller):
    path = "/api/v1/conseils/{council_id:int}/courriels"
    tags = ["Courriels"]

    @get(
        "/",
        operation_id="listCouncilMails",
        summary="Courriels du conseil et leur état d'envoi",
        description="En attente, en cours d'envoi, envoyés (avec l'empreinte SHA-256 de ce qui a été remis au serveur) "
        "ou en échec (avec la réponse du serveur). Ni le texte ni l'adresse des destinataires.",
        opt=allow(Action.MANAGE_MEETINGS, scope="council_id"),
    )
    async def list_mails(self, request: Request[Any, Any, Any], council_id: int, etat: str | None = None, limite: int = 200) -> list[CourrielOut]:
        ctx = ctx_of(request)
        configured = smtp_target(ctx.settings.smtp_url) is not None
        entries = await list_for_council(ctx.db, council_id, state=etat, limit=max(1, min(limite, 1000)))
        return [courriel_out(e, smtp_configured=configured) for e in entries]


HANDLERS: list[Any] = [OutboxController]
