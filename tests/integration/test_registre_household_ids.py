"""Issue 13 §5: a source's own household identifier decides the household, on both
engines; the eligibility summary and the pool say how many people the rule sets aside."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED, World

pytestmark = pytest.mark.anyio

SAMPLES = SHARED / "data" / "registre-exemple"
REF = date(2026, 1, 1)
LANDLORD_HEADER = ["Civilité", "Nom", "Prénom", "Date de naissance", "Adresse", "Code postal",
                   "Ville", "Référence bail"]


def _actor(world: World) -> Any:
    from service.audit import Actor

    return Actor(world.ids["lead_a"], "lead.a@test.fr")


def _write(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ";") -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


async def _import(ctx: Any, world: World, cid: int, path: Path) -> dict[str, Any]:
    from service.registre.usecases.common import ImportOptions
    from service.registre.usecases.imports import import_file

    return await import_file(ctx, _actor(world), cid, path, path.name, ImportOptions())


async def test_the_landlords_lease_decides_the_household(ctx: Any, world: World,
                                                         tmp_path: Path) -> None:
    from service.registre.tables import RegisterPerson
    from service.registre.usecases.eligibility import build_pool
    from service.tirage.usecases.pools import household_set_aside

    cid = world.ids["council_a"]
    await _import(ctx, world, cid, SAMPLES / "perimetre.csv")
    # The electoral list knows Awa DIALLO, without any household identifier.
    await _import(ctx, world, cid, _write(tmp_path / "liste.csv", [
        "NomdeNaissance", "NomDusage", "Prenoms", "Sexe", "DateNaissance", "Adresse1",
        "Adresse2", "CodePostal", "Commune", "BureauVote"], [
        ["DIALLO", "", "Awa", "F", "12/03/1980", "10 Rue des Tilleuls", "", "37990",
         "VALMONT-SUR-LOIRE", "0101"]]))
    # Landlord 1, a tower without flat numbers: the lease L1 joins three surnames;
    # Moussa DIALLO has his own lease L2 although he shares Awa's surname and address.
    # The MARTINs have no lease reference: the address and the name decide for them.
    await _import(ctx, world, cid, _write(tmp_path / "bailleur1.csv", LANDLORD_HEADER, [
        ["Mme", "DIALLO", "Awa", "12/03/1980", "10 Rue des Tilleuls", "37990", "Valmont", "L1"],
        ["M.", "KONE", "Issa", "02/05/1978", "10 Rue des Tilleuls", "37990", "Valmont", "L1"],
        ["Mme", "TRAORE", "Fatou", "21/09/1985", "10 Rue des Tilleuls", "37990", "Valmont", "L1"],
        ["M.", "DIALLO", "Moussa", "14/01/2001", "10 Rue des Tilleuls", "37990", "Valmont", "L2"],
        ["Mme", "MARTIN", "Julie", "03/07/1990", "12 Rue des Tilleuls", "37990", "Valmont", ""],
        ["M.", "MARTIN", "Paul", "30/11/1988", "12 Rue des Tilleuls", "37990", "Valmont", ""],
    ]))
    # Landlord 2 numbers its leases too: its L1 is another household.
    await _import(ctx, world, cid, _write(tmp_path / "bailleur2.csv", LANDLORD_HEADER, [
        ["Mme", "DUPONT", "Anne", "01/02/1970", "20 Rue des Tilleuls", "37990", "Valmont", "L1"],
        ["M.", "DURAND", "Marc", "05/06/1972", "20 Rue des Tilleuls", "37990", "Valmont", "L1"],
    ]))

    people = await RegisterPerson.select(RegisterPerson.prenoms, RegisterPerson.foyer,
                                         RegisterPerson.foyer_source, RegisterPerson.doublon_de
                                         ).where(RegisterPerson.council == cid)
    kept = {r["prenoms"]: r for r in people if not r["doublon_de"]}
    assert len(people) == 9 and len(kept) == 8  # Awa of the landlord merged into the list's Awa
    # The list's row stands for Awa; the landlord's lease still gives her household.
    assert kept["Awa"]["foyer_source"] == "" and kept["Awa"]["foyer"] == kept["Issa"]["foyer"]
    assert kept["Issa"]["foyer"] == kept["Fatou"]["foyer"] != kept["Moussa"]["foyer"]
    assert kept["Julie"]["foyer"] == kept["Paul"]["foyer"]
    assert kept["Anne"]["foyer"] == kept["Marc"]["foyer"] != kept["Issa"]["foyer"]

    pool = await build_pool(ctx, _actor(world), cid, REF)
    summary = pool["eligibilite"]
    # Households: L1 of landlord 1 (Awa, Issa, Fatou), L2 (Moussa), the MARTINs, L1 of
    # landlord 2 (Anne, Marc): 4 households for 8 people, 4 set aside. By address and
    # name alone it would be 6 households (DIALLO, KONE, TRAORE at n° 10, …), 2 set aside.
    assert (summary["eligibles"], summary["foyers"], summary["ecartes_foyer"]) == (8, 4, 4)
    assert summary["foyers_identifiant_source"] == 3
    assert await household_set_aside(pool["id"]) == 4


async def test_a_sample_with_a_household_column(ctx: Any, world: World, tmp_path: Path) -> None:
    """The sample landlord file with a household number added: the number decides, and
    where it says what the flat says, the figures are those of the file without it."""
    from service.registre.usecases.eligibility import evaluate_eligibility

    with (SAMPLES / "bailleur.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    flat = header.index("N° logement")
    building = header.index("Bâtiment")
    address = header.index("Adresse")
    numbered = _write(tmp_path / "bailleur-menages.csv", [*header, "Numéro de ménage"],
                      [[*r, f"{r[address]}/{r[building]}/{r[flat]}"] for r in body],
                      delimiter=",")
    plain_council, numbered_council = world.ids["council_a"], world.ids["council_b"]
    figures = []
    for cid, path in ((plain_council, SAMPLES / "bailleur.csv"), (numbered_council, numbered)):
        await _import(ctx, world, cid, SAMPLES / "perimetre.csv")
        report = await _import(ctx, world, cid, path)
        assert report["mapping"].get("foyer") == ("Numéro de ménage" if path == numbered
                                                  else None)
        figures.append(await evaluate_eligibility(ctx, _actor(world), cid, REF, True))
    plain, with_ids = figures
    assert with_ids["eligibles"] == plain["eligibles"] > 0
    assert with_ids["ecartes_foyer"] == plain["ecartes_foyer"]
    assert with_ids["foyers"] == plain["foyers"] == with_ids["foyers_identifiant_source"]
    assert plain["foyers_identifiant_source"] == 0
