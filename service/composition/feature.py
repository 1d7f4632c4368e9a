"""Declaration of the composition feature (membres)."""

from __future__ import annotations

from typing import Any

from service.composition.tables import TABLES
from service.feature import Feature


def _routes() -> list[Any]:
    from service.composition.api import API_CONTROLLERS
    from service.composition.pages import PAGE_CONTROLLERS

    return [*API_CONTROLLERS, *PAGE_CONTROLLERS]


FEATURE = Feature(name="composition", tables=TABLES, routes=_routes)
