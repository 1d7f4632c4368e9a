"""The accounts' store: the only code that queries accounts, roles, sessions, API
tokens, invitations and login attempts (DESIGN.md §2). Typed methods return frozen
dataclasses; engine differences (advisory locks) live here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.access import Role, RoleAssignment
from service.comptes.tables import Account, ApiToken, Invitation, LoginAttempt, WebSession
from service.comptes.tables import RoleAssignment as RoleRow
from service.db.engine import Database
from service.db.tables import AppState
from service.organisation.store import OrganisationStore


@dataclass(frozen=True)
class AccountRow:
    id: int
    email: str
    display_name: str
    active: bool
    created_at: datetime
    last_login_at: datetime | None
    genre: str | None


@dataclass(frozen=True)
class LoginCredentials:
    id: int
    email: str
    password_hash: str
    active: bool


@dataclass(frozen=True)
class RoleHeld:
    """A role as the administration page shows it: with the names of its scope."""

    role: str
    territoire: str | None
    conseil: str | None
    departement: str | None


@dataclass(frozen=True)
class AccountSummary:
    id: int
    email: str
    display_name: str
    active: bool
    created_at: datetime
    last_login_at: datetime | None
    genre: str | None
    roles: tuple[RoleHeld, ...]


@dataclass(frozen=True)
class AccountContact:
    id: int
    display_name: str
    email: str


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class InvitationRow:
    id: int
    email: str
    display_name: str
    role: str
    territory: int | None
    council: int | None
    departement: str | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class Credential:
    """A session or API token with its account and the account's roles (one query)."""

    id: int
    expires_at: datetime | None
    last_used_at: datetime | None
    account_id: int
    email: str
    display_name: str
    active: bool
    genre: str | None
    assignments: tuple[RoleAssignment, ...]


def _assignment(r: dict[str, Any]) -> RoleAssignment:
    return RoleAssignment(
        role=Role(r["role"]),
        territory_id=None if r["territory"] is None else str(r["territory"]),
        council_id=None if r["council"] is None else str(r["council"]),
        departement=r["departement"],
    )


_TOKEN_COLUMNS = (ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.created_at, ApiToken.expires_at,
                  ApiToken.last_used_at, ApiToken.revoked_at)

# The principal in one round trip (issue 14, item 12): the credential, its account and the
# account's roles in one joined query, instead of three queries on three connections.
_PRINCIPAL = (
    "a.id AS account_id, a.email, a.display_name, a.active, a.genre, "
    "r.role, r.territory, r.council, r.departement "
)
_TOKEN_QUERY = (
    "SELECT t.id AS credential_id, t.expires_at, t.last_used_at, " + _PRINCIPAL
    + "FROM jeton_api t JOIN compte a ON a.id = t.account LEFT JOIN role_attribue r ON r.account = a.id "
    "WHERE t.token_hash = {} AND t.revoked_at IS NULL"
)
_SESSION_QUERY = (
    "SELECT s.id AS credential_id, s.expires_at, NULL AS last_used_at, " + _PRINCIPAL
    + "FROM session_web s JOIN compte a ON a.id = s.account LEFT JOIN role_attribue r ON r.account = a.id "
    "WHERE s.token_hash = {}"
)


def _credential(rows: list[dict[str, Any]]) -> Credential | None:
    if not rows:
        return None
    first = rows[0]
    return Credential(
        id=int(first["credential_id"]), expires_at=first["expires_at"], last_used_at=first["last_used_at"],
        account_id=int(first["account_id"]), email=first["email"], display_name=first["display_name"],
        active=bool(first["active"]), genre=first["genre"] or None,
        assignments=tuple(_assignment(r) for r in rows if r["role"] is not None))


