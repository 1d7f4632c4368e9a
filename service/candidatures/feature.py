"""The applications feature's declaration (service/feature.py): calls for applications,
applications from volunteer residents and from associations/local actors, the public
application form, and the applications' retention purge (run by the automatic purge task
of service/registre/purge_task.py, with the registers' and the letters')."""

from __future__ import annotations

from typing import Any

from domain.access import Action
from domain.i18n import N_
from service.candidatures.tables import TABLES
from service.feature import CouncilSection, Feature, SubjectOwner


def _routes() -> list[Any]:
    from service.candidatures.api import API_CONTROLLERS
    from service.candidatures.pages import PAGE_CONTROLLERS

    return [*API_CONTROLLERS, *PAGE_CONTROLLERS]


FEATURE = Feature(
    name="candidatures",
    tables=TABLES,
    routes=_routes,
    cli=("service.candidatures.cli",),
    # Volunteers drawn by lot are applications: the draw and the letters reach them here.
    subject_loaders=(SubjectOwner("candidature", "service.candidatures.subjects:load_volunteers",
                           "service.candidatures.subjects:mark_volunteers_selected"),),
    council_sections=(
        CouncilSection(N_("Candidatures"), [(N_("Appels à candidatures et candidatures reçues"), "/conseils/{id}/candidatures")], Action.MANAGE_APPLICATIONS),
    ),
    flash_messages={
        "appel-cree": N_("Appel à candidatures créé."),
        "decision-enregistree": N_("Décision enregistrée."),
    },
)
