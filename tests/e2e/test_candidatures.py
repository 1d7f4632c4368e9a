"""Applications through HTTP: public forms (pages and API) with every bad input of the
issue, the confirmation, the e-mail (only with a mail server), and the lead's review."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.conftest import World, bearer

pytestmark = pytest.mark.anyio

VALID_SIRET = "73282932000074"  # a real, checksum-valid SIRET


def volunteer(**over: Any) -> dict[str, Any]:
    base = {
        "prenom": "Aïcha",
        "nom": "Benali",
        "email": "aicha@example.fr",
        "telephone": "",
        "adresse": "12 rue des Lilas",
        "complement": "",
        "code_postal": "37000",
        "commune": "Tours",
        "birth_date": "1985-04-12",
        "sexe": "F",
        "motivation": "Agir pour le quartier.",
        "disponibilites": "Le soir",
        "consent": True,
    }
    base.update(over)
    return base


def structure(**over: Any) -> dict[str, Any]:
    base = {
        "structure": "Les Jardins partagés",
        "kind": "association",
        "siret": VALID_SIRET,
        "rna": "",
        "activite": "Jardin partagé au pied des tours",
        "representant_prenom": "Marc",
        "representant_nom": "Durand",
        "representant_sexe": "M",
        "email": "jardins@example.fr",
        "no_institutional_tie": True,
        "consent": True,
    }
    base.update(over)
    return base


async def make_call(
    client: Any,
    world: World,
    college: str = "habitants",
    opens: date | None = None,
    closes: date | None = None,
) -> int:
    opens = opens or date(2026, 3, 1)
    closes = closes or date(2026, 3, 31)
    r = await client.post(
        f"/api/v1/conseils/{world.ids['council_a']}/appels",
        headers=bearer(world, "lead_a"),
        json={
            "college": college,
            "title": "Appel 2026",
            "opens_on": opens.isoformat(),
            "closes_on": closes.isoformat(),
            "text": "Rejoignez le conseil.",
        },
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def test_volunteer_application_and_review(client: Any, world: World) -> None:
    call = await make_call(client, world)
    r = await client.post(f"/api/v1/appels/{call}/candidatures", json=volunteer())
    assert r.status_code == 201, r.text
    # No perimeter imported for this council: the address is flagged for checking.
    assert r.json()["perimetre"] == "a-verifier"
    app_id = r.json()["id"]
    listing = await client.get(
        f"/api/v1/conseils/{world.ids['council_a']}/candidatures/habitants",
        headers=bearer(world, "lead_a"),
    )
    assert [a["nom"] for a in listing.json()] == ["Benali"]
    # The other territory's lead and the auditor never see applicants.
    for who in ("lead_b", "auditor_37", "member_a"):
        r = await client.get(
            f"/api/v1/conseils/{world.ids['council_a']}/candidatures/habitants",
            headers=bearer(world, who),
        )
        assert r.status_code == 403
    url = f"/api/v1/conseils/{world.ids['council_a']}/candidatures/habitants/{app_id}/decision"
    r = await client.post(
        url,
        headers=bearer(world, "lead_a"),
        json={"decision": "refusee", "reason": "", "version": 1},
    )
    assert r.status_code == 422 and r.json()["code"] == "motif-obligatoire"
    r = await client.post(
        url, headers=bearer(world, "lead_a"), json={"decision": "acceptee", "version": 1}
    )
    assert r.status_code == 200 and r.json()["status"] == "acceptee"
    # A second lead deciding on the version he read gets a conflict.
    r = await client.post(
        url,
        headers=bearer(world, "admin"),
        json={"decision": "refusee", "reason": "Hors quartier", "version": 1},
    )
    assert r.status_code == 409 and r.json()["code"] == "modification-concurrente"


async def test_bad_volunteer_input(client: Any, world: World, clock: Any) -> None:
    call = await make_call(client, world)
    url = f"/api/v1/appels/{call}/candidatures"
    r = await client.post(url, json=volunteer(consent=False))
    assert r.status_code == 422 and r.json()["code"] == "consentement-manquant"
    assert r.json()["field"] == "consent"
    r = await client.post(url, json=volunteer(sexe="", code_postal="37"))
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} >= {"sexe", "code_postal"}
    r = await client.post(url, json=volunteer(birth_date="2015-01-01"))
    assert r.status_code == 422 and r.json()["code"] == "age-insuffisant"
    assert (await client.post(url, json=volunteer())).status_code == 201
    # Same person (accents and case aside), same call: a duplicate.
    r = await client.post(
        url, json=volunteer(prenom="AICHA", nom="benali", email="autre@example.fr")
    )
    assert r.status_code == 409 and r.json()["code"] == "candidature-en-double"
    # After the closing date (in Paris time).
    clock.now = clock.now.replace(
        year=2026, month=3, day=31, hour=22, minute=30
    )  # 1 April, 00:30 in Paris
    r = await client.post(url, json=volunteer(prenom="Léa"))
    assert r.status_code == 409 and r.json()["code"] == "appel-clos"


async def test_address_outside_perimeter(client: Any, world: World, monkeypatch: Any) -> None:
    from domain.registre.perimeter import Perimeter, PerimeterRule
    from service.candidatures.usecases import residents as uc

    perimeter = Perimeter([PerimeterRule("rue des Lilas", 1, 40)])

    async def fake_status(council_id: int, adresse: str, cp: str, commune: str) -> str:
        return uc.perimeter_status(perimeter, adresse, cp, commune)

    monkeypatch.setattr(uc, "_perimeter_status", fake_status)
    call = await make_call(client, world)
    url = f"/api/v1/appels/{call}/candidatures"
    r = await client.post(url, json=volunteer(adresse="90 rue des Lilas"))
    # Accepted and flagged « à vérifier » for the lead to decide, as the README says.
    assert r.status_code == 201 and r.json()["perimetre"] == "hors-perimetre", r.text
    r = await client.get(
        f"/conseils/{world.ids['council_a']}/candidatures", headers=bearer(world, "lead_a")
    )
    assert "Hors du périmètre importé : à vérifier" in r.text
    r = await client.post(url, json=volunteer(prenom="Léa", adresse="12 rue des Lilas"))
    assert r.status_code == 201 and r.json()["perimetre"] == "dans-le-perimetre"


async def test_public_page_flags_an_address_outside_the_perimeter(
    client: Any, world: World, monkeypatch: Any
) -> None:
    """Issue 13, item 7: on the public HTML form too, an address outside the imported
    perimeter is accepted and flagged « à vérifier » for the lead to decide."""
    from domain.registre.perimeter import Perimeter, PerimeterRule
    from service.candidatures.usecases import residents as uc

    perimeter = Perimeter([PerimeterRule("rue des Lilas", 1, 40)])

    async def fake_status(council_id: int, adresse: str, cp: str, commune: str) -> str:
        return uc.perimeter_status(perimeter, adresse, cp, commune)

    monkeypatch.setattr(uc, "_perimeter_status", fake_status)
    call = await make_call(client, world)
    await client.get(f"/candidater/{call}")
    csrf = client.cookies.get("cc_csrf")
    form = {k: str(v) for k, v in volunteer(adresse="90 rue des Lilas").items() if k != "consent"}
    r = await client.post(
        f"/candidater/{call}",
        data={**form, "consent": "oui", "_csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "adresse=a-verifier" in r.headers["location"], r.text
    conf = await client.get(r.headers["location"])
    assert "Votre adresse sera vérifiée" in conf.text
    r = await client.get(
        f"/conseils/{world.ids['council_a']}/candidatures", headers=bearer(world, "lead_a")
    )
    assert "Hors du périmètre importé : à vérifier" in r.text


async def test_structure_bad_input(client: Any, world: World) -> None:
    call = await make_call(client, world, college="associations_acteurs")
    url = f"/api/v1/appels/{call}/candidatures"
    r = await client.post(url, json=structure(siret="73282932000075"))
    assert r.status_code == 422 and r.json()["code"] == "siret-invalide"
    r = await client.post(url, json=structure(siret="", rna="W12345"))
    assert r.status_code == 422 and r.json()["code"] == "rna-invalide"
    r = await client.post(url, json=structure(siret="", rna=""))
    assert r.status_code == 422 and r.json()["code"] == "identifiant-obligatoire"
    r = await client.post(url, json=structure(no_institutional_tie=False))
    assert r.status_code == 422 and r.json()["code"] == "declaration-manquante"
    assert (await client.post(url, json=structure(siret="732 829 320 00074"))).status_code == 201
    r = await client.post(url, json=structure(structure="Autre nom"))
    assert r.status_code == 409 and r.json()["code"] == "candidature-en-double"
    r = await client.post(url, json=structure(siret="", rna="w372001234", structure="Asso RNA"))
    assert r.status_code == 201


async def test_public_form_page_flow_and_mail(
    client: Any, world: World, ctx: Any, monkeypatch: Any
) -> None:
    from service.outbox.usecases import list_for_council, send_due
    from tests.smtp_support import smtp_server

    call = await make_call(client, world)
    page = await client.get(f"/candidater/{call}")
    assert (
        page.status_code == 200
        and 'lang="fr"' in page.text
        and "Envoyer ma candidature" in page.text
    )
    csrf = client.cookies.get("cc_csrf")
    form = {k: str(v) for k, v in volunteer().items() if k != "consent"}
    # Without the CSRF token: refused.
    r = await client.post(f"/candidater/{call}", data=form)
    assert r.status_code == 403
    # Consent missing: the form comes back with the message next to the box.
    r = await client.post(f"/candidater/{call}", data={**form, "_csrf": csrf})
    assert (
        r.status_code == 422
        and "Votre accord est nécessaire" in r.text
        and 'aria-invalid="true"' in r.text
    )
    assert 'value="Benali"' in r.text  # what was typed is kept
    # No mail server configured: confirmation, the acknowledgement waits in the outbox.
    r = await client.post(
        f"/candidater/{call}",
        data={**form, "consent": "oui", "_csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "/confirmation?numero=" in r.headers["location"]
    conf = await client.get(r.headers["location"])
    assert "Candidature enregistrée" in conf.text
    assert (await send_due(ctx, "test")).configured is False
    (waiting,) = await list_for_council(ctx.db, world.ids["council_a"])
    assert waiting.state == "en_attente" and waiting.kind == "candidature.accuse"
    # With a mail server: both acknowledgements arrive, the waiting one included.
    with smtp_server() as (rec, url):
        ctx.settings = ctx.settings.with_(smtp_url=url)
        r = await client.post(
            f"/candidater/{call}",
            data={**form, "prenom": "Zoé", "consent": "oui", "_csrf": csrf},
            follow_redirects=False,
        )
        assert r.status_code == 303
        while (await send_due(ctx, "test")).claimed:
            pass
    assert len(rec.received) == 2
    msg = rec.received[0].message
    assert msg["To"] == "aicha@example.fr" and "candidature" in msg["Subject"].lower()
    assert {e.state for e in await list_for_council(ctx.db, world.ids["council_a"])} == {"envoye"}
    # A closed call shows a notice, not the form.
    closed = await make_call(client, world, opens=date(2026, 1, 1), closes=date(2026, 2, 1))
    page = await client.get(f"/candidater/{closed}")
    assert "n'est pas ouvert" in page.text and "Envoyer ma candidature" not in page.text
    late = await client.post(
        f"/candidater/{closed}", data={**form, "consent": "oui", "_csrf": csrf}
    )
    assert late.status_code == 409 and "est clos depuis le" in late.text
    assert "Envoyer ma candidature" not in late.text


async def test_public_forms_are_rate_limited(client: Any, world: World) -> None:
    from service.candidatures.usecases.public_form import RATE_LIMIT_PER_HOUR

    call = await make_call(client, world)
    url = f"/api/v1/appels/{call}/candidatures"
    for i in range(RATE_LIMIT_PER_HOUR):
        r = await client.post(url, json=volunteer(consent=False, prenom=f"P{i}"))
        assert r.status_code == 422
    r = await client.post(url, json=volunteer())
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


async def test_lead_review_pages(client: Any, world: World) -> None:
    from tests.conftest import web_login

    call = await make_call(client, world)
    r = await client.post(f"/api/v1/appels/{call}/candidatures", json=volunteer())
    app_id = r.json()["id"]
    await web_login(client, world.emails["lead_a"])
    csrf = client.cookies.get("cc_csrf")
    page = await client.get(f"/conseils/{world.ids['council_a']}/candidatures")
    assert page.status_code == 200 and "BENALI" in page.text and f"/candidater/{call}" in page.text
    url = f"/conseils/{world.ids['council_a']}/candidatures/habitants/{app_id}/decision"
    r = await client.post(
        url, data={"decision": "refusee", "reason": "", "version": "1", "_csrf": csrf}
    )
    assert r.status_code == 422 and "motif du refus" in r.text
    r = await client.post(
        url,
        data={"decision": "acceptee", "reason": "", "version": "1", "_csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    # Creating a call from the page, with dates in the wrong order.
    r = await client.post(
        f"/conseils/{world.ids['council_a']}/appels",
        data={
            "college": "habitants",
            "title": "X",
            "opens_on": "2026-04-10",
            "closes_on": "2026-04-01",
            "_csrf": csrf,
        },
    )
    assert r.status_code == 422 and "clôture précède" in r.text


async def test_lead_appoints_an_accepted_application_from_its_page(
    client: Any, world: World
) -> None:
    """The « nommer » form: refused while the application is not accepted (the message on
    the application's page), then the volunteer joins the composition."""
    from tests.conftest import web_login

    call = await make_call(client, world)
    r = await client.post(f"/api/v1/appels/{call}/candidatures", json=volunteer())
    app_id = r.json()["id"]
    await web_login(client, world.emails["lead_a"])
    csrf = client.cookies.get("cc_csrf")
    base = f"/conseils/{world.ids['council_a']}/candidatures/habitants/{app_id}"
    form = {"seat": "titulaire", "mandate_start": "01/04/2026", "override_reason": "", "_csrf": csrf}
    r = await client.post(f"{base}/nommer", data=form)
    assert r.status_code == 409 and "Seule une candidature acceptée" in r.text
    r = await client.post(
        f"{base}/decision",
        data={"decision": "acceptee", "reason": "", "version": "1", "_csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = await client.post(f"{base}/nommer", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/composition?ok=membre-ajoute")
    page = await client.get(r.headers["location"])
    assert "BENALI" in page.text.upper()
    r = await client.post(f"{base}/nommer", data={**form, "mandate_start": "32/13/2026"})
    assert r.status_code == 422 and "Date invalide" in r.text


async def test_volunteer_pool_when_volunteers_outnumber_seats(
    client: Any, world: World, ctx: Any
) -> None:
    from service.audit import Actor
    from service.organisation import usecases as org
    from service.tirage.usecases.pools import pool_file

    council = await org.get_council(world.ids["council_a"])
    await org.update_council(
        ctx,
        Actor.system("test"),
        council.id,
        org.CouncilUpdate(version=council.version, settings={"sieges_volontaires": 2}),
    )
    call = await make_call(client, world)
    ids = []
    people = [
        ("Ana", "F", "1 rue A"),
        ("Bea", "F", "1 rue A"),
        ("Carl", "M", "3 rue B"),
        ("Dan", "M", "5 rue C"),
    ]
    for prenom, sexe, adresse in people:
        r = await client.post(
            f"/api/v1/appels/{call}/candidatures",
            json=volunteer(prenom=prenom, sexe=sexe, adresse=adresse),
        )
        ids.append(r.json()["id"])
    pool_url = f"/api/v1/conseils/{world.ids['council_a']}/volontaires/vivier"
    for i in ids[:2]:
        await client.post(
            f"/api/v1/conseils/{world.ids['council_a']}/candidatures/habitants/{i}/decision",
            headers=bearer(world, "lead_a"),
            json={"decision": "acceptee", "version": 1},
        )
    r = await client.post(pool_url, headers=bearer(world, "lead_a"))
    assert r.status_code == 409 and r.json()["code"] == "tirage-inutile"
    for i in ids[2:]:
        await client.post(
            f"/api/v1/conseils/{world.ids['council_a']}/candidatures/habitants/{i}/decision",
            headers=bearer(world, "lead_a"),
            json={"decision": "acceptee", "version": 1},
        )
    r = await client.post(pool_url, headers=bearer(world, "lead_a"))
    assert r.status_code == 201, r.text
    pool = r.json()
    assert (
        pool["kind"] == "volontaires"
        and pool["size"] == 4
        and pool["strata_counts"] == {"F": 2, "M": 2}
    )
    content = (await pool_file(pool["id"])).decode()
    lines = [line.split("\t") for line in content.strip().split("\n")]
    assert len(lines) == 4
    # Ana and Bea share an address: one opaque household key; nothing personal in the file.
    households = [h for _k, s, h in lines if s == "F"]
    assert households[0] == households[1] != ""
    assert "Ana" not in content and "rue" not in content
    assert (await client.post(pool_url, headers=bearer(world, "auditor_37"))).status_code == 403
    # From the page, the lead goes on to the draw's preparation over the new pool.
    from tests.conftest import web_login

    await web_login(client, world.emails["lead_a"])
    r = await client.post(
        f"/conseils/{world.ids['council_a']}/volontaires/vivier",
        data={"_csrf": client.cookies.get("cc_csrf")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"].startswith(
        f"/conseils/{world.ids['council_a']}/tirages/nouveau?vivier="
    )
    prep = await client.get(r.headers["location"])
    assert prep.status_code == 200
    # The draw reaches the volunteers' names through the subject registry.
    from service.organisation.subjects import load_subjects

    subjects = await load_subjects("candidature", ids)
    assert subjects[ids[0]].prenom == "Ana" and subjects[ids[0]].address.voie == "1 rue A"


async def test_openapi_lists_the_feature(client: Any) -> None:
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    ops = {op.get("operationId") for path in r.json()["paths"].values() for op in path.values()}
    assert {
        "submitApplication",
        "createMember",
        "getComposition",
        "getRecognitionOrderDraft",
    } <= ops


async def test_longest_accepted_values_fit_their_columns(client: Any, world: World) -> None:
    call = await make_call(client, world)
    long_name = "ß" * 100  # casefolds to 200 characters
    r = await client.post(
        f"/api/v1/appels/{call}/candidatures",
        json=volunteer(prenom=long_name, nom=long_name, telephone="+33 (0)6 12 34 56 78", email=""),
    )
    assert r.status_code == 201, r.text
    r = await client.post(f"/api/v1/appels/{call}/candidatures", json=volunteer(prenom="x" * 101))
    assert r.status_code == 422 and r.json()["field"] == "prenom"
    r = await client.post(
        f"/api/v1/conseils/{world.ids['council_a']}/membres",
        headers=bearer(world, "lead_a"),
        json={
            "college": "habitants",
            "origin": "volontaire",
            "prenom": long_name,
            "nom": long_name,
            "sexe": "F",
            "structure": "s" * 200,
        },
    )
    assert r.status_code == 201, r.text
