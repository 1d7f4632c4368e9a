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
    from service.composition.usecases import members as comp
    from service.registre.tables import RegisterPerson
    from service.registre.usecases import common as common_uc
    from service.registre.usecases import eligibility as eligibility_uc
    from service.registre.usecases import imports as imports_uc

    cid = world.ids["council_a"]
    for name in ("perimetre.csv", "liste_electorale.csv"):
        await imports_uc.import_file(ctx, _actor(world), cid, SAMPLES / name, name, common_uc.ImportOptions())
    first = await eligibility_uc.evaluate_eligibility(ctx, _actor(world), cid, REF)
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
    again = await eligibility_uc.evaluate_eligibility(ctx, _actor(world), cid, REF)
    counts = {m["code"]: m["count"] for m in again["motifs"]}
    assert counts["deja-membre"] == 1
    assert again["eligibles"] == first["eligibles"] - 1
    row = await RegisterPerson.select(RegisterPerson.motifs).where(
        RegisterPerson.id == person["id"]).first()
    assert row is not None and "deja-membre" in row["motifs"]


async def _sample_pairs(ctx: Any, world: World) -> int:
    from service.registre.usecases import common as common_uc
    from service.registre.usecases import imports as imports_uc

    cid = world.ids["council_a"]
    for name in ("liste_electorale.csv", "bailleur.csv"):
        await imports_uc.import_file(ctx, _actor(world), cid, SAMPLES / name, name, common_uc.ImportOptions())
    return int(cid)


async def test_a_decision_contradicting_an_earlier_one_is_refused(ctx: Any, world: World) -> None:
    from domain.errors import Conflict
    from service.registre.tables import RegisterAmbiguousPair, RegisterPerson
    from service.registre.usecases import pairs as pairs_uc

    cid = await _sample_pairs(ctx, world)
    pairs = await pairs_uc.list_pairs(cid)
    first = pairs[0]
    # The same row offered in a second pair, with someone at another address.
    other = await RegisterPerson.select(RegisterPerson.source, RegisterPerson.line).where(
        (RegisterPerson.council == cid) & (RegisterPerson.doublon_de == "")
        & (RegisterPerson.line > 2000)).first()
    assert other is not None
    third = f"{other['source']}:{other['line']}"
    await RegisterAmbiguousPair.insert(RegisterAmbiguousPair(
        council=cid, ref_a=first["ref_a"], ref_b=third, pair_key=f"{cid}:{first['ref_a']}:{third}",
        code="plusieurs-candidats", message="test"))
    second = next(p for p in await pairs_uc.list_pairs(cid) if p["ref_b"] == third)
    await pairs_uc.decide_pair(ctx, _actor(world), cid, first["id"], "meme-personne")
    with pytest.raises(Conflict) as err:
        await pairs_uc.decide_pair(ctx, _actor(world), cid, second["id"], "meme-personne")
    assert err.value.code == "decision-contradictoire"
    assert f"paire n° {first['id']}" in err.value.detail
    row = await RegisterPerson.select(RegisterPerson.doublon_de).where(
        (RegisterPerson.source == other["source"]) & (RegisterPerson.line == other["line"])).first()
    assert row is not None and row["doublon_de"] == ""  # nothing merged
    # "Personnes distinctes" is still possible.
    await pairs_uc.decide_pair(ctx, _actor(world), cid, second["id"], "personnes-distinctes")


async def test_sure_pairs_ranked_first_and_resolved_by_a_previewed_rule(
    ctx: Any, world: World
) -> None:
    from domain.errors import InvalidState
    from service.audit.tables import AuditEvent
    from service.registre.usecases import pairs as pairs_uc

    cid = await _sample_pairs(ctx, world)
    pairs = await pairs_uc.ranked_pairs(cid)
    assert len(pairs) == 6
    levels = [p["certitude"] for p in pairs]
    assert levels == sorted(levels, reverse=True)
    preview = await pairs_uc.preview_rule(cid)
    n = preview["a_fusionner"]
    assert preview["non_tranchees"] == 6 and preview["restantes_apres"] == 6 - n
    assert n == sum(1 for p in pairs if p["certitude"] == pairs_uc.SURE) - preview["sures_laissees"]
    with pytest.raises(InvalidState):
        await pairs_uc.apply_rule(ctx, _actor(world), cid, expected=n + 1)  # stale preview
    done = await pairs_uc.apply_rule(ctx, _actor(world), cid, expected=n)
    assert done["fusionnees"] == n
    after = await pairs_uc.ranked_pairs(cid)
    assert sum(1 for p in after if p["decision"] == "meme-personne") == n
    event = await AuditEvent.select().where(AuditEvent.action == "registre.paires.regle").first()
    assert event is not None
    assert (await pairs_uc.preview_rule(cid))["a_fusionner"] == 0
