"""Tables of the accounts: accounts and their roles, web sessions, API tokens,
invitations and counted login attempts."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.organisation.tables import Council, Territory


class Account(Table, tablename="compte"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    email = Varchar(length=254, unique=True)
    display_name = Varchar(length=200)
    password_hash = Text(default="")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    password_changed_at = Timestamptz(null=True, default=None)
    last_login_at = Timestamptz(null=True, default=None)
    # The grammatical gender the person asks for (domain.genre): "F", "M", or None when
    # not said (« cheffe ou chef de projet »).
    genre = Varchar(length=1, null=True, default=None)


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


TABLES: list[type[Table]] = [Account, RoleAssignment, WebSession, ApiToken, Invitation, LoginAttempt]
