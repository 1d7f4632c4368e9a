"""Declaration of the meetings feature (réunions)."""

from __future__ import annotations

from typing import Any

from service.feature import Feature
from service.reunions.tables import TABLES


def _routes() -> list[Any]:
    from service.reunions.api import handlers

    return handlers()


FEATURE = Feature(
    name="reunions",
    tables=TABLES,
    routes=_routes,
    cli_modules=("service.reunions.cli",),
    scope_modules=("service.reunions.scopes",),
)
