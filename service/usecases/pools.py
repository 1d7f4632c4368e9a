"""Pools: the frozen, pseudonymous input of a draw (cc-draw/1 §2).

A pool is written once and never changed: its bytes are what a commitment's
``pool_digest`` is computed over. Registers (residents) and applications (volunteers)
both end here, so the draw takes any pool.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.access import ResourceScope
from domain.draw.protocol import pool_digest, serialise_pool
from domain.errors import InvalidInput, NotFound
from domain.i18n import _
from service import audit
from service.audit import Actor
from service.auth import scope_resolver
from service.context import AppContext
from service.db.bulk import bulk_insert
from service.db.tables import Pool, PoolMember
from service.organisation.scopes import council_scope
from service.organisation.tables import Council

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
) -> dict[str, Any]:
    """Freeze ``items`` into a pool file and store it with its members, audited."""
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
    async with ctx.db.transaction():
        council = await Council.select(Council.id, Council.territory).where(Council.id == council_id).first()
        if council is None:
            raise NotFound(_("Conseil citoyen introuvable."))
        row = (
            await Pool.insert(
                Pool(
                    council=council_id,
                    kind=kind,
                    label=label,
                    reference_date=reference_date,
                    stratification=stratification or {},
                    digest=digest,
                    size=len(items),
                    strata_counts=counts,
                    content=content,
                    created_by=actor.id,
                    created_at=now,
                )
            ).returning(Pool.id)
        )[0]
        pool_id = int(row["id"])
        await bulk_insert(
            ctx.db,
            PoolMember._meta.tablename,
            ["pool", "key", "stratum", "household", "subject_type", "subject_id"],
            [(pool_id, i.key, i.stratum, i.household, i.subject_type, i.subject_id) for i in items],
        )
        await audit.record(
            ctx.db,
            actor=actor,
            action="vivier.creation",
            subject_type="vivier",
            subject_id=pool_id,
            at=now,
            territory_id=int(council["territory"]),
            council_id=council_id,
            details={"kind": kind, "digest": digest, "size": len(items), "strata_counts": counts},
        )
    return await get_pool(pool_id)


_INFO_COLUMNS = (
    Pool.id,
    Pool.council,
    Pool.kind,
    Pool.label,
    Pool.reference_date,
    Pool.stratification,
    Pool.digest,
    Pool.size,
    Pool.strata_counts,
    Pool.created_by,
    Pool.created_at,
)


async def get_pool(pool_id: int) -> dict[str, Any]:
    """The pool's description (not its content)."""
    row = await Pool.select(*_INFO_COLUMNS).where(Pool.id == pool_id).output(load_json=True).first()
    if row is None:
        raise NotFound(_("Vivier introuvable."))
    return dict(row)


async def list_pools(council_id: int, kind: str | None = None) -> list[dict[str, Any]]:
    q = Pool.select(*_INFO_COLUMNS).where(Pool.council == council_id)
    if kind is not None:
        q = q.where(Pool.kind == kind)
    return list(await q.order_by(Pool.id, ascending=False).output(load_json=True))


async def household_set_aside(pool_id: int) -> int:
    """How many people "one person per household" sets aside from this pool: everyone
    after the first of each household (an empty household key groups nobody)."""
    rows = await PoolMember.select(PoolMember.household).where(PoolMember.pool == pool_id)
    grouped = [r["household"] for r in rows if r["household"]]
    return len(grouped) - len(set(grouped))


async def pool_file(pool_id: int) -> bytes:
    """The exact pool file bytes (for the auditor's independent check)."""
    row = await Pool.select(Pool.content).where(Pool.id == pool_id).first()
    if row is None:
        raise NotFound(_("Vivier introuvable."))
    return bytes(row["content"])


async def members_by_key(pool_id: int, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Map pool keys to their members' subject links (to reach names for letters)."""
    if not keys:
        return {}
    rows = await PoolMember.select(
        PoolMember.key, PoolMember.stratum, PoolMember.household, PoolMember.subject_type, PoolMember.subject_id
    ).where((PoolMember.pool == pool_id) & PoolMember.key.is_in(list(keys)))
    return {r["key"]: dict(r) for r in rows}


@scope_resolver("pool_id")
async def pool_scope(pool_id: int) -> ResourceScope:
    row = await Pool.select(Pool.council).where(Pool.id == pool_id).first()
    if row is None:
        raise NotFound(_("Vivier introuvable."))
    return await council_scope(int(row["council"]))
