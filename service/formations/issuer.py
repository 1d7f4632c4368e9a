"""Who signs the training documents: the territory, for the councils of the training."""

from __future__ import annotations

from domain.i18n import _
from service.formations.documents import Issuer
from service.formations.store import TrainingRow
from service.organisation import usecases as organisation


async def issuer_of(training: TrainingRow) -> Issuer:
    territory = await organisation.get_territory(training.territory_id)
    names = []
    for cid in training.council_ids:
        council = await organisation.get_council(cid)
        names.append(council.name)
    councils = ", ".join(names)
    return Issuer(
        organisation=territory.name,
        councils=(_("Conseil citoyen : {noms}") if len(names) == 1 else _("Conseils citoyens : {noms}")).format(noms=councils)
        if names else "",
    )
