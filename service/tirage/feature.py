"""The draw's declaration (service/feature.py): pools (viviers), draws by lot, their
rounds, replies, seats and public record."""

from __future__ import annotations

from typing import Any

from domain.access import Action
from service.feature import CouncilSection, Feature
from service.tirage.tables import TABLES


def _routes() -> list[Any]:
    from service.tirage.api import API_CONTROLLERS
    from service.tirage.pages import PAGE_CONTROLLERS
    from service.tirage.pages_records import PAGE_CONTROLLERS as RECORD_PAGES

    return [*API_CONTROLLERS, *PAGE_CONTROLLERS, *RECORD_PAGES]


FEATURE = Feature(
    name="tirage",
    tables=TABLES,
    routes=_routes,
    cli_modules=("service.tirage.cli",),
    scope_modules=("service.tirage.scopes",),
    council_sections=(
        CouncilSection("Tirage au sort", [("Tirages au sort du conseil", "/conseils/{id}/tirages")], Action.READ_DRAW_PUBLIC),
    ),
)
