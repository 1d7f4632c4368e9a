"""Every indicator of a seeded council checked against figures computed by hand (spec
meetings.md §8): members and parity, a draw's round and its replies, two meetings, a
training session, residents' questions; on both databases (the pass decides)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import World, build_world
from tests.e2e.test_formations_api import add_member

pytestmark = pytest.mark.anyio


async def seed(ctx: Any) -> tuple[World, dict[str, Any]]:
    from service.audit import Actor
    from service.formations.store import TrainingStore
    from service.formations.usecases import attendance, enrolment, schedule
    from service.reunions.tables import Reunion, ReunionPresence, ReunionQuestion
    from service.tirage.tables import DrawInvitation
    from service.tirage.usecases import replies
    from tests.letters_support import drawn_round, install_subjects

    world = await build_world(ctx)
    c = world.ids["council_a"]
    f1 = await add_member(ctx, c, "Awa", "Diallo", "F")
    f2 = await add_member(ctx, c, "Inès", "Martin", "F")
    m1 = await add_member(ctx, c, "Paul", "Durand", "M")
    from service.composition.usecases import members as composition

    a1 = int((await composition.create_member(ctx, Actor.system("t"), c, composition.MemberInput(
        college="associations_acteurs", origin="representant_structure", prenom="Jean", nom="Moreau", sexe="M", structure="Asso"),
        override_reason="membres de test, règles hors sujet")).id)
    # A draw: round 1 open; two women and one man accept.
    install_subjects()
    d = await drawn_round(ctx, world, n=40, seats=2)
    invitations = list(await DrawInvitation.select().where(DrawInvitation.draw == d["id"]))
    women = [i for i in invitations if i["stratum"].startswith("F")]
    men = [i for i in invitations if i["stratum"].startswith("M")]
    lead = Actor(world.ids["lead_a"], "lead")
    for inv in (women[0], women[1], men[0]):
        await replies.record_reply(ctx, lead, c, d["id"], inv["key"], "accepted")
    # Two meetings: one held with quorum (3 of 4 present), one without (1 of 4).
    async with ctx.db.transaction():
        for status, day, present in (("tenue", 12, {f1, f2, m1}), ("quorum_non_atteint", 26, {f1})):
            r = await Reunion.insert(Reunion(council=c, titre="Plénière", debut=datetime(2026, 3, day, 17, tzinfo=UTC),
                                             fin=datetime(2026, 3, day, 19, tzinfo=UTC), status=status)).returning(Reunion.id)
            for mid in (f1, f2, m1, a1):
                await ReunionPresence.insert(ReunionPresence(reunion=r[0]["id"], membre=mid,
                                                             presence="present" if mid in present else "absent",
                                                             cle=f"{r[0]['id']}:{mid}"))
        for raised, answered in ((date(2026, 1, 10), date(2026, 1, 20)), (date(2026, 2, 1), date(2026, 2, 4)),
                                 (date(2026, 3, 1), None)):
            await ReunionQuestion.insert(ReunionQuestion(council=c, raised_on=raised, channel="formulaire", texte="?",
                                                         destinataire="ville", answered_on=answered,
                                                         status="repondue" if answered else "ouverte"))
    # A training day: both women enrolled, one present in the morning (3,5 h).
    store = TrainingStore(ctx.db)
    t = await schedule.create_training(ctx, lead, store, world.ids["territory_a"], schedule.TrainingInput(
        titre="Parler en public", conseils=(c,)))
    s = await schedule.add_session(ctx, lead, store, t.id, schedule.SessionInput(
        debut=datetime(2026, 3, 14, 8, tzinfo=UTC), fin=datetime(2026, 3, 14, 16, tzinfo=UTC), lieu="Salle"))
    e1 = await enrolment.enrol(ctx, lead, store, s.id, await enrolment.member_participant(f1))
    await enrolment.enrol(ctx, lead, store, s.id, await enrolment.member_participant(f2))
    await attendance.record_mark(ctx, lead, store, e1.enrolment.id, "matin", "present")
    return world, {"letters": len(invitations), "letters_F": len(women), "letters_M": len(men), "draw": d["id"]}


async def test_council_figures_match_the_hand_count(ctx: Any) -> None:
    from domain.indicators import Period
    from service.indicateurs.usecases import for_council

    world, seeded = await seed(ctx)
    d, _org = await for_council(ctx, world.ids["council_a"], Period(date(2026, 1, 1), date(2026, 12, 31)))
    v = {f.code: f.value for f in d.figures}
    assert v["membres.part_femmes"] == Fraction(2, 4)
    assert (v["membres.habitants.F"], v["membres.habitants.M"], v["membres.associations_acteurs.M"]) == (2, 1, 1)
    assert (v["tirages.tenus"], v["tirages.courriers"]) == (1, seeded["letters"])
    assert v["tirages.acceptation"] == Fraction(3, seeded["letters"])
    assert v["tirages.acceptation.F"] == Fraction(2, seeded["letters_F"])
    assert v["tirages.acceptation.M"] == Fraction(1, seeded["letters_M"])
    assert (v["reunions.tenues"], v["reunions.quorum"]) == (2, 1)
    assert v["reunions.assiduite"] == Fraction(4, 8)
    assert v["reunions.assiduite.F"] == Fraction(3, 4) and v["reunions.assiduite.M"] == Fraction(1, 4)
    assert v["reunions.assiduite.habitants"] == Fraction(4, 6) and v["reunions.assiduite.associations_acteurs"] == 0
    assert (v["formations.tenues"], v["formations.seances"]) == (1, 1)
    assert v["formations.heures_par_membre"] == Fraction(7, 2) / 4
    assert v["formations.assiduite.F"] == Fraction(1, 2) and v["formations.assiduite.M"] is None
    assert (v["questions.posees"], v["questions.repondues"], v["questions.delai_median"]) == (3, 2, Fraction(13, 2))
    # A period before anything happened: counts are 0, shares undefined.
    early, _org = await for_council(ctx, world.ids["council_a"], Period(date(2025, 1, 1), date(2025, 12, 31)))
    e = {f.code: f.value for f in early.figures}
    assert e["reunions.tenues"] == 0 and e["reunions.assiduite"] is None and e["tirages.acceptation"] is None


async def test_exports_and_api(ctx: Any, client: Any) -> None:
    from python_calamine import CalamineWorkbook

    from tests.conftest import bearer

    world, _seeded = await seed(ctx)
    c = world.ids["council_a"]
    r = await client.get(f"/api/v1/conseils/{c}/indicateurs?du=2026-01-01&au=2026-12-31", headers=bearer(world, "auditor_37"))
    assert r.status_code == 200, r.text
    body = r.json()
    by = {i["code"]: i for i in body["indicateurs"]}
    assert by["membres.part_femmes"]["valeur"] == 0.5 and by["membres.part_femmes"]["valeur_affichee"] == "50\u00a0%"
    assert by["questions.delai_median"]["valeur_affichee"] == "6,5\u00a0jours"
    assert {g["code"] for g in body["graphiques"]} >= {"part_femmes", "acceptation", "assiduite"}
    r = await client.get(f"/api/v1/conseils/{c}/indicateurs?du=2026-06-01&au=2026-01-01", headers=bearer(world, "lead_a"))
    assert r.status_code == 422 and r.json()["field"] == "au"
    r = await client.get(f"/api/v1/conseils/{c}/indicateurs/csv?du=2026-01-01&au=2026-12-31", headers=bearer(world, "lead_a"))
    text = r.content.decode("utf-8-sig")
    assert "Part des femmes parmi les membres;0,5;50\u00a0%" in text and "Période du 1er janvier 2026 au 31 décembre 2026" in text
    r = await client.get(f"/api/v1/conseils/{c}/indicateurs/ods?du=2026-01-01&au=2026-12-31", headers=bearer(world, "lead_a"))
    assert r.headers["content-type"] == "application/vnd.oasis.opendocument.spreadsheet"
    rows = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
    assert next(x for x in rows if "membres.part_femmes" in x)[1:4:2] == ["membres.part_femmes", 0.5]
    r = await client.get(f"/api/v1/conseils/{c}/indicateurs/pdf?du=2026-01-01&au=2026-12-31", headers=bearer(world, "lead_a"))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "Indicateurs du contrat de ville" in text and "Part des femmes parmi les membres" in text and "50" in text
    r = await client.get(f"/api/v1/territoires/{world.ids['territory_a']}/indicateurs?du=2026-01-01&au=2026-12-31",
                         headers=bearer(world, "lead_a"))
    t = {i["code"]: i["valeur"] for i in r.json()["indicateurs"]}
    assert (t["territoire.conseils"], t["territoire.conseils_composes"], t["reunions.tenues"]) == (1, 1, 2)
    r = await client.get(f"/api/v1/territoires/{world.ids['territory_a']}/indicateurs", headers=bearer(world, "member_a"))
    assert r.status_code == 403
    page = await client.get(f"/api/v1/conseils/{c}/indicateurs/xls", headers=bearer(world, "lead_a"))
    assert page.status_code == 404
