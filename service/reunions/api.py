"""HTTP API of the meetings feature."""

from typing import Any

HANDLERS: list[Any] = []
