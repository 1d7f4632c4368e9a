"""GET /api/v1/conseils/{council_id}/courriels: the lead and the secretary read the
council's mail states; no body, no address."""

from __future__ import annotations

from typing import Any

import pytest

from service.outbox.model import Attachment, OutgoingMail
from service.outbox.usecases import enqueue, send_due
from tests.conftest import World, bearer
from tests.smtp_support import Recorder, smtp_server

pytestmark = pytest.mark.anyio


async def test_council_mails_with_states_and_no_address(client: Any, ctx: Any, world: World) -> None:
    council = world.ids["council_a"]
    async with ctx.db.transaction():
        for i, to in enumerate(["ok@exemple.fr", "refuse@exemple.fr"]):
            await enqueue(
                ctx.db,
                OutgoingMail(
                    to=to,
                    subject=f"Convocation {i}",
                    body="Texte personnel",
                    attachments=(Attachment("c.pdf", "application/pdf", b"%PDF-1.4"),),
                    kind="convocation",
                    ref=f"convocation:{i}",
                    council_id=council,
                ),
                now=ctx.now(),
            )
        await enqueue(ctx.db, OutgoingMail(to="x@exemple.fr", subject="Autre", body="", council_id=world.ids["council_b"]), now=ctx.now())
    url = f"/api/v1/conseils/{council}/courriels"
    r = await client.get(url, headers=bearer(world, "lead_a"))
    assert r.status_code == 200
    assert {m["etat_libelle"] for m in r.json()} == {"en attente (aucun serveur de courriel configuré)"}

    def refuse_second(n: int) -> str | None:
        return "550 5.1.1 <refuse@exemple.fr> inconnu" if n == 2 else None

    with smtp_server(Recorder(before_accept=refuse_second)) as (_rec, smtp_url):
        ctx.settings = ctx.settings.with_(smtp_url=smtp_url)
        await send_due(ctx, "test")
        r = await client.get(url, headers=bearer(world, "secretary_a"))
    assert r.status_code == 200
    mails = {m["ref"]: m for m in r.json()}
    assert set(mails) == {"convocation:0", "convocation:1"}
    sent, failed = mails["convocation:0"], mails["convocation:1"]
    assert sent["etat"] == "envoye" and sent["etat_libelle"] == "envoyé" and len(sent["sha256"]) == 64
    assert sent["pieces_jointes"] == [{"filename": "c.pdf", "content_type": "application/pdf", "size": 8}]
    assert failed["etat"] == "en_attente" and failed["tentatives"] == 1 and failed["reponse_serveur"].startswith("550")
    assert "exemple.fr" not in r.text and "Texte personnel" not in r.text
    assert (await client.get(url, headers=bearer(world, "member_a"))).status_code == 403
    assert (await client.get(url, headers=bearer(world, "lead_b"))).status_code == 403


async def test_the_service_sends_in_the_background(ctx: Any) -> None:
    """The app's own sender (OUTBOX_POLL_SECONDS) delivers a mail enqueued while it runs."""
    import anyio
    from litestar.testing import AsyncTestClient

    from service.app import create_app

    with smtp_server() as (rec, url):
        ctx.settings = ctx.settings.with_(smtp_url=url, outbox_poll_seconds=1)
        app = create_app(ctx.settings, ctx=ctx)
        async with AsyncTestClient(app=app):
            async with ctx.db.transaction():
                await enqueue(ctx.db, OutgoingMail(to="membre@exemple.fr", subject="Invitation", body="Bonjour", ref="formation:1"), now=ctx.now())
            with anyio.fail_after(15):
                while not rec.received:
                    await anyio.sleep(0.1)
    assert len(rec.received) == 1 and rec.received[0].message["Subject"] == "Invitation"
