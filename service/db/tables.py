"""Piccolo tables of the foundation: organisation, accounts, sessions, audit trail.

Columns are chosen so that both engines migrate them the same way (DESIGN.md §4):
timestamps are ``Timestamptz`` with aware datetimes, nullable columns say
``default=None`` explicitly, and uniqueness over several columns is carried by a single
computed key column (Piccolo has no composite unique constraint).
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod  # noqa: F401  (kept for future GIN/BRIN)
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


class Account(Table, tablename="compte"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    email = Varchar(length=254, unique=True)
    display_name = Varchar(length=200)
    password_hash = Text(default="")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    password_changed_at = Timestamptz(null=True, default=None)
    last_login_at = Timestamptz(null=True, default=None)


class RoleAssignment(Table, tablename="role_attribue"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    account = ForeignKey(references=Account, index=True)
    role = Varchar(length=20)
    territory = ForeignKey(references=Territory, null=True, default=None)
    council = ForeignKey(references=Council, null=True, default=None)
    departement = Varchar(length=3, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class WebSession(Table, tablename="session_web"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    token_hash = Varchar(length=64, unique=True)
    account = ForeignKey(references=Account, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()


class ApiToken(Table, tablename="jeton_api"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    account = ForeignKey(references=Account, index=True)
    name = Varchar(length=100)
    prefix = Varchar(length=16)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Invitation(Table, tablename="invitation"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    code_hash = Varchar(length=64, unique=True)
    email = Varchar(length=254)
    display_name = Varchar(length=200, default="")
    role = Varchar(length=20)
    territory = ForeignKey(references=Territory, null=True, default=None)
    council = ForeignKey(references=Council, null=True, default=None)
    departement = Varchar(length=3, null=True, default=None)
    created_by = ForeignKey(references=Account, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class LoginAttempt(Table, tablename="tentative_connexion"):
    """Failed logins, kept in the database so every worker sees the same count."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    subject_key = Varchar(length=300, index=True)
    at = Timestamptz(default=TimestamptzNow())
    success = Boolean(default=False)


class AppState(Table, tablename="etat_service"):
    """Small key/value facts shared by all workers (setup token digest, …)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    key = Varchar(length=100, unique=True)
    value = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class AuditEvent(Table, tablename="journal_audit"):
    """Append-only, SHA-256 hash-chained log. ``seq`` is assigned under the head lock."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    seq = Integer(unique=True)
    at = Timestamptz()
    actor_id = Integer(null=True, default=None)
    actor_label = Varchar(length=254, default="")
    action = Varchar(length=80, index=True)
    subject_type = Varchar(length=40)
    subject_id = Varchar(length=80, default="")
    territory_id = Integer(null=True, default=None, index=True)
    council_id = Integer(null=True, default=None, index=True)
    details = JSON(default={})
    payload_digest = Varchar(length=64)
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64, unique=True)
    # HMAC chain keyed outside the database (settings.audit_key): mac = HMAC(key, prev mac LF hash).
    mac = Varchar(length=64, default="")


class AuditHead(Table, tablename="journal_audit_tete"):
    """One row; updating it serialises appends so the chain never forks."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    last_seq = Integer(default=0)
    last_hash = Varchar(length=64)
    last_mac = Varchar(length=64, default="")
