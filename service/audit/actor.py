"""Who acts, as written in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who acts: an account, or the system itself (CLI, scheduled purge)."""

    id: int | None
    label: str

    @classmethod
    def system(cls, label: str = "système") -> Actor:
        return cls(None, label)
