"""Composition through HTTP: members with the rules judged live, overrides in the audit
trail, the representative-and-drawn-resident exclusion, concurrent edits, departures with
the replacement in the draw's order, the parity timeline, the auditor's dossier, the
member's own page and the exports (PDF rendered, CSV, ODT opened)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from service.composition.rows import MemberRow
from tests.conftest import World, bearer, web_login

pytestmark = pytest.mark.anyio


def member(
    prenom: str,
    sexe: str,
    college: str = "habitants",
    origin: str = "tire_au_sort_registre",
    **over: Any,
) -> dict[str, Any]:
    body = {
        "college": college,
        "origin": origin,
        "prenom": prenom,
        "nom": f"Nom{prenom}",
        "sexe": sexe,
        "mandate_start": "2026-03-01",
    }
    if origin == "representant_structure":
        body["structure"] = f"Asso {prenom}"
    body.update(over)
    return body


async def add(client: Any, world: World, body: dict[str, Any], who: str = "lead_a") -> Any:
    return await client.post(
        f"/api/v1/conseils/{world.ids['council_a']}/membres", headers=bearer(world, who), json=body
    )


async def seed(client: Any, world: World) -> dict[str, int]:
    """2 women + 2 men drawn residents, 1 woman and 1 man suppléants, 2 representatives."""
    ids = {}
    for prenom, sexe in (("Ana", "F"), ("Bob", "M"), ("Cleo", "F"), ("Dan", "M")):
        r = await add(client, world, member(prenom, sexe, stratum=sexe))
        assert r.status_code == 201, r.text
        ids[prenom] = r.json()["id"]
    for prenom, sexe, rank in (("Eve", "F", 2), ("Fay", "F", 1), ("Gus", "M", 1)):
        r = await add(
            client, world, member(prenom, sexe, seat="suppleant", stratum=sexe, rank=rank)
        )
        assert r.status_code == 201, r.text
        ids[prenom] = r.json()["id"]
    for prenom, sexe in (("Hugo", "M"), ("Iris", "F")):
        r = await add(
            client,
            world,
            member(
                prenom,
                sexe,
                college="associations_acteurs",
                origin="representant_structure",
                email=f"{prenom}@asso.fr",
                contact_consent=prenom == "Iris",
            ),
        )
        assert r.status_code == 201, r.text
        ids[prenom] = r.json()["id"]
    return ids


async def test_rules_refuse_then_override_is_audited(client: Any, world: World) -> None:
    ids = await seed(client, world)
    comp = (
        await client.get(
            f"/api/v1/conseils/{world.ids['council_a']}/composition",
            headers=bearer(world, "lead_a"),
        )
    ).json()
    rules = {r["code"]: r for r in comp["rules"]}
    assert rules["parite-habitants"]["ok"] and rules["part-habitants"]["ok"]
    assert (
        not rules["taille-recommandee"]["ok"]
        and rules["taille-recommandee"]["severity"] == "avertissement"
    )
    assert comp["counts"]["habitants"] == {"F": 2, "M": 2, "total": 4}
    # A third man among the residents breaks parity (3 M / 2 F is fine, so add two).
    assert (await add(client, world, member("Max", "M"))).status_code == 201
    r = await add(client, world, member("Ned", "M"))
    assert r.status_code == 409 and r.json()["code"] == "parite-habitants"
    assert r.json()["rules"] == ["parite-habitants"] and r.json()["override_min_length"] == 10
    # Too short a reason is no override.
    assert (
        await add(client, world, member("Ned", "M", override_reason="parce que"))
    ).status_code == 409
    r = await add(
        client,
        world,
        member("Ned", "M", override_reason="Candidate désistée, remplacement en cours"),
    )
    assert r.status_code == 201
    events = (await client.get("/api/v1/journal", headers=bearer(world, "lead_a"))).json()
    creation = next(
        e
        for e in events
        if e["action"] == "membre.creation" and e["subject_id"] == str(r.json()["id"])
    )
    assert creation["details"]["derogation"] == {
        "regles": ["parite-habitants"],
        "motif": "Candidate désistée, remplacement en cours",
    }
    # Residents' share: adding representatives until residents fall under 50 %.
    for i in range(4):
        assert (
            await add(
                client,
                world,
                member(
                    f"R{i}", "F", college="associations_acteurs", origin="representant_structure"
                ),
            )
        ).status_code == 201
    r = await add(
        client,
        world,
        member("R9", "F", college="associations_acteurs", origin="representant_structure"),
    )
    assert r.status_code == 409 and r.json()["code"] == "part-habitants"
    # Parity already broken (2 F / 4 M): a change that widens the gap is refused too,
    # one that narrows it passes.
    r = await add(client, world, member("Oz", "M"))
    assert r.status_code == 409 and r.json()["code"] == "parite-habitants"
    assert "aggrave" in r.json()["detail"]
    assert (await add(client, world, member("Wen", "F"))).status_code == 201
    # An origin that does not fit the college.
    r = await add(client, world, member("Zed", "M", college="associations_acteurs"))
    assert r.status_code == 422 and r.json()["code"] == "origine-incoherente"
    del ids


async def test_representative_who_is_a_drawn_resident_is_refused(client: Any, world: World) -> None:
    await seed(client, world)
    r = await add(
        client,
        world,
        member(
            "Ana",
            "F",
            college="associations_acteurs",
            origin="representant_structure",
            nom="NomAna",
        ),
    )
    assert r.status_code == 409 and r.json()["code"] == "representant-et-habitant"
    # The reverse: a representative then drawn as a resident.
    r = await add(client, world, member("hugo", "M", nom="NOMHUGO"))
    assert r.status_code == 409 and r.json()["code"] == "representant-et-habitant"


async def test_two_leads_editing_the_same_member(client: Any, world: World, ctx: Any) -> None:
    ids = await seed(client, world)
    url = f"/api/v1/conseils/{world.ids['council_a']}/membres/{ids['Hugo']}"
    first = member(
        "Hugo",
        "M",
        college="associations_acteurs",
        origin="representant_structure",
        structure="Régie de quartier",
        version=1,
    )
    second = member(
        "Hugo",
        "M",
        college="associations_acteurs",
        origin="representant_structure",
        structure="Centre social",
        version=1,
    )
    r1 = await client.patch(url, headers=bearer(world, "lead_a"), json=first)
    assert r1.status_code == 200 and r1.json()["version"] == 2
    r2 = await client.patch(url, headers=bearer(world, "admin"), json=second)
    assert r2.status_code == 409 and r2.json()["code"] == "modification-concurrente"
    # Nothing lost: the first edit is kept whole.
    got = (await client.get(url, headers=bearer(world, "lead_a"))).json()
    assert got["structure"] == "Régie de quartier" and got["version"] == 2
    # Truly concurrent calls to the use case: exactly one wins.
    import anyio

    from service.audit import Actor
    from service.composition.usecases import members as uc

    outcomes: list[str] = []

    async def edit(structure: str) -> None:
        data = uc.MemberInput(
            college="associations_acteurs",
            origin="representant_structure",
            prenom="Hugo",
            nom="NomHugo",
            sexe="M",
            structure=structure,
        )
        try:
            await uc.update_member(ctx, Actor(world.ids["lead_a"], "lead"), ids["Hugo"], data, 2)
            outcomes.append("ok")
        except Exception as exc:
            outcomes.append(getattr(exc, "code", type(exc).__name__))

    async with anyio.create_task_group() as tg:
        tg.start_soon(edit, "A")
        tg.start_soon(edit, "B")
    assert sorted(outcomes) == ["modification-concurrente", "ok"]


async def test_departure_proposes_the_best_ranked_suppleant_and_promotes(
    client: Any, world: World
) -> None:
    ids = await seed(client, world)
    base = f"/api/v1/conseils/{world.ids['council_a']}/membres"
    r = await client.post(
        f"{base}/{ids['Ana']}/depart",
        headers=bearer(world, "lead_a"),
        json={"status": "demissionnaire", "on": "2026-03-02", "version": 1},
    )
    # Ana leaving leaves 1 F / 2 M: parity still holds (gap 1), so no override needed.
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["vacancy"] and body["member"]["status"] == "demissionnaire"
    # Same stratum and sex, best rank first: Fay (rank 1), not Eve (rank 2) nor Gus.
    assert body["proposal"]["prenom"] == "Fay"
    r = await client.post(
        f"{base}/{ids['Cleo']}/depart",
        headers=bearer(world, "lead_a"),
        json={"status": "demenage", "on": "2026-03-02", "version": 1},
    )
    assert r.status_code == 409 and r.json()["code"] == "parite-habitants"
    r = await client.post(
        f"{base}/{ids['Ana']}/remplacement",
        headers=bearer(world, "lead_a"),
        json={"suppleant_id": ids["Fay"], "version": 1},
    )
    assert r.status_code == 200, r.text
    assert r.json()["seat"] == "titulaire" and r.json()["replaces"] == ids["Ana"]
    r = await client.post(
        f"{base}/{ids['Ana']}/remplacement",
        headers=bearer(world, "lead_a"),
        json={"suppleant_id": ids["Eve"], "version": 1},
    )
    assert r.status_code == 409 and r.json()["code"] == "siege-deja-pourvu"
    points = (
        await client.get(
            f"/api/v1/conseils/{world.ids['council_a']}/composition/parite",
            headers=bearer(world, "auditor_37"),
        )
    ).json()
    residents = [p for p in points if p["college"] == "habitants"]
    assert residents[0] == {"day": "2026-03-01", "college": "habitants", "women": 2, "men": 2}
    # Ana leaves and Fay takes her seat the same day: the count never drops.
    assert all(p["women"] == 2 for p in residents if p["day"] <= "2026-03-10")
    history = (
        await client.get(
            f"/api/v1/conseils/{world.ids['council_a']}/composition/historique",
            headers=bearer(world, "auditor_37"),
        )
    ).json()
    assert [h["action"] for h in history][:2] == ["promotion", "depart"]


async def test_members_and_auditor_see_no_contact_they_should_not(
    client: Any, world: World, ctx: Any
) -> None:
    ids = await seed(client, world)
    url = f"/api/v1/conseils/{world.ids['council_a']}/composition"
    lead = {
        m["prenom"]: m
        for m in (await client.get(url, headers=bearer(world, "lead_a"))).json()["members"]
    }
    assert lead["Hugo"]["email"] == "Hugo@asso.fr"
    mem = {
        m["prenom"]: m
        for m in (await client.get(url, headers=bearer(world, "member_a"))).json()["members"]
    }
    assert mem["Hugo"]["email"] is None and mem["Iris"]["email"] == "Iris@asso.fr"
    aud = {
        m["prenom"]: m
        for m in (await client.get(url, headers=bearer(world, "auditor_37"))).json()["members"]
    }
    assert aud["Iris"]["email"] is None and aud["Iris"]["nom"] == "NomIris"
    assert (await client.get(url, headers=bearer(world, "lead_b"))).status_code == 403
    # The auditor cannot change anything.
    r = await client.post(
        f"/api/v1/conseils/{world.ids['council_a']}/membres",
        headers=bearer(world, "auditor_37"),
        json=member("Jo", "F"),
    )
    assert r.status_code == 403
    # The auditor's dossier page: rules, history, audit trail; no e-mail address anywhere.
    await web_login(client, world.emails["auditor_37"])
    page = await client.get(f"/conseils/{world.ids['council_a']}/controle")
    assert page.status_code == 200
    assert (
        "Parité femmes-hommes dans le collège des habitants" in page.text
        and "Membre : création" in page.text
        and "parite-habitants" not in page.text
        and "membre.creation" not in page.text
        and "NOMIRIS" in page.text
    )
    # What each event is about is said in words, not as a table name.
    assert "membre n°" in page.text and not re.search(r"<td>[a-z_]+ \d+</td>", page.text)
    assert "Représentant et habitant" not in page.text and "Representant" not in page.text
    assert re.search(r"à \d{1,2}\xa0h", page.text) and not re.search(r"à \d\d:\d\d", page.text)
    assert "@asso.fr" not in page.text
    comp_page = await client.get(f"/conseils/{world.ids['council_a']}/composition")
    assert (
        "<svg" in comp_page.text
        and 'role="img"' in comp_page.text
        and "@asso.fr" not in comp_page.text
    )
    del ids


async def test_member_page_shows_mandate_and_consented_contacts(
    client: Any, world: World, ctx: Any
) -> None:
    await seed(client, world)
    r = await add(
        client, world, member("Moi", "F", account_id=world.ids["member_a"], email="moi@x.fr")
    )
    assert r.status_code == 201
    await web_login(client, world.emails["lead_a"])
    form = await client.get(f"/conseils/{world.ids['council_a']}/membres/{r.json()['id']}")
    # The lead links the record to an account among the council's member accounts.
    assert f'<option value="{world.ids["member_a"]}" selected>' in form.text
    assert "member.a@test.fr" in form.text and "lead.a@test.fr" not in form.text.split("<main")[1]
    await web_login(client, world.emails["member_a"])
    page = await client.get("/mon-mandat")
    assert page.status_code == 200
    assert "Conseil A" in page.text and "Tirée au sort sur les listes" in page.text  # she is a woman
    assert "Iris@asso.fr" in page.text and "Hugo@asso.fr" not in page.text
    # Not a dead end: the council's page, her meetings and trainings are one click away.
    cid = world.ids["council_a"]
    assert "Les membres du conseil « Conseil A »" in page.text
    for href in (f'href="/conseils/{cid}"', 'href="/mes-reunions"', f'href="/conseils/{cid}/formations"'):
        assert href in page.text
    council = await client.get(f"/conseils/{cid}")
    assert "<h2>Pages du conseil</h2>" in council.text and "Autres pages" not in council.text


async def test_lead_pages_refuse_parity_break_then_accept_override(
    client: Any, world: World
) -> None:
    ids = await seed(client, world)
    await web_login(client, world.emails["lead_a"])
    csrf = client.cookies.get("cc_csrf")
    form = {
        "college": "habitants",
        "origin": "tire_au_sort_registre",
        "seat": "titulaire",
        "prenom": "Ned",
        "nom": "NomNed",
        "sexe": "M",
        "mandate_start": "2026-03-01",
        "_csrf": csrf,
    }
    await client.post(f"/conseils/{world.ids['council_a']}/membres", data={**form, "prenom": "Max"})
    r = await client.post(f"/conseils/{world.ids['council_a']}/membres", data=form)
    assert r.status_code == 409 and "Parité femmes-hommes" in r.text and "Motif de dérogation" in r.text
    assert "parite-habitants" not in r.text
    assert 'value="NomNed"' in r.text
    r = await client.post(
        f"/conseils/{world.ids['council_a']}/membres",
        data={**form, "override_reason": "Remplacement prévu au prochain tour"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    # The second of two leads editing the same member gets the conflict, with his input kept.
    edit = {
        "college": "associations_acteurs",
        "origin": "representant_structure",
        "seat": "titulaire",
        "prenom": "Hugo",
        "nom": "NomHugo",
        "sexe": "M",
        "structure": "Première",
        "version": "1",
        "_csrf": csrf,
    }
    url = f"/conseils/{world.ids['council_a']}/membres/{ids['Hugo']}"
    assert (await client.post(url, data=edit, follow_redirects=False)).status_code == 303
    r = await client.post(url, data={**edit, "structure": "Seconde"})
    assert r.status_code == 409 and "modifié par quelqu'un d'autre" in r.text
    assert 'value="Seconde"' in r.text and "Première" in r.text  # his input, and what is stored now
    page = await client.get(url)
    assert 'value="Première"' in page.text


async def test_exports_pdf_csv_odt(client: Any, world: World, ctx: Any) -> None:
    from service.audit import Actor
    from service.organisation import usecases as org

    council = await org.get_council(world.ids["council_a"])
    await org.update_council(
        ctx,
        Actor.system("t"),
        council.id,
        org.CouncilUpdate(version=council.version, regime="2014"),
    )
    await seed(client, world)
    base = f"/api/v1/conseils/{world.ids['council_a']}/composition"
    pdf = await client.get(f"{base}/rapport.pdf", headers=bearer(world, "auditor_37"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    again = await client.get(f"{base}/rapport.pdf", headers=bearer(world, "auditor_37"))
    assert again.content == pdf.content  # deterministic
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in (
        "Composition du conseil citoyen",
        "Parité femmes-hommes",  # the rule's name, never its code
        "NOMANA",
        "Collège des habitants",
        "Représentant d'une",
        "La parité au fil du mandat",
    ):
        assert expected in text, expected
    assert "@asso.fr" not in text and "parite-habitants" not in text
    if shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "r.pdf"
            src.write_bytes(pdf.content)
            subprocess.run(
                ["pdftoppm", "-r", "40", "-png", str(src), str(Path(tmp) / "page")],
                check=True,
                capture_output=True,
            )
            pngs = sorted(Path(tmp).glob("page*.png"))
            assert pngs and all(p.stat().st_size > 1000 for p in pngs)
    csv_ = await client.get(f"{base}/rapport.csv", headers=bearer(world, "auditor_37"))
    lines = csv_.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("college;nom;prenom;sexe")
    assert any(line.startswith("habitants;NomAna;Ana;F") for line in lines)
    assert "Hugo@asso.fr" not in csv_.text
    odt = await client.get(f"{base}/arrete.odt", headers=bearer(world, "auditor_37"))
    assert odt.status_code == 200
    z = zipfile.ZipFile(io.BytesIO(odt.content))
    first = z.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert z.read("mimetype") == b"application/vnd.oasis.opendocument.text"
    import xml.dom.minidom

    content = z.read("content.xml").decode()
    xml.dom.minidom.parseString(content)  # well-formed
    xml.dom.minidom.parseString(z.read("styles.xml"))
    assert "portant reconnaissance de la composition du conseil citoyen" in content
    # the département named (territory A is in 37), the residents' college as it is made
    assert "PRÉFET D'INDRE-ET-LOIRE" in content
    recital = content.split("Considérant que le collège des habitants")[1].split(";")[0]
    if "volontaire" in " ".join(m.origin for m in await _members(world)):
        assert "volontaire" in recital
    assert "NOMANA Ana" in content and "Conseil A" in content and "@asso.fr" not in content
    assert 'manifest:full-path="content.xml"' in z.read("META-INF/manifest.xml").decode()


async def test_volunteers_only_refused_under_2014_and_applicants_appointed(
    client: Any, world: World, ctx: Any
) -> None:
    from service.audit import Actor
    from service.organisation import usecases as org
    from tests.e2e.test_candidatures import make_call, structure, volunteer

    council = await org.get_council(world.ids["council_a"])
    await org.update_council(
        ctx,
        Actor.system("t"),
        council.id,
        org.CouncilUpdate(version=council.version, regime="2014"),
    )
    call = await make_call(client, world)
    app_id = (await client.post(f"/api/v1/appels/{call}/candidatures", json=volunteer())).json()[
        "id"
    ]
    base = f"/api/v1/conseils/{world.ids['council_a']}"
    body = {"kind": "habitant", "candidature_id": app_id}
    # Not accepted yet: no appointment.
    r = await client.post(
        f"{base}/membres/depuis-candidature", headers=bearer(world, "lead_a"), json=body
    )
    assert r.status_code == 409 and r.json()["code"] == "candidature-non-acceptee"
    await client.post(
        f"{base}/candidatures/habitants/{app_id}/decision",
        headers=bearer(world, "lead_a"),
        json={"decision": "acceptee", "version": 1},
    )
    # Under the 2014 regime a residents' college of volunteers only is refused…
    r = await client.post(
        f"{base}/membres/depuis-candidature", headers=bearer(world, "lead_a"), json=body
    )
    assert r.status_code == 409 and r.json()["code"] == "volontaires-seuls-regime-2014"
    # …and so is a volunteer titulaire while no seat is reserved for volunteers…
    assert (await add(client, world, member("Bob", "M"))).status_code == 201
    r = await client.post(
        f"{base}/membres/depuis-candidature", headers=bearer(world, "lead_a"), json=body
    )
    assert r.status_code == 409 and r.json()["code"] == "sieges-volontaires", r.text
    assert "aucun siège n'est réservé aux volontaires" in r.json()["detail"]
    # …unless a drawn resident already sits and a seat is reserved for volunteers.
    council = await org.get_council(world.ids["council_a"])
    await org.update_council(
        ctx, Actor.system("t"), council.id,
        org.CouncilUpdate(version=council.version, settings={"sieges_volontaires": 1}),
    )
    r = await client.post(
        f"{base}/membres/depuis-candidature", headers=bearer(world, "lead_a"), json=body
    )
    assert r.status_code == 201, r.text
    assert r.json()["origin"] == "volontaire" and r.json()["prenom"] == "Aïcha"
    r = await client.post(
        f"{base}/membres/depuis-candidature", headers=bearer(world, "lead_a"), json=body
    )
    assert r.status_code == 409 and r.json()["code"] == "deja-membre"
    # A structure's representative.
    scall = await make_call(client, world, college="associations_acteurs")
    sid = (await client.post(f"/api/v1/appels/{scall}/candidatures", json=structure())).json()["id"]
    await client.post(
        f"{base}/candidatures/structures/{sid}/decision",
        headers=bearer(world, "lead_a"),
        json={"decision": "acceptee", "version": 1},
    )
    r = await client.post(
        f"{base}/membres/depuis-candidature",
        headers=bearer(world, "lead_a"),
        json={"kind": "structure", "candidature_id": sid},
    )
    assert r.status_code == 201, r.text
    assert (
        r.json()["origin"] == "representant_structure"
        and r.json()["structure"] == "Les Jardins partagés"
    )


async def _members(world: World) -> list[MemberRow]:
    from service.composition.usecases import members as comp

    return await comp.list_members(world.ids["council_a"])
