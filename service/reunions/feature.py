"""Declaration of the meetings feature (réunions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.access import Action
from service.feature import CouncilSection, Feature
from service.reunions.tables import TABLES

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler


def _routes() -> list[ControllerRouterHandler]:
    from service.reunions.api import handlers
    from service.reunions.pages import page_handlers

    return [*handlers(), *page_handlers()]


FEATURE = Feature(
    name="reunions",
    tables=TABLES,
    routes=_routes,
    cli_modules=("service.reunions.cli",),
    scope_modules=("service.reunions.scopes",),
    council_sections=(
        CouncilSection("Réunions", [
            ("Réunions, ordres du jour, convocations et comptes rendus", "/conseils/{id}/reunions/gestion"),
            ("Page publique des réunions", "/conseils/{id}/reunions"),
        ], Action.READ_MEETINGS),
    ),
)
