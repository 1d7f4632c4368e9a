"""The one declaration a feature package makes (DESIGN.md §2).

A feature package ``service/<feature>/`` exposes ``FEATURE = Feature(...)`` in its
``feature.py``; ``service/features.py`` lists the declared features explicitly and the app,
the CLI and Piccolo read them from there. Routes and CLI modules are named lazily so that
importing a declaration stays cheap (the domain's unit tests never import the service).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.types import ControllerRouterHandler

# A background task living as long as the app: entered at start-up, left at shutdown.
Lifespan = Callable[["Litestar"], AbstractAsyncContextManager[None]]


@dataclass(frozen=True)
class CouncilSection:
    """A block of links the feature adds to the council page, shown to whoever may do
    ``action`` on the council. Hrefs carry ``{id}`` for the council; titles and labels are
    French and go through the catalogue when the page is drawn."""

    title: str
    links: Sequence[tuple[str, str]]  # (label, href pattern)
    action: Any  # domain.access.Action (the declaration stays free of domain imports)


@dataclass(frozen=True)
class SubjectOwner:
    """The feature that owns the people behind pool keys of one subject type (see
    service/organisation/subjects.py): "module:function" of its loader and, where it keeps
    retention state, of the hook told when a draw selects some of them."""

    subject_type: str
    loader: str
    selection_hook: str = ""


@dataclass(frozen=True)
class Feature:
    name: str
    # Piccolo tables of the feature (migrations live in migrations/).
    tables: Sequence[type] = ()
    # () -> route handlers (controllers, routers); called once by create_app.
    routes: Callable[[], Sequence[ControllerRouterHandler]] | None = None
    # Modules whose import registers ``conseil …`` sub-commands (service.cli.register).
    cli: Sequence[str] = ()
    # Modules whose import registers scope resolvers (service.http.auth.scope_resolver).
    scope_resolvers: Sequence[str] = ()
    # Background tasks living as long as the app.
    background_tasks: Sequence[Lifespan] = field(default_factory=tuple)
    # (mail kind, "module:function"): ``async function(ref, sent_at, sha256)`` run by the
    # outbox in the transaction that records a mail of that kind as sent.
    mail_sent_hooks: Sequence[tuple[str, str]] = ()
    # "module:function": ``async function(ctx, membre_id) -> list[CalendarEvent]`` adding a
    # member's events (e.g. training sessions) to their personal calendar feed.
    member_calendar: Sequence[str] = ()
    # The feature's blocks of links on the council page (the declared order is the page's).
    council_sections: Sequence[CouncilSection] = ()
    # The subject types whose people the feature owns (register persons, applications).
    subject_loaders: Sequence[SubjectOwner] = ()
    # The confirmations its pages show after an action: ``?ok=<key>`` on the page the
    # action redirects to shows the French text (marked with ``N_``, translated when shown).
    # Keys are one namespace across features (service.features.flash_messages).
    flash_messages: Mapping[str, str] = field(default_factory=dict)
