"""Training schedule over HTTP: the lead builds it, members enrol, capacity and waiting
list, cancellation promotes the next person (told by mail through the outbox), attendance
by half-day, hours and attestations; bad input answered in French problem+json."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import World, bearer

pytestmark = pytest.mark.anyio


async def add_member(ctx: Any, council_id: int, prenom: str, nom: str, sexe: str, *, seat: str = "titulaire",
                     account_id: int | None = None, email: str = "") -> int:
    from service.audit import Actor
    from service.composition.usecases import members as composition

    row = await composition.create_member(ctx, Actor.system("test"), council_id, composition.MemberInput(
        college="habitants", origin="volontaire", prenom=prenom, nom=nom, sexe=sexe, seat=seat, account_id=account_id, email=email),
        override_reason="membres de test, parité hors sujet")
    return int(row.id)


async def training(client: Any, world: World, **extra: Any) -> dict[str, Any]:
    body = {"titre": "Prendre la parole en public", "objectifs": "Oser parler en réunion.", "organisme": "Université du Citoyen",
            "conseils": [world.ids["council_a"]], **extra}
    r = await client.post(f"/api/v1/territoires/{world.ids['territory_a']}/formations", json=body, headers=bearer(world, "lead_a"))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def session(client: Any, world: World, fid: int, day: str = "2026-03-14", **extra: Any) -> dict[str, Any]:
    body = {"debut": f"{day}T09:00:00+01:00", "fin": f"{day}T17:00:00+01:00", "pause_debut": "12:30", "pause_fin": "13:30",
            "lieu": "Maison de quartier", **extra}
    r = await client.post(f"/api/v1/formations/{fid}/seances", json=body, headers=bearer(world, "lead_a"))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_full_cycle_enrol_attend_hours_attestation(client: Any, ctx: Any, world: World) -> None:
    mid = await add_member(ctx, world.ids["council_a"], "Awa", "Diallo", "F", account_id=world.ids["member_a"], email="awa@example.org")
    f = await training(client, world)
    s1 = await session(client, world, f["id"])
    await session(client, world, f["id"], day="2026-03-21")
    # The member sees the schedule of her council and enrols in both sessions herself.
    r = await client.get(f"/api/v1/conseils/{world.ids['council_a']}/formations", headers=bearer(world, "member_a"))
    assert [x["titre"] for x in r.json()] == ["Prendre la parole en public"]
    r = await client.post(f"/api/v1/conseils/{world.ids['council_a']}/formations/{f['id']}/inscription", headers=bearer(world, "member_a"))
    assert r.status_code == 201, r.text
    enrolments = r.json()
    assert [e["statut"] for e in enrolments] == ["inscrit", "inscrit"] and enrolments[0]["membre_id"] == mid
    # Twice: a conflict, nothing doubled.
    r = await client.post(f"/api/v1/conseils/{world.ids['council_a']}/formations/{f['id']}/inscription", headers=bearer(world, "member_a"))
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")
    # The invitations went to the outbox, with an .ics attached.
    from service.outbox.usecases.enqueue import list_for_council

    mails = await list_for_council(ctx.db, None)
    assert sorted(m.kind for m in mails) == ["formation.invitation", "formation.invitation"]
    assert all(any(a.filename.endswith(".ics") for a in m.attachments) for m in mails)
    # Attendance on the first session: morning only → 3,5 h.
    e1 = enrolments[0]["id"]
    r = await client.put(f"/api/v1/inscriptions/{e1}/emargement", json={"demi_journee": "matin", "marque": "present"},
                         headers=bearer(world, "lead_a"))
    assert r.status_code == 200, r.text
    await client.put(f"/api/v1/inscriptions/{e1}/emargement", json={"demi_journee": "apres_midi", "marque": "excuse"},
                     headers=bearer(world, "lead_a"))
    r = await client.get(f"/api/v1/formations/{f['id']}/heures", headers=bearer(world, "lead_a"))
    (hours,) = r.json()
    assert hours["heures"] == 3.5 and hours["heures_texte"] == "3,5\u00a0h" and hours["dates"] == ["2026-03-14"]
    r = await client.get(f"/api/v1/conseils/{world.ids['council_a']}/formations/{f['id']}/attestation.pdf",
                         headers=bearer(world, "member_a"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    assert "Awa" in text and "3,5" in text and "14/03/2026" in text
    r = await client.get(f"/api/v1/seances/{s1['id']}/emargement.pdf", headers=bearer(world, "lead_a"))
    pages = PdfReader(io.BytesIO(r.content)).pages
    assert len(pages) == 2 and "DIALLO" in pages[0].extract_text() and "Matin" in pages[0].extract_text()


async def test_capacity_waiting_list_and_promotion_by_mail(client: Any, ctx: Any, world: World) -> None:
    f = await training(client, world)
    s = await session(client, world, f["id"], capacite=1)
    a = await add_member(ctx, world.ids["council_a"], "Inès", "Martin", "F", email="ines@example.org")
    b = await add_member(ctx, world.ids["council_a"], "Paul", "Durand", "M", email="paul@example.org")
    url = f"/api/v1/seances/{s['id']}/inscriptions"
    ra = await client.post(url, json={"membre_id": a}, headers=bearer(world, "lead_a"))
    rb = await client.post(url, json={"membre_id": b}, headers=bearer(world, "lead_a"))
    assert ra.json()["statut"] == "inscrit"
    assert (rb.status_code, rb.json()["statut"], rb.json()["rang_attente"]) == (201, "attente", 1)
    r = await client.delete(f"/api/v1/inscriptions/{ra.json()['id']}", headers=bearer(world, "lead_a"))
    assert r.json()["statut"] == "annule"
    r = await client.get(url, headers=bearer(world, "lead_a"))
    assert {e["nom"]: e["statut"] for e in r.json()} == {"Martin": "annule", "Durand": "inscrit"} or \
        {e["nom"]: e["statut"] for e in r.json()} == {"Durand": "inscrit"}
    from service.outbox.usecases.enqueue import list_for_council

    assert "formation.promotion" in [m.kind for m in await list_for_council(ctx.db, None)]


async def test_two_people_racing_for_the_last_place(ctx: Any, world: World, client: Any) -> None:
    from service.audit import Actor
    from service.formations.store import TrainingStore
    from service.formations.usecases import enrolment

    f = await training(client, world)
    s = await session(client, world, f["id"], capacite=1)
    people = [await enrolment.member_participant(await add_member(ctx, world.ids["council_a"], f"P{i}", f"N{i}", "F"))
              for i in range(2)]
    store = TrainingStore(ctx.db)
    results = await asyncio.gather(*(enrolment.enrol(ctx, Actor.system("t"), store, s["id"], p) for p in people))
    assert sorted(r.enrolment.status.value for r in results) == ["attente", "inscrit"]


async def test_bad_input(client: Any, ctx: Any, world: World) -> None:
    f = await training(client, world, date_debut="2026-03-01", date_fin="2026-03-31", public="membres")
    r = await client.post(f"/api/v1/formations/{f['id']}/seances", headers=bearer(world, "lead_a"), json={
        "debut": "2026-03-14T17:00:00+01:00", "fin": "2026-03-14T09:00:00+01:00", "lieu": "Salle"})
    assert r.status_code == 422 and r.json()["field"] == "fin" and "après son début" in r.json()["detail"]
    r = await client.post(f"/api/v1/formations/{f['id']}/seances", headers=bearer(world, "lead_a"), json={
        "debut": "2026-04-14T09:00:00+02:00", "fin": "2026-04-14T12:00:00+02:00", "lieu": "Salle"})
    assert r.status_code == 422 and r.json()["field"] == "debut"
    s = await session(client, world, f["id"])
    sup = await add_member(ctx, world.ids["council_a"], "Léa", "Petit", "F", seat="suppleant")
    r = await client.post(f"/api/v1/seances/{s['id']}/inscriptions", json={"membre_id": sup}, headers=bearer(world, "lead_a"))
    assert r.status_code == 409 and r.json()["type"].endswith("/public-formation")
    other = await add_member(ctx, world.ids["council_a"], "Jean", "Moreau", "M")
    e = (await client.post(f"/api/v1/seances/{s['id']}/inscriptions", json={"membre_id": other}, headers=bearer(world, "lead_a"))).json()
    await client.delete(f"/api/v1/inscriptions/{e['id']}", headers=bearer(world, "lead_a"))
    r = await client.put(f"/api/v1/inscriptions/{e['id']}/emargement", json={"demi_journee": "matin", "marque": "present"},
                         headers=bearer(world, "lead_a"))
    assert r.status_code == 409 and r.json()["type"].endswith("/emargement-sans-inscription")
    r = await client.get(f"/api/v1/formations/{f['id']}/attestations.pdf", headers=bearer(world, "lead_a"))
    assert r.status_code == 200  # nobody attended: an empty set, not an error
    me = await add_member(ctx, world.ids["council_a"], "Awa", "Diallo", "F", account_id=world.ids["member_a"])
    assert me
    r = await client.get(f"/api/v1/conseils/{world.ids['council_a']}/formations/{f['id']}/attestation.pdf",
                         headers=bearer(world, "member_a"))
    assert r.status_code == 409 and r.json()["type"].endswith("/attestation-sans-presence")


async def test_member_of_another_council_and_auditor(client: Any, world: World) -> None:
    f = await training(client, world)
    r = await client.post(f"/api/v1/formations/{f['id']}/seances", headers=bearer(world, "auditor_37"), json={})
    assert r.status_code == 403
    r = await client.get(f"/api/v1/formations/{f['id']}", headers=bearer(world, "auditor_37"))
    assert r.status_code == 200
    r = await client.get(f"/api/v1/formations/{f['id']}", headers=bearer(world, "lead_b"))
    assert r.status_code == 403


async def test_personal_calendar_feed_lists_the_member_s_sessions(client: Any, ctx: Any, world: World) -> None:
    from icalendar import Calendar

    await add_member(ctx, world.ids["council_a"], "Awa", "Diallo", "F", account_id=world.ids["member_a"], email="awa@example.org")
    f = await training(client, world)
    s = await session(client, world, f["id"])
    r = await client.post(f"/api/v1/conseils/{world.ids['council_a']}/formations/{f['id']}/inscription", headers=bearer(world, "member_a"))
    assert r.status_code == 201
    r = await client.post(f"/api/v1/conseils/{world.ids['council_a']}/calendrier-personnel", headers=bearer(world, "member_a"))
    assert r.status_code == 201, r.text
    path = "/" + r.json()["url"].split("/", 3)[3]
    feed = await client.get(path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    (event,) = [e for e in Calendar.from_ical(feed.content).walk("VEVENT") if str(e["UID"]).startswith("formation-seance-")]
    assert str(event["SUMMARY"]) == "Formation : Prendre la parole en public" and event["DTSTART"].dt.hour == 9
    assert str(event["UID"]) == f"formation-seance-{s['id']}@127.0.0.1" or str(event["UID"]).startswith(f"formation-seance-{s['id']}@")
    # Cancelled: still in the feed, marked so, with a higher sequence.
    r = await client.post(f"/api/v1/seances/{s['id']}/annulation", json={"version": s["version"]}, headers=bearer(world, "lead_a"))
    assert r.status_code == 201 or r.status_code == 200, r.text
    (event,) = [e for e in Calendar.from_ical((await client.get(path)).content).walk("VEVENT")
                if str(e["UID"]).startswith("formation-seance-")]
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
    from service.outbox.usecases.enqueue import list_for_council

    assert "formation.modification" in [m.kind for m in await list_for_council(ctx.db, None)]


async def test_printed_invitations_for_members_without_email(client: Any, ctx: Any, world: World) -> None:
    from service.audit import Actor
    from service.composition.usecases import members as composition

    with_address = await add_member(ctx, world.ids["council_a"], "Awa", "Diallo", "F")
    await composition.update_member_address(ctx, Actor.system("t"), with_address, {
        "numero": "12", "voie": "rue des Lilas", "code_postal": "37000", "commune": "Tours"}, 1)
    without = await add_member(ctx, world.ids["council_a"], "Paul", "Durand", "M")
    with_mail = await add_member(ctx, world.ids["council_a"], "Inès", "Martin", "F", email="ines@example.org")
    f = await training(client, world)
    s = await session(client, world, f["id"])
    for m in (with_address, without, with_mail):
        r = await client.post(f"/api/v1/seances/{s['id']}/inscriptions", json={"membre_id": m}, headers=bearer(world, "lead_a"))
        assert r.status_code == 201
    r = await client.get(f"/api/v1/seances/{s['id']}/invitations.pdf", headers=bearer(world, "lead_a"))
    assert r.status_code == 200 and r.headers["x-sans-adresse"] == "1"
    pages = PdfReader(io.BytesIO(r.content)).pages
    assert len(pages) == 1
    text = pages[0].extract_text()
    assert "Mme Awa DIALLO" in text and "37000 TOURS" in text and "Vous êtes inscrite" in text and "samedi 14 mars 2026" in text
