"""Rendering pages: the layout's navigation by role, the CSRF cookie, flash messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from litestar import Request
from litestar.response import Redirect, Template

from domain.access import Action, Role, visible_territories
from domain.errors import DomainError
from domain.i18n import _
from service.features import flash_messages
from service.http.auth import CurrentUser
from service.http.csrf import csrf_token, pending_cookie


class NavItem(TypedDict):
    href: str
    label: str
    active: bool


def navigation(user: CurrentUser | None, path: str) -> list[NavItem]:
    if user is None:
        return []
    items = [("/", _("Tableau de bord"))]
    if not visible_territories(user.principal, Action.READ_TERRITORY).is_empty:
        items.append(("/territoires", _("Territoires")))
    if not visible_territories(user.principal, Action.READ_AUDIT_TRAIL).is_empty:
        items.append(("/journal", _("Journal d'audit")))
    if user.principal.is_admin or user.has_role(Role.CHEF_DE_PROJET):
        items.append(("/administration/comptes", _("Comptes")))
    if user.has_role(Role.MEMBRE):
        items.append(("/mon-mandat", _("Mon mandat")))
        items.append(("/mes-reunions", _("Mes réunions")))
    items.append(("/compte", _("Mon compte")))
    return [
        {"href": h, "label": label, "active": (path == h if h == "/" else path.startswith(h))}
        for h, label in items
    ]


def render(request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    user = request.scope.get("user")
    token = csrf_token(request)
    flash = request.query_params.get("ok")
    message = context.pop("message", None)
    if message is None and flash:
        text = flash_messages().get(flash)
        if text is not None:
            message = {"kind": "succes", "text": _(text)}
    pending = pending_cookie(request)
    cookies = [pending] if pending is not None else []
    return Template(
        template_name=template,
        context={"user": user, "csrf": token, "navigation": navigation(user, request.url.path),
                 "message": message, "request": request, **context},
        status_code=status_code,
        cookies=cookies,
    )


def see_other(url: str) -> Redirect:
    return Redirect(url, status_code=303)


def form_text(form: Mapping[str, Any], key: str) -> str:
    """A submitted form field as trimmed text ("" when absent)."""
    return str(form.get(key, "")).strip()


def form_errors(exc: DomainError) -> dict[str, str]:
    """Field → French message, for re-rendering a form next to its fields."""
    errors: dict[str, str] = {}
    for e in exc.errors:
        errors.setdefault(e.field.split("[")[0], e.message)
    if not errors:
        errors[exc.field or "formulaire"] = exc.detail
    return errors
