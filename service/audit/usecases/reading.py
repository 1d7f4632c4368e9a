"""Reading the audit trail within the reader's perimeter."""

from __future__ import annotations

from domain.access import Action, Principal, visible_territories
from domain.audit import ChainedEvent
from service.audit.store import AuditScope, AuditStore
from service.organisation.store import OrganisationStore


async def visibility_of(principal: Principal, organisation: OrganisationStore | None = None) -> AuditScope:
    vis = visible_territories(principal, Action.READ_AUDIT_TRAIL)
    if vis.everything:
        return AuditScope(everything=True)
    ids = [int(t) for t in vis.territory_ids]
    if vis.departements:
        found = await (organisation or OrganisationStore()).territory_ids_in_departements(sorted(vis.departements))
        ids += found or [-1]
    return AuditScope(territory_ids=tuple(ids))


async def list_events(principal: Principal, limit: int = 100, before: int | None = None,
                      council_id: int | None = None, store: AuditStore | None = None) -> list[ChainedEvent]:
    """The most recent events the principal may read, newest first (at most 500)."""
    visibility = await visibility_of(principal)
    return await (store or AuditStore()).recent_events(
        visibility, limit=max(1, min(limit, 500)), before=before, council_id=council_id)
