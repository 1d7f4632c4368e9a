"""Declaration of the letters feature (courriers): letter templates, the letters of a
draw's round, and the residents' online reply page."""

from __future__ import annotations

from typing import Any

from domain.access import Action
from domain.i18n import N_
from service.courriers.tables import TABLES
from service.feature import CouncilSection, Feature


def _routes() -> list[Any]:
    from service.courriers.api import API_CONTROLLERS
    from service.courriers.pages import PAGE_CONTROLLERS

    return [*API_CONTROLLERS, *PAGE_CONTROLLERS]


FEATURE = Feature(
    name="courriers",
    tables=TABLES,
    routes=_routes,
    cli=("service.courriers.cli",),
    council_sections=(
        CouncilSection(N_("Courriers aux habitants tirés au sort"), [(N_("Modèle de la lettre et aperçu"), "/conseils/{id}/lettre")], Action.RUN_DRAW),
    ),
    flash_messages={
        "lot-demande": N_("Lot de lettres demandé : il se prépare en arrière-plan ; cette page le montre dès qu'il est prêt."),
        "modele-enregistre": N_("Modèle de lettre enregistré."),
    },
)
