"""The indicators feature's declaration (service/feature.py): no table of its own; it
reads the other features' facts."""

from __future__ import annotations

from typing import Any

from service.feature import Feature


def _routes() -> list[Any]:
    from service.indicateurs.api import API_CONTROLLERS
    from service.indicateurs.pages import PAGE_CONTROLLERS

    return [*API_CONTROLLERS, *PAGE_CONTROLLERS]


FEATURE = Feature(name="indicateurs", routes=_routes, cli_modules=("service.indicateurs.cli",))
