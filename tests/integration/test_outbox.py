"""The outbox's contract: enqueue only inside the caller's transaction, states read back.
The sending tests with a real SMTP server are in test_outbox_smtp.py."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default
from typing import Any

import pytest

from service.outbox.model import Attachment, OutgoingMail
from service.outbox.usecases import enqueue, list_for_council, statuses
from service.outbox.usecases.enqueue import OutsideTransaction

pytestmark = pytest.mark.anyio


def _mail(ref: str = "convocation:1", **kw: Any) -> OutgoingMail:
    return OutgoingMail(
        to="membre@exemple.fr", subject="Convocation", body="Bonjour,\nvous êtes convoqué·e.", kind="convocation", ref=ref, **kw
    )


async def test_enqueue_outside_a_transaction_raises(ctx: Any) -> None:
    with pytest.raises(OutsideTransaction):
        await enqueue(ctx.db, _mail(), now=ctx.now())
    assert await list_for_council(ctx.db, None) == []


async def test_enqueue_in_a_transaction_that_rolls_back_leaves_no_row(ctx: Any) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with ctx.db.transaction():
            await enqueue(ctx.db, _mail(), now=ctx.now())
            raise Boom
    assert await list_for_council(ctx.db, None) == []
    assert await statuses(ctx.db, ["convocation:1"]) == {}


async def test_enqueued_mail_is_waiting_with_its_message_built(ctx: Any) -> None:
    pdf = b"%PDF-1.4\n\x00\xff binaire"
    async with ctx.db.transaction():
        first = await enqueue(ctx.db, _mail(council_id=7, attachments=(Attachment("c.pdf", "application/pdf", pdf),)), now=ctx.now())
        second = await enqueue(ctx.db, _mail(ref="convocation:2", council_id=8), now=ctx.now())
    assert second > first
    st = await statuses(ctx.db, ["convocation:1", "convocation:2", "inconnu"])
    assert set(st) == {"convocation:1", "convocation:2"}
    s1 = st["convocation:1"]
    assert (s1.state, s1.attempts, s1.sent_at, s1.sha256, s1.label) == ("en_attente", 0, None, "", "en attente")
    unconfigured = await statuses(ctx.db, ["convocation:1"], smtp_configured=False)
    assert "aucun serveur" in unconfigured["convocation:1"].label
    (entry,) = await list_for_council(ctx.db, 7)
    assert entry.id == first and entry.attachments[0].size == len(pdf) and entry.message_id.startswith("<")
    from service.outbox.store import OutboxStore

    raw = await OutboxStore(ctx.db).message(first)
    assert raw is not None and b"\r\n" in raw and b"From:" not in raw
    msg = message_from_bytes(raw, policy=default)
    assert msg["Message-ID"] == entry.message_id and msg["To"] == "membre@exemple.fr"
    (part,) = list(msg.iter_attachments())
    assert part.get_content() == pdf and part.get_filename() == "c.pdf"


async def test_cli_lists_without_addresses_and_retries_a_failed_mail(ctx: Any, capsys: Any) -> None:
    import argparse

    from domain.errors import InvalidState, NotFound
    from service.outbox import cli
    from service.outbox.store import OutboxStore

    async with ctx.db.transaction():
        mail_id = await enqueue(ctx.db, _mail(council_id=4), now=ctx.now())
    store = OutboxStore(ctx.db)
    (claimed,) = await store.claim(5, "w1", ctx.now(), timedelta(minutes=5))
    await store.mark_failed(claimed.id, "w1", error="550 5.1.1 <membre@exemple.fr> inconnu", retry_at=None)
    assert await cli._list(ctx, argparse.Namespace(conseil=4, etat=None, limite=100)) == 0
    out = capsys.readouterr().out
    assert f"{mail_id}\téchec\t1 tentative(s)\tconvocation\tconvocation:1" in out
    assert "550 5.1.1" in out and "exemple.fr" not in out
    assert await cli._retry(ctx, argparse.Namespace(id=mail_id)) == 0
    assert "remis en file" in capsys.readouterr().out
    st = (await statuses(ctx.db, ["convocation:1"]))["convocation:1"]
    assert (st.state, st.attempts) == ("en_attente", 0)
    await store.claim(5, "w1", ctx.now(), timedelta(minutes=5))
    with pytest.raises(InvalidState):
        await cli._retry(ctx, argparse.Namespace(id=mail_id))  # being sent: not now
    with pytest.raises(NotFound):
        await cli._retry(ctx, argparse.Namespace(id=mail_id + 100))
    assert await cli._send(ctx.__class__(settings=ctx.settings.with_(smtp_url=""), db=ctx.db), argparse.Namespace(boucle=False)) == 1
    assert "Aucun serveur de courriel configuré" in capsys.readouterr().err
