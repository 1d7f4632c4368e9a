"""Convocations over HTTP, on the real meetings store: the notice refusal (409
problem+json ending in /delai-convocation), the emergency, idempotency, a new version
after a change, the member's acknowledgement link (page and API) with proxy answers,
the printable batch, the calendar feeds and the CLI."""

from __future__ import annotations

import re
from typing import Any

import pytest
from icalendar import Calendar

from tests.conftest import World, bearer
from tests.reunions_support import add_members, paris

pytestmark = pytest.mark.anyio


async def _meeting(client: Any, world: World, *, day: int = 7, publique: bool = True) -> dict[str, Any]:
    council = world.ids["council_a"]
    r = await client.post(f"/api/v1/conseils/{council}/reunions", headers=bearer(world, "secretary_a"), json={
        "titre": "Séance plénière", "debut": paris(2026, 3, day, 18).isoformat(),
        "fin": paris(2026, 3, day, 20).isoformat(), "lieu": "Maison de quartier", "publique": publique})
    assert r.status_code == 201, r.text
    meeting = r.json()
    for titre in ("Adoption du compte rendu", "Rénovation urbaine"):
        p = await client.post(f"/api/v1/reunions/{meeting['id']}/ordre-du-jour", headers=bearer(world, "secretary_a"),
                              json={"titre": titre, "rapporteur": "Présidence", "duree_minutes": 20})
        assert p.status_code == 201, p.text
    return meeting


def _mail_tokens() -> Any:
    async def read() -> dict[str, str]:
        from service.outbox.tables import OutboxMail

        out = {}
        for row in await OutboxMail.select(OutboxMail.recipient, OutboxMail.body):
            m = re.search(r"/convocations/([A-Za-z0-9_-]+)", row["body"])
            assert m, row["body"]
            out[row["recipient"]] = m.group(1)
        return out

    return read()


