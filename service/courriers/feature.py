"""Declaration of the letters feature (courriers): letter templates, the letters of a
draw's round, and the residents' online reply page."""

from __future__ import annotations

from typing import Any

from domain.access import Action
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
    cli_modules=("service.courriers.cli",),
    council_sections=(
        CouncilSection("Courriers aux habitants tirés au sort", [("Modèle de la lettre et aperçu", "/conseils/{id}/lettre")], Action.RUN_DRAW),
    ),
)
