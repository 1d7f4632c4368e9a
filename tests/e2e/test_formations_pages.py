"""Training pages: the lead programmes a training and a session, enrols a member, taps
attendance; the member sees the schedule, enrols, cancels; errors shown in French."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, web_login
from tests.e2e.test_formations_api import add_member

pytestmark = pytest.mark.anyio


def csrf(client: Any) -> str:
    return str(client.cookies.get("cc_csrf"))


async def test_lead_programmes_and_taps_attendance(client: Any, ctx: Any, world: World) -> None:
    mid = await add_member(ctx, world.ids["council_a"], "Awa", "Diallo", "F")
    await web_login(client, world.emails["lead_a"])
    t = world.ids["territory_a"]
    r = await client.get(f"/territoires/{t}/formations")
    assert r.status_code == 200 and "Programmer une formation" in r.text
    r = await client.post(f"/territoires/{t}/formations", follow_redirects=False, data={"_csrf": csrf(client), "titre": "", "public": "membres",
                                                                "conseils": str(world.ids["council_a"])})
    assert r.status_code == 422 and "Donnez un titre à la formation." in r.text
    r = await client.post(f"/territoires/{t}/formations", follow_redirects=False, data={"_csrf": csrf(client), "titre": "Parler en public", "public": "membres",
                                                                "conseils": str(world.ids["council_a"]), "rappel_jours": "2"})
    assert r.status_code == 303
    fid = int(r.headers["location"].split("/")[2].split("?")[0])
    r = await client.post(f"/formations/{fid}/seances", follow_redirects=False, data={"_csrf": csrf(client), "jour": "2026-03-14", "debut": "10:00",
                                                             "fin": "09:00", "lieu": "Salle"})
    assert r.status_code == 422 and "La séance doit finir après son début." in r.text
    r = await client.post(f"/formations/{fid}/seances", follow_redirects=False, data={"_csrf": csrf(client), "jour": "2026-03-14", "debut": "18:00",
                                                             "fin": "20:30", "lieu": "Maison de quartier", "capacite": "12"})
    assert r.status_code == 303
    r = await client.post(f"/formations/{fid}/inscriptions", follow_redirects=False, data={"_csrf": csrf(client), "membre_id": str(mid)})
    assert r.status_code == 303
    page = (await client.get(f"/formations/{fid}")).text
    assert "samedi 14 mars 2026" in page and "18\u00a0h – 20\u00a0h\u00a030" in page and "1 / 12" in page
    from service.formations.store import TrainingStore

    store = TrainingStore(ctx.db)
    (session,) = await store.sessions([fid])
    (e,) = await store.enrolments([session.id])
    r = await client.get(f"/seances/{session.id}/emargement")
    assert "DIALLO Awa" in r.text and "Membre titulaire" in r.text
    r = await client.post(f"/inscriptions/{e.id}/emargement", follow_redirects=False, data={"_csrf": csrf(client), "demi_journee": "apres_midi",
                                                                    "marque": "present"})
    assert r.status_code == 303
    assert (await store.marks([e.id]))[0].marque.value == "present"
    r = await client.post(f"/inscriptions/{e.id}/emargement", follow_redirects=False, data={"_csrf": csrf(client), "demi_journee": "matin",
                                                                    "marque": "present"})
    assert r.status_code == 422 and "pas de demi-journée « matin »" in r.text
    r = await client.get(f"/formations/{fid}")
    assert "2,5\u00a0h" in r.text and "Attestations des personnes présentes" in r.text


async def test_member_enrols_and_cancels_from_the_council_page(client: Any, ctx: Any, world: World) -> None:
    await add_member(ctx, world.ids["council_a"], "Awa", "Diallo", "F", account_id=world.ids["member_a"])
    from service.audit import Actor
    from service.formations.store import TrainingStore
    from service.formations.usecases import schedule

    store = TrainingStore(ctx.db)
    from datetime import UTC, datetime

    f = await schedule.create_training(ctx, Actor.system("t"), store, world.ids["territory_a"],
                                       schedule.TrainingInput(titre="Animer une réunion", conseils=(world.ids["council_a"],)))
    await schedule.add_session(ctx, Actor.system("t"), store, f.id, schedule.SessionInput(
        debut=datetime(2026, 3, 20, 17, tzinfo=UTC), fin=datetime(2026, 3, 20, 19, tzinfo=UTC), lieu="Salle B"))
    await web_login(client, world.emails["member_a"])
    c = world.ids["council_a"]
    r = await client.get(f"/conseils/{c}/formations")
    assert "Animer une réunion" in r.text and "M'inscrire aux séances à venir" in r.text
    r = await client.post(f"/conseils/{c}/formations/{f.id}/inscription", follow_redirects=False, data={"_csrf": csrf(client)})
    assert r.status_code == 303
    r = await client.get(f"/conseils/{c}/formations")
    assert "Annuler mon inscription" in r.text and "Inscrit" in r.text
    (e,) = await store.enrolments([(await store.sessions([f.id]))[0].id])
    r = await client.post(f"/conseils/{c}/inscriptions/{e.id}/annuler", follow_redirects=False, data={"_csrf": csrf(client)})
    assert r.status_code == 303
    assert (await store.get_enrolment(e.id)).status.value == "annule"
    # The council page links the schedule.
    assert f"/conseils/{c}/formations" in (await client.get(f"/conseils/{c}")).text
