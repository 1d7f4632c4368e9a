"""Outbox use cases: ``enqueue``/``statuses`` (contract A) and the sender."""

from service.outbox.usecases.enqueue import enqueue, list_for_council, retry, smtp_configured, statuses
from service.outbox.usecases.sending import send_due

__all__ = ["enqueue", "list_for_council", "retry", "send_due", "smtp_configured", "statuses"]
