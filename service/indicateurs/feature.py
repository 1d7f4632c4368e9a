"""The indicators feature's declaration (service/feature.py): no table of its own; it
reads the other features' facts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.access import Action
from domain.i18n import N_
from service.feature import CouncilSection, Feature

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler


def _routes() -> list[ControllerRouterHandler]:
    from service.indicateurs.api import API_CONTROLLERS
    from service.indicateurs.pages import PAGE_CONTROLLERS

    return [*API_CONTROLLERS, *PAGE_CONTROLLERS]


FEATURE = Feature(
    name="indicateurs",
    routes=_routes,
    cli=("service.indicateurs.cli",),
    council_sections=(
        CouncilSection(N_("Indicateurs"), [(N_("Indicateurs du contrat de ville"), "/conseils/{id}/indicateurs")], Action.READ_INDICATORS),
    ),
)
