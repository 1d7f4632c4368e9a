"""The outbox's one declaration (service/feature.py)."""

from __future__ import annotations

from typing import Any

from service.feature import Feature
from service.outbox.tables import TABLES


def _routes() -> list[Any]:
    from service.outbox.api import HANDLERS

    return list(HANDLERS)


def _sender(app: Any) -> Any:
    from service.outbox.usecases.sending import sender_lifespan

    return sender_lifespan(app)


FEATURE = Feature(
    name="outbox",
    tables=TABLES,
    routes=_routes,
    cli_modules=("service.outbox.cli",),
    lifespans=(_sender,),
)
