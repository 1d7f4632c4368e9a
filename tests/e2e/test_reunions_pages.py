"""The meetings pages over HTTP: the secretary's cycle, the member's pages, the public
pages and the question form, and bad input shown as French messages naming the field."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import World, web_login
from tests.reunions_support import add_members

pytestmark = pytest.mark.anyio


def _csrf(client: Any) -> str:
    return str(client.cookies.get("cc_csrf"))


async def _post(client: Any, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    return await client.post(url, data={**(data or {}), "_csrf": _csrf(client)}, follow_redirects=False, **kw)


async def _create(client: Any, council: int, debut: str = "2026-03-12T18:30", fin: str = "2026-03-12T20:30",
                  **extra: str) -> int:
    r = await _post(client, f"/conseils/{council}/reunions/gestion", {
        "titre": "Séance plénière de mars", "debut": debut, "fin": fin, "lieu": "Maison de quartier",
        "kind": "pleniere", "publique": "oui", **extra})
    assert r.status_code == 303, r.text[:2000]
    m = re.search(r"/reunions/(\d+)", r.headers["location"])
    assert m
    return int(m.group(1))


async def test_secretary_creates_meeting_and_builds_agenda(client: Any, world: World) -> None:
    council = world.ids["council_a"]
    await add_members(council, 3)
    await web_login(client, "secretary.a@test.fr")
    page = await client.get(f"/conseils/{council}/reunions/gestion")
    assert page.status_code == 200 and "Prévoir une réunion" in page.text
    rid = await _create(client, council)
    detail = await client.get(f"/reunions/{rid}")
    assert detail.status_code == 200
    assert "jeudi 12 mars 2026" in detail.text and "18\u00a0h\u00a030" in detail.text
    r = await _post(client, f"/reunions/{rid}/points", {"titre": "Accueil", "parent_id": "", "rapporteur": "",
                                                       "duree_minutes": ""})
    assert r.status_code == 303
    r = await _post(client, f"/reunions/{rid}/points", {"titre": "Projets du quartier", "parent_id": "",
                                                       "rapporteur": "Mme Durand", "duree_minutes": "30"})
    assert r.status_code == 303
    detail = await client.get(f"/reunions/{rid}")
    parent = re.search(r'<option value="(\d+)">Sous-point de 2 Projets', detail.text)
    assert parent
    r = await _post(client, f"/reunions/{rid}/points", {"titre": "Jardin partagé", "parent_id": parent.group(1),
                                                       "rapporteur": "", "duree_minutes": ""})
    assert r.status_code == 303
    detail = await client.get(f"/reunions/{rid}")
    text = re.sub(r"\s+", " ", detail.text)
    assert '<span class="numero">2.1</span> Jardin partagé' in text
    assert "30 minutes" in text
    # Move « Projets » up: it becomes item 1, its sub-item 1.1.
    item = re.search(r'action="/reunions/\d+/points/(\d+)/deplacer">.{0,200}?name="version" value="(\d+)"'
                     r'.{0,200}?Monter le point 2', detail.text, re.S)
    assert item
    r = await _post(client, f"/reunions/{rid}/points/{item.group(1)}/deplacer", {"sens": "haut",
                                                                                 "version": item.group(2)})
    assert r.status_code == 303
    text = re.sub(r"\s+", " ", (await client.get(f"/reunions/{rid}")).text)
    assert '<span class="numero">1.1</span> Jardin partagé' in text


async def test_meeting_form_errors_name_the_field(client: Any, world: World) -> None:
    council = world.ids["council_a"]
    await web_login(client, "secretary.a@test.fr")
    r = await _post(client, f"/conseils/{council}/reunions/gestion", {
        "titre": "Plénière", "debut": "2026-03-12T18:30", "fin": "2026-03-12T17:00", "lieu": "Salle",
        "kind": "pleniere"})
    assert r.status_code == 422
    assert 'id="erreur-fin"' in r.text and "se termine avant de commencer" in r.text
    r = await _post(client, f"/conseils/{council}/reunions/gestion", {
        "titre": "", "debut": "pas une date", "fin": "", "lieu": "", "kind": "pleniere"})
    assert r.status_code == 422 and 'id="erreur-debut"' in r.text and "Début" in r.text


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


async def _member_ids(client: Any, rid: int) -> list[int]:
    page = await client.get(f"/reunions/{rid}/presences")
    return [int(x) for x in re.findall(r'<li id="membre-(\d+)">', page.text)]


async def _hold(client: Any, rid: int, present: list[int]) -> Any:
    for mid in present:
        r = await _post(client, f"/reunions/{rid}/presences/{mid}", {"etat": "present"})
        assert r.status_code == 303, r.text[:500]
    return await _post(client, f"/reunions/{rid}/cloturer")


async def test_cycle_convocations_attendance_minutes_public(client: Any, world: World, clock: Any) -> None:
    council = world.ids["council_a"]
    await add_members(council, 5)
    await web_login(client, "secretary.a@test.fr")
    # Too short a notice: refused, in French, with the clear days.
    soon = await _create(client, council, debut="2026-03-05T18:30", fin="2026-03-05T20:00")
    r = await _post(client, f"/reunions/{soon}/convocations", {"motif": ""})
    assert r.status_code == 409
    text = _squash(r.text)
    assert "Délai de convocation non respecté" in text and "2 jours francs entre l'envoi et la réunion" in text
    r = await _post(client, f"/reunions/{soon}/convocations", {"urgence": "oui", "motif": ""})
    assert r.status_code == 422 and 'id="erreur-motif"' in r.text
    rid = await _create(client, council)
    await _post(client, f"/reunions/{rid}/points", {"titre": "Budget participatif", "parent_id": ""})
    r = await _post(client, f"/reunions/{rid}/convocations", {})
    assert r.status_code == 303
    board = _squash((await client.get(f"/reunions/{rid}/convocations")).text)
    # No mail server in the tests: every member's convocation is printed, to post.
    assert board.count("<td>Courrier</td>") == 5 and board.count("à poster") == 5
    assert re.search(r'<code title="[0-9a-f]{64}">[0-9a-f]{12}…</code>', board)
    pdf = re.search(r'href="(/reunions/\d+/convocations/\d+/pdf)"', board)
    assert pdf and (await client.get(pdf.group(1))).content.startswith(b"%PDF")
    members = await _member_ids(client, rid)
    assert len(members) == 5
    # Before the first tap the quorum is pending, not shown as missed; one absence later it is.
    sheet = (await client.get(f"/reunions/{rid}/presences")).text
    assert 'class="quorum en-attente"' in sheet
    assert "0 pouvoir (les pouvoirs" in sheet  # French plural: 0 takes the singular
    # Proxy to an absent member refused, naming the holder field; then attendance, quorum.
    await _post(client, f"/reunions/{rid}/presences/{members[3]}", {"etat": "absent"})
    assert 'class="quorum non-atteint"' in (await client.get(f"/reunions/{rid}/presences")).text
    r = await _post(client, f"/reunions/{rid}/pouvoirs/{members[4]}", {"porteur_id": str(members[3])})
    assert r.status_code == 409 and "doit être donné à un membre présent" in r.text
    for mid in members[:3]:
        await _post(client, f"/reunions/{rid}/presences/{mid}", {"etat": "present"})
    r = await _post(client, f"/reunions/{rid}/pouvoirs/{members[4]}", {"porteur_id": str(members[0])})
    assert r.status_code == 303
    r = await _post(client, f"/reunions/{rid}/cloturer")
    assert r.status_code == 303
    sheet = _squash((await client.get(f"/reunions/{rid}/presences")).text)
    assert "Quorum atteint : 3 présents, 3 requis sur 5 membres." in sheet and "1 pouvoir" in sheet
    # Decision with votes on the item.
    dec = await client.get(f"/reunions/{rid}/decisions")
    point = re.search(r'/reunions/\d+/points/(\d+)/decision', dec.text)
    assert point
    r = await _post(client, f"/reunions/{rid}/points/{point.group(1)}/decision",
                    {"texte": "Trois projets retenus", "pour": "9", "contre": "0", "abstention": "0"})
    assert r.status_code == 422 and "votants possibles" in r.text
    r = await _post(client, f"/reunions/{rid}/points/{point.group(1)}/decision",
                    {"texte": "Trois projets retenus", "pour": "3", "contre": "1", "abstention": "0"})
    assert r.status_code == 303
    assert "3 pour, 1 contre" in (await client.get(f"/reunions/{rid}/decisions")).text
    # Minutes: drafted from the agenda, adopted at the next (held) meeting, published.
    assert (await _post(client, f"/reunions/{rid}/compte-rendu")).status_code == 303
    cr = await client.get(f"/reunions/{rid}/compte-rendu")
    assert "Budget participatif" in cr.text and "Brouillon" in cr.text
    nxt = await _create(client, council, debut="2026-03-26T18:30", fin="2026-03-26T20:00")
    assert (await _post(client, f"/reunions/{nxt}/convocations", {})).status_code == 303
    held = await _hold(client, nxt, members[:4])
    assert held.status_code == 303, re.findall(r"alerte erreur[^<]*<[^>]*>([^<]*)", held.text)
    r = await _post(client, f"/reunions/{rid}/compte-rendu/publier")
    assert r.status_code == 409 and "doit être adopté avant" in r.text
    r = await _post(client, f"/reunions/{rid}/compte-rendu/adopter", {"adopte_en_reunion_id": str(nxt),
                                                                      "consensus": "oui"})
    assert r.status_code == 303, _squash(r.text)[-3000:]
    assert "Adoption du compte rendu" in (await client.get(f"/reunions/{nxt}")).text
    # A week after the adoption: the page warns before the publication deadline passes.
    clock.now = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    await web_login(client, "secretary.a@test.fr")  # the session of a month ago has expired
    cr = _squash((await client.get(f"/reunions/{rid}/compte-rendu")).text)
    assert "doit être publié au plus tard le 02/04/2026" in cr
    assert (await _post(client, f"/reunions/{rid}/compte-rendu/publier")).status_code == 303
    public = _squash((await client.get(f"/conseils/{council}/reunions")).text)
    assert "Compte rendu publié" in public
    minutes = await client.get(f"/conseils/{council}/reunions/{rid}/compte-rendu")
    assert minutes.status_code == 200 and "Budget participatif" in minutes.text
    # A correction is a new version, the change visible, the old version still readable.
    r = await _post(client, f"/reunions/{rid}/compte-rendu/nouvelle-version",
                    {"motif": "Faute de frappe", "texte": "Texte corrigé"})
    assert r.status_code == 303
    minutes = _squash((await client.get(f"/conseils/{council}/reunions/{rid}/compte-rendu")).text)
    assert "Faute de frappe" in minutes and "<ins>Texte corrigé</ins>" in minutes and "?version=1" in minutes


async def test_public_question_form_consent_honeypot_and_rate_limit(client: Any, world: World) -> None:
    council = world.ids["council_a"]
    form = await client.get(f"/conseils/{council}/questions/nouvelle")
    assert form.status_code == 200 and "consentement" in form.text
    r = await _post(client, f"/conseils/{council}/questions/nouvelle",
                    {"texte": "Quand l'ascenseur sera-t-il réparé ?", "destinataire": "bailleur"})
    assert r.status_code == 422 and 'id="erreur-consentement"' in r.text
    r = await _post(client, f"/conseils/{council}/questions/nouvelle",
                    {"texte": "", "destinataire": "bailleur", "consentement": "oui"})
    assert r.status_code == 422 and 'id="erreur-texte"' in r.text
    r = await _post(client, f"/conseils/{council}/questions/nouvelle",
                    {"texte": "Quand l'ascenseur du 12 sera-t-il réparé ?", "destinataire": "bailleur",
                     "consentement": "oui"})
    assert r.status_code == 303
    r = await _post(client, f"/conseils/{council}/questions/nouvelle",
                    {"texte": "Robot", "destinataire": "ville", "consentement": "oui", "site": "http://spam"})
    assert r.status_code == 303
    public = await client.get(f"/conseils/{council}/reunions")
    assert "ascenseur du 12" in public.text and "Robot" not in public.text and "En attente de réponse" in public.text
    last = None
    for _i in range(25):
        last = await _post(client, f"/conseils/{council}/questions/nouvelle",
                           {"texte": "Encore", "destinataire": "ville", "consentement": "oui"})
        if last.status_code == 429:
            break
    assert last is not None and last.status_code == 429 and int(last.headers["retry-after"]) > 0
    assert "Réessayez" in last.text
    # The secretary answers; the answer is public with its date.
    await web_login(client, "secretary.a@test.fr")
    page = await client.get(f"/conseils/{council}/questions")
    qid = re.search(r'/questions/(\d+)/reponse', page.text)
    assert qid
    r = await _post(client, f"/conseils/{council}/questions/{qid.group(1)}/reponse",
                    {"reponse": "", "answered_on": "2026-03-02"})
    assert r.status_code == 422 and f'id="erreur-q{qid.group(1)}-reponse"' in r.text
    r = await _post(client, f"/conseils/{council}/questions/{qid.group(1)}/reponse",
                    {"reponse": "Réparation prévue le 15 mars.", "answered_on": "2026-03-02"})
    assert r.status_code == 303
    assert "Réparation prévue le 15 mars." in (await client.get(f"/conseils/{council}/reunions")).text


async def test_auditor_reads_meetings_without_controls(client: Any, world: World) -> None:
    council = world.ids["council_a"]
    await web_login(client, "secretary.a@test.fr")
    rid = await _create(client, council)
    await _post(client, f"/reunions/{rid}/points", {"titre": "Budget participatif", "parent_id": ""})
    client.cookies.clear()
    await web_login(client, "auditor.37@test.fr")
    listing = await client.get(f"/conseils/{council}/reunions/gestion")
    assert listing.status_code == 200 and "Séance plénière de mars" in listing.text
    assert "Prévoir une réunion" not in listing.text
    detail = await client.get(f"/reunions/{rid}")
    assert detail.status_code == 200 and "Budget participatif" in detail.text
    assert "Supprimer" not in detail.text and "Ajouter à l'ordre du jour" not in detail.text
    assert "Convocations" not in detail.text  # the members' contacts stay with the secretary
    assert (await _post(client, f"/reunions/{rid}/points", {"titre": "X"})).status_code == 403
    assert (await client.get(f"/reunions/{rid}/convocations")).status_code == 403


async def test_member_proposes_an_item_and_reads_their_meetings(client: Any, world: World) -> None:
    council = world.ids["council_a"]
    await add_members(council, 3, account_ids={0: world.ids["member_a"]})
    await web_login(client, "secretary.a@test.fr")
    rid = await _create(client, council)
    assert (await _post(client, f"/reunions/{rid}/convocations", {})).status_code == 303
    client.cookies.clear()
    await web_login(client, "member.a@test.fr")
    mine = _squash((await client.get("/mes-reunions")).text)
    assert "Séance plénière de mars" in mine and "Convocation (PDF)" in mine
    pdf = re.search(r'href="(/reunions/\d+/convocations/\d+/pdf)"', mine)
    assert pdf and (await client.get(pdf.group(1))).content.startswith(b"%PDF")
    r = await _post(client, f"/reunions/{rid}/propositions", {"titre": "", "texte": ""})
    assert r.status_code == 422 and 'id="erreur-pp-titre"' in r.text
    r = await _post(client, f"/reunions/{rid}/propositions", {"titre": "Éclairage du parking", "texte": "Il est en panne."})
    assert r.status_code == 303
    # The secretary refuses it without a reason (refused, the field named), then accepts it.
    client.cookies.clear()
    await web_login(client, "secretary.a@test.fr")
    page = await client.get(f"/reunions/{rid}")
    pid = re.search(r'/propositions/(\d+)/accepter', page.text)
    assert pid and "Éclairage du parking" in page.text
    r = await _post(client, f"/reunions/{rid}/propositions/{pid.group(1)}/refuser", {"reponse": ""})
    assert r.status_code == 422 and f'id="erreur-ref{pid.group(1)}-reponse"' in r.text
    r = await _post(client, f"/reunions/{rid}/propositions/{pid.group(1)}/accepter")
    assert r.status_code == 303
    assert '<span class="numero">1</span> Éclairage du parking' in _squash((await client.get(f"/reunions/{rid}")).text)
    # Another member's convocation PDF is not the member's to read.
    client.cookies.clear()
    await web_login(client, "member.a@test.fr")
    board_pdfs = re.findall(r'/reunions/\d+/convocations/(\d+)/pdf', mine)
    other = next(i for i in range(1, 4) if str(i) not in board_pdfs)
    assert (await client.get(f"/reunions/{rid}/convocations/{other}/pdf")).status_code == 404
    # The personal calendar: shown once when created.
    r = await _post(client, "/mes-reunions/agenda/renouveler")
    assert r.status_code == 201 and "/calendrier/" in r.text


async def test_edit_postpone_cancel_and_questions_raised_at_a_meeting(client: Any, world: World) -> None:
    council = world.ids["council_a"]
    await web_login(client, "secretary.a@test.fr")
    rid = await _create(client, council)
    page = await client.get(f"/reunions/{rid}")
    version = re.search(r'action="/reunions/\d+/modifier".{0,200}?name="version" value="(\d+)"', page.text, re.S)
    assert version
    body = {"titre": "Plénière de printemps", "debut": "2026-03-12T18:30", "fin": "2026-03-12T21:00",
            "lieu": "Mairie annexe", "version": version.group(1)}
    assert (await _post(client, f"/reunions/{rid}/modifier", body)).status_code == 303
    # The same form again carries a stale version: a conflict, not a silent overwrite.
    r = await _post(client, f"/reunions/{rid}/modifier", {**body, "lieu": "Autre salle"})
    assert r.status_code == 409 and "Mairie annexe" in (await client.get(f"/reunions/{rid}")).text
    r = await _post(client, f"/reunions/{rid}/reporter", {"debut": "2026-03-19T18:30", "fin": "2026-03-19T20:30"})
    assert r.status_code == 303
    new = int(r.headers["location"].split("/reunions/")[1].split("?")[0])
    assert "Reportée" in (await client.get(f"/reunions/{rid}")).text
    page = await client.get(f"/reunions/{new}")
    version = re.search(r'action="/reunions/\d+/annuler".{0,300}?name="version" value="(\d+)"', page.text, re.S)
    assert version
    assert (await _post(client, f"/reunions/{new}/annuler", {"version": version.group(1)})).status_code == 303
    assert "Annulée" in (await client.get(f"/reunions/{new}")).text
    # A question raised at a meeting, with a date in the future refused (the field named).
    r = await _post(client, f"/conseils/{council}/questions", {"texte": "Horaires du bus 12 ?", "destinataire": "epci",
                                                              "reunion_id": str(rid), "raised_on": "2027-01-01"})
    assert r.status_code == 422 and 'id="erreur-raised_on"' in r.text
    r = await _post(client, f"/conseils/{council}/questions", {"texte": "Horaires du bus 12 ?", "destinataire": "epci",
                                                              "reunion_id": str(rid), "raised_on": "2026-03-01"})
    assert r.status_code == 303
    listing = _squash((await client.get(f"/conseils/{council}/questions")).text)
    assert "Horaires du bus 12 ?" in listing and "En réunion" in listing and "Intercommunalité (EPCI)" in listing
    # The lead's absences page states the rule and proposes nobody yet.
    client.cookies.clear()
    await web_login(client, "lead.a@test.fr")
    absences = _squash((await client.get(f"/conseils/{council}/absences")).text)
    assert "3 absences non excusées de suite" in absences and "Aucun membre n'atteint le seuil" in absences


async def test_absences_in_a_row_proposed_to_the_lead_who_confirms(client: Any, ctx: Any, world: World) -> None:
    from datetime import date

    from service.audit import Actor
    from service.reunions.usecases import attendance as att
    from service.reunions.usecases import meetings as mt
    from tests.reunions_support import paris

    council = world.ids["council_a"]
    members = await add_members(council, 3)
    actor = Actor.system("test")
    for day in (3, 10, 17):  # David NOM... the third member misses three meetings in a row
        m = await mt.create_meeting(ctx, actor, council, mt.MeetingInput(
            titre=f"Plénière du {day}", debut=paris(2026, 2, day), fin=paris(2026, 2, day, 20)))
        await mt.mark_convened(ctx, actor, m.id, sent_on=date(2026, 1, 20))
        await att.record_presence(ctx, actor, m.id, members[0], "present")
        await att.record_presence(ctx, actor, m.id, members[1], "present")
        await att.record_presence(ctx, actor, m.id, members[2], "absent")
        await att.close_attendance(ctx, actor, m.id, (await mt.get_meeting(ctx, m.id)).version)
    await web_login(client, "lead.a@test.fr")
    page = _squash((await client.get(f"/conseils/{council}/absences")).text)
    assert "Chloé NOM2" in page and "3 absences non excusées de suite" in page
    assert "Mettre fin au mandat pour absences" in page
    r = await _post(client, f"/conseils/{council}/absences/{members[2]}/fin-de-mandat")
    assert r.status_code == 200, _squash(r.text)[-1500:]
    assert "Aucun membre n'atteint le seuil" in r.text


async def test_paper_batch_marked_posted(client: Any, world: World) -> None:
    council = world.ids["council_a"]
    await add_members(council, 2)
    await web_login(client, "secretary.a@test.fr")
    rid = await _create(client, council)
    assert (await _post(client, f"/reunions/{rid}/convocations", {})).status_code == 303
    board = await client.get(f"/reunions/{rid}/convocations")
    assert "Le lot est posté aujourd&#39;hui" in board.text or "Le lot est posté aujourd'hui" in board.text
    batch = await client.get(f"/api/v1/reunions/{rid}/convocations/courrier.pdf")
    assert batch.status_code == 200 and batch.content.startswith(b"%PDF")
    r = await _post(client, f"/reunions/{rid}/convocations/postees")
    assert r.status_code == 303
    assert _squash((await client.get(f"/reunions/{rid}/convocations")).text).count("posté") >= 2


async def test_attachment_upload_checks_its_type(client: Any, world: World) -> None:
    council = world.ids["council_a"]
    await web_login(client, "secretary.a@test.fr")
    rid = await _create(client, council)
    await _post(client, f"/reunions/{rid}/points", {"titre": "Budget", "parent_id": ""})
    page = await client.get(f"/reunions/{rid}")
    point = re.search(r'/reunions/\d+/points/(\d+)/pieces', page.text)
    assert point
    url = f"/reunions/{rid}/points/{point.group(1)}/pieces"
    fake = {"fichier": ("budget.pdf", b"MZ\x90\x00 pas un PDF", "application/pdf")}
    r = await client.post(url, data={"_csrf": _csrf(client)}, files=fake, follow_redirects=False)
    assert r.status_code in (409, 415, 422) and "alerte erreur" in r.text
    real = {"fichier": ("budget.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")}
    r = await client.post(url, data={"_csrf": _csrf(client)}, files=real, follow_redirects=False)
    assert r.status_code == 303
    page = await client.get(f"/reunions/{rid}")
    link = re.search(r'href="(/reunions/\d+/pieces/\d+)">budget.pdf', page.text)
    assert link
    got = await client.get(link.group(1))
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
