"""The applicants' retention pass, run by the automatic purge task
(service/registre/purge_task.py) with the registers' and the letters': the same
retention rule (the council's ``conservation_jours``) covers people drawn from the lists
and people who applied. Idempotent, so every worker may run it.
"""

from __future__ import annotations

import logging

from service.audit import Actor
from service.context import AppContext

log = logging.getLogger("conseil.candidatures.purge")


async def purge_once(ctx: AppContext) -> int:
    from service.usecases.candidatures import purge_applications

    try:
        results = await purge_applications(ctx, Actor.system("purge automatique"))
    except Exception as exc:  # a failed pass must not stop the next ones
        log.error("purge des candidatures en échec : %s", type(exc).__name__)
        return 0
    return sum(r["candidatures_habitants"] + r["candidatures_structures"] for r in results)
