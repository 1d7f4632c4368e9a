"""CSRF protection for cookie-authenticated and form requests.

A signed double-submit token bound to the session: ``<nonce>.<HMAC(secret, binding:nonce)>``
where the binding is the session's digest for a signed-in person and ``anonyme`` before
login. The token rides in a cookie (so that a form or a test can read it back) and in the
form; the request passes only when both are equal *and* the signature holds for the
current session. A cookie planted by a neighbouring site (same value in the form) has no
valid signature; a token from another session is bound to that session (issue 14, item 7).

Requests carrying a bearer token skip it: a browser never attaches one by itself. A JSON
request without a session cookie skips it too: a cross-site page cannot send JSON
without a CORS preflight, which this service never grants.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie

from domain.errors import Forbidden
from domain.i18n import _
from service.http.auth import SESSION_COOKIE
from service.security import new_token, same

CSRF_COOKIE = "cc_csrf"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}
_NEW = "_new_csrf"


def _binding(request: ASGIConnection[Any, Any, Any, Any]) -> str:
    user = request.scope.get("user")
    if user is not None and getattr(user, "via", "") == "session" and getattr(user, "session_hash", None):
        return "session:" + str(user.session_hash)
    return "anonyme"


def _secret(request: ASGIConnection[Any, Any, Any, Any]) -> bytes:
    return str(request.app.state.ctx.settings.secret_key).encode("utf-8")


def _signature(request: ASGIConnection[Any, Any, Any, Any], nonce: str) -> str:
    msg = f"csrf:{_binding(request)}:{nonce}".encode()
    return hmac.new(_secret(request), msg, hashlib.sha256).hexdigest()[:40]


def valid_token(request: ASGIConnection[Any, Any, Any, Any], token: str) -> bool:
    nonce, dot, sig = (token or "").partition(".")
    return bool(nonce and dot and sig) and same(sig, _signature(request, nonce))


def csrf_token(request: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The token for forms on this page. When the cookie's token is missing or not valid
    for the current session (just signed in or out), a new one is minted and
    ``pending_cookie`` returns the cookie to set."""
    minted = request.scope.get(_NEW)
    if minted:
        return str(minted)
    current = request.cookies.get(CSRF_COOKIE, "")
    if current and valid_token(request, current):
        return current
    nonce = new_token(nbytes=18)
    token = f"{nonce}.{_signature(request, nonce)}"
    request.scope[_NEW] = token  # type: ignore[literal-required]  # our key in the ASGI scope: Litestar's Scope type lists only its own
    return token


def token_for_session(request: ASGIConnection[Any, Any, Any, Any], session_hash: str, secure: bool) -> Cookie:
    """The cookie to set with a login response, bound to the new session."""
    nonce = new_token(nbytes=18)
    msg = f"csrf:session:{session_hash}:{nonce}".encode()
    sig = hmac.new(_secret(request), msg, hashlib.sha256).hexdigest()[:40]
    return _cookie(f"{nonce}.{sig}", secure)


def _cookie(value: str, secure: bool) -> Cookie:
    return Cookie(key=CSRF_COOKIE, value=value, httponly=True, samesite="lax", secure=secure, path="/")


def pending_cookie(request: ASGIConnection[Any, Any, Any, Any]) -> Cookie | None:
    token = request.scope.get(_NEW)
    if not token or request.cookies.get(CSRF_COOKIE) == token:
        return None
    return _cookie(str(token), bool(request.app.state.ctx.settings.secure_cookies))


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
        # by the handler instead of being read whole here (service/registre/pages.py).
        sent = request.query_params.get(CSRF_FIELD, "")
    if not sent and (ctype.startswith("application/x-www-form-urlencoded") or ctype.startswith("multipart/form-data")):
        form = await request.form()
        sent = str(form.get(CSRF_FIELD, ""))
    if not expected or not sent or not same(expected, sent) or not valid_token(request, sent):
        raise Forbidden(
            _("Jeton de sécurité du formulaire absent ou invalide. Rechargez la page et recommencez."),
            code="csrf-invalide",
        )


def set_csrf_cookie(request: Request[Any, Any, Any], response: Response[Any], secure: bool) -> None:
    cookie = pending_cookie(request)
    if cookie is not None:
        response.set_cookie(cookie)
