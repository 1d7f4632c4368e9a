"""Route handlers of the feature modules (registers, draws, documents, composition…).

Each feature appends its controllers here so ``create_app`` stays the single place the
app is assembled, without importing every feature by name."""

from __future__ import annotations

import functools
from typing import Any

from domain.i18n import N_
from service.feature import CouncilSection, Feature, SubjectOwner


def declared() -> list[Feature]:
    """Features written in the feature-package shape (service/<feature>/feature.py),
    listed explicitly: one import and one list entry per feature."""
    from service.audit.feature import FEATURE as audit
    from service.candidatures.feature import FEATURE as candidatures
    from service.composition.feature import FEATURE as composition
    from service.comptes.feature import FEATURE as comptes
    from service.courriers.feature import FEATURE as courriers
    from service.formations.feature import FEATURE as formations
    from service.indicateurs.feature import FEATURE as indicateurs
    from service.organisation.feature import FEATURE as organisation
    from service.outbox.feature import FEATURE as outbox
    from service.registre.feature import FEATURE as registre
    from service.reunions.feature import FEATURE as reunions
    from service.reunions.feature_convocations import FEATURE as convocations
    from service.tirage.feature import FEATURE as tirage

    features: list[Feature] = [
        organisation, comptes, audit, outbox,
        registre, tirage, courriers, candidatures, composition,  # the lead's workflow, in order
        reunions, convocations, formations, indicateurs,
    ]
    return features


def route_handlers() -> list[Any]:
    handlers: list[Any] = []
    import importlib

    for feature in declared():
        for mod in feature.scope_resolvers:
            importlib.import_module(mod)
        if feature.routes is not None:
            handlers += feature.routes()
    return handlers


def background_tasks() -> list[Any]:
    """Background tasks living as long as the app: ``(app) -> async context manager``."""
    tasks: list[Any] = []
    for feature in declared():
        tasks += list(feature.background_tasks)
    return tasks


def subject_owners() -> dict[str, SubjectOwner]:
    """Who owns each subject type, from the declarations (one owner per type)."""
    owners: dict[str, SubjectOwner] = {}
    for feature in declared():
        for owner in feature.subject_loaders:
            if owner.subject_type in owners:
                raise RuntimeError(f"two features own the subject type {owner.subject_type!r}")
            owners[owner.subject_type] = owner
    return owners


def council_sections() -> list[CouncilSection]:
    """The council page's blocks of links, feature by feature in the declared order."""
    return [s for feature in declared() for s in feature.council_sections]


@functools.cache
def flash_messages() -> dict[str, str]:
    """Every confirmation a page may show (``?ok=<key>``), from the declarations; a key
    declared twice is an error, not a page showing another feature's text."""
    messages = dict(SHARED_FLASH)
    for feature in declared():
        for key, text in feature.flash_messages.items():
            if key in messages:
                raise RuntimeError(f"the page message {key!r} is declared twice")
            messages[key] = text
    return messages


# The one confirmation every feature's forms use.
SHARED_FLASH = {"enregistre": N_("Modifications enregistrées.")}


def cli_modules() -> list[str]:
    return [m for feature in declared() for m in feature.cli]


def scope_modules() -> list[str]:
    return [m for feature in declared() for m in feature.scope_resolvers]


def tables() -> list[type]:
    return [t for feature in declared() for t in feature.tables]
