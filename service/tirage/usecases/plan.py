"""Planning a draw: the pool it runs on, checked to be the frozen one, and the plan the
service would commit for the lead's choices (``domain.draw.plan.plan_for``)."""

from __future__ import annotations

import asyncio
from collections import Counter
from types import MappingProxyType
from typing import Any

from domain.draw import protocol as proto
from domain.draw.plan import PlanInput, plan_for
from domain.errors import NotFound, RuleBroken
from domain.i18n import _
from service.tirage.store import PoolRow
from service.tirage.usecases.common import DrawUnitOfWork, unit_of_work


async def council_pool(uow: DrawUnitOfWork, pool_id: int, council_id: int) -> PoolRow:
    row = await uow.pools.pool(pool_id)
    if row is None or row.council_id != int(council_id):
        raise NotFound(_("Liste (vivier) introuvable pour ce conseil."), field="pool_id")
    return row


async def propose_plan(council_id: int, pool_id: int, data: PlanInput, *,
                       uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """The plan the service would commit for this pool and these choices (for the form)."""
    pool = await council_pool(unit_of_work(uow), pool_id, council_id)
    return plan_for(pool.strata_counts, data)


async def frozen_pool(uow: DrawUnitOfWork, pool_id: int, expected_digest: str) -> proto.Pool:
    """The pool file, parsed, after checking its bytes still hash to the digest."""
    found = await uow.pools.content(pool_id)
    if found is None:
        raise NotFound(_("Liste (vivier) introuvable."))
    content, stored_digest = found
    digest = await asyncio.to_thread(proto.pool_digest, content)  # hashlib releases the GIL
    if digest != expected_digest or digest != stored_digest:
        raise RuleBroken(
            _("La liste a changé depuis sa préparation (son empreinte ne correspond plus) : le tirage ne peut pas se faire sur cette liste."),
            code="liste-modifiee",
            field="pool",
        )
    return await asyncio.to_thread(trusted_pool, content, digest)


def trusted_pool(content: bytes, digest: str) -> proto.Pool:
    """The pool from bytes that hash to the digest of a file ``parse_pool`` validated when
    the pool was created: the fields are split without re-validating every line (the
    regular-expression pass costs a quarter of a 1M ranking)."""
    text = content.decode("utf-8")
    fields = text.replace("\n", "\t").split("\t")
    keys = tuple(fields[0:-1:3])
    strata = tuple(fields[1::3])
    households = tuple(fields[2::3])
    del fields
    counts = Counter(strata)
    return proto.Pool(
        keys=keys,
        strata=strata,
        households=households,
        digest=digest,
        strata_counts=MappingProxyType(dict(sorted(counts.items()))),
    )
