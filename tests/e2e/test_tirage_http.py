"""The draw through HTTP: API ceremony, bad input, public record, auditors' files, pages."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from tests.conftest import World, bearer, web_login
from tests.tirage_support import DICE, FAKE_BIRTH_YEAR, install_fake_subjects, make_pool

pytestmark = pytest.mark.anyio


def _base(world: World) -> str:
    return f"/api/v1/conseils/{world.ids['council_a']}/tirages"


async def _prepared(
    client: Any, ctx: Any, world: World, n: int = 60, **plan: Any
) -> dict[str, Any]:
    pool = await make_pool(ctx, world.ids["council_a"], n)
    body = {"pool_id": pool["id"], "seats": 4, "multiple": 2, **plan}
    r = await client.post(_base(world) + "/", json=body, headers=bearer(world, "lead_a"))
    assert r.status_code == 201, r.text
    return r.json()


async def _ranked(client: Any, ctx: Any, world: World, **kw: Any) -> dict[str, Any]:
    d = await _prepared(client, ctx, world, **kw)
    h = bearer(world, "lead_a")
    assert (await client.post(f"{_base(world)}/{d['id']}/engagement", headers=h)).status_code == 200
    assert (
        await client.post(f"{_base(world)}/{d['id']}/alea", json={"entropy": DICE}, headers=h)
    ).status_code == 200
    r = await client.post(f"{_base(world)}/{d['id']}/classement", headers=h)
    assert r.status_code == 200, r.text
    return r.json()


async def test_api_ceremony_and_bad_input(client: Any, ctx: Any, world: World) -> None:
    h = bearer(world, "lead_a")
    d = await _prepared(client, ctx, world)
    url = f"{_base(world)}/{d['id']}"
    r = await client.post(url + "/alea", json={"entropy": DICE}, headers=h)
    assert r.status_code == 409 and r.json()["code"] == "non-engage"
    r = await client.post(url + "/engagement", headers=h)
    assert r.status_code == 200 and len(r.json()["commitment"]) == 64
    r = await client.post(url + "/alea", json={"entropy": "1 2 3"}, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "entropy"
    assert (await client.post(url + "/alea", json={"entropy": DICE}, headers=h)).status_code == 200
    r = await client.post(url + "/alea", json={"entropy": DICE[::-1]}, headers=h)
    assert r.status_code == 409 and r.json()["code"] == "alea-deja-saisi"
    assert (await client.post(url + "/classement", headers=h)).status_code == 200
    r = await client.post(url + "/classement", headers=h)
    assert r.status_code == 409 and r.json()["code"] == "deja-classe"
    assert (await client.post(url + "/tours", json={}, headers=h)).status_code == 201
    r = await client.post(
        url + "/reponses", json={"key": "JAMAISINVITE", "reply": "accepte"}, headers=h
    )
    assert r.status_code == 422 and "invitée" in r.json()["detail"]
    r = await client.post(
        url + "/reponses/csv", content=b"cle;reponse\nJAMAISINVITE;oui\n", headers=h
    )
    assert r.status_code == 422 and r.json()["errors"][0]["line"] == 2
    # Someone else's council: the draw is not found there, and lead B may not look.
    assert (
        await client.get(
            f"/api/v1/conseils/{world.ids['council_b']}/tirages/{d['id']}",
            headers=bearer(world, "admin"),
        )
    ).status_code == 404
    assert (
        await client.post(url + "/engagement", headers=bearer(world, "lead_b"))
    ).status_code == 403


async def test_empty_pool_and_pool_changed_after_commitment(
    client: Any, ctx: Any, world: World
) -> None:
    from service.tirage.tables import Pool

    h = bearer(world, "lead_a")
    empty = (
        await Pool.insert(
            Pool(
                council=world.ids["council_a"],
                kind="residents",
                digest="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                size=0,
                strata_counts={},
                content=b"",
            )
        ).returning(Pool.id)
    )[0]["id"]
    r = await client.post(_base(world) + "/", json={"pool_id": empty, "seats": 2}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "vivier-vide"
    d = await _prepared(client, ctx, world)
    url = f"{_base(world)}/{d['id']}"
    await Pool.update({Pool.content: b"changed"}).where(Pool.id == d["pool"])
    r = await client.post(url + "/engagement", headers=h)
    assert r.status_code == 409 and r.json()["code"] == "liste-modifiee"


async def test_public_record_lookup_and_auditor_files(client: Any, ctx: Any, world: World) -> None:
    from domain.verify import verify

    d = await _ranked(client, ctx, world)
    url = f"{_base(world)}/{d['id']}"
    assert (
        await client.post(url + "/tours", json={}, headers=bearer(world, "lead_a"))
    ).status_code == 201
    pub = await client.get(f"/api/v1/tirages/{d['reference']}/registre")
    assert pub.status_code == 200
    from domain.draw.protocol import RECORD_MEMBERS

    # §8: these members, in order; others may be added (the audit chain head, issue 14).
    assert tuple(k for k in pub.json() if k != "journal_audit") == RECORD_MEMBERS
    assert {s: len(v) for s, v in pub.json()["ranked"].items()} == {"F": 4, "M": 4}
    full = await client.get(url + "/registre-complet", headers=bearer(world, "auditor_37"))
    pool = await client.get(url + "/liste.tsv", headers=bearer(world, "auditor_37"))
    assert full.status_code == 200 and pool.status_code == 200
    assert verify(full.json(), pool.content).ok
    assert verify(pub.json(), pool.content).ok
    assert (
        await client.get(url + "/registre-complet", headers=bearer(world, "member_a"))
    ).status_code == 403
    check = await client.get(url + "/verification", headers=bearer(world, "auditor_37"))
    assert check.status_code == 200 and check.json()["ok"] is True
    key = full.json()["ranked"]["F"][5]
    look = await client.get(f"/api/v1/tirages/{d['reference']}/cles/{key}")
    assert look.status_code == 200 and look.json()["rank"] == 6
    page = await client.get(f"/tirages/verifier?reference={d['reference'].lower()}&cle={key}")
    assert page.status_code == 200 and "6" in page.text and look.json()["ticket"] in page.text
    page = await client.get(f"/tirages/{d['reference']}")
    assert page.status_code == 200 and d["commitment"] in page.text
    assert (await client.get("/tirages/CC-1999-0001")).status_code == 404


async def test_online_reply_guessed_codes_are_rate_limited(
    client: Any, ctx: Any, world: World
) -> None:
    from service.tirage.usecases import replies, rounds

    install_fake_subjects()
    d = await _ranked(client, ctx, world)
    await client.post(f"{_base(world)}/{d['id']}/tours", json={}, headers=bearer(world, "lead_a"))
    recips = await rounds.round_recipients(ctx, d["id"], 1)
    seen = set()
    for n in range(replies.REPLY_MAX_FAILURES_PER_CLIENT):
        r = await client.post(
            "/api/v1/tirages/reponse",
            json={"code": f"ABCDE-{n:05d}", "birth_year": 1980, "answer": "accepte"},
        )
        assert r.status_code == 422
        seen.add(r.json()["detail"])
    assert len(seen) == 1  # one generic message, whatever the guess
    r = await client.post(
        "/api/v1/tirages/reponse",
        json={"code": recips[0].reply_code, "birth_year": FAKE_BIRTH_YEAR, "answer": "accepte"},
    )
    assert r.status_code == 429 and "Retry-After" in r.headers


async def test_pv_pdfs_lead_copy_has_names_public_copy_has_none(
    client: Any, ctx: Any, world: World
) -> None:
    from pypdf import PdfReader

    install_fake_subjects()
    d = await _ranked(client, ctx, world)
    await client.post(f"{_base(world)}/{d['id']}/tours", json={}, headers=bearer(world, "lead_a"))
    base = f"/conseils/{world.ids['council_a']}/tirages/{d['id']}"
    lead = await client.get(base + "/pv.pdf", headers=bearer(world, "lead_a"))
    public = await client.get(base + "/pv-public.pdf", headers=bearer(world, "member_a"))
    assert lead.status_code == 200 and public.status_code == 200
    lead_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(lead.content)).pages)
    public_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(public.content)).pages)
    assert "Nom10" in lead_text and "Nom10" not in public_text
    # The PV starts with the result at a glance, strata in French (issue 13, point 10).
    first = PdfReader(io.BytesIO(public.content)).pages[0].extract_text()
    assert "Résultat en bref" in first and "Titulaires" in first and "Suppléants" in first
    assert first.index("Résultat en bref") < first.index("Liste et plan engagés")
    assert "Femmes" in first and "Hommes" in first
    assert d["commitment"][:20] in public_text.replace("\n", "")
    assert (
        await client.get(base + "/pv.pdf", headers=bearer(world, "member_a"))
    ).status_code == 403


async def test_lead_pages_run_a_ceremony(client: Any, ctx: Any, world: World) -> None:
    pool = await make_pool(ctx, world.ids["council_a"], 40)
    await web_login(client, world.emails["lead_a"])
    csrf = client.cookies.get("cc_csrf")
    council = world.ids["council_a"]
    page = await client.get(f"/conseils/{council}")
    assert f"/conseils/{council}/tirages" in page.text
    form = await client.get(f"/conseils/{council}/tirages/nouveau")
    assert form.status_code == 200
    r = await client.post(
        f"/conseils/{council}/tirages/nouveau",
        data={
            "_csrf": csrf,
            "pool_id": str(pool["id"]),
            "seats": "3",
            "multiple": "2",
            "one_per_household": "oui",
            "action": "preparer",
        },
    )
    assert r.status_code == 422 and "siège restant" in r.text
    r = await client.post(
        f"/conseils/{council}/tirages/nouveau",
        data={
            "_csrf": csrf,
            "pool_id": str(pool["id"]),
            "seats": "3",
            "odd_seat": "F",
            "multiple": "2",
            "one_per_household": "oui",
            "action": "proposer",
        },
    )
    assert r.status_code == 200 and "Plan proposé" in r.text
    r = await client.post(
        f"/conseils/{council}/tirages/nouveau",
        data={
            "_csrf": csrf,
            "pool_id": str(pool["id"]),
            "seats": "3",
            "odd_seat": "F",
            "multiple": "2",
            "one_per_household": "oui",
            "action": "preparer",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    url = r.headers["location"].split("?")[0]
    # Publishing asks first, saying what cannot be undone (issue 13, point 6).
    ask = await client.post(url + "/engager", data={"_csrf": csrf}, follow_redirects=False)
    assert ask.status_code == 200 and "ne peut pas être annulée" in ask.text and "figés" in ask.text
    assert "Tirer au sort" not in (await client.get(url + "/ceremonie")).text
    assert (
        await client.post(url + "/engager", data={"_csrf": csrf, "confirme": "oui"}, follow_redirects=False)
    ).status_code == 303
    cer = await client.get(url + "/ceremonie")
    assert cer.status_code == 200 and "Tirer au sort" in cer.text
    bad = await client.post(
        url + "/ceremonie", data={"_csrf": csrf, "entropy": "7 7 7", "kind": "dice"}
    )
    assert bad.status_code == 422 and "face de dé" in bad.text
    ok = await client.post(
        url + "/ceremonie",
        data={"_csrf": csrf, "entropy": DICE, "kind": "dice"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    cer = await client.get(url + "/ceremonie")
    assert "Le classement" in cer.text
    assert (
        await client.post(url + "/tours", data={"_csrf": csrf}, follow_redirects=False)
    ).status_code == 303
    detail = await client.get(url)
    assert detail.status_code == 200 and "Réponses" in detail.text
    from service.tirage.usecases import rounds

    draw_id = int(url.rsplit("/", 1)[1])
    recips = await rounds.round_recipients(ctx, draw_id, 1)
    files = {
        "fichier": ("reponses.csv", f"cle;reponse\n{recips[0].key};accepte\n".encode(), "text/csv")
    }
    r = await client.post(
        url + "/reponses-csv", data={"_csrf": csrf}, files=files, follow_redirects=False
    )
    assert r.status_code == 303, r.text[:500]
    detail = await client.get(url)
    assert "Sièges et réserve" in detail.text and recips[0].key in detail.text
    printable = await client.get(url + "/engagement")
    assert printable.status_code == 200 and "cc-draw/1" in printable.text
    _ = json


async def test_npai_can_be_corrected_with_a_reason_audited(client: Any, ctx: Any, world: World) -> None:
    d = await _ranked(client, ctx, world)
    h = bearer(world, "lead_a")
    await client.post(f"{_base(world)}/{d['id']}/tours", json={}, headers=h)
    state = (await client.get(f"{_base(world)}/{d['id']}/suivi", headers=h)).json()
    key = state["invitations"][0]["key"]
    url = f"{_base(world)}/{d['id']}/reponses"
    assert (await client.post(url, json={"key": key, "reply": "npai"}, headers=h)).status_code in (200, 201)
    refused = await client.post(url, json={"key": key, "reply": "accepte"}, headers=h)
    assert refused.status_code in (409, 422) and "motif" in refused.json()["detail"]
    ok = await client.post(url, json={"key": key, "reply": "accepte", "correction": "NPAI saisi par erreur"},
                           headers=h)
    assert ok.status_code in (200, 201), ok.text
    events = (await client.get("/api/v1/journal", headers=bearer(world, "admin"))).json()
    items = events["items"] if isinstance(events, dict) else events
    assert any("corrections_npai" in str(e.get("details")) and "NPAI saisi par erreur" in str(e.get("details"))
               for e in items), items[:3]


async def test_lead_pages_decode_forms_with_the_apis_model(client: Any, ctx: Any, world: World) -> None:
    """A wrong value in a draw's form comes back as the page, the API's French words next to
    the field and what was typed kept: not a 500, not a bare problem+json."""
    pool = await make_pool(ctx, world.ids["council_a"], 40)
    await web_login(client, world.emails["lead_a"])
    csrf = client.cookies.get("cc_csrf")
    council = world.ids["council_a"]
    new = f"/conseils/{council}/tirages/nouveau"
    plan = {"_csrf": csrf, "pool_id": str(pool["id"]), "seats": "3", "odd_seat": "F",
            "one_per_household": "oui", "action": "preparer"}
    r = await client.post(new, data={**plan, "multiple": "beaucoup"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html"), r.text[:300]
    assert 'id="erreur-multiple">Courriers du premier tour par siège : Doit être un nombre entier.</p>' in r.text
    assert 'value="beaucoup"' in r.text
    r = await client.post(new, data={**plan, "multiple": "5000"})
    assert r.status_code == 422
    assert 'id="erreur-multiple">Courriers du premier tour par siège : Valeur trop grande.</p>' in r.text
    r = await client.post(new, data={**plan, "seats": "", "multiple": "2"})
    assert r.status_code == 422 and 'id="erreur-seats">Sièges à pourvoir par ce tirage : Champ obligatoire.</p>' in r.text
    stratum = sorted(pool["strata_counts"])[0]
    r = await client.post(new, data={**plan, "multiple": "2", f"invitations.{stratum}": "dix"})
    assert r.status_code == 422
    assert f'id="erreur-invitations.{stratum}">Invitations du premier tour : Doit être un nombre entier.</p>' in r.text
    # The same words as the API's problem+json for the same body.
    api = await client.post(_base(world) + "/", json={"pool_id": pool["id"], "seats": 3, "multiple": 5000},
                            headers=bearer(world, "lead_a"))
    assert api.status_code == 422 and "Valeur trop grande." in api.json()["detail"]

    d = await _ranked(client, ctx, world)
    url = f"/conseils/{council}/tirages/{d['id']}"
    r = await client.post(url + "/abandonner", data={"_csrf": csrf, "reason": "  ", "redo_pool_id": ""})
    assert r.status_code == 422 and 'id="erreur-reason">' in r.text and "Champ obligatoire." in r.text
    r = await client.post(url + "/tours", data={"_csrf": csrf, "deadline": "2101-01-01"})
    assert r.status_code == 422 and 'id="erreur-deadline">Date limite de réponse : Date hors limites' in r.text
    assert (await client.post(url + "/tours", data={"_csrf": csrf}, follow_redirects=False)).status_code == 303
    later = {"_csrf": csrf, **{f"counts.{s}": "1" for s in d["strata_counts"]}, f"counts.{stratum}": "un"}
    r = await client.post(url + "/tours", data=later)
    assert r.status_code == 422
    assert f'id="erreur-counts.{stratum}">Invitations du tour : Doit être un nombre entier.</p>' in r.text
