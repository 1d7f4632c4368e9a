"""Where the training feature's resources live, for the access guard: a training, its
sessions and enrolments belong to a territory (no council), so council roles reach them
only through the council routes."""

from __future__ import annotations

from domain.access import ResourceScope
from domain.errors import NotFound
from domain.i18n import _
from service.formations.tables import Formation, Inscription, Seance
from service.http.auth import scope_resolver
from service.organisation.store import OrganisationStore


async def _territory(territory_id: int) -> ResourceScope:
    s = await OrganisationStore().territory_scope(territory_id)
    if s is None:
        raise NotFound(_("Territoire introuvable."))
    return ResourceScope(str(s.territory_id), s.departement, None)


@scope_resolver("formation_id")
async def formation_scope(formation_id: int) -> ResourceScope:
    row = await Formation.select(Formation.territory).where(Formation.id == formation_id).first()
    if not row:
        raise NotFound(_("Formation introuvable."))
    return await _territory(row["territory"])


@scope_resolver("seance_id")
async def seance_scope(seance_id: int) -> ResourceScope:
    row = await Seance.select(Seance.formation._.territory.as_alias("territory")).where(Seance.id == seance_id).first()
    if not row:
        raise NotFound(_("Séance introuvable."))
    return await _territory(row["territory"])


@scope_resolver("inscription_id")
async def inscription_scope(inscription_id: int) -> ResourceScope:
    row = await Inscription.select(Inscription.seance._.formation._.territory.as_alias("territory")).where(
        Inscription.id == inscription_id).first()
    if not row:
        raise NotFound(_("Inscription introuvable."))
    return await _territory(row["territory"])
