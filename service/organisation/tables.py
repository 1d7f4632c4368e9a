"""Tables of the organisation: territories, priority neighbourhoods (QPV), councils.

Columns are chosen so that both engines migrate them the same way (DESIGN.md §4):
timestamps are ``Timestamptz`` with aware datetimes, nullable columns say
``default=None`` explicitly, and uniqueness over several columns is carried by a single
computed key column (Piccolo has no composite unique constraint).
"""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Territory(Table, tablename="territoire"):
    """An EPCI (or a commune acting alone) that leads the contrat de ville."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    name = Varchar(length=200)
    name_key = Varchar(length=220, unique=True)
    kind = Varchar(length=20, default="epci")
    siren = Varchar(length=9, default="")
    departement = Varchar(length=3, index=True)
    communes = JSON(default=[])
    archived_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Qpv(Table, tablename="qpv"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    territory = ForeignKey(references=Territory, index=True)
    code = Varchar(length=8, unique=True)
    name = Varchar(length=200)
    communes = JSON(default=[])
    archived_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Council(Table, tablename="conseil"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    territory = ForeignKey(references=Territory, index=True)
    name = Varchar(length=200)
    # territory id + normalised name: a council name is unique within its territory.
    name_key = Varchar(length=240, unique=True)
    regime = Varchar(length=4, default="2024")
    settings = JSON(default={})
    archived_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class CouncilQpv(Table, tablename="conseil_qpv"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    council = ForeignKey(references=Council, index=True)
    qpv = ForeignKey(references=Qpv, index=True)
    link_key = Varchar(length=40, unique=True)


TABLES: list[type[Table]] = [Territory, Qpv, Council, CouncilQpv]
