"""The residents' online reply page: public, CSRF, two factors, rate limit, confirmation."""

from __future__ import annotations

import html
import re
from datetime import UTC
from typing import Any

import pytest

from tests.conftest import World
from tests.letters_support import BIRTH_YEAR, drawn_round, install_subjects

pytestmark = pytest.mark.anyio


async def _setup(ctx: Any, world: World) -> tuple[dict[str, Any], list[Any]]:
    from service.tirage.usecases import rounds

    install_subjects()
    draw = await drawn_round(ctx, world, n=20)
    return draw, await rounds.round_recipients(ctx, draw["id"], 1)


async def _post(client: Any, **values: str) -> Any:
    data = {
        "code": "",
        "annee_naissance": "",
        "reponse": "",
        "_csrf": client.cookies.get("cc_csrf"),
    }
    data.update(values)
    return await client.post("/repondre", data=data)


async def test_qr_code_url_prefills_the_code_and_reply_is_recorded(
    client: Any, ctx: Any, world: World
) -> None:
    from service.tirage.tables import DrawInvitation

    draw, recipients = await _setup(ctx, world)
    r0 = recipients[0]
    page = await client.get(f"/repondre?code={r0.reply_code}")
    assert page.status_code == 200
    assert f'value="{r0.reply_code}"' in page.text
    assert '<html lang="fr">' in page.text and 'name="_csrf"' in page.text
    assert 'for="champ-annee_naissance"' in page.text and "<legend>" in page.text
    r = await _post(
        client,
        code=r0.reply_code.lower().replace("-", " "),
        annee_naissance=str(BIRTH_YEAR),
        reponse="accepte",
        telephone="06 12 34 56 78",
        email="lea@exemple.fr",
        disponibilites="le mardi soir",
    )
    assert r.status_code == 200, r.text
    assert "Votre réponse est enregistrée" in r.text and "accepté" in r.text
    assert draw["reference"] in r.text
    row = await DrawInvitation.select().where(DrawInvitation.id == r0.invitation_id).first()
    assert row["reply"] == "accepted" and row["reply_via"] == "online"
    assert "06 12 34 56 78" in row["contact"] and "le mardi soir" in row["contact"]

    # A second reply replaces the first (the person changed their mind).
    r = await _post(client, code=r0.reply_code, annee_naissance=str(BIRTH_YEAR), reponse="refuse")
    assert r.status_code == 200 and "ne pas souhaiter" in r.text
    row = await DrawInvitation.select().where(DrawInvitation.id == r0.invitation_id).first()
    assert row["reply"] == "declined"


async def test_wrong_code_and_wrong_year_say_the_same_thing(
    client: Any, ctx: Any, world: World
) -> None:
    _draw, recipients = await _setup(ctx, world)
    await client.get("/repondre")
    wrong_year = await _post(
        client, code=recipients[1].reply_code, annee_naissance="1990", reponse="accepte"
    )
    wrong_code = await _post(
        client, code="ZZZZZ-ZZZZZ", annee_naissance=str(BIRTH_YEAR), reponse="accepte"
    )
    assert wrong_year.status_code == wrong_code.status_code == 422

    def message(text: str) -> str:
        m = re.search(r'<p class="message-erreur" id="erreur-code">([^<]*)</p>', text)
        assert m, text
        return m.group(1)

    assert message(wrong_year.text) == message(wrong_code.text)
    assert "Nguyễn" not in wrong_year.text and "Lætitia" not in wrong_year.text


async def test_form_errors_do_not_reach_the_use_case(client: Any, ctx: Any, world: World) -> None:
    _draw, recipients = await _setup(ctx, world)
    await client.get("/repondre")
    r = await _post(
        client,
        code=recipients[0].reply_code,
        annee_naissance="80",
        reponse="peut-etre",
        email="pas-une-adresse",
    )
    assert r.status_code == 422
    for field in ("annee_naissance", "reponse", "email"):
        assert f'id="erreur-{field}"' in r.text


async def test_guessing_codes_is_rate_limited(client: Any, ctx: Any, world: World) -> None:
    _draw, recipients = await _setup(ctx, world)
    await client.get("/repondre")
    statuses = []
    for n in range(25):
        r = await _post(client, code=f"AAAAA-{n:05d}", annee_naissance="1980", reponse="refuse")
        statuses.append(r.status_code)
    assert statuses[0] == 422
    assert statuses[-1] == 429
    assert "Trop d'essais" in html.unescape(r.text) and int(r.headers["retry-after"]) > 0
    # Even the right code is refused from this client while the limit holds.
    r = await _post(
        client, code=recipients[2].reply_code, annee_naissance=str(BIRTH_YEAR), reponse="accepte"
    )
    assert r.status_code == 429


async def test_reply_without_csrf_is_refused(client: Any, ctx: Any, world: World) -> None:
    _draw, recipients = await _setup(ctx, world)
    r = await client.post(
        "/repondre",
        data={
            "code": recipients[0].reply_code,
            "annee_naissance": str(BIRTH_YEAR),
            "reponse": "accepte",
        },
    )
    assert r.status_code == 403


async def test_reply_after_the_deadline(client: Any, ctx: Any, world: World, clock: Any) -> None:
    from datetime import datetime

    _draw, recipients = await _setup(ctx, world)
    clock.now = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
    await client.get("/repondre")
    r = await _post(
        client, code=recipients[0].reply_code, annee_naissance=str(BIRTH_YEAR), reponse="accepte"
    )
    assert r.status_code == 409 and "date limite" in r.text
