"""Piccolo table shared by every feature: the service's key/value state.

Columns are chosen so that both engines migrate them the same way (DESIGN.md §4):
timestamps are ``Timestamptz`` with aware datetimes, nullable columns say
``default=None`` explicitly, and uniqueness over several columns is carried by a single
computed key column (Piccolo has no composite unique constraint).
"""

from __future__ import annotations

from piccolo.columns import Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AppState(Table, tablename="etat_service"):
    """Small key/value facts shared by all workers (setup token digest, …)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    key = Varchar(length=100, unique=True)
    value = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())

