"""Use cases of the organisation, by activity: territories and QPV (territories),
councils (councils), the lead's workflow on the council page (journey).

Other features read the organisation through these names
(``from service.organisation import usecases as org``)."""

from service.organisation.usecases.councils import (
    CouncilInput,
    CouncilUpdate,
    council_name,
    create_council,
    get_council,
    list_councils,
    update_council,
)
from service.organisation.usecases.territories import (
    QpvInput,
    TerritoryInput,
    archive,
    create_qpv,
    create_territory,
    get_qpv,
    get_territory,
    list_qpvs,
    list_territories,
    restore,
    update_qpv,
    update_territory,
)

__all__ = [
    "CouncilInput", "CouncilUpdate", "QpvInput", "TerritoryInput", "archive", "council_name", "create_council",
    "create_qpv", "create_territory", "get_council", "get_qpv", "get_territory", "list_councils", "list_qpvs",
    "list_territories", "restore", "update_council", "update_qpv", "update_territory",
]
