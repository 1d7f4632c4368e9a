"""Round letters through HTTP: the lead generates, watches progress, downloads."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import World, web_login
from tests.letters_support import drawn_round, install_subjects

pytestmark = pytest.mark.anyio


async def test_lead_generates_and_downloads_round_letters(
    client: Any, ctx: Any, world: World
) -> None:
    install_subjects()
    draw = await drawn_round(ctx, world, n=30)
    await web_login(client, world.emails["lead_a"])
    cid = world.ids["council_a"]
    listing = await client.get(f"/conseils/{cid}/courriers")
    assert listing.status_code == 200
    base = f"/conseils/{cid}/tirages/{draw['id']}/tours/1/courriers"
    assert base in listing.text
    page = await client.get(base)
    assert page.status_code == 200 and "Générer les lettres" in page.text
    assert (await client.get(base + "/lettres.pdf")).status_code == 404

    r = await client.post(
        base, data={"_csrf": client.cookies.get("cc_csrf")}, follow_redirects=False
    )
    assert r.status_code == 303
    # The test client runs the background task before returning; a real server answers
    # first and the page refreshes until the batch is ready.
    page = await client.get(r.headers["location"])
    assert "prêt" in page.text, page.text
    assert "Personnes sans lettre" in page.text and "Injoignable par courrier" in page.text
    pdf = await client.get(base + "/lettres.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) >= 2
    text = reader.pages[0].extract_text()
    assert draw["reference"] in " ".join(text.split())
    csv = await client.get(base + "/adresses.csv")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbfpli;")
    assert csv.headers["content-type"].startswith("text/csv")


async def test_round_page_refreshes_while_running(client: Any, ctx: Any, world: World) -> None:
    from service.audit import Actor
    from service.courriers.usecases import batches as lb

    install_subjects()
    draw = await drawn_round(ctx, world, n=12)
    cid = world.ids["council_a"]
    await lb.start_batch(ctx, Actor(world.ids["lead_a"], "x"), cid, draw["id"], 1)
    await web_login(client, world.emails["lead_a"])
    page = await client.get(f"/conseils/{cid}/tirages/{draw['id']}/tours/1/courriers")
    assert 'http-equiv="refresh"' in page.text and "<progress" in page.text
    assert "Générer" not in page.text  # no second start while one runs
    r = await client.post(
        f"/conseils/{cid}/tirages/{draw['id']}/tours/1/courriers",
        data={"_csrf": client.cookies.get("cc_csrf")},
    )
    assert r.status_code == 409 and "déjà en cours" in r.text


async def test_unknown_round_and_other_council(client: Any, ctx: Any, world: World) -> None:
    install_subjects()
    draw = await drawn_round(ctx, world, n=12)
    await web_login(client, world.emails["lead_a"])
    cid = world.ids["council_a"]
    r = await client.get(f"/conseils/{cid}/tirages/{draw['id']}/tours/9/courriers")
    assert r.status_code == 404
    r = await client.get(
        f"/conseils/{world.ids['council_b']}/tirages/{draw['id']}/tours/1/courriers"
    )
    assert r.status_code == 403
    await web_login(client, world.emails["lead_b"])
    r = await client.get(
        f"/conseils/{world.ids['council_b']}/tirages/{draw['id']}/tours/1/courriers"
    )
    assert r.status_code == 404


async def test_letters_wait_for_a_saved_template(client: Any, ctx: Any, world: World) -> None:
    from service.courriers.tables import LetterTemplate

    install_subjects()
    draw = await drawn_round(ctx, world, n=12)
    await LetterTemplate.delete().where(LetterTemplate.council == world.ids["council_a"])
    await web_login(client, world.emails["lead_a"])
    base = f"/conseils/{world.ids['council_a']}/tirages/{draw['id']}/tours/1/courriers"
    r = await client.post(base, data={"_csrf": client.cookies.get("cc_csrf")})
    assert r.status_code == 409 and "modèle de lettre" in r.text
