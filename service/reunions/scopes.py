"""Scope resolvers of the meetings feature: a meeting lives in its council's scope."""

from __future__ import annotations

from domain.access import ResourceScope
from domain.errors import NotFound
from domain.i18n import _
from service.http.auth import scope_resolver
from service.organisation.scopes import council_scope
from service.reunions.tables import Reunion


@scope_resolver("reunion_id")
async def reunion_scope(reunion_id: int) -> ResourceScope:
    row = await Reunion.select(Reunion.council).where(Reunion.id == reunion_id).first()
    if row is None:
        raise NotFound(_("Réunion introuvable."), field="reunion_id")
    return await council_scope(int(row["council"]))
