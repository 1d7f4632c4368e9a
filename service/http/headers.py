"""Security headers on every response (issue 14, item 5), and Swagger UI without inline
script.

Added by a ``before_send`` hook, which sees every response the application sends: pages,
API answers, errors (including unknown paths), static files, PDFs and the OpenAPI pages.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(hsts: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if hsts:
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers


def before_send_hook(hsts: bool) -> Any:
    extra = security_headers(hsts)
    names = {name for name, _value in extra}

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            current = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
            message["headers"] = [*current, *extra]

    return add_security_headers


class StaticSwaggerRenderPlugin(SwaggerRenderPlugin):
    """Swagger UI whose start-up code is a static file (service/http/static/swagger-init.js)
    instead of Litestar's inline script, so /schema works under the same CSP."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = str(openapi_schema["info"]["title"]).replace("<", "&lt;")
        return (
            "<!DOCTYPE html><html lang=\"fr\"><head>"
            f"<title>{title}</title>{self.favicon}"
            '<meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link href="{self.css_url}" rel="stylesheet">'
            f'<script src="{self.js_url}"></script>'
            f'<script src="{self.standalone_preset_js_url}"></script>'
            '<script src="/static/swagger-init.js"></script>'
            "</head><body><div id=\"swagger-container\"></div></body></html>"
        ).encode()
