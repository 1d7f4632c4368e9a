"""Helpers shared by controllers."""

from __future__ import annotations

from typing import Any

from litestar import Request

from domain.access import ResourceScope
from service.audit import Actor
from service.context import AppContext
from service.http.auth import CurrentUser, current_user


def ctx_of(request: Request[Any, Any, Any]) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def resource_scope_of(request: Request[Any, Any, Any]) -> ResourceScope:
    """Where the route's resource lives, as the access guard (service.http.auth.allow with a
    path parameter) resolved it before the handler ran."""
    scope = request.scope.get("resource_scope")
    if not isinstance(scope, ResourceScope):
        raise RuntimeError("this route's guard resolves no resource scope")
    return scope


def user_of(request: Request[Any, Any, Any]) -> CurrentUser:
    return current_user(request)


def actor_of(request: Request[Any, Any, Any]) -> Actor:
    user = current_user(request)
    return Actor(user.account_id, user.email)


def client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "inconnu"
