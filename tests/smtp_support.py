"""A real SMTP server for tests: aiosmtpd's Controller on a free loopback port, keeping
the exact bytes of every message it accepts."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes  # as the client sent it (after the SMTP dot-unstuffing)

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=default)  # type: ignore[return-value]

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class Recorder:
    """The handler: accepts and keeps messages, or answers ``refuse`` (e.g. "550 …");
    ``before_accept(n)`` runs before the n-th message (1-based) is accepted and may
    return an answer to refuse it with."""

    received: list[Received] = field(default_factory=list)
    refuse: str | None = None
    before_accept: Callable[[int], str | None] | None = None
    delay: float = 0.0
    seen: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.seen += 1
            n = self.seen
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.before_accept is not None:
            answer = self.before_accept(n)
            if answer:
                return answer
        if self.refuse:
            return self.refuse
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(recorder: Recorder | None = None, port: int | None = None) -> Iterator[tuple[Recorder, str]]:
    """Yield the recorder and the ``SMTP_URL`` of a running server; stopped on exit."""
    rec = recorder or Recorder()
    controller = Controller(rec, hostname="127.0.0.1", port=port or free_port(), enable_SMTPUTF8=True)
    controller.start()
    try:
        yield rec, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()
