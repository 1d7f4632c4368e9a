"""The draw's declaration (service/feature.py): pools (viviers), draws by lot, their
rounds, replies, seats and public record."""

from __future__ import annotations

from typing import Any

from domain.access import Action
from domain.i18n import N_
from service.feature import CouncilSection, Feature
from service.tirage.tables import TABLES


def _routes() -> list[Any]:
    from service.tirage.api import API_CONTROLLERS
    from service.tirage.pages import PAGE_CONTROLLERS
    from service.tirage.pages_records import PAGE_CONTROLLERS as RECORD_PAGES

    return [*API_CONTROLLERS, *PAGE_CONTROLLERS, *RECORD_PAGES]


FEATURE = Feature(
    name="tirage",
    tables=TABLES,
    routes=_routes,
    cli=("service.tirage.cli",),
    scope_resolvers=("service.tirage.scopes",),
    council_sections=(
        CouncilSection(N_("Tirage au sort"), [(N_("Tirages au sort du conseil"), "/conseils/{id}/tirages")], Action.READ_DRAW_PUBLIC),
    ),
    flash_messages={
        "reponse-enregistree": N_("Réponse enregistrée."),
        "reponses-importees": N_("Réponses importées."),
        "seance-enregistree": N_("Informations de séance enregistrées."),
        "siege-libere": N_("Départ enregistré : le siège revient au premier suppléant de la strate."),
        "tirage-abandonne": N_("Tirage abandonné ; il reste dans le journal."),
        "tirage-classe": N_("Classement établi."),
        "tirage-engage": N_("Engagement publié : la liste et le plan sont figés."),
        "tirage-prepare": N_("Tirage préparé : vérifiez le plan puis publiez l'engagement."),
        "tour-clos": N_("Tour clos : les invitations sans réponse sont marquées « sans réponse »."),
        "tour-ouvert": N_("Tour d'invitations ouvert."),
    },
)
