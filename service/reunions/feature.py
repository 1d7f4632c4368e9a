"""Declaration of the meetings feature (réunions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.access import Action
from domain.i18n import N_
from service.feature import CouncilSection, Feature
from service.reunions.tables import TABLES

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler


def _routes() -> list[ControllerRouterHandler]:
    from service.reunions.api import handlers
    from service.reunions.pages import page_handlers

    return [*handlers(), *page_handlers()]


FEATURE = Feature(
    name="reunions",
    tables=TABLES,
    routes=_routes,
    cli=("service.reunions.cli",),
    scope_resolvers=("service.reunions.scopes",),
    council_sections=(
        CouncilSection(N_("Réunions"), [
            (N_("Réunions, ordres du jour, convocations et comptes rendus"), "/conseils/{id}/reunions/gestion"),
            (N_("Page publique des réunions"), "/conseils/{id}/reunions"),
        ], Action.READ_MEETINGS),
    ),
    flash_messages={
        "agenda-renouvele": N_("Nouvelle adresse d'agenda créée ; l'ancienne ne fonctionne plus."),
        "agenda-revoque": N_("Adresse d'agenda révoquée."),
        "convocations-envoyees": N_("Convocations enregistrées : les courriels partent en arrière-plan."),
        "convocations-postees": N_("Lot papier marqué comme posté aujourd'hui."),
        "cr-adopte": N_("Compte rendu adopté."),
        "cr-cree": N_("Brouillon du compte rendu rédigé à partir de l'ordre du jour."),
        "cr-enregistre": N_("Brouillon enregistré."),
        "cr-publie": N_("Compte rendu publié sur la page publique."),
        "cr-version": N_("Nouvelle version créée et publiée ; l'ancienne reste lisible."),
        "decision": N_("Décision enregistrée."),
        "emargement-clos": N_("Émargement clos."),
        "piece-jointe": N_("Document joint."),
        "point-ajoute": N_("Point ajouté à l'ordre du jour."),
        "point-deplace": N_("Ordre du jour réordonné."),
        "point-modifie": N_("Point modifié."),
        "point-supprime": N_("Point supprimé."),
        "pouvoir": N_("Pouvoir enregistré."),
        "presence": N_("Présence enregistrée."),
        "proposition-acceptee": N_("Proposition inscrite à l'ordre du jour."),
        "proposition-envoyee": N_("Proposition envoyée au secrétariat."),
        "proposition-refusee": N_("Proposition refusée ; le membre verra le motif."),
        "question-enregistree": N_("Question enregistrée."),
        "question-repondue": N_("Réponse enregistrée : elle est publiée avec la question."),
        "reunion-annulee": N_("Réunion annulée."),
        "reunion-creee": N_("Réunion créée : composez son ordre du jour."),
        "reunion-modifiee": N_("Réunion modifiée."),
        "reunion-reportee": N_("Réunion reportée : voici la nouvelle réunion, à convoquer."),
        "seconde-creee": N_("Seconde réunion prévue : convoquez-la."),
    },
)