async def test_notice_emergency_and_idempotency_over_http(client: Any, ctx: Any, world: World) -> None:
    await add_members(world.ids["council_a"], 3)
    meeting = await _meeting(client, world, day=7)  # Mon 2 → Sat 7 March: 4 clear days
    url = f"/api/v1/reunions/{meeting['id']}/convocations"
    r = await client.post(url, headers=bearer(world, "secretary_a"), json={"urgence": False})
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["type"].endswith("/delai-convocation")
    assert "4 jours francs" in problem["detail"] and "5 jours francs" in problem["detail"]
    r = await client.post(url, headers=bearer(world, "secretary_a"), json={"urgence": True})
    assert r.status_code == 422 and r.json()["field"] == "motif"
    r = await client.post(url, headers=bearer(world, "member_a"), json={"urgence": True, "motif": "x"})
    assert r.status_code == 403
    r = await client.post(url, headers=bearer(world, "secretary_a"),
                          json={"urgence": True, "motif": "Avis demandé par la préfecture"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["convoques"] == 3 and body["urgence"] and body["jours_francs"] == 4
    got = (await client.get(f"/api/v1/reunions/{meeting['id']}", headers=bearer(world, "secretary_a"))).json()["reunion"]
    assert got["status"] == "convoquee" and got["urgence_motif"] == "Avis demandé par la préfecture"
    again = await client.post(url, headers=bearer(world, "secretary_a"),
                              json={"urgence": True, "motif": "Avis demandé par la préfecture"})
    assert again.status_code == 200 and again.json()["convoques"] == 0
    listed = (await client.get(url, headers=bearer(world, "secretary_a"))).json()
    assert len(listed) == 3 and all(c["canal"] == "courrier" and len(c["sha256"]) == 64 for c in listed)
    batch = await client.get(url + "/courrier.pdf", headers=bearer(world, "secretary_a"))
    assert batch.status_code == 200 and batch.content.startswith(b"%PDF")
    posted = await client.post(url + "/postees", headers=bearer(world, "secretary_a"))
    assert posted.status_code == 200 and posted.json() == {"courriers": 3}


async def test_new_version_after_a_change_and_the_ack_link(client: Any, ctx: Any, world: World) -> None:
    ctx.settings = ctx.settings.with_(smtp_url="smtp://127.0.0.1:1", public_base_url="https://conseil.exemple.fr")
    ids = await add_members(world.ids["council_a"], 3)
    meeting = await _meeting(client, world, day=12)
    url = f"/api/v1/reunions/{meeting['id']}/convocations"
    r = await client.post(url, headers=bearer(world, "secretary_a"), json={})
    assert r.status_code == 201 and r.json()["par_courriel"] == 3
    tokens = await _mail_tokens()
    mine = tokens["m0@exemple.fr"]

    # The public page shows the convocation; receipt is acknowledged with its button.
    page = await client.get(f"/convocations/{mine}")
    assert page.status_code == 200 and "Séance plénière" in page.text and "Réception accusée" not in page.text
    assert "<script>" not in page.text and " on" + "click=" not in page.text and f'action="/convocations/{mine}/accuse"' in page.text
    page = await client.post(f"/convocations/{mine}/accuse", data={"_csrf": client.cookies.get("cc_csrf")})
    assert page.status_code == 200 and "Réception accusée le" in page.text
    ack = (await client.get(f"/api/v1/convocations/{mine}")).json()
    assert ack["accuse_le"] is not None and {c["membre_id"] for c in ack["membres_convoques"]} == set(ids[1:])
    api_ack = await client.post(f"/api/v1/convocations/{tokens['m1@exemple.fr']}/accuse", json={})
    assert api_ack.status_code == 200 and api_ack.json()["accuse_le"] is not None
    r = await client.post(f"/api/v1/convocations/{mine}/reponse", json={"reponse": "pouvoir", "porteur_id": ids[0]})
    assert r.status_code == 409 and r.json()["type"].endswith("/pouvoir-a-soi-meme")
    r = await client.post(f"/convocations/{mine}", data={"reponse": "pouvoir", "porteur_id": str(ids[1]),
                                                         "_csrf": client.cookies.get("cc_csrf")})
    assert r.status_code == 200 and "Votre réponse est enregistrée" in r.text
    other = tokens["m2@exemple.fr"]
    r = await client.post(f"/api/v1/convocations/{other}/reponse", json={"reponse": "pouvoir", "porteur_id": ids[1]})
    assert r.status_code == 409 and r.json()["type"].endswith("/pouvoir-deja-detenu")
    assert (await client.get("/convocations/inconnu")).status_code == 404

    # A change: a new version for everyone, saying what changed; the old link is closed.
    current = (await client.get(f"/api/v1/reunions/{meeting['id']}", headers=bearer(world, "secretary_a"))).json()["reunion"]
    r = await client.patch(f"/api/v1/reunions/{meeting['id']}", headers=bearer(world, "secretary_a"),
                           json={"version": current["version"], "lieu": "Salle des fêtes"})
    assert r.status_code == 200, r.text
    r = await client.post(url, headers=bearer(world, "secretary_a"), json={})
    assert r.status_code == 201 and r.json()["version"] == 2
    assert any("Salle des fêtes" in c for c in r.json()["changements"])
    everything = (await client.get(url + "?toutes_versions=true", headers=bearer(world, "secretary_a"))).json()
    assert len(everything) == 6 and sum(c["remplacee"] for c in everything) == 3
    r = await client.post(f"/api/v1/convocations/{mine}/reponse", json={"reponse": "present"})
    assert r.status_code == 409 and r.json()["type"].endswith("/convocation-remplacee")


async def test_feeds_over_http(client: Any, ctx: Any, world: World) -> None:
    await add_members(world.ids["council_a"], 2, account_ids={0: world.ids["member_a"]})
    public = await _meeting(client, world, day=12, publique=True)
    private = await _meeting(client, world, day=13, publique=False)
    council = world.ids["council_a"]
    r = await client.get(f"/conseils/{council}/reunions.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    assert [str(e["UID"]).split("@")[0] for e in cal.walk("VEVENT")] == [f"reunion-{public['id']}"]
    for m in (public, private):
        c = await client.post(f"/api/v1/reunions/{m['id']}/convocations", headers=bearer(world, "secretary_a"), json={})
        assert c.status_code == 201
    link = await client.post(f"/api/v1/conseils/{council}/calendrier-personnel", headers=bearer(world, "member_a"))
    assert link.status_code == 201, link.text
    path = "/" + link.json()["url"].split("/", 3)[3]
    mine = Calendar.from_ical((await client.get(path)).content)
    assert len(mine.walk("VEVENT")) == 2
    before = {str(e["UID"]): int(e["SEQUENCE"]) for e in mine.walk("VEVENT")}
    # A change raises SEQUENCE; a cancellation stays in the feed as CANCELLED.
    cur = (await client.get(f"/api/v1/reunions/{private['id']}", headers=bearer(world, "secretary_a"))).json()["reunion"]
    r = await client.post(f"/api/v1/reunions/{private['id']}/annulation", headers=bearer(world, "secretary_a"),
                          json={"version": cur["version"]})
    assert r.status_code in (200, 201), r.text
    after = {str(e["UID"]): e for e in Calendar.from_ical((await client.get(path)).content).walk("VEVENT")}
    uid = next(u for u in after if u.startswith(f"reunion-{private['id']}@"))
    assert str(after[uid]["STATUS"]) == "CANCELLED" and int(after[uid]["SEQUENCE"]) > before[uid]
    nobody = await client.post(f"/api/v1/conseils/{council}/calendrier-personnel", headers=bearer(world, "lead_a"))
    assert nobody.status_code == 409
    assert (await client.delete(f"/api/v1/conseils/{council}/calendrier-personnel",
                                headers=bearer(world, "member_a"))).status_code == 204
    assert (await client.get(path)).status_code == 404


async def test_cli_convenes_and_writes_the_batch(ctx: Any, world: World, tmp_path: Any,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from service.reunions import cli_convocations as cli
    from service.reunions.usecases import meetings

    await add_members(world.ids["council_a"], 2)
    m = await meetings.create_meeting(ctx, cli.cli_actor(), world.ids["council_a"], meetings.MeetingInput(
        titre="Bureau", debut=paris(2026, 3, 20), fin=paris(2026, 3, 20, 20)))
    assert await cli._convene(ctx, argparse.Namespace(id=m.id, urgence=False, motif="")) == 0
    out = tmp_path / "lot.pdf"
    assert await cli._batch(ctx, argparse.Namespace(id=m.id, pdf=out, poste=True)) == 0
    assert out.read_bytes().startswith(b"%PDF")
    text = capsys.readouterr().out.replace("\u00a0", " ")
    assert "2 membres convoqués" in text and "2 convocations" in text


async def test_minutes_pdf_with_signature_lines(client: Any, ctx: Any, world: World, clock: Any) -> None:
    import io

    from pypdf import PdfReader

    from service.audit import Actor
    from service.reunions.usecases import attendance as att
    from service.reunions.usecases import meetings as mt
    from service.reunions.usecases import minutes as mn

    ids = await add_members(world.ids["council_a"], 3)
    meeting = await _meeting(client, world, day=12)
    r = await client.post(f"/api/v1/reunions/{meeting['id']}/convocations", headers=bearer(world, "secretary_a"), json={})
    assert r.status_code == 201
    url = f"/api/v1/reunions/{meeting['id']}/compte-rendu.pdf"
    assert (await client.get(url, headers=bearer(world, "member_a"))).status_code == 409  # no minutes yet
    actor = Actor.system("test")
    for mid in ids[:2]:
        await att.record_presence(ctx, actor, meeting["id"], mid, "present")
    await att.close_attendance(ctx, actor, meeting["id"], (await mt.get_meeting(ctx, meeting["id"])).version)
    await mn.create_draft(ctx, actor, meeting["id"])
    r = await client.get(url, headers=bearer(world, "auditor_37"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages).split())
    assert "Compte rendu de la réunion du jeudi 12 mars 2026" in text
    assert "brouillon" in text and "Présents" in text and "Rénovation urbaine" in text
    assert "La présidente ou le président de séance" in text and "Signature" in text
    assert (await client.get(url, headers=bearer(world, "lead_b"))).status_code == 403

    # Adopted at a later meeting, then published: the PDF says so and carries the
    # audit chain's head.
    later = await _meeting(client, world, day=26)
    await mt.mark_convened(ctx, actor, later["id"], sent_on=paris(2026, 3, 19).date())
    for mid in ids[:2]:
        await att.record_presence(ctx, actor, later["id"], mid, "present")
    await att.close_attendance(ctx, actor, later["id"], (await mt.get_meeting(ctx, later["id"])).version)
    draft = (await mn.versions(ctx, meeting["id"]))[-1]
    adopted = await mn.adopt(ctx, actor, meeting["id"], later["id"], draft.version, consensus=True)
    clock.now = paris(2026, 3, 28, 10)
    await mn.publish(ctx, actor, meeting["id"], adopted.version)
    r = await client.get(url, headers=bearer(world, "member_a"))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages).split())
    assert "Publié le 28 mars 2026" in text and "Empreinte du journal d'audit" in text


async def test_openapi_documents_the_convocation_routes(client: Any) -> None:
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    ops = {op.get("operationId"): op for path in r.json()["paths"].values() for op in path.values()
           if isinstance(op, dict)}
    for name in ("sendConvocations", "listConvocations", "printConvocations", "markConvocationsPosted",
                 "openConvocation", "acknowledgeConvocation", "answerConvocation", "compteRenduPdf", "newPersonalCalendar"):
        assert name in ops, name
    assert ops["sendConvocations"]["summary"] == "Envoyer les convocations de la réunion"


async def test_convocations_refused_without_a_public_address(client: Any, ctx: Any, world: World) -> None:
    """Convocations carry each member's acknowledgement link: never a loopback address."""
    await add_members(world.ids["council_a"], 2)
    meeting = await _meeting(client, world, day=20)
    ctx.settings = ctx.settings.with_(allow_loopback_links=False, public_base_url_explicit=False)
    url = f"/api/v1/reunions/{meeting['id']}/convocations"
    r = await client.post(url, headers=bearer(world, "secretary_a"), json={"urgence": False})
    assert r.status_code == 409 and "PUBLIC_BASE_URL" in r.json()["detail"]
    assert (await client.get(url, headers=bearer(world, "secretary_a"))).json() == []
