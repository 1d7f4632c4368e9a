"""Route handlers of the feature modules (registers, draws, documents, composition…).

Each feature appends its controllers here so ``create_app`` stays the single place the
app is assembled, without importing every feature by name."""

from __future__ import annotations

from typing import Any

from service.feature import Feature


def declared() -> list[Feature]:
    """Features written in the feature-package shape (service/<feature>/feature.py),
    listed explicitly: one import and one list entry per feature."""
    from service.formations.feature import FEATURE as formations
    from service.indicateurs.feature import FEATURE as indicateurs
    from service.outbox.feature import FEATURE as outbox
    from service.registre.feature import FEATURE as registre
    from service.reunions.feature import FEATURE as reunions
    from service.reunions.feature_convocations import FEATURE as convocations

    features: list[Feature] = [outbox, reunions, convocations, formations, indicateurs, registre]
    return features


def route_handlers() -> list[Any]:
    handlers: list[Any] = []
    import importlib

    for feature in declared():
        for mod in feature.scope_modules:
            importlib.import_module(mod)
        if feature.routes is not None:
            handlers += feature.routes()
    from service.web.pages_candidatures import feature_handlers as candidatures_handlers

    handlers += candidatures_handlers()  # applications and composition
    from service.api import tirage as api_tirage
    from service.web import tirage as web_tirage

    handlers += [*api_tirage.HANDLERS, *web_tirage.HANDLERS]
    from service.api.documents import DOCUMENT_API_CONTROLLERS
    from service.web.pages_documents import DOCUMENT_PAGE_CONTROLLERS

    handlers += [*DOCUMENT_API_CONTROLLERS, *DOCUMENT_PAGE_CONTROLLERS]
    return handlers


def lifespans() -> list[Any]:
    """Background tasks living as long as the app: ``(app) -> async context manager``."""
    tasks: list[Any] = []
    for feature in declared():
        tasks += list(feature.lifespans)
    return tasks


def cli_modules() -> list[str]:
    return [m for feature in declared() for m in feature.cli_modules]


def scope_modules() -> list[str]:
    return [m for feature in declared() for m in feature.scope_modules]


def tables() -> list[type]:
    return [t for feature in declared() for t in feature.tables]
