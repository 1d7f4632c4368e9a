"""Rules of a project lead's journey that never fired or fired wrongly (issue 13, item 7)."""

from __future__ import annotations

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


async def test_sitting_members_are_left_out_of_a_new_pool(ctx: Any, world: World) -> None:
    from service.db.tables_registre import RegisterPerson
    from service.usecases import composition as comp
    from service.usecases import registre as uc

    cid = world.ids["council_a"]
    for name in ("perimetre.csv", "liste_electorale.csv"):
        await uc.import_file(ctx, _actor(world), cid, SAMPLES / name, name, uc.ImportOptions())
    first = await uc.evaluate_eligibility(ctx, _actor(world), cid, REF)
    counts = {m["code"]: m["count"] for m in first["motifs"]}
    assert counts.get("deja-membre", 0) == 0
    person = await RegisterPerson.select().where(
        (RegisterPerson.council == cid) & (RegisterPerson.eligibilite == "eligible")
    ).first()
    assert person is not None
    await comp.create_member(ctx, _actor(world), cid, comp.MemberInput(
        college="habitants", origin="tire_au_sort_registre", prenom=person["prenoms"],
        nom=person["nom_naissance"], sexe=person["sexe"], subject_type="resident",
        subject_id=person["id"]))
    again = await uc.evaluate_eligibility(ctx, _actor(world), cid, REF)
    counts = {m["code"]: m["count"] for m in again["motifs"]}
    assert counts["deja-membre"] == 1
    assert again["eligibles"] == first["eligibles"] - 1
    row = await RegisterPerson.select(RegisterPerson.motifs).where(
        RegisterPerson.id == person["id"]).first()
    assert row is not None and "deja-membre" in row["motifs"]
