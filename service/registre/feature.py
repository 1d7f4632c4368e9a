"""The resident registers' declaration (service/feature.py)."""

from __future__ import annotations

from typing import Any

from domain.access import Action
from domain.i18n import N_
from service.feature import CouncilSection, Feature, SubjectOwner
from service.registre.purge_task import purge_lifespan
from service.registre.tables import REGISTRE_TABLES


def _routes() -> list[Any]:
    from service.registre.api import REGISTRE_API
    from service.registre.pages import REGISTRE_PAGES

    return [*REGISTRE_API, *REGISTRE_PAGES]


FEATURE = Feature(
    name="registre",
    tables=REGISTRE_TABLES,
    routes=_routes,
    cli=("service.registre.cli",),
    background_tasks=(purge_lifespan,),
    # Register people behind the residents' pools: the draw, the letters and the
    # composition reach them here; a selected person is spared by the retention purge.
    subject_loaders=(SubjectOwner("resident", "service.registre.usecases.residents:load_residents",
                           "service.registre.usecases.residents:residents_selected"),),
    council_sections=(
        CouncilSection(N_("Registre des habitants"), [
            (N_("Registre : imports et recherche"), "/conseils/{id}/registre"),
            (N_("Éligibilité"), "/conseils/{id}/registre/eligibilite"),
            (N_("Constituer le vivier du tirage"), "/conseils/{id}/registre/vivier"),
        ], Action.READ_REGISTER),
    ),
    flash_messages={
        "import-termine": N_("Import terminé : voici son rapport."),
    },
)
