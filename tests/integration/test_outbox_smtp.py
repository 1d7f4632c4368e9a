"""The outbox's sender against a real SMTP server (aiosmtpd on a loopback port): what
arrives, retries and backoff, refusals, two senders racing, a sender killed mid-batch.
Runs on both database passes."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from service.outbox.model import Attachment, OutgoingMail
from service.outbox.store import OutboxStore
from service.outbox.usecases import enqueue, list_for_council, retry, send_due, statuses
from tests.smtp_support import Recorder, free_port, smtp_server

pytestmark = pytest.mark.anyio


async def _enqueue_many(ctx: Any, n: int, *, council_id: int = 1, **kw: Any) -> list[int]:
    ids = []
    async with ctx.db.transaction():
        for i in range(n):
            mail = OutgoingMail(
                to=f"membre{i}@exemple.fr",
                subject=f"Convocation n° {i}",
                body=f"Bonjour,\nvous êtes convoqué·e (n° {i}).",
                kind="convocation",
                ref=f"convocation:{i}",
                council_id=council_id,
                **kw,
            )
            ids.append(await enqueue(ctx.db, mail, now=ctx.now()))
    return ids


async def test_attachments_arrive_intact_and_the_stored_sha256_is_what_was_sent(ctx: Any) -> None:
    from service.audit.tables import AuditEvent
    from service.documents.ics import CalendarEvent, calendar_bytes

    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n.\r\n..\n%%EOF\n"  # a lone "." line too
    ics = calendar_bytes(
        [CalendarEvent(uid="reunion-1@exemple.fr", sequence=0, start=ctx.now(), end=ctx.now() + timedelta(hours=2), summary="Plénière")],
        name="Conseil",
        method="REQUEST",
    )
    with smtp_server() as (rec, url):
        ctx.settings = ctx.settings.with_(smtp_url=url, mail_from="Conseil citoyen <conseil@ville.example.fr>")
        async with ctx.db.transaction():
            mail_id = await enqueue(
                ctx.db,
                OutgoingMail(
                    to="élu.membre@exemple.fr",
                    subject="Convocation à la plénière du 12 mars",
                    body="Bonjour,\nvous trouverez la convocation ci-jointe.\n",
                    attachments=(
                        Attachment("convocation-2026-03-12.pdf", "application/pdf", pdf),
                        Attachment("reunion.ics", "text/calendar; method=REQUEST", ics),
                    ),
                    kind="convocation",
                    ref="convocation:42",
                    council_id=3,
                    territory_id=2,
                ),
                now=ctx.now(),
            )
        report = await send_due(ctx, "w1")
    assert (report.sent, report.failed) == (1, 0)
    (got,) = rec.received
    assert got.mail_from == "conseil@ville.example.fr" and got.rcpt_tos == ["élu.membre@exemple.fr"]
    msg = got.message
    assert msg["Subject"] == "Convocation à la plénière du 12 mars"
    assert msg["From"] == "Conseil citoyen <conseil@ville.example.fr>"
    parts = {p.get_filename(): p for p in msg.iter_attachments()}
    assert parts["convocation-2026-03-12.pdf"].get_content() == pdf
    assert parts["reunion.ics"].get_content_type() == "text/calendar"
    assert parts["reunion.ics"].get_param("method") == "REQUEST"
    assert parts["reunion.ics"].get_payload(decode=True) == ics
    assert msg.get_body(("plain",)).get_content().startswith("Bonjour,")  # type: ignore[union-attr]
    st = (await statuses(ctx.db, ["convocation:42"]))["convocation:42"]
    assert st.state == "envoye" and st.attempts == 1 and st.sent_at == ctx.now() and st.label == "envoyé"
    assert st.sha256 == hashlib.sha256(got.data).hexdigest()
    (event,) = await AuditEvent.select().where(AuditEvent.action == "courriel.envoi").output(load_json=True)
    assert event["subject_id"] == str(mail_id) and event["council_id"] == 3
    assert event["details"]["sha256"] == st.sha256 and event["details"]["ref"] == "convocation:42"
    assert "exemple.fr" not in str(event["details"])  # never the address


async def test_no_server_configured_nothing_is_sent_and_rows_say_why(ctx: Any) -> None:
    await _enqueue_many(ctx, 2)
    report = await send_due(ctx, "w1")
    assert not report.configured and report.claimed == 0
    st = await statuses(ctx.db, ["convocation:0"], smtp_configured=False)
    assert st["convocation:0"].state == "en_attente" and st["convocation:0"].attempts == 0
    assert "aucun serveur de courriel configuré" in st["convocation:0"].label


async def test_server_down_backs_off_then_sends_once_when_it_is_up(ctx: Any, clock: Any) -> None:
    port = free_port()
    ctx.settings = ctx.settings.with_(smtp_url=f"smtp://127.0.0.1:{port}")
    (mail_id,) = await _enqueue_many(ctx, 1)
    start = clock.now
    r1 = await send_due(ctx, "w1")
    assert (r1.sent, r1.failed) == (0, 1)
    (row,) = await list_for_council(ctx.db, 1)
    assert row.state == "en_attente" and row.attempts == 1 and "injoignable" in row.last_error
    assert row.next_attempt_at == start + timedelta(minutes=1)
    clock.advance(seconds=30)
    assert (await send_due(ctx, "w1")).claimed == 0  # not due yet
    clock.advance(seconds=30)
    assert (await send_due(ctx, "w1")).failed == 1
    (row,) = await list_for_council(ctx.db, 1)
    assert row.attempts == 2 and row.next_attempt_at == clock.now + timedelta(minutes=2)
    with smtp_server(port=port) as (rec, _url):
        clock.advance(minutes=2)
        assert (await send_due(ctx, "w1")).sent == 1
        clock.advance(hours=2)
        assert (await send_due(ctx, "w1")).claimed == 0
    assert len(rec.received) == 1
    (row,) = await list_for_council(ctx.db, 1)
    assert row.id == mail_id and row.state == "envoye" and row.attempts == 3 and row.last_error == ""


async def test_backoff_doubles_up_to_one_hour() -> None:
    from service.outbox.usecases.sending import retry_delay

    assert [retry_delay(n) for n in (1, 2, 3, 7, 8, 30)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(hours=1),
        timedelta(hours=1),
        timedelta(hours=1),
    ]


async def test_a_refusing_server_leads_to_echec_with_its_answer_and_retry_by_hand(ctx: Any, clock: Any) -> None:
    answer = "550 5.1.1 Boîte aux lettres inconnue"
    with smtp_server(Recorder(refuse=answer)) as (rec, url):
        ctx.settings = ctx.settings.with_(smtp_url=url, outbox_max_attempts=3)
        (mail_id,) = await _enqueue_many(ctx, 1)
        for _ in range(3):
            assert (await send_due(ctx, "w1")).failed == 1
            clock.advance(hours=1)
        assert (await send_due(ctx, "w1")).claimed == 0  # given up
        (row,) = await list_for_council(ctx.db, 1)
        assert row.state == "echec" and row.attempts == 3
        assert row.last_error.startswith("550") and "inconnue" in row.last_error
        assert (await statuses(ctx.db, ["convocation:0"]))["convocation:0"].label == "échec"
        rec.refuse = None
        again = await retry(ctx.db, mail_id, now=ctx.now())
        assert again.state == "en_attente" and again.attempts == 0
        assert (await send_due(ctx, "w1")).sent == 1
    assert len(rec.received) == 1


@pytest.mark.parametrize("senders", [2, 3])
async def test_senders_racing_on_one_outbox_deliver_each_mail_exactly_once(ctx: Any, senders: int) -> None:
    n = 40
    await _enqueue_many(ctx, n)
    with smtp_server(Recorder(delay=0.003)) as (rec, url):
        ctx.settings = ctx.settings.with_(smtp_url=url, outbox_batch_size=4)

        async def worker(wid: str) -> int:
            sent = 0
            while True:
                report = await send_due(ctx, wid)
                sent += report.sent
                if report.claimed == 0:
                    return sent

        counts = await asyncio.gather(*(worker(f"w{i}") for i in range(senders)))
    ids = Counter(r.message_id for r in rec.received)
    assert len(ids) == n and set(ids.values()) == {1}
    assert sum(counts) == n and all(c > 0 for c in counts), counts  # both really worked
    rows = await list_for_council(ctx.db, 1)
    assert {r.state for r in rows} == {"envoye"} and {r.attempts for r in rows} == {1}


async def test_a_sender_killed_mid_batch_loses_nothing_and_doubles_nothing(ctx: Any, test_settings: Any) -> None:
    """The sender runs as a separate process; the SMTP server SIGKILLs it while it sends
    the 7th message of a batch, before accepting that message. After a restart every
    message has arrived exactly once."""
    n, k = 15, 7
    await _enqueue_many(ctx, n)
    proc: subprocess.Popen[bytes] | None = None

    def kill_on_kth(seen: int) -> str | None:
        if seen == k and proc is not None:
            os.kill(proc.pid, signal.SIGKILL)
            return "451 4.3.0 Arrêt du serveur"
        return None

    conseil = Path(sys.executable).parent / "conseil"
    with smtp_server(Recorder(before_accept=kill_on_kth)) as (rec, url):
        env = {
            **os.environ,
            "DATABASE_URL": test_settings.database_url,
            "CONSEIL_VAR_DIR": str(test_settings.var_dir),
            "SECRET_KEY": test_settings.secret_key,
            "SMTP_URL": url,
            "OUTBOX_BATCH_SIZE": "10",
            "OUTBOX_LEASE_SECONDS": "120",
            "OUTBOX_POLL_SECONDS": "1",
        }
        proc = subprocess.Popen([str(conseil), "outbox", "send", "--boucle"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.wait(timeout=60) == -signal.SIGKILL
        assert len(rec.received) == k - 1
        rows = {r.id: r for r in await list_for_council(ctx.db, 1)}
        assert Counter(r.state for r in rows.values()) == Counter(envoye=k - 1, envoi=10 - (k - 1), en_attente=n - 10)
        # A restart before the dead sender's lease has run out leaves its rows alone…
        early = subprocess.run([str(conseil), "outbox", "send"], env=env, capture_output=True, timeout=60)
        assert early.returncode == 0, early.stderr
        assert len(rec.received) == k - 1 + (n - 10)
        # … and takes them once it has (time moved on: the leases are made to end now).
        from service.outbox.tables import OutboxMail

        await OutboxMail.update({OutboxMail.lease_until: datetime.now(UTC) - timedelta(seconds=1)}).where(OutboxMail.state == "envoi")
        late = subprocess.run([str(conseil), "outbox", "send"], env=env, capture_output=True, timeout=60)
        assert late.returncode == 0, late.stderr
    ids = Counter(r.message_id for r in rec.received)
    assert len(ids) == n and set(ids.values()) == {1}
    rows_after = await list_for_council(ctx.db, 1)
    assert {r.state for r in rows_after} == {"envoye"}
    stored = {r.message_id: r.sha256 for r in rows_after}
    assert all(stored[r.message_id] == hashlib.sha256(r.data).hexdigest() for r in rec.received)
    assert b"exemple.fr" not in early.stderr + late.stderr  # no address in the logs


async def test_message_bytes_do_not_change_between_attempts(ctx: Any, clock: Any) -> None:
    (mail_id,) = await _enqueue_many(ctx, 1)
    before = await OutboxStore(ctx.db).message(mail_id)
    ctx.settings = ctx.settings.with_(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    await send_due(ctx, "w1")
    clock.advance(minutes=5)
    with smtp_server() as (rec, url):
        ctx.settings = ctx.settings.with_(smtp_url=url)
        await send_due(ctx, "w1")
    assert before is not None and rec.received[0].data.endswith(before)


async def test_concurrent_claims_never_share_a_row(ctx: Any, clock: Any) -> None:
    """Twelve claims at once (separate connections on PostgreSQL, where SKIP LOCKED
    decides; IMMEDIATE transactions one after the other on SQLite)."""
    await _enqueue_many(ctx, 30)
    store = OutboxStore(ctx.db)
    batches = await asyncio.gather(*(store.claim(3, f"w{i}", clock.now, timedelta(minutes=5)) for i in range(12)))
    ids = [m.id for batch in batches for m in batch]
    assert len(ids) == len(set(ids)) == 30
    assert sorted(len(b) for b in batches) == [0] * 2 + [3] * 10
    # Leases still running: nobody else may take them.
    assert await store.claim(30, "late", clock.now + timedelta(minutes=4), timedelta(minutes=5)) == []
    retaken = await store.claim(30, "late", clock.now + timedelta(minutes=6), timedelta(minutes=5))
    assert len(retaken) == 30 and {m.attempts for m in retaken} == {2}


async def test_sent_mails_lose_their_personal_data_after_the_retention_period(ctx: Any, clock: Any) -> None:
    from service.outbox.usecases.sending import forget_old_mails

    await _enqueue_many(ctx, 2)
    with smtp_server() as (_rec, url):
        ctx.settings = ctx.settings.with_(smtp_url=url, outbox_batch_size=1, outbox_retention_days=90)
        await send_due(ctx, "w1")  # only the first one is sent
    clock.advance(days=89)
    assert await forget_old_mails(ctx) == 0
    clock.advance(days=2)
    assert await forget_old_mails(ctx) == 1
    first, second = sorted(await list_for_council(ctx.db, 1), key=lambda e: e.id)
    assert first.recipient == "" and first.state == "envoye" and len(first.sha256) == 64 and first.message_id
    assert await OutboxStore(ctx.db).message(first.id) == b""
    assert second.recipient == "membre1@exemple.fr"  # not sent yet: kept


HOOK_CALLS: list[tuple[str, Any, str, bool]] = []


async def record_hook_call(ref: str, sent_at: Any, sha256: str) -> None:
    from service.outbox.tables import OutboxMail

    # Runs inside the transaction that marks the mail sent: the row already says so.
    row = await OutboxMail.select(OutboxMail.state).where(OutboxMail.reference == ref).first()
    HOOK_CALLS.append((ref, sent_at, sha256, row is not None and row["state"] == "envoye"))


async def test_a_feature_hook_learns_when_its_mail_was_sent(ctx: Any, monkeypatch: Any) -> None:
    from service import features
    from service.feature import Feature

    real = features.declared
    monkeypatch.setattr(features, "declared", lambda: [*real(), Feature("essai", mail_sent_hooks=(("convocation", f"{__name__}:record_hook_call"),))])
    HOOK_CALLS.clear()
    await _enqueue_many(ctx, 1)
    async with ctx.db.transaction():
        await enqueue(ctx.db, OutgoingMail(to="a@exemple.fr", subject="s", body="b", kind="autre", ref="autre:1"), now=ctx.now())
    with smtp_server() as (_rec, url):
        ctx.settings = ctx.settings.with_(smtp_url=url)
        assert (await send_due(ctx, "w1")).sent == 2
    st = (await statuses(ctx.db, ["convocation:0"]))["convocation:0"]
    assert [("convocation:0", ctx.now(), st.sha256, True)] == HOOK_CALLS
