"""Declaration of the convocations part of the meetings feature (tables, routes, CLI).

Kept apart from ``service/reunions/feature.py`` (the meetings' own declaration) so the
two can be built in parallel; the coordinator may fold it into one declaration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.feature import Feature
from service.reunions.tables_convocations import CONVOCATION_TABLES

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler


def _routes() -> list[ControllerRouterHandler]:
    from service.reunions.api_convocations import HANDLERS
    from service.reunions.pages_convocations import PAGES

    return [*HANDLERS, *PAGES]


FEATURE = Feature(
    name="convocations",
    tables=CONVOCATION_TABLES,
    routes=_routes,
    cli=("service.reunions.cli_convocations",),
)
