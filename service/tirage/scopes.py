"""Scope resolvers of the draw's routes: a draw or a pool belongs to its council."""

from __future__ import annotations

from domain.access import ResourceScope
from domain.errors import NotFound
from domain.i18n import _
from service.http.auth import scope_resolver
from service.organisation.scopes import council_scope
from service.tirage.store import DrawStore, PoolStore


@scope_resolver("draw_id")
async def draw_scope(draw_id: int) -> ResourceScope:
    council_id = await DrawStore().council_of_draw(draw_id)
    if council_id is None:
        raise NotFound(_("Tirage introuvable."))
    return await council_scope(council_id)


@scope_resolver("pool_id")
async def pool_scope(pool_id: int) -> ResourceScope:
    row = await PoolStore().pool(pool_id)
    if row is None:
        raise NotFound(_("Vivier introuvable."))
    return await council_scope(row.council_id)
