"""Pools (viviers): the frozen, pseudonymous input of a draw (cc-draw/1 §2).

A pool is written once and never changed: its bytes are what a commitment's
``pool_digest`` is computed over. Registers (residents) and applications (volunteers)
both end here, so the draw takes any pool.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from domain.draw.protocol import pool_digest, serialise_pool
from domain.errors import InvalidInput, NotFound
from domain.i18n import _
from service.audit import Actor
from service.context import AppContext
from service.tirage.store import NewPool, PoolMemberRow
from service.tirage.usecases.common import DrawUnitOfWork, unit_of_work

POOL_KINDS = ("residents", "volontaires")


def new_key() -> str:
    """A random opaque key (protocol §2: never derived from a name, a date or an address):
    16 characters of ``[A-Za-z0-9_-]``, 96 bits."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class PoolItem:
    key: str
    stratum: str
    household: str
    subject_type: str = "resident"
    subject_id: int | None = None


async def create_pool(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    items: Sequence[PoolItem],
    *,
    kind: str = "residents",
    label: str = "",
    reference_date: str = "",
    stratification: dict[str, Any] | None = None,
    uow: DrawUnitOfWork | None = None,
) -> dict[str, Any]:
    """Freeze ``items`` into a pool file and store it with its members, audited."""
    uow = unit_of_work(uow, ctx.db)
    if kind not in POOL_KINDS:
        raise InvalidInput(_("Type de vivier inconnu : {kind}.").format(kind=kind), field="kind")
    if not items:
        raise InvalidInput(
            _("Le vivier est vide : aucune personne éligible."), code="vivier-vide", field="pool"
        )
    content = serialise_pool((i.key, i.stratum, i.household) for i in items)
    digest = pool_digest(content)
    counts = dict(sorted(Counter(i.stratum for i in items).items()))
    now = ctx.now()
    async with uow.transaction():
        council = await uow.draws.council(council_id)
        pool_id = await uow.pools.create_pool(
            NewPool(council_id=council_id, kind=kind, label=label, reference_date=reference_date,
                    stratification=stratification or {}, digest=digest, size=len(items), strata_counts=counts,
                    content=content, created_by=actor.id, created_at=now),
            [PoolMemberRow(i.key, i.stratum, i.household, i.subject_type, i.subject_id) for i in items],
        )
        await uow.audit.record(
            actor=actor, action="vivier.creation", subject_type="vivier", subject_id=pool_id, at=now,
            territory_id=council.territory_id, council_id=council_id,
            details={"kind": kind, "digest": digest, "size": len(items), "strata_counts": counts},
        )
    return await get_pool(pool_id, uow=uow)


async def get_pool(pool_id: int, *, uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """The pool's description (not its content)."""
    row = await unit_of_work(uow).pools.pool(pool_id)
    if row is None:
        raise NotFound(_("Vivier introuvable."))
    return row.as_dict()


async def list_pools(council_id: int, kind: str | None = None, *, uow: DrawUnitOfWork | None = None) -> list[dict[str, Any]]:
    return [p.as_dict() for p in await unit_of_work(uow).pools.pools(council_id, kind)]


async def household_set_aside(pool_id: int, *, uow: DrawUnitOfWork | None = None) -> int:
    """How many people "one person per household" sets aside from this pool: everyone
    after the first of each household (an empty household key groups nobody)."""
    grouped = [h for h in await unit_of_work(uow).pools.households(pool_id) if h]
    return len(grouped) - len(set(grouped))


async def pool_file(pool_id: int, *, uow: DrawUnitOfWork | None = None) -> bytes:
    """The exact pool file bytes (for the auditor's independent check)."""
    found = await unit_of_work(uow).pools.content(pool_id)
    if found is None:
        raise NotFound(_("Vivier introuvable."))
    return found[0]


async def members_by_key(pool_id: int, keys: Sequence[str], *, uow: DrawUnitOfWork | None = None) -> dict[str, dict[str, Any]]:
    """Map pool keys to their members' subject links (to reach names for letters)."""
    if not keys:
        return {}
    return {k: asdict(m) for k, m in (await unit_of_work(uow).pools.members(pool_id, keys)).items()}
