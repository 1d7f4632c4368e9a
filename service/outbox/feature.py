"""The outbox's one declaration (service/feature.py)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from service.feature import Feature
from service.outbox.tables import TABLES

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.types import ControllerRouterHandler


def _routes() -> list[ControllerRouterHandler]:
    from service.outbox.api import HANDLERS

    return list(HANDLERS)


def _sender(app: Litestar) -> AbstractAsyncContextManager[None]:
    from service.outbox.usecases.sending import sender_lifespan

    return sender_lifespan(app)


FEATURE = Feature(
    name="outbox",
    tables=TABLES,
    routes=_routes,
    cli=("service.outbox.cli",),
    background_tasks=(_sender,),
)
