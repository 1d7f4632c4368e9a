"""CSRF protection for cookie-authenticated and form requests (double-submit cookie).

Requests carrying a bearer token skip it: a browser never attaches one by itself. A JSON
request without a session cookie skips it too: a cross-site page cannot send JSON
without a CORS preflight, which this service never grants.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie

from domain.errors import Forbidden
from domain.i18n import _
from service.auth import SESSION_COOKIE
from service.security import new_token, same

CSRF_COOKIE = "cc_csrf"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}


def csrf_token(request: Request[Any, Any, Any]) -> str:
    """The token for forms on this page; a new visitor gets one set by ``after_request``."""
    token = request.cookies.get(CSRF_COOKIE) or request.scope.get("_new_csrf")  # type: ignore[call-overload]
    if not token:
        token = new_token(nbytes=24)
        request.scope["_new_csrf"] = token  # type: ignore[typeddict-unknown-key]
    return str(token)


async def check_csrf(request: Request[Any, Any, Any]) -> None:
    if request.method in SAFE:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json") and SESSION_COOKIE not in request.cookies:
        return
    expected = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and ctype.startswith("multipart/form-data"):
        # File uploads carry the token in the query string so that their body is streamed
        # by the handler instead of being read whole here (service/web/registre_pages.py).
        sent = request.query_params.get(CSRF_FIELD, "")
    if not sent and (ctype.startswith("application/x-www-form-urlencoded") or ctype.startswith("multipart/form-data")):
        form = await request.form()
        sent = str(form.get(CSRF_FIELD, ""))
    if not expected or not sent or not same(expected, sent):
        raise Forbidden(
            _("Jeton de sécurité du formulaire absent ou invalide. Rechargez la page et recommencez."),
            code="csrf-invalide",
        )


def set_csrf_cookie(request: Request[Any, Any, Any], response: Response[Any], secure: bool) -> None:
    token = request.scope.get("_new_csrf")  # type: ignore[call-overload]
    if token and CSRF_COOKIE not in request.cookies:
        response.set_cookie(Cookie(key=CSRF_COOKIE, value=str(token), httponly=True, samesite="lax", secure=secure, path="/"))
