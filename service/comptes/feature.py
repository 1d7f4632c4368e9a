"""The accounts' declaration (service/feature.py): accounts, roles, sessions, API
tokens, invitations, login attempts."""

from __future__ import annotations

from typing import Any

from service.comptes.tables import TABLES
from service.feature import Feature


def _routes() -> list[Any]:
    from service.comptes.api import API_CONTROLLERS
    from service.comptes.pages import PAGE_CONTROLLERS

    return [*API_CONTROLLERS, *PAGE_CONTROLLERS]


FEATURE = Feature(
    name="comptes",
    tables=TABLES,
    routes=_routes,
    cli_modules=("service.comptes.cli",),
)
