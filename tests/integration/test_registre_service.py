"""Register service on both engines: imports of the sample files, dedup across sources,
eligibility, pools, re-import, all-or-nothing, subjects, purge."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED, World

pytestmark = pytest.mark.anyio

SAMPLES = SHARED / "data" / "registre-exemple"
REF = date(2026, 1, 1)


def _actor(world: World) -> Any:
    from service.audit import Actor

    return Actor(world.ids["lead_a"], "lead.a@test.fr")


async def _import(ctx: Any, world: World, name: str, **opts: Any) -> dict[str, Any]:
    from service.registre.usecases import common as common_uc
    from service.registre.usecases import imports as imports_uc

    path = SAMPLES / name
    return await imports_uc.import_file(
        ctx, _actor(world), world.ids["council_a"], path, name, common_uc.ImportOptions(**opts)
    )


async def _import_all(ctx: Any, world: World) -> list[dict[str, Any]]:
    return [
        await _import(ctx, world, n)
        for n in ("perimetre.csv", "exclusions.csv", "liste_electorale.csv", "bailleur.csv")
    ]


async def test_samples_give_the_known_figures(ctx: Any, world: World, monkeypatch: Any) -> None:
    from service.audit.tables import AuditEvent
    from service.registre import store_rows
    from service.registre.tables import RegisterAmbiguousPair, RegisterPerson
    from service.registre.usecases import eligibility as eligibility_uc

    monkeypatch.setattr(store_rows, "_FETCH_BATCH", 700)  # stored rows read back in several batches

    perim, excl, liste, bailleur = await _import_all(ctx, world)
    assert perim["kind"] == "perimetre" and excl["kind"] == "exclusions"
    assert liste["kind"] == "liste" and liste["encoding"] == "cp1252" and liste["delimiter"] == ";"
    assert bailleur["kind"] == "bailleur" and bailleur["encoding"] == "utf-8-sig"
    assert liste["rows_read"] + bailleur["rows_read"] == 4200
    assert liste["rejected"] == bailleur["rejected"] == 0
    assert bailleur["rapport"]["personnes"] == 3839
    assert bailleur["rapport"]["lignes_fusionnees"] == 361
    assert bailleur["rapport"]["fusions"] == 341
    assert bailleur["rapport"]["paires_ambigues"] == 6
    cid = world.ids["council_a"]
    assert await RegisterPerson.count().where(RegisterPerson.council == cid) == 4200
    assert (
        await RegisterPerson.count().where(
            (RegisterPerson.council == cid) & (RegisterPerson.doublon_de == "")
        )
        == 3839
    )
    assert await RegisterAmbiguousPair.count() == 6
    summary = await eligibility_uc.evaluate_eligibility(ctx, _actor(world), cid, REF)
    counts = {m["code"]: m["count"] for m in summary["motifs"]}
    assert summary["eligibles"] == 3020
    assert counts["hors-perimetre"] == 592 and counts["date-naissance-inconnue"] == 154
    assert counts["age-minimum"] == 98 and counts["liste-exclusion"] == 5
    # A household is an address and a flat, or an address and a surname (not a building):
    # 1,545 households when a building without flat numbers counted as one.
    assert summary["foyers"] == 2925
    assert await RegisterPerson.count().where(RegisterPerson.eligibilite == "eligible") == 3020
    events = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.details)
        .where(AuditEvent.action.like("registre.%"))
        .output(load_json=True)
    )
    assert {e["action"] for e in events} >= {
        "registre.import.liste",
        "registre.import.bailleur",
        "registre.eligibilite",
    }
    # No name from the files in the audit trail.
    text = repr(events)
    assert "FERNANDES" not in text and "Isaac" not in text


async def test_pool_from_register(ctx: Any, world: World) -> None:
    from domain.draw.protocol import parse_pool
    from service.organisation.subjects import load_subjects
    from service.registre.usecases import eligibility as eligibility_uc
    from service.tirage.usecases import pools

    await _import_all(ctx, world)
    cid = world.ids["council_a"]
    pool = await eligibility_uc.build_pool(ctx, _actor(world), cid, REF, "sexe")
    assert pool["size"] == 3020 and set(pool["strata_counts"]) == {"F", "M"}
    data = await pools.pool_file(pool["id"])
    parsed = parse_pool(data, digest=pool["digest"])
    assert parsed.size == 3020
    text = data.decode()
    assert "FERNANDES" not in text.upper() and "VALMONT" not in text.upper()
    households = {line.split("\t")[2] for line in text.splitlines()}
    assert len(households) == 2925  # address + flat, or address + family name (1,545 by building)
    by_bureau = await eligibility_uc.build_pool(ctx, _actor(world), cid, REF, "sexe-bureau")
    assert all("/" in s for s in by_bureau["strata_counts"])
    by_age = await eligibility_uc.build_pool(
        ctx, _actor(world), cid, REF, {"mode": "sexe-age", "tranches": [30, 60]}
    )
    assert set(by_age["strata_counts"]) <= {
        "F/16-29",
        "F/30-59",
        "F/60+",
        "M/16-29",
        "M/30-59",
        "M/60+",
    }
    first_key = text.splitlines()[0].split("\t")[0]
    member = (await pools.members_by_key(pool["id"], [first_key]))[first_key]
    subjects = await load_subjects("resident", [member["subject_id"]])
    s = subjects[member["subject_id"]]
    assert s.nom and s.prenom and s.civilite in ("Madame", "Monsieur") and s.address.voie
    assert s.address.code_postal == "37990"


async def test_reimport_is_detected_and_adds_nobody(ctx: Any, world: World) -> None:
    from domain.errors import Conflict
    from service.registre.tables import RegisterPerson

    await _import(ctx, world, "liste_electorale.csv")
    before = await RegisterPerson.count()
    with pytest.raises(Conflict) as exc:
        await _import(ctx, world, "liste_electorale.csv")
    assert exc.value.code == "deja-importe"
    assert await RegisterPerson.count() == before


async def test_all_or_nothing_and_keep_valid(ctx: Any, world: World, tmp_path: Path) -> None:
    from domain.errors import InvalidInput
    from service.registre.tables import RegisterPerson, RegisterSource
    from service.registre.usecases import common as common_uc
    from service.registre.usecases import imports as imports_uc
    from service.registre.usecases import sources as sources_uc

    bad = tmp_path / "liste.csv"
    bad.write_text(
        "NomdeNaissance;NomDusage;Prenoms;Sexe;DateNaissance;Adresse1;Adresse2;CodePostal;Commune;BureauVote\n"
        "MARTIN;;Jeanne;F;12/03/1980;3 Rue des Tilleuls;;37990;VALMONT;0101\n"
        "DURAND;;Paul;M;31/02/1980;5 Rue des Tilleuls;;37990;VALMONT;0101\n"
        ";;Luc;M;01/01/1970;7 Rue des Tilleuls;;37990;VALMONT;0101\n"
        "PETIT;;Anne;X;01/01/1970;9 Rue des Tilleuls;;37990;VALMONT;0101\n"
        "ROUX;;Marc;M;01/01/1970;11 Rue des Tilleuls;;37990\n"
        '"LEROY; dit Roy";;Eve;F;02/02/1990;"13 Rue des Tilleuls; esc. B";;37990;VALMONT;0101\n',
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as exc:
        await imports_uc.import_file(ctx, _actor(world), world.ids["council_a"], bad, "liste.csv")
    errors = {(e.line, e.field): e for e in exc.value.errors}
    assert exc.value.code == "lignes-rejetees"
    assert errors[(3, "date_naissance")].code == "date-impossible"
    assert errors[(4, "nom_naissance")].code == "nom-manquant"
    assert errors[(5, "sexe")].code == "sexe-invalide"
    assert errors[(6, "ligne")].code == "nombre-colonnes"
    assert await RegisterSource.count() == 0 and await RegisterPerson.count() == 0
    report = await imports_uc.import_file(
        ctx,
        _actor(world),
        world.ids["council_a"],
        bad,
        "liste.csv",
        common_uc.ImportOptions(keep_valid=True),
    )
    assert report["imported"] == 2 and report["rejected"] == 4 and report["status"] == "partiel"
    assert [r["line"] for r in report["rejets"]] == [3, 4, 5, 6]
    people = await sources_uc.search_people(world.ids["council_a"], "leroy")
    assert people["total"] == 1 and people["items"][0]["nom"] == "LEROY; dit Roy"
    assert "esc. B" in people["items"][0]["complement"] + people["items"][0]["voie"]
    csv_bytes = await sources_uc.rejected_rows_csv(world.ids["council_a"], report["id"])
    text = csv_bytes.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("ligne;champ;motif;NomdeNaissance")
    assert "31/02/1980" in text and "date impossible" in text


async def test_unknown_header_lists_expected_columns(
    ctx: Any, world: World, tmp_path: Path
) -> None:
    from domain.errors import InvalidInput
    from service.registre.usecases import imports as imports_uc
    from service.registre.usecases import mapping as mapping_uc

    f = tmp_path / "x.csv"
    f.write_text("Truc;Machin;Chose\na;b;c\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        await imports_uc.import_file(ctx, _actor(world), world.ids["council_a"], f, "x.csv")
    assert exc.value.code == "en-tete-non-reconnu"
    assert "NomdeNaissance" in exc.value.detail
    assert "colonnes_attendues" in exc.value.extra
    preview = await mapping_uc.preview(ctx, world.ids["council_a"], f, "x.csv")
    assert preview["mapping_error"]["code"] == "en-tete-non-reconnu"
    assert preview["rows"][0] == {"line": 2, "cells": ["a", "b", "c"]}


async def test_saved_mapping_is_used_for_hand_typed_files(
    ctx: Any, world: World, tmp_path: Path
) -> None:
    from service.registre.usecases import imports as imports_uc
    from service.registre.usecases import mapping as mapping_uc

    f = tmp_path / "tableur.csv"
    f.write_text(
        "Qui;Prénom usuel;Genre2;Né;Rue;CP\nMARTIN;Jeanne;F;12/03/1980;3 Rue des Tilleuls;37990\n",
        encoding="utf-8",
    )
    mapping = {
        "nom": "Qui",
        "prenoms": "Prénom usuel",
        "sexe": "Genre2",
        "date_naissance": "Né",
        "adresse1": "Rue",
        "code_postal": "CP",
    }
    await mapping_uc.save_mapping(ctx, _actor(world), world.ids["council_a"], "Tableur mairie", mapping)
    preview = await mapping_uc.preview(ctx, world.ids["council_a"], f, "tableur.csv")
    assert preview["mapping_name"] == "Tableur mairie" and preview["mapping_error"] is None
    report = await imports_uc.import_file(ctx, _actor(world), world.ids["council_a"], f, "tableur.csv")
    assert report["imported"] == 1 and report["mapping_name"] == "Tableur mairie"


async def test_failed_import_leaves_database_as_it_was(
    ctx: Any, world: World, monkeypatch: Any
) -> None:
    from service.audit.tables import AuditEvent
    from service.registre.tables import RegisterPerson, RegisterSource
    from service.registre.usecases import merging

    events = await AuditEvent.count()

    async def boom(*a: Any, **k: Any) -> Any:
        raise RuntimeError("panne")

    monkeypatch.setattr(merging, "store_pairs", boom)
    with pytest.raises(RuntimeError):
        await _import(ctx, world, "liste_electorale.csv")
    assert await RegisterSource.count() == 0 and await RegisterPerson.count() == 0
    assert await AuditEvent.count() == events


async def test_concurrent_imports_of_the_same_file_add_it_once(ctx: Any, world: World) -> None:
    from domain.errors import Conflict
    from service.registre.tables import RegisterPerson, RegisterSource

    results = await asyncio.gather(
        *[_import(ctx, world, "bailleur.csv") for _ in range(3)], return_exceptions=True
    )
    ok = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(ok) == 1 and len(refused) == 2, results
    assert await RegisterSource.count() == 1
    assert await RegisterPerson.count() == ok[0]["imported"]


async def test_concurrent_imports_of_two_files_deduplicate_across(ctx: Any, world: World) -> None:
    from service.registre.tables import RegisterPerson

    await asyncio.gather(
        _import(ctx, world, "liste_electorale.csv"), _import(ctx, world, "bailleur.csv")
    )
    assert await RegisterPerson.count().where(RegisterPerson.doublon_de == "") == 3839


async def test_ambiguous_pair_decision_merges(ctx: Any, world: World) -> None:
    from service.registre.tables import RegisterPerson
    from service.registre.usecases import pairs as pairs_uc

    await _import_all(ctx, world)
    cid = world.ids["council_a"]
    pairs = await pairs_uc.list_pairs(cid, open_only=True)
    assert len(pairs) == 6 and pairs[0]["a"]["nom"]
    before = await RegisterPerson.count().where(RegisterPerson.doublon_de == "")
    await pairs_uc.decide_pair(ctx, _actor(world), cid, pairs[0]["id"], "meme-personne")
    await pairs_uc.decide_pair(ctx, _actor(world), cid, pairs[1]["id"], "personnes-distinctes")
    assert await RegisterPerson.count().where(RegisterPerson.doublon_de == "") == before - 1
    assert len(await pairs_uc.list_pairs(cid, open_only=True)) == 4


async def test_purge_removes_unselected_after_retention_and_spares_selected(
    ctx: Any, world: World, clock: Any
) -> None:
    from service.audit.tables import AuditEvent
    from service.organisation.subjects import load_subjects, mark_selected
    from service.registre.tables import RegisterPerson, RegisterSource
    from service.registre.usecases import eligibility as eligibility_uc
    from service.registre.usecases import lists as lists_uc
    from service.registre.usecases import purge as purge_uc
    from service.tirage.tables import PoolMember

    await _import_all(ctx, world)
    cid = world.ids["council_a"]
    pool = await eligibility_uc.build_pool(ctx, _actor(world), cid, REF)
    chosen = [r["subject_id"] for r in await PoolMember.select(PoolMember.subject_id).limit(3)]
    async with ctx.db.transaction():
        await mark_selected("resident", chosen, ctx.now())
    assert await purge_uc.purge(ctx, _actor(world)) == []  # retention (183 days) not reached
    clock.advance(days=184)
    dry = await purge_uc.purge(ctx, _actor(world), dry_run=True)
    assert dry[0]["personnes_supprimees"] == 4197 and await RegisterPerson.count() == 4200
    done = await purge_uc.purge(ctx, _actor(world))
    assert done[0]["personnes_supprimees"] == 4197 and done[0]["personnes_conservees"] == 3
    assert sorted(r["id"] for r in await RegisterPerson.select(RegisterPerson.id)) == sorted(chosen)
    assert await RegisterSource.count().where(RegisterSource.purged_at.is_null()) == 0
    assert await PoolMember.count().where(PoolMember.pool == pool["id"]) == 3020  # pool kept
    subjects = await load_subjects("resident", [*chosen, 999999])
    assert sorted(subjects) == sorted(chosen)
    event = (
        await AuditEvent.select(AuditEvent.details)
        .where(AuditEvent.action == "registre.purge")
        .output(load_json=True)
        .first()
    )
    assert event["details"]["personnes_supprimees"] == 4197
    assert await lists_uc.council_perimeter(cid) is None  # purged with the rest
    # A purged file may be imported again for a new draw.
    again = await _import(ctx, world, "bailleur.csv")
    assert again["imported"] > 0


async def test_council_perimeter(ctx: Any, world: World) -> None:
    from domain.registre import parse_address
    from service.registre.usecases import lists as lists_uc

    assert await lists_uc.council_perimeter(world.ids["council_a"]) is None
    await _import(ctx, world, "perimetre.csv")
    perimeter = await lists_uc.council_perimeter(world.ids["council_a"])
    assert perimeter is not None
    assert perimeter.contains(parse_address("12 Avenue Louise Michel", code_postal="37990"))
    assert not perimeter.contains(parse_address("500 Rue des Tilleuls", code_postal="37990"))


def test_age_band_labels() -> None:
    from service.registre.usecases.eligibility import age_band as _age_band

    assert _age_band(20, [30, 60], 16) == "16-29"
    assert _age_band(45, [30, 60], 16) == "30-59"
    assert _age_band(60, [30, 60], 16) == "60+"
    _unused = timedelta


async def test_automatic_purge_loop_runs_on_the_fake_clock(
    ctx: Any, world: World, clock: Any
) -> None:
    from service.audit.tables import AuditEvent
    from service.registre.purge_task import purge_loop
    from service.registre.tables import RegisterPerson

    await _import(ctx, world, "bailleur.csv")
    rows = await RegisterPerson.count()
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds=seconds)

    day = 86400.0
    await purge_loop(ctx, 100 * day, sleep=fake_sleep, iterations=1)  # day 100 < 183
    assert await RegisterPerson.count() == rows
    await purge_loop(ctx, 100 * day, sleep=fake_sleep, iterations=1)  # day 200
    assert await RegisterPerson.count() == 0 and slept == [100 * day, 100 * day]
    event = (
        await AuditEvent.select(AuditEvent.actor_label)
        .where(AuditEvent.action == "registre.purge")
        .first()
    )
    assert event["actor_label"] == "purge automatique"


async def test_purge_task_is_started_with_the_app(ctx: Any) -> None:
    from litestar.testing import AsyncTestClient

    from service import features
    from service.app import create_app
    from service.registre.purge_task import purge_lifespan

    assert purge_lifespan in features.background_tasks()
    for minutes in (60, 0):  # the task starts, and stops with the app; 0 turns it off
        ctx.settings = ctx.settings.with_(registre_purge_interval_minutes=minutes)
        app = create_app(ctx.settings, ctx=ctx)
        async with AsyncTestClient(app=app) as c:
            assert (await c.get("/sante")).status_code == 200


@pytest.mark.parametrize("name", ["registre_tableur.xlsx", "registre_tableur.ods"])
async def test_spreadsheet_import_keeps_valid_rows(ctx: Any, world: World, name: str) -> None:
    from domain.errors import InvalidInput
    from service.registre.usecases import common as common_uc
    from service.registre.usecases import imports as imports_uc

    path = Path(__file__).resolve().parents[1] / "fixtures" / name
    with pytest.raises(InvalidInput) as refused:
        await imports_uc.import_file(ctx, _actor(world), world.ids["council_a"], path, name)
    assert {(e.line, e.field) for e in refused.value.errors} == {
        (7, "civilite"), (7, "date_naissance")}
    report = await imports_uc.import_file(ctx, _actor(world), world.ids["council_a"], path, name,
                                  common_uc.ImportOptions(keep_valid=True))
    assert report["format"] == name.rsplit(".", 1)[1] and report["kind"] == "bailleur"
    assert (report["imported"], report["rejected"]) == (3, 1)


async def test_purge_of_an_old_source_keeps_later_duplicates_as_people(
    ctx: Any, world: World, clock: Any
) -> None:
    """The rows of a later file merged into purged rows stand for their people again,
    once each: a tenant listed twice, both rows merged into the electoral list's row,
    is still one person after the list is purged."""
    from domain.registre import deduplicate, detect_mapping, parse_numbered_rows
    from service.registre.reader import read_table
    from service.registre.tables import RegisterPerson
    from service.registre.usecases import purge as purge_uc

    await _import(ctx, world, "liste_electorale.csv")
    clock.advance(days=100)
    landlord = await _import(ctx, world, "bailleur.csv")  # 361 rows merged into the list's
    clock.advance(days=100)  # the list is 200 days old, the landlord's file 100
    (result,) = await purge_uc.purge(ctx, _actor(world))
    assert result["personnes_supprimees"] == 3000
    assert await RegisterPerson.count() == 1200
    # What is left is exactly the landlord's file deduplicated on its own.
    with read_table(SAMPLES / "bailleur.csv") as t:
        entries, _rej = parse_numbered_rows(t.rows, detect_mapping(t.header), "x")
    alone = deduplicate(entries)
    assert len(alone.entries) < 1200
    heads = await RegisterPerson.select(RegisterPerson.line, RegisterPerson.doublon_de).where(
        RegisterPerson.doublon_de != "")
    sid = landlord["id"]
    assert {r["line"]: r["doublon_de"] for r in heads} == {
        e.line: f"{sid}:{m.entries[0].line}" for m in alone.merges for e in m.entries[1:]}
    assert await RegisterPerson.count().where(RegisterPerson.doublon_de == "") == len(
        alone.entries)


async def test_import_task_reports_progress_result_and_stale_tasks(
    ctx: Any, world: World, clock: Any
) -> None:
    from service.registre.usecases import common as common_uc
    from service.registre.usecases import tasks as tasks_uc

    cid = world.ids["council_a"]
    ok = await tasks_uc.start_task(ctx, _actor(world), cid, None, "liste_electorale.csv")
    await tasks_uc.run_import_task(ctx, _actor(world), cid, ok, SAMPLES / "liste_electorale.csv",
                             "liste_electorale.csv", common_uc.ImportOptions())
    task = await tasks_uc.get_task(cid, ok, ctx.now())
    assert task["status"] == "termine" and task["rows_done"] == 3000 and task["source"]
    failed = await tasks_uc.start_task(ctx, _actor(world), cid, None, "liste_electorale.csv")
    await tasks_uc.run_import_task(ctx, _actor(world), cid, failed, SAMPLES / "liste_electorale.csv",
                             "liste_electorale.csv", common_uc.ImportOptions())
    task = await tasks_uc.get_task(cid, failed, ctx.now())
    assert task["status"] == "echec" and task["error"]["code"] == "deja-importe"
    stuck = await tasks_uc.start_task(ctx, _actor(world), cid, None, "x.csv")
    assert (await tasks_uc.get_task(cid, stuck, ctx.now()))["status"] == "en-cours"
    clock.advance(hours=1)
    assert (await tasks_uc.get_task(cid, stuck, ctx.now()))["status"] == "echec"


async def test_duplicates_inside_one_first_file_are_marked(ctx: Any, world: World) -> None:
    """The first import of a council stores rows while deduplicating, then marks the
    absorbed rows by id: same result as the domain's deduplication of the file."""
    from domain.registre import deduplicate, detect_mapping, parse_numbered_rows
    from service.registre.reader import read_table
    from service.registre.tables import RegisterPerson

    with read_table(SAMPLES / "bailleur.csv") as t:
        entries, _rej = parse_numbered_rows(t.rows, detect_mapping(t.header), "x")
    expected = deduplicate(entries)
    absorbed = {e.line: m.entries[0].line for m in expected.merges for e in m.entries[1:]}
    assert absorbed  # the sample has tenants listed twice
    report = await _import(ctx, world, "bailleur.csv")
    rows = await RegisterPerson.select(RegisterPerson.line, RegisterPerson.doublon_de).where(
        RegisterPerson.doublon_de != "")
    sid = report["id"]
    assert {r["line"]: r["doublon_de"] for r in rows} == {
        line: f"{sid}:{head}" for line, head in absorbed.items()}
    assert report["merged"] == len(expected.merges)  # people of the file found twice
