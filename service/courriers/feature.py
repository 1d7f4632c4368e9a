"""Declaration of the letters feature (courriers): letter templates, the letters of a
draw's round, and the residents' online reply page."""

from __future__ import annotations

from typing import Any

from service.courriers.tables import TABLES
from service.feature import Feature


def _routes() -> list[Any]:
    from service.courriers.api import API_CONTROLLERS
    from service.courriers.pages import PAGE_CONTROLLERS

    return [*API_CONTROLLERS, *PAGE_CONTROLLERS]


FEATURE = Feature(
    name="courriers",
    tables=TABLES,
    routes=_routes,
    cli_modules=("service.courriers.cli",),
)
