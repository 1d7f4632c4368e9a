"""The organisation's declaration (service/feature.py): territories, QPV, councils."""

from __future__ import annotations

from typing import Any

from domain.i18n import N_
from service.feature import Feature
from service.organisation.tables import TABLES


def _routes() -> list[Any]:
    from service.organisation.api import API_CONTROLLERS
    from service.organisation.pages import PAGE_CONTROLLERS

    return [*API_CONTROLLERS, *PAGE_CONTROLLERS]


FEATURE = Feature(
    name="organisation",
    tables=TABLES,
    routes=_routes,
    cli=("service.organisation.cli",),
    scope_resolvers=("service.organisation.scopes",),
    flash_messages={
        "archive": N_("Archivé. L'historique reste consultable."),
        "conseil-cree": N_("Conseil citoyen créé."),
        "conseil-modifie": N_("Réglages enregistrés."),
        "qpv-ajoute": N_("Quartier ajouté."),
        "restaure": N_("Restauré : de nouveau modifiable et présent dans les listes."),
        "territoire-cree": N_("Territoire créé."),
    },
)
