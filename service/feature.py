"""The one declaration a feature package makes (DESIGN.md §2).

A feature package ``service/<feature>/`` exposes ``FEATURE = Feature(...)`` in its
``feature.py``; ``service/features.py`` lists the declared features explicitly and the app,
the CLI and Piccolo read them from there. Routes and CLI modules are named lazily so that
importing a declaration stays cheap (the domain's unit tests never import the service).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Feature:
    name: str
    # Piccolo tables of the feature (migrations live in migrations/).
    tables: Sequence[type] = ()
    # () -> route handlers (controllers, routers); called once by create_app.
    routes: Callable[[], list[Any]] | None = None
    # Modules whose import registers ``conseil …`` sub-commands (service.cli.register).
    cli_modules: Sequence[str] = ()
    # Modules whose import registers scope resolvers (service.auth.scope_resolver).
    scope_modules: Sequence[str] = ()
    # ``(app) -> async context manager`` background tasks living as long as the app.
    lifespans: Sequence[Callable[[Any], Any]] = field(default_factory=tuple)
    # (mail kind, "module:function"): ``async function(ref, sent_at, sha256)`` run by the
    # outbox in the transaction that records a mail of that kind as sent.
    mail_sent_hooks: Sequence[tuple[str, str]] = ()
    # "module:function": ``async function(ctx, membre_id) -> list[CalendarEvent]`` adding a
    # member's events (e.g. training sessions) to their personal calendar feed.
    member_calendar: Sequence[str] = ()