class AccountStore:
    def __init__(self, db: Database | None = None) -> None:
        self.db = db

    # --- accounts ---------------------------------------------------------------------

    async def admin_exists(self) -> bool:
        return bool(await RoleRow.exists().where(RoleRow.role == Role.ADMINISTRATEUR.value))

    async def account_id_by_email(self, email: str) -> int | None:
        row = await Account.select(Account.id).where(Account.email == email).first()
        return int(row["id"]) if row else None

    async def account_exists(self, account_id: int) -> bool:
        return bool(await Account.exists().where(Account.id == account_id))

    async def insert_account(self, email: str, display_name: str, password_hash: str, at: datetime,
                             genre: str | None = None) -> int:
        rows = await Account.insert(Account(email=email, display_name=display_name, password_hash=password_hash,
                                            created_at=at, password_changed_at=at, genre=genre)).returning(Account.id)
        return int(rows[0]["id"])

    async def set_genre(self, account_id: int, genre: str | None) -> None:
        await Account.update({Account.genre: genre}).where(Account.id == account_id)

    async def credentials(self, *, email: str | None = None, account_id: int | None = None) -> LoginCredentials | None:
        q = Account.select(Account.id, Account.email, Account.password_hash, Account.active)
        q = q.where(Account.email == email) if email is not None else q.where(Account.id == account_id)
        row = await q.first()
        if not row:
            return None
        return LoginCredentials(int(row["id"]), row["email"], row["password_hash"], bool(row["active"]))

    async def set_password(self, account_id: int, password_hash: str, at: datetime) -> None:
        await Account.update({Account.password_hash: password_hash, Account.password_changed_at: at}).where(
            Account.id == account_id)

    async def set_last_login(self, account_id: int, at: datetime) -> None:
        await Account.update({Account.last_login_at: at}).where(Account.id == account_id)

    async def set_active(self, account_id: int, active: bool) -> None:
        await Account.update({Account.active: active}).where(Account.id == account_id)

    async def add_role(self, account_id: int, role: str, at: datetime, *, territory: int | None = None,
                       council: int | None = None, departement: str | None = None) -> None:
        await RoleRow.insert(RoleRow(account=account_id, role=role, territory=territory, council=council,
                                     departement=departement, created_at=at))

    async def role_names(self, account_id: int) -> set[str]:
        """The roles an account holds, whatever their scope."""
        return {str(r["role"]) for r in await RoleRow.select(RoleRow.role).where(RoleRow.account == account_id)}

    async def council_contacts(self, council_id: int, roles: Sequence[str]) -> list[AccountContact]:
        """The accounts holding one of ``roles`` in the council, once each."""
        rows = await RoleRow.select(
            RoleRow.account,
            RoleRow.account.display_name.as_alias("name"),
            RoleRow.account.email.as_alias("email"),
        ).where((RoleRow.council == council_id) & RoleRow.role.is_in(list(roles)))
        seen: dict[int, AccountContact] = {}
        for r in rows:
            seen.setdefault(int(r["account"]), AccountContact(int(r["account"]), r["name"], r["email"]))
        return list(seen.values())

    async def roles_of(self, account_id: int) -> list[RoleAssignment]:
        rows = await RoleRow.select(RoleRow.role, RoleRow.territory, RoleRow.council, RoleRow.departement).where(
            RoleRow.account == account_id)
        return [_assignment(r) for r in rows]

    async def account(self, account_id: int) -> AccountRow | None:
        row = await Account.select(Account.id, Account.email, Account.display_name, Account.active,
                                   Account.created_at, Account.last_login_at, Account.genre).where(
            Account.id == account_id).first()
        return None if not row else AccountRow(**row)

    async def accounts(self) -> list[AccountSummary]:
        accounts = await Account.select(Account.id, Account.email, Account.display_name, Account.active,
                                        Account.created_at, Account.last_login_at, Account.genre).order_by(Account.email)
        roles = await RoleRow.select(RoleRow.account, RoleRow.role, RoleRow.territory, RoleRow.council, RoleRow.departement)
        # The scopes' names are the organisation's: one look-up each for all the roles.
        organisation = OrganisationStore(self.db)
        territories = await organisation.territory_names([r["territory"] for r in roles if r["territory"] is not None])
        councils = await organisation.council_names([r["council"] for r in roles if r["council"] is not None])
        by: dict[int, list[RoleHeld]] = {}
        for r in roles:
            territory = None if r["territory"] is None else territories.get(r["territory"])
            council = None if r["council"] is None else councils.get(r["council"])
            by.setdefault(r["account"], []).append(RoleHeld(r["role"], territory, council, r["departement"]))
        return [AccountSummary(**a, roles=tuple(by.get(a["id"], []))) for a in accounts]

    # --- setup token (kept in the service's shared state) ------------------------------

    async def replace_setup_token(self, key: str, digest: str | None, at: datetime) -> None:
        await AppState.delete().where(AppState.key == key)
        if digest is not None:
            await AppState.insert(AppState(key=key, value=digest, updated_at=at))

    async def consume_setup_token(self, key: str, digest: str) -> bool:
        """DELETE … RETURNING consumes the token atomically: of two submissions at once,
        exactly one gets the row back."""
        rows = await AppState.raw("DELETE FROM etat_service WHERE key = {} AND value = {} RETURNING id", key, digest)
        return bool(rows)

    # --- sessions and tokens ------------------------------------------------------------

    async def open_session(self, token_hash: str, account_id: int, at: datetime, expires_at: datetime) -> None:
        await WebSession.insert(WebSession(token_hash=token_hash, account=account_id, created_at=at, expires_at=expires_at))
        await WebSession.delete().where(WebSession.expires_at < at)

    async def close_session(self, token_hash: str) -> None:
        await WebSession.delete().where(WebSession.token_hash == token_hash)

    async def close_sessions(self, account_id: int, *, keep: str | None = None) -> None:
        q = WebSession.delete().where(WebSession.account == account_id)
        if keep:
            q = q.where(WebSession.token_hash != keep)
        await q

    async def session_credential(self, token_hash: str) -> Credential | None:
        return _credential(await WebSession.raw(_SESSION_QUERY, token_hash))

    async def token_credential(self, token_hash: str) -> Credential | None:
        return _credential(await ApiToken.raw(_TOKEN_QUERY, token_hash))

    async def touch_token(self, token_id: int, now: datetime, resolution: timedelta) -> None:
        """Record a token's use, at most once per ``resolution``: of several requests in
        the same minute, one writes."""
        await ApiToken.update({ApiToken.last_used_at: now}).where(
            (ApiToken.id == token_id)
            & (ApiToken.last_used_at.is_null() | (ApiToken.last_used_at < now - resolution))
        )

    async def insert_token(self, account_id: int, name: str, prefix: str, token_hash: str, at: datetime,
                           expires_at: datetime | None) -> int:
        rows = await ApiToken.insert(ApiToken(account=account_id, name=name, prefix=prefix, token_hash=token_hash,
                                              created_at=at, expires_at=expires_at)).returning(ApiToken.id)
        return int(rows[0]["id"])

    async def token(self, account_id: int, token_id: int) -> TokenRow | None:
        row = await ApiToken.select(*_TOKEN_COLUMNS).where((ApiToken.id == token_id) & (ApiToken.account == account_id)).first()
        return TokenRow(**row) if row else None

    async def tokens(self, account_id: int) -> list[TokenRow]:
        rows = await ApiToken.select(*_TOKEN_COLUMNS).where(ApiToken.account == account_id).order_by(
            ApiToken.created_at, ascending=False)
        return [TokenRow(**r) for r in rows]

    async def revoke_token(self, token_id: int, at: datetime) -> None:
        await ApiToken.update({ApiToken.revoked_at: at}).where(ApiToken.id == token_id)

    async def revoke_tokens(self, account_id: int, at: datetime) -> None:
        await ApiToken.update({ApiToken.revoked_at: at}).where((ApiToken.account == account_id) & ApiToken.revoked_at.is_null())

    # --- invitations --------------------------------------------------------------------

    async def insert_invitation(self, *, code_hash: str, email: str, display_name: str, role: str,
                                territory: int | None, council: int | None, departement: str | None,
                                created_by: int | None, at: datetime, expires_at: datetime) -> int:
        rows = await Invitation.insert(Invitation(
            code_hash=code_hash, email=email, display_name=display_name, role=role, territory=territory, council=council,
            departement=departement, created_by=created_by, created_at=at, expires_at=expires_at,
        )).returning(Invitation.id)
        return int(rows[0]["id"])

    async def invitation(self, code_hash: str) -> InvitationRow | None:
        row = await Invitation.select(
            Invitation.id, Invitation.email, Invitation.display_name, Invitation.role, Invitation.territory,
            Invitation.council, Invitation.departement, Invitation.created_at, Invitation.expires_at, Invitation.used_at,
        ).where(Invitation.code_hash == code_hash).first()
        return InvitationRow(**row) if row else None

    async def take_invitation(self, invitation_id: int, at: datetime) -> bool:
        """Mark the invitation used, once: False if it already was."""
        taken = await Invitation.update({Invitation.used_at: at}).where(
            (Invitation.id == invitation_id) & Invitation.used_at.is_null()).returning(Invitation.id)
        return bool(taken)

    # --- counted attempts (logins, online replies) -------------------------------------

    async def lock_attempt_keys(self, keys: Sequence[str]) -> None:
        """Serialise attempts on the same keys until the transaction ends (SQLite's
        IMMEDIATE transaction already holds the write lock)."""
        if self.db is not None and not self.db.is_sqlite:
            for key in sorted(set(keys)):
                await LoginAttempt.raw("SELECT pg_advisory_xact_lock(hashtextextended({}, 7))", key)

    async def recent_attempts(self, key: str, since: datetime, *, failures_only: bool) -> list[tuple[datetime, bool]]:
        """(at, success) of the latest attempts on ``key`` since ``since``, newest first."""
        q = LoginAttempt.select(LoginAttempt.at, LoginAttempt.success).where(
            (LoginAttempt.subject_key == key) & (LoginAttempt.at >= since))
        if failures_only:
            q = q.where(LoginAttempt.success == False)  # noqa: E712
        rows = await q.order_by(LoginAttempt.at, ascending=False).order_by(LoginAttempt.id, ascending=False).limit(500)
        return [(r["at"], bool(r["success"])) for r in rows]

    async def insert_attempts(self, keys: Sequence[str], at: datetime) -> list[int]:
        rows = await LoginAttempt.insert(*[LoginAttempt(subject_key=k, at=at, success=False) for k in keys]).returning(
            LoginAttempt.id)
        return [int(r["id"]) for r in rows]

    async def forget_attempts_before(self, before: datetime) -> None:
        await LoginAttempt.delete().where(LoginAttempt.at < before)

    async def mark_attempts_succeeded(self, ids: Sequence[int]) -> None:
        await LoginAttempt.update({LoginAttempt.success: True}).where(LoginAttempt.id.is_in(list(ids)))

    async def delete_attempts(self, ids: Sequence[int]) -> None:
        await LoginAttempt.delete().where(LoginAttempt.id.is_in(list(ids)))
