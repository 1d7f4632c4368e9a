"""Helpers shared by controllers."""

from __future__ import annotations

from typing import Any

from litestar import Request

from service.audit import Actor
from service.auth import CurrentUser, current_user
from service.context import AppContext


def ctx_of(request: Request[Any, Any, Any]) -> AppContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


def user_of(request: Request[Any, Any, Any]) -> CurrentUser:
    return current_user(request)


def actor_of(request: Request[Any, Any, Any]) -> Actor:
    user = current_user(request)
    return Actor(user.account_id, user.email)


def client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "inconnu"
