"""The accounts' declaration (service/feature.py): accounts, roles, sessions, API
tokens, invitations, login attempts."""

from __future__ import annotations

from typing import Any

from domain.i18n import N_
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
    cli=("service.comptes.cli",),
    flash_messages={
        "accord-enregistre": N_("Accord de votre fonction enregistré."),
        "compte-active": N_("Compte activé : vous pouvez vous connecter."),
        "deconnecte": N_("Vous êtes déconnecté."),
        "installe": N_("Compte administrateur créé : connectez-vous."),
        "jeton-revoque": N_("Jeton révoqué."),
        "mot-de-passe-change": N_("Mot de passe changé. Vos autres sessions ont été fermées."),
    },
)
