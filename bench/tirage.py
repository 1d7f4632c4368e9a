"""Draw service benchmarks: from "entropy entered" to the ranking stored in the database,
through the use case (``service.tirage.usecases.ceremony.rank_draw``): reading and re-hashing the
frozen pool file, parsing it, computing every ticket, sorting, walking the households,
compressing the ranking and the versioned write with its audit event.

Pools: 2 sexes × 5 sub-areas with households, from the fixed seed of ``bench.draw``.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.draw import synthetic_pool
from bench.registry import bench

DICE = "3 6 1 4 4 2 5 1 6 2 3 3 5 4 1 2 6 6 5 1"
PG_URL = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


async def _run(n: int, engine: str) -> tuple[float, int, str]:
    from domain.draw import plan as draw_plan
    from service import audit
    from service.audit import Actor
    from service.context import AppContext
    from service.db.engine import bind_engine, make_engine
    from service.db.migrate import upgrade
    from service.db.pgadmin import create_scratch_database, drop_database
    from service.organisation import usecases as org
    from service.settings import load_settings
    from service.tirage.usecases import ceremony
    from service.tirage.usecases.pools import PoolItem, create_pool

    tmp = Path(tempfile.mkdtemp(prefix="bench-tirage-"))
    env = {"CONSEIL_VAR_DIR": str(tmp), "SECRET_KEY": "banc-" + "x" * 40}
    dbname = None
    if engine == "postgres":
        env["DATABASE_URL"], dbname = await create_scratch_database(PG_URL, "bench_tirage")
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    settings = load_settings(env)
    db = bind_engine(make_engine(settings))
    await db.start()
    try:
        await upgrade(db.engine)
        await audit.ensure_head()
        ctx = AppContext(settings=settings, db=db)
        actor = Actor.system("banc d'essai")
        terr = await org.create_territory(
            ctx, actor, org.TerritoryInput(name="Territoire banc", departement="37")
        )
        qpv = await org.create_qpv(
            ctx, actor, terr.id, org.QpvInput(code="QN03701M", name="Quartier banc")
        )
        council = await org.create_council(
            ctx, actor, terr.id, org.CouncilInput(name="Conseil banc", qpv_ids=(qpv.id,))
        )
        items = [PoolItem(k, s, h, "resident", i) for i, (k, s, h) in enumerate(synthetic_pool(n))]
        pool = await create_pool(ctx, actor, council.id, items)
        del items
        # The pool is built long before a public session: let the database settle the
        # million-row load (statistics, checkpoint) outside the measured span.
        if engine == "postgres":
            await db.engine.run_ddl("VACUUM (ANALYZE) vivier_entree")
            await db.engine.run_ddl("CHECKPOINT")
        else:
            await db.engine.run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")
        d = await ceremony.prepare_draw(ctx, actor, council.id, pool["id"], draw_plan.PlanInput(seats=20))
        await ceremony.commit_draw(ctx, actor, council.id, d["id"])
        await ceremony.enter_entropy(ctx, actor, council.id, d["id"], DICE)
        t0 = time.perf_counter()
        done = await ceremony.rank_draw(ctx, actor, council.id, d["id"])
        elapsed = time.perf_counter() - t0
        assert done["status"] == "ranked"
        ranked = sum(done["ranked_counts"].values())
        note = (
            f"rank_draw de bout en bout ({engine}) : {ranked} classés, {done['skipped_count']} écartés "
            f"(un par foyer), blob {done['ranking_digest'][:8]}…"
        )
        return elapsed, n, note
    finally:
        await db.stop()
        if dbname:
            await drop_database(PG_URL, dbname)


def _bench(n: int, engine: str) -> tuple[float, int, str]:
    return asyncio.run(_run(n, engine))


@bench("draw.rank.2k.sqlite")
def rank_2k() -> tuple[float, int, str]:
    return _bench(2_000, "sqlite")


@bench("draw.rank.200k.sqlite")
def rank_200k() -> tuple[float, int, str]:
    return _bench(200_000, "sqlite")


@bench("draw.rank.1m.sqlite")
def rank_1m_sqlite() -> tuple[float, int, str]:
    return _bench(1_000_000, "sqlite")


@bench("draw.rank.1m.postgres")
def rank_1m_postgres() -> tuple[float, int, str]:
    return _bench(1_000_000, "postgres")


_: Any = None
