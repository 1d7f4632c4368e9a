"""The training feature's declaration (service/feature.py)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from domain.access import Action
from domain.i18n import N_
from service.feature import CouncilSection, Feature
from service.formations.tables import TABLES

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.types import ControllerRouterHandler


def _routes() -> list[ControllerRouterHandler]:
    from service.formations.api import API_CONTROLLERS
    from service.formations.pages import PAGE_CONTROLLERS

    return [*API_CONTROLLERS, *PAGE_CONTROLLERS]


def _reminders(app: Litestar) -> AbstractAsyncContextManager[None]:
    from service.formations.reminders import reminders_lifespan

    return reminders_lifespan(app)


FEATURE = Feature(
    name="formations",
    tables=TABLES,
    routes=_routes,
    cli=("service.formations.cli",),
    scope_resolvers=("service.formations.scopes",),
    background_tasks=(_reminders,),
    member_calendar=("service.formations.calendar:member_sessions",),
    council_sections=(
        CouncilSection(N_("Formations"), [(N_("Programme de formation et inscriptions"), "/conseils/{id}/formations")], Action.READ_TRAININGS),
    ),
)
