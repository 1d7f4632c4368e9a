"""What every request handler and CLI command needs, built once by create_app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from service.db.engine import Database
from service.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class AppContext:
    settings: Settings
    db: Database
    clock: Callable[[], datetime] = utc_now
    # Tests use cheap argon2 parameters (see service/security.py).
    cheap_hashing: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()
