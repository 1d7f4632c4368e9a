"""The one declaration a feature package makes (DESIGN.md §2).

A feature package ``service/<feature>/`` exposes ``FEATURE = Feature(...)`` in its
``feature.py``; ``service/features.py`` lists the declared features explicitly and the app,
the CLI and Piccolo read them from there. Routes and CLI modules are named lazily so that
importing a declaration stays cheap (the domain's unit tests never import the service).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.types import ControllerRouterHandler

# A background task living as long as the app: entered at start-up, left at shutdown.
Lifespan = Callable[["Litestar"], AbstractAsyncContextManager[None]]


@dataclass(frozen=True)
class Feature:
    name: str
    # Piccolo tables of the feature (migrations live in migrations/).
    tables: Sequence[type] = ()
    # () -> route handlers (controllers, routers); called once by create_app.
    routes: Callable[[], Sequence[ControllerRouterHandler]] | None = None
    # Modules whose import registers ``conseil …`` sub-commands (service.cli.register).
    cli_modules: Sequence[str] = ()
    # Modules whose import registers scope resolvers (service.auth.scope_resolver).
    scope_modules: Sequence[str] = ()
    # Background tasks living as long as the app.
    lifespans: Sequence[Lifespan] = field(default_factory=tuple)
    # (mail kind, "module:function"): ``async function(ref, sent_at, sha256)`` run by the
    # outbox in the transaction that records a mail of that kind as sent.
    mail_sent_hooks: Sequence[tuple[str, str]] = ()
    # "module:function": ``async function(ctx, membre_id) -> list[CalendarEvent]`` adding a
    # member's events (e.g. training sessions) to their personal calendar feed.
    member_calendar: Sequence[str] = ()
