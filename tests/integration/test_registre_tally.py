"""The register's stored figures (``registre_effectif``): every change of the rows
rewrites them in its own transaction, the pages read them instead of counting, and the
migration counted the registers imported before the table existed (issue 14,
``http.load.import``)."""

from __future__ import annotations

import importlib
from datetime import date
from typing import Any

import pytest

from tests.conftest import SHARED, World

pytestmark = pytest.mark.anyio

SAMPLES = SHARED / "data" / "registre-exemple"
REF = date(2026, 1, 1)


def _actor(world: World) -> Any:
    from service.audit import Actor

    return Actor(world.ids["lead_a"], "lead.a@test.fr")


async def _import(ctx: Any, world: World, name: str) -> dict[str, Any]:
    from service.registre.usecases import imports as imports_uc

    return await imports_uc.import_file(ctx, _actor(world), world.ids["council_a"], SAMPLES / name, name)


async def _stored(ctx: Any, cid: int) -> tuple[int, int, int, int]:
    """The stored figures, checked against a count of the rows."""
    from service.registre.store import RegisterStore
    from service.registre.tables import RegisterTally

    row = await RegisterTally.select().where(RegisterTally.council == cid).first()
    assert row is not None, "no stored figures after a change of the register"
    counted = await RegisterStore(ctx.db).count_rows(cid)
    stored = (row["lignes"], row["personnes"], row["eligibles"], row["evalues"])
    assert stored == (counted.lignes, counted.personnes, counted.eligibles, counted.evalues)
    return stored


async def test_every_change_of_the_rows_rewrites_the_figures(ctx: Any, world: World, clock: Any) -> None:
    from service.organisation.subjects import mark_selected
    from service.registre.usecases import eligibility as eligibility_uc
    from service.registre.usecases import pairs as pairs_uc
    from service.registre.usecases import purge as purge_uc
    from service.registre.usecases import sources as sources_uc
    from service.tirage.tables import PoolMember

    cid = world.ids["council_a"]
    for name in ("perimetre.csv", "exclusions.csv"):
        await _import(ctx, world, name)
    assert (await sources_uc.register_overview(cid))["personnes"] == 0

    await _import(ctx, world, "liste_electorale.csv")  # first register: rows, then dedup
    first = await _stored(ctx, cid)
    assert first[0] > 0 and first[2:] == (0, 0)
    await _import(ctx, world, "bailleur.csv")  # a later one: dedup across, then rows
    assert await _stored(ctx, cid) == (4200, 3839, 0, 0)

    await eligibility_uc.evaluate_eligibility(ctx, _actor(world), cid, REF)
    assert await _stored(ctx, cid) == (4200, 3839, 3020, 3839)
    overview = await sources_uc.register_overview(cid)
    assert (overview["lignes"], overview["personnes"], overview["eligibles"]) == (4200, 3839, 3020)
    assert overview["evalues"] == 3839

    pairs = await pairs_uc.list_pairs(cid, open_only=True)
    await pairs_uc.decide_pair(ctx, _actor(world), cid, pairs[0]["id"], "personnes-distinctes")
    await pairs_uc.decide_pair(ctx, _actor(world), cid, pairs[1]["id"], "meme-personne")
    merged = await _stored(ctx, cid)
    assert merged[1] == 3838
    preview = await pairs_uc.preview_rule(cid)
    if preview["a_fusionner"]:
        await pairs_uc.apply_rule(ctx, _actor(world), cid, preview["a_fusionner"])
        assert (await _stored(ctx, cid))[1] == 3838 - preview["a_fusionner"]

    await eligibility_uc.build_pool(ctx, _actor(world), cid, REF)
    chosen = [r["subject_id"] for r in await PoolMember.select(PoolMember.subject_id).limit(3)]
    async with ctx.db.transaction():
        await mark_selected("resident", chosen, ctx.now())
    clock.advance(days=184)
    await purge_uc.purge(ctx, _actor(world))
    assert (await _stored(ctx, cid))[0] == 3
    assert (await sources_uc.register_overview(cid))["lignes"] == 3


async def test_pages_read_the_stored_figures_without_counting(app: Any, ctx: Any, world: World) -> None:
    from service.registre.tables import RegisterTally
    from service.registre.usecases import sources as sources_uc

    cid = world.ids["council_a"]
    await _import(ctx, world, "liste_electorale.csv")
    # A figure no count of the rows can give: the overview shows what is stored.
    await RegisterTally.update({RegisterTally.personnes: 123456}).where(RegisterTally.council == cid)
    assert (await sources_uc.register_overview(cid))["personnes"] == 123456
    # A council whose register was never imported has no stored row, and reads zeros.
    other = await sources_uc.register_overview(world.ids["council_b"])
    assert (other["lignes"], other["personnes"], other["eligibles"]) == (0, 0, 0)


async def test_the_migration_counts_registers_imported_before_it(ctx: Any, world: World) -> None:
    from service.registre.tables import RegisterTally

    cid = world.ids["council_a"]
    await _import(ctx, world, "liste_electorale.csv")
    expected = await _stored(ctx, cid)
    await RegisterTally.delete().where(RegisterTally.council == cid)

    migration = importlib.import_module("migrations.conseil_2026_12_03t16_15_30_000000")
    await (await migration.forwards()).run()
    assert await _stored(ctx, cid) == expected


async def test_rows_by_reference_for_many_pairs(ctx: Any, world: World) -> None:
    """The pairs page reads both rows of every pair by reference: a million-row register
    has some 140 pairs, and one OR per reference made a query SQLite refused (500)."""
    from service.registre.store import RegisterStore

    cid = world.ids["council_a"]
    report = await _import(ctx, world, "liste_electorale.csv")
    source = report["source_id"] if "source_id" in report else report["id"]
    refs = [f"{source}:{line}" for line in range(2, 1502)] + ["999999:2"]
    people = await RegisterStore(ctx.db).people_by_refs(cid, refs)
    assert len(people) == 1500
    assert {f"{p.source}:{p.line}" for p in people} == set(refs[:-1])
