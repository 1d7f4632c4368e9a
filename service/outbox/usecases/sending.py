"""The sender: claims due mails, hands each to the SMTP server, records the outcome.

Delivery guarantees
-------------------
* **Nothing lost.** A mail exists once its row is committed with what it announces
  (``enqueue``). A dead server leaves it waiting (``en_attente``) with the server's answer
  and a later ``next_attempt_at`` (1 min, 2, 4 … at most 1 h); after
  ``OUTBOX_MAX_ATTEMPTS`` it is ``echec`` and waits for a person (``conseil outbox retry``).
* **Exactly one sender per mail.** ``claim`` moves due rows to ``envoi`` with this
  sender's id and a lease (``OUTBOX_LEASE_SECONDS``) in one statement; on PostgreSQL the
  rows are picked with ``FOR UPDATE SKIP LOCKED``, so two workers never take the same row,
  and on SQLite the claim runs in an IMMEDIATE transaction, one at a time. A sender stops
  before its lease could run out (it gives back what it has not tried), so a live sender's
  rows are never taken over.
* **Each acceptance recorded at once.** Every mail is marked ``envoye`` in its own
  transaction right after the server accepts it, with the SHA-256 of the exact bytes
  handed over, the time, and the audit event ``courriel.envoi``.

The one window that cannot be closed: the server has accepted a message (``250``) and
the process dies before the commit that records it. SMTP has no idempotent submission,
so nothing on our side can know whether the last ``DATA`` went through; the row is still
``envoi`` and is sent again once its lease has run out. That window is a single message
wide (each mail is committed on its own, right after its ``250``) and a few milliseconds
long; the lease only decides *when* the orphaned row is taken again, never that two live
senders hold it. The copy carries the same Message-ID, which mail clients use to show one
message.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from litestar import Litestar

from service import audit
from service.audit import Actor
from service.context import AppContext
from service.outbox.model import ClaimedMail
from service.outbox.smtp import SendFailed, SmtpConnection, envelope_sender, from_line, smtp_target
from service.outbox.store import OutboxStore

log = logging.getLogger("conseil.outbox")

SENDER_ACTOR = Actor.system("envoi des courriels")
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)
# A sender keeps this much of its lease spare: one SMTP exchange at most.
LEASE_MARGIN = timedelta(seconds=30)


MailSentHook = Callable[[str, datetime, str], Awaitable[None]]


def mail_sent_hooks(kind: str) -> list[MailSentHook]:
    """Callbacks features declare for a kind of mail (``Feature.mail_sent_hooks``); each
    runs in the transaction that marks the mail sent, with (ref, sent_at, sha256)."""
    from service import features

    hooks: list[MailSentHook] = []
    for feature in features.declared():
        for hook_kind, target in feature.mail_sent_hooks:
            if hook_kind == kind:
                module, _sep, name = target.partition(":")
                hooks.append(getattr(importlib.import_module(module), name))
    return hooks


def new_worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def retry_delay(attempts: int) -> timedelta:
    """1 min after the first failure, then twice as long each time, at most 1 h."""
    delay: timedelta = FIRST_RETRY * int(2 ** max(0, min(attempts - 1, 12)))
    return min(delay, MAX_RETRY)


@dataclass(frozen=True)
class SendReport:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    released: int = 0
    configured: bool = True


async def _record_sent(ctx: AppContext, store: OutboxStore, mail: ClaimedMail, worker_id: str, digest: str) -> None:
    sent_at = ctx.now()
    async with ctx.db.transaction():
        if not await store.mark_sent(mail.id, worker_id, sent_at=sent_at, sha256=digest):
            # Our lease was taken over (we were too slow): the other sender records it.
            log.warning("courriel %s envoyé mais repris par un autre expéditeur", mail.id)
            return
        await audit.record(
            ctx.db,
            actor=SENDER_ACTOR,
            action="courriel.envoi",
            subject_type="courriel",
            subject_id=mail.id,
            at=sent_at,
            territory_id=mail.territory_id,
            council_id=mail.council_id,
            details={"kind": mail.kind, "ref": mail.ref, "sha256": digest, "message_id": mail.message_id},
        )
        for hook in mail_sent_hooks(mail.kind):
            await hook(mail.ref, sent_at, digest)


async def _record_failure(ctx: AppContext, store: OutboxStore, mail: ClaimedMail, worker_id: str, answer: str) -> None:
    last = mail.attempts >= ctx.settings.outbox_max_attempts
    retry_at = None if last else ctx.now() + retry_delay(mail.attempts)
    await store.mark_failed(mail.id, worker_id, error=answer, retry_at=retry_at)
    log.warning(
        "courriel %s (%s) non envoyé, tentative %s%s",
        mail.id,
        mail.kind or "sans type",
        mail.attempts,
        " : abandon" if last else "",
    )


async def send_due(ctx: AppContext, worker_id: str, *, batch: int | None = None, stop: asyncio.Event | None = None) -> SendReport:
    """One pass: claim up to ``batch`` due mails and send them. Without ``SMTP_URL``
    nothing is claimed (the mails stay waiting and say why). Once ``stop`` is set the
    mails not tried yet are given back (a stopping service finishes the one in hand)."""
    target = smtp_target(ctx.settings.smtp_url)
    if target is None:
        return SendReport(configured=False)
    store = OutboxStore(ctx.db)
    lease = timedelta(seconds=ctx.settings.outbox_lease_seconds)
    claimed_at = ctx.now()
    claimed = await store.claim(batch or ctx.settings.outbox_batch_size, worker_id, claimed_at, lease)
    if not claimed:
        return SendReport()
    # Stop trying while at least one exchange fits in what is left of the lease.
    deadline = claimed_at + lease - min(LEASE_MARGIN, lease / 2)
    sender = envelope_sender(ctx.settings.mail_from)
    head = from_line(ctx.settings.mail_from)
    conn = SmtpConnection(target)
    sent = failed = released = 0
    try:
        for index, mail in enumerate(claimed):
            if ctx.now() >= deadline or (stop is not None and stop.is_set()):
                for rest in claimed[index:]:
                    await store.release(rest.id, worker_id)
                    released += 1
                break
            data = head + mail.message
            try:
                await asyncio.to_thread(conn.send, sender, mail.recipient, data)
            except SendFailed as exc:
                await _record_failure(ctx, store, mail, worker_id, exc.answer)
                failed += 1
                if exc.connection_lost:
                    # The server is unreachable: the others would fail alike; they wait
                    # their backoff instead of being retried at the next poll.
                    for rest in claimed[index + 1 :]:
                        await _record_failure(ctx, store, rest, worker_id, exc.answer)
                        failed += 1
                    break
                continue
            await _record_sent(ctx, store, mail, worker_id, hashlib.sha256(data).hexdigest())
            sent += 1
    finally:
        await asyncio.to_thread(conn.close)
    if sent or failed:
        log.info("envoi des courriels : %s envoyé(s), %s en échec", sent, failed)
    return SendReport(claimed=len(claimed), sent=sent, failed=failed, released=released)


async def forget_old_mails(ctx: AppContext) -> int:
    """Erase the personal data of mails sent more than ``OUTBOX_RETENTION_DAYS`` ago."""
    days = ctx.settings.outbox_retention_days
    if days <= 0:
        return 0
    return await OutboxStore(ctx.db).forget_sent(ctx.now() - timedelta(days=days))


FORGET_EVERY = timedelta(hours=1)
STOP_GRACE_SECONDS = 20.0


async def sender_loop(
    ctx: AppContext, worker_id: str, poll_seconds: float, *, until_idle: bool = False, stop: asyncio.Event | None = None
) -> int:
    """Send, sleep ``poll_seconds`` when nothing was due, repeat until ``stop`` is set.
    ``until_idle`` stops at the first pass with nothing due (``conseil outbox send``).
    Returns the number of mails sent."""
    stop = stop or asyncio.Event()
    total = 0
    forgot_at: datetime | None = None
    while not stop.is_set():
        try:
            configured = smtp_target(ctx.settings.smtp_url) is not None
            if configured and (forgot_at is None or ctx.now() - forgot_at >= FORGET_EVERY):
                forgot_at = ctx.now()
                await forget_old_mails(ctx)
            report = await send_due(ctx, worker_id, stop=stop)
        except Exception as exc:  # a failed pass must not stop the next ones
            log.error("envoi des courriels en échec : %s", type(exc).__name__)
            report = SendReport()
        total += report.sent
        if report.claimed == 0 or not report.configured:
            if until_idle:
                return total
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_seconds)
    return total


@asynccontextmanager
async def sender_lifespan(app: Litestar) -> AsyncIterator[None]:
    """The background sender of a service process (``OUTBOX_POLL_SECONDS``, 0 = off).
    Every worker runs one; the claim makes each mail go through exactly one of them."""
    ctx: AppContext = app.state.ctx
    poll = ctx.settings.outbox_poll_seconds
    if poll <= 0:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(sender_loop(ctx, new_worker_id(), float(poll), stop=stop))
    try:
        yield
    finally:
        # Let the message in hand be sent and recorded (cancelling between the server's
        # acceptance and the commit would send it twice), then stop.
        stop.set()
        try:
            await asyncio.wait_for(task, STOP_GRACE_SECONDS)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()


