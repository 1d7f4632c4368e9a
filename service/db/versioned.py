"""Optimistic concurrency for rows carrying a ``version`` column.

Two people editing the same row: the second write finds the version changed, gets a
409 conflict naming the ``version`` field, and nothing of the first write is lost.
"""

from __future__ import annotations

from typing import Any

from domain.errors import Conflict
from domain.i18n import _


async def versioned_update(
    table: Any,
    row_id: int,
    version: int,
    values: dict[Any, Any],
    *,
    message: str | None = None,
    code: str = "modification-concurrente",
    extra_where: Any = None,
) -> None:
    """Apply ``values`` (keys: column names or columns) and bump the version, only if the
    row still has ``version`` (and matches ``extra_where``); otherwise raise Conflict."""
    where = (table.id == row_id) & (table.version == version)
    if extra_where is not None:
        where = where & extra_where
    updated = await table.update({**values, table.version: version + 1}).where(where).returning(table.id)
    if not updated:
        raise Conflict(
            message
            or _("Cet élément a été modifié par quelqu'un d'autre entre-temps : rechargez la page et recommencez."),
            code=code,
            field="version",
        )
