"""The letters through the API: template (unknown placeholders → 422), round batch (202,
status, download with a token), problem+json errors."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import World, bearer
from tests.letters_support import drawn_round, install_subjects

pytestmark = pytest.mark.anyio


async def test_template_through_the_api(client: Any, world: World) -> None:
    cid = world.ids["council_a"]
    url = f"/api/v1/conseils/{cid}/lettre"
    r = await client.get(url, headers=bearer(world, "lead_a"))
    assert r.status_code == 200
    body = r.json()
    assert (
        body["saved"] is False and body["version"] == 0 and "code_reponse" in body["placeholders"]
    )
    data = {k: body[k] for k in body if k not in ("saved", "has_logo", "placeholders")}
    data.update(
        telephone="02 47 00 00 00",
        email="c@v.fr",
        contact_donnees="dpo@v.fr",
        signataire="Zoé",
        fonction_signataire="Cheffe de projet",
        corps="Bonjour {prenon}",
    )
    r = await client.put(url, json=data, headers=bearer(world, "lead_a"))
    assert r.status_code == 422
    problem = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert any(e["field"] == "corps" and e["code"] == "champ-inconnu" for e in problem["errors"])
    data["corps"] = "Bonjour {prenom}, votre code : {code_reponse}."
    r = await client.put(url, json=data, headers=bearer(world, "lead_a"))
    assert r.status_code == 200 and r.json()["version"] == 1 and r.json()["saved"] is True
    r = await client.put(url, json=data, headers=bearer(world, "lead_a"))
    assert r.status_code == 409  # stale version
    assert (await client.get(url, headers=bearer(world, "secretary_a"))).status_code == 403


async def test_round_batch_through_the_api(client: Any, ctx: Any, world: World) -> None:
    install_subjects()
    draw = await drawn_round(ctx, world, n=16)
    cid = world.ids["council_a"]
    url = f"/api/v1/conseils/{cid}/tirages/{draw['id']}/tours/1/courriers"
    r = await client.get(url, headers=bearer(world, "lead_a"))
    assert r.status_code == 404 and r.json()["code"] == "lot-absent"
    r = await client.post(url, headers=bearer(world, "lead_a"))
    assert r.status_code == 202 and r.json()["status"] == "en_attente"
    status = (await client.get(url, headers=bearer(world, "lead_a"))).json()
    assert (
        status["status"] == "pret" and status["mailed"] + len(status["withheld"]) == status["total"]
    )
    assert all("name" not in w for w in status["withheld"])  # no names through the status
    pdf = await client.get(status["pdf_url"], headers=bearer(world, "lead_a"))
    assert pdf.status_code == 200
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == status["pages"]
    assert (await client.get(status["csv_url"], headers=bearer(world, "lead_a"))).status_code == 200
    r = await client.post(
        f"/api/v1/conseils/{cid}/tirages/{draw['id']}/tours/3/courriers",
        headers=bearer(world, "lead_a"),
    )
    assert r.status_code == 404
