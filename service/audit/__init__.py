"""The keyed, hash-chained audit trail (DESIGN.md §3.6).

Every feature writes its events with ``audit.record(db, actor=…, …)`` inside the
transaction of the change it describes; the public names are exposed here.
"""

from service.audit.actor import Actor
from service.audit.usecases.trail import current_head, ensure_head, export, record, verify

__all__ = ["Actor", "current_head", "ensure_head", "export", "record", "verify"]
