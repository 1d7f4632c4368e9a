"""Who is calling, and may they call this route.

Every route handler declares its access in ``opt={"access": …}`` through the helpers
``public()``, ``authenticated()`` and ``allow(action, scope=…)``. One global guard reads
it; a handler that declares nothing is refused (fail closed), and a test walks every
route of the app to prove it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from domain.access import (
    GLOBAL,
    Action,
    Principal,
    ResourceScope,
    Role,
    RoleAssignment,
    holds_anywhere,
    is_allowed,
)
from domain.errors import Forbidden, NotAuthenticated, NotFound
from domain.i18n import _
from service.context import AppContext
from service.db.tables import Account, ApiToken, Council, Qpv, Territory, WebSession
from service.db.tables import RoleAssignment as RoleRow
from service.security import token_digest

SESSION_COOKIE = "cc_session"
TOKEN_PREFIX = "ccapi_"  # noqa: S105 — a public prefix, not a secret


@dataclass(frozen=True)
class CurrentUser:
    account_id: int
    email: str
    display_name: str
    principal: Principal
    via: str  # "session" or "token"
    session_hash: str | None = None

    def has_role(self, role: Role) -> bool:
        return any(a.role is role for a in self.principal.assignments)

    @property
    def roles(self) -> list[Role]:
        seen: list[Role] = []
        for a in self.principal.assignments:
            if a.role not in seen:
                seen.append(a.role)
        return seen


async def load_principal(account_id: int) -> Principal:
    rows = await RoleRow.select(
        RoleRow.role, RoleRow.territory, RoleRow.council, RoleRow.departement
    ).where(RoleRow.account == account_id)
    assignments = [
        RoleAssignment(
            role=Role(r["role"]),
            territory_id=None if r["territory"] is None else str(r["territory"]),
            council_id=None if r["council"] is None else str(r["council"]),
            departement=r["departement"],
        )
        for r in rows
    ]
    return Principal.of(str(account_id), assignments)


async def _user_from_account(account_id: int, via: str, session_hash: str | None) -> CurrentUser | None:
    acc = await Account.select(Account.id, Account.email, Account.display_name, Account.active).where(
        Account.id == account_id
    ).first()
    if not acc or not acc["active"]:
        return None
    return CurrentUser(
        account_id=acc["id"],
        email=acc["email"],
        display_name=acc["display_name"],
        principal=await load_principal(acc["id"]),
        via=via,
        session_hash=session_hash,
    )


# The principal in one round trip (issue 14, item 12): the credential, its account and the
# account's roles in one joined query, instead of three queries on three connections.
_PRINCIPAL = (
    "a.id AS account_id, a.email, a.display_name, a.active, "
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
# A token's last use is written at most this often: a read must not write every time.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _user_from_rows(rows: list[dict[str, Any]], via: str, session_hash: str | None) -> CurrentUser:
    first = rows[0]
    assignments = [
        RoleAssignment(
            role=Role(r["role"]),
            territory_id=None if r["territory"] is None else str(r["territory"]),
            council_id=None if r["council"] is None else str(r["council"]),
            departement=r["departement"],
        )
        for r in rows
        if r["role"] is not None
    ]
    return CurrentUser(
        account_id=int(first["account_id"]),
        email=first["email"],
        display_name=first["display_name"],
        principal=Principal.of(str(first["account_id"]), assignments),
        via=via,
        session_hash=session_hash,
    )


async def authenticate(headers: dict[str, str], cookies: dict[str, str], now: datetime) -> CurrentUser | None:
    authz = headers.get("authorization", "")
    if authz.lower().startswith("bearer "):
        token = authz[7:].strip()
        rows = await ApiToken.raw(_TOKEN_QUERY, token_digest(token))
        if not rows or (rows[0]["expires_at"] is not None and rows[0]["expires_at"] <= now):
            raise NotAuthenticated(_("Jeton d'API invalide, expiré ou révoqué."))
        if not rows[0]["active"]:
            raise NotAuthenticated(_("Le compte de ce jeton est désactivé."))
        last = rows[0]["last_used_at"]
        if last is None or now - last >= LAST_USED_RESOLUTION:
            # Guarded: of several requests in the same minute, one writes.
            await ApiToken.update({ApiToken.last_used_at: now}).where(
                (ApiToken.id == rows[0]["credential_id"])
                & (ApiToken.last_used_at.is_null() | (ApiToken.last_used_at < now - LAST_USED_RESOLUTION))
            )
        return _user_from_rows(rows, "token", None)
    token = cookies.get(SESSION_COOKIE)
    if token:
        digest = token_digest(token)
        rows = await WebSession.raw(_SESSION_QUERY, digest)
        if rows and rows[0]["expires_at"] > now and rows[0]["active"]:
            return _user_from_rows(rows, "session", digest)
    return None


class AuthMiddleware:
    """Sets ``scope["user"]`` (a CurrentUser or None) for every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ctx: AppContext = scope["app"].state.ctx
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = _parse_cookies(headers.get("cookie", ""))
        try:
            scope["user"] = await authenticate(headers, cookies, ctx.now())  # type: ignore[typeddict-unknown-key]
            scope["auth"] = None  # type: ignore[typeddict-unknown-key]
        except NotAuthenticated as exc:
            scope["user"] = None  # type: ignore[typeddict-unknown-key]
            scope["auth"] = exc  # type: ignore[typeddict-unknown-key]
        await self.app(scope, receive, send)


