"""Pages of the training feature (filled in below)."""

from __future__ import annotations

from typing import Any

PAGE_CONTROLLERS: list[Any] = []
