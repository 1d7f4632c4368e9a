"""Piccolo tables shared by features: the service's key/value state, and the pools
(until the draw feature takes them).

Columns are chosen so that both engines migrate them the same way (DESIGN.md §4):
timestamps are ``Timestamptz`` with aware datetimes, nullable columns say
``default=None`` explicitly, and uniqueness over several columns is carried by a single
computed key column (Piccolo has no composite unique constraint).
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Bytea,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.organisation.tables import Council


class AppState(Table, tablename="etat_service"):
    """Small key/value facts shared by all workers (setup token digest, …)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    key = Varchar(length=100, unique=True)
    value = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())


# --- pools (shared by registers, draws and volunteers' draws) -------------------------


class Pool(Table, tablename="vivier"):
    """A frozen cc-draw/1 pool file (protocol §2) and where it came from.

    Built from a council's register (``kind="residents"``) or from its eligible volunteers
    (``kind="volontaires"``). ``content`` is the exact pool file, so the digest published
    in a commitment can always be re-checked, even after the register was purged.
    """

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    council = ForeignKey(references=Council, index=True)
    kind = Varchar(length=20, default="residents")
    label = Varchar(length=200, default="")
    reference_date = Varchar(length=10, default="")  # ISO date the eligibility was evaluated at
    stratification = JSON(default={})  # how strata were formed, e.g. {"sexe": true, "secteur": "bureau"}
    digest = Varchar(length=64, index=True)
    size = Integer(default=0)
    strata_counts = JSON(default={})
    content = Bytea(default=b"")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class PoolMember(Table, tablename="vivier_entree"):
    """One line of a pool, plus the link back to the person it stands for.

    ``subject_type``/``subject_id`` point at a register person (``"resident"``) or an
    application (``"candidature"``); they are the only bridge from the pseudonymous pool
    to personal data, and they are never exported.
    """

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    pool = ForeignKey(references=Pool, index=True)
    key = Varchar(length=64, index=True)
    stratum = Varchar(length=100)
    household = Varchar(length=64, default="")
    subject_type = Varchar(length=20, default="resident")
    subject_id = Integer(null=True, default=None)