def _parse_cookies(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in raw.split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = v.strip().strip('"')
    return out


# --- Access declarations -----------------------------------------------------------

ScopeResolver = Callable[[int], Awaitable[ResourceScope]]
_RESOLVERS: dict[str, ScopeResolver] = {}


def scope_resolver(param: str) -> Callable[[ScopeResolver], ScopeResolver]:
    """Register how a path parameter (``council_id``, ``draw_id`` …) maps to a scope."""

    def deco(fn: ScopeResolver) -> ScopeResolver:
        _RESOLVERS[param] = fn
        return fn

    return deco


def resolver_params() -> frozenset[str]:
    return frozenset(_RESOLVERS)


@dataclass(frozen=True)
class Access:
    kind: str  # "public" | "authenticated" | "action"
    action: Action | None = None
    scope_param: str | None = None
    # Routes that an auditor or member may call are reads; this records it for tests.
    notes: dict[str, Any] = field(default_factory=dict)


def public() -> dict[str, Access]:
    return {"access": Access("public")}


def authenticated() -> dict[str, Access]:
    return {"access": Access("authenticated")}


def allow_anywhere(action: Action) -> dict[str, Access]:
    """Allowed to whoever holds ``action`` in any of their roles, whatever its scope (an
    auditor verifying the whole audit chain)."""
    return {"access": Access("action-anywhere", action)}


def allow(action: Action, scope: str | None = None) -> dict[str, Access]:
    """``scope`` names the path parameter that locates the resource; ``None`` means a
    global action (only administrators hold those)."""
    return {"access": Access("action", action, scope)}


async def resolve_scope(param: str | None, path_params: dict[str, Any]) -> ResourceScope:
    if param is None:
        return GLOBAL
    if param not in path_params:
        raise RuntimeError(f"route declares scope {param!r} but has no such path parameter")
    return await _RESOLVERS[param](int(path_params[param]))


async def access_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    access: Access | None = handler.opt.get("access")
    if access is None:
        raise Forbidden(_("Cette adresse ne déclare pas ses droits d'accès : accès refusé."))
    if access.kind == "public":
        return
    user: CurrentUser | None = connection.scope.get("user")  # type: ignore[assignment]
    if user is None:
        pending = connection.scope.get("auth")
        if isinstance(pending, NotAuthenticated):
            raise pending
        raise NotAuthenticated(_("Connectez-vous pour accéder à cette page."))
    if access.kind == "authenticated":
        return
    assert access.action is not None
    if access.kind == "action-anywhere":
        if not holds_anywhere(user.principal, access.action):
            raise Forbidden(_("Accès refusé : vos droits ne vous permettent pas de {action}.").format(action=access.action.label))
        return
    scope = await resolve_scope(access.scope_param, dict(connection.path_params))
    if not is_allowed(user.principal, access.action, scope):
        raise Forbidden(
            _("Accès refusé : vos droits ne vous permettent pas de {action}.").format(
                action=access.action.label
            )
        )
    connection.scope["resource_scope"] = scope  # type: ignore[typeddict-unknown-key]


# --- Scope resolvers of the foundation ---------------------------------------------


@scope_resolver("territory_id")
async def _territory_scope(territory_id: int) -> ResourceScope:
    row = await Territory.select(Territory.id, Territory.departement).where(Territory.id == territory_id).first()
    if not row:
        raise NotFound(_("Territoire introuvable."))
    return ResourceScope(str(row["id"]), row["departement"])


@scope_resolver("qpv_id")
async def _qpv_scope(qpv_id: int) -> ResourceScope:
    row = await Qpv.select(Qpv.territory, Qpv.territory.departement).where(Qpv.id == qpv_id).first()
    if not row:
        raise NotFound(_("Quartier prioritaire introuvable."))
    return ResourceScope(str(row["territory"]), row["territory.departement"])


async def council_scope(council_id: int) -> ResourceScope:
    row = await Council.select(Council.id, Council.territory, Council.territory.departement).where(
        Council.id == council_id
    ).first()
    if not row:
        raise NotFound(_("Conseil citoyen introuvable."))
    return ResourceScope(str(row["territory"]), row["territory.departement"], str(row["id"]))


scope_resolver("council_id")(council_scope)


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser:
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthenticated(_("Connectez-vous pour accéder à cette page."))
    return user  # type: ignore[return-value]
