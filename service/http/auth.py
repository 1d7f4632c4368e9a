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
from typing import Any, cast

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from domain.access import (
    GLOBAL,
    Action,
    Principal,
    ResourceScope,
    Role,
    holds_anywhere,
    is_allowed,
)
from domain.errors import Forbidden, NotAuthenticated
from domain.i18n import _
from service.comptes.store import AccountStore, Credential
from service.context import AppContext
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
    genre: str | None = None  # "F", "M" or None: how the person's role is written

    def role_label(self, role: Role) -> str:
        return role.label_for(self.genre)

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
    return Principal.of(str(account_id), await AccountStore().roles_of(account_id))


# A token's last use is written at most this often: a read must not write every time.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _user(credential: Credential, via: str, session_hash: str | None) -> CurrentUser:
    return CurrentUser(
        account_id=credential.account_id,
        email=credential.email,
        display_name=credential.display_name,
        principal=Principal.of(str(credential.account_id), list(credential.assignments)),
        via=via,
        session_hash=session_hash,
        genre=credential.genre,
    )


async def authenticate(headers: dict[str, str], cookies: dict[str, str], now: datetime) -> CurrentUser | None:
    """The caller of a request: an API token (``Authorization: Bearer``) or a web session.
    The credential, its account and the account's roles come in one query."""
    store = AccountStore()
    authz = headers.get("authorization", "")
    if authz.lower().startswith("bearer "):
        credential = await store.token_credential(token_digest(authz[7:].strip()))
        if credential is None or (credential.expires_at is not None and credential.expires_at <= now):
            raise NotAuthenticated(_("Jeton d'API invalide, expiré ou révoqué."))
        if not credential.active:
            raise NotAuthenticated(_("Le compte de ce jeton est désactivé."))
        last = credential.last_used_at
        if last is None or now - last >= LAST_USED_RESOLUTION:
            await store.touch_token(credential.id, now, LAST_USED_RESOLUTION)
        return _user(credential, "token", None)
    token = cookies.get(SESSION_COOKIE)
    if token:
        digest = token_digest(token)
        credential = await store.session_credential(digest)
        if credential is not None and credential.expires_at is not None and credential.expires_at > now and credential.active:
            return _user(credential, "session", digest)
    return None


class AuthMiddleware:
    """Sets ``scope["user"]`` (a CurrentUser or None) for every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if str(scope["type"]) != "http":
            await self.app(scope, receive, send)
            return
        ctx: AppContext = scope["app"].state.ctx
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = _parse_cookies(headers.get("cookie", ""))
        # Litestar's Scope is a plain dict at run time; "user"/"auth" are this service's keys.
        extra = cast(dict[str, Any], scope)
        try:
            extra["user"] = await authenticate(headers, cookies, ctx.now())
            extra["auth"] = None
        except NotAuthenticated as exc:
            extra["user"] = None
            extra["auth"] = exc
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
        # Two features resolving the same parameter would scope one feature's routes
        # with the other's rule, silently: refused (a module imported again is not a
        # second resolver).
        known = _RESOLVERS.get(param)
        if known is not None and _name(known) != _name(fn):
            raise RuntimeError(f"two scope resolvers for {param!r}: {_name(known)} and {_name(fn)}")
        _RESOLVERS[param] = fn
        return fn

    return deco


def _name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def resolver_params() -> frozenset[str]:
    return frozenset(_RESOLVERS)


@dataclass(frozen=True)
class Access:
    kind: str  # "public" | "authenticated" | "action"
    action: Action | None = None
    scope_param: str | None = None
    # Routes that an auditor or member may call are reads; this records it for tests.
    notes: dict[str, Any] = field(default_factory=dict)


def public(*, rate_limited: bool = False) -> dict[str, Any]:
    """Open to anyone. ``rate_limited``: the handler counts the attempts of a client and
    refuses past a limit (429, documented in the OpenAPI document from this mark)."""
    return {"access": Access("public"), **({"rate_limited": True} if rate_limited else {})}


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
    user = _scope_user(connection)
    if user is None:
        pending = _scope_dict(connection).get("auth")
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
    _scope_dict(connection)["resource_scope"] = scope


def _scope_dict(connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    """The ASGI scope as the plain dict it is, to read and write this service's keys
    (``user``, ``auth``, ``resource_scope``) that Litestar's TypedDict does not declare."""
    return cast(dict[str, Any], connection.scope)


def _scope_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser | None:
    user = _scope_dict(connection).get("user")
    return user if isinstance(user, CurrentUser) else None


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser:
    user = _scope_user(connection)
    if user is None:
        raise NotAuthenticated(_("Connectez-vous pour accéder à cette page."))
    return user
