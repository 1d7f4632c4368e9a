"""Declaration of the composition feature (membres)."""

from __future__ import annotations

from typing import Any

from domain.access import Action
from domain.i18n import N_
from service.composition.tables import TABLES
from service.feature import CouncilSection, Feature


def _routes() -> list[Any]:
    from service.composition.api import API_CONTROLLERS
    from service.composition.pages import PAGE_CONTROLLERS

    return [*API_CONTROLLERS, *PAGE_CONTROLLERS]


FEATURE = Feature(
    name="composition",
    tables=TABLES,
    routes=_routes,
    council_sections=(
        CouncilSection(N_("Composition"), [(N_("Composition, règles et parité"), "/conseils/{id}/composition")], Action.READ_COMPOSITION),
        CouncilSection(N_("Contrôle de la préfecture"), [(N_("Dossier de contrôle (composition, historique, journal)"), "/conseils/{id}/controle")],
                       Action.READ_AUDIT_TRAIL),
    ),
    flash_messages={
        "depart-enregistre": N_("Départ enregistré."),
        "membre-ajoute": N_("Membre ajouté."),
        "membre-modifie": N_("Fiche du membre enregistrée."),
        "remplacement-fait": N_("Le suppléant siège désormais comme titulaire."),
    },
)
