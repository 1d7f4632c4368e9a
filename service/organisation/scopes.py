"""Where a territory, QPV or council sits, for the access guard (service/http/auth.py)."""

from __future__ import annotations

from domain.access import ResourceScope
from domain.errors import NotFound
from domain.i18n import _
from service.http.auth import scope_resolver
from service.organisation.store import OrganisationStore


@scope_resolver("territory_id")
async def territory_scope(territory_id: int) -> ResourceScope:
    s = await OrganisationStore().territory_scope(territory_id)
    if s is None:
        raise NotFound(_("Territoire introuvable."))
    return ResourceScope(str(s.territory_id), s.departement)


@scope_resolver("qpv_id")
async def qpv_scope(qpv_id: int) -> ResourceScope:
    s = await OrganisationStore().qpv_scope(qpv_id)
    if s is None:
        raise NotFound(_("Quartier prioritaire introuvable."))
    return ResourceScope(str(s.territory_id), s.departement)


@scope_resolver("council_id")
async def council_scope(council_id: int) -> ResourceScope:
    """The scope of a council; other features resolve their own ids to it."""
    s = await OrganisationStore().council_scope(council_id)
    if s is None:
        raise NotFound(_("Conseil citoyen introuvable."))
    return ResourceScope(str(s.territory_id), s.departement, str(s.council_id))
