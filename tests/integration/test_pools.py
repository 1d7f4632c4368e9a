"""Pools on both engines: the stored bytes are the pool file, members bulk-loaded in the
same transaction, and a failure leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World

pytestmark = pytest.mark.anyio


async def test_create_pool_stores_exact_file_members_and_audit(ctx: Any, world: World) -> None:
    from domain.draw.protocol import parse_pool
    from service.audit import Actor
    from service.audit.tables import AuditEvent
    from service.tirage.tables import PoolMember
    from service.tirage.usecases.pools import PoolItem, create_pool, members_by_key, new_key, pool_file

    items = [PoolItem(new_key(), "F" if i % 2 else "M", f"h{i // 3}", "resident", i) for i in range(50)]
    info = await create_pool(ctx, Actor(world.ids["lead_a"], "lead"), world.ids["council_a"], items, label="test")
    data = await pool_file(info["id"])
    pool = parse_pool(data, digest=info["digest"])
    assert pool.size == 50 == info["size"]
    assert info["strata_counts"] == {"F": 25, "M": 25}
    assert await PoolMember.count().where(PoolMember.pool == info["id"]) == 50
    found = await members_by_key(info["id"], [items[7].key, "inconnu-123"])
    assert list(found) == [items[7].key] and found[items[7].key]["subject_id"] == 7
    event = await AuditEvent.select().where(AuditEvent.action == "vivier.creation").first()
    assert event is not None and event["subject_id"] == str(info["id"])


async def test_failed_pool_leaves_nothing(ctx: Any, world: World) -> None:
    from domain.errors import InvalidInput
    from service.audit import Actor
    from service.audit.tables import AuditEvent
    from service.tirage.tables import Pool, PoolMember
    from service.tirage.usecases.pools import PoolItem, create_pool

    duplicate = [PoolItem("cle-double-1", "F", ""), PoolItem("cle-double-1", "M", "")]
    with pytest.raises(InvalidInput):
        await create_pool(ctx, Actor.system(), world.ids["council_a"], duplicate)
    with pytest.raises(InvalidInput) as empty:
        await create_pool(ctx, Actor.system(), world.ids["council_a"], [])
    assert empty.value.code == "vivier-vide"
    assert await Pool.count() == 0 and await PoolMember.count() == 0
    assert await AuditEvent.count().where(AuditEvent.action == "vivier.creation") == 0


async def test_bulk_insert_rolls_back_with_the_transaction(ctx: Any, world: World) -> None:
    from service.db.bulk import bulk_insert
    from service.tirage.tables import Pool, PoolMember

    pool_id = (await Pool.insert(Pool(council=world.ids["council_a"], digest="x" * 64)).returning(Pool.id))[0]["id"]
    with pytest.raises(RuntimeError):
        async with ctx.db.transaction():
            await bulk_insert(ctx.db, "vivier_entree", ["pool", "key", "stratum", "household", "subject_type", "subject_id"],
                              [(pool_id, f"key-{i:06d}", "F", "", "resident", None) for i in range(1000)])
            assert await PoolMember.count() == 1000
            raise RuntimeError("boom")
    assert await PoolMember.count() == 0
