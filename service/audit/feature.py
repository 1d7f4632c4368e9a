"""The audit trail's declaration (service/feature.py)."""

from __future__ import annotations

from typing import Any

from service.audit.tables import TABLES
from service.feature import Feature


def _routes() -> list[Any]:
    from service.audit.api import API_CONTROLLERS
    from service.audit.pages import PAGE_CONTROLLERS

    return [*API_CONTROLLERS, *PAGE_CONTROLLERS]


FEATURE = Feature(
    name="audit",
    tables=TABLES,
    routes=_routes,
    cli=("service.audit.cli",),
)
