"""Issue 14, item 5: security headers on every kind of response."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, bearer

pytestmark = pytest.mark.anyio


def _check(r: Any, what: str) -> None:
    csp = r.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0], what
    assert "frame-ancestors 'none'" in csp, what
    assert r.headers.get("x-content-type-options") == "nosniff", what
    assert r.headers.get("referrer-policy") in ("same-origin", "strict-origin-when-cross-origin"), what


async def test_headers_on_page_api_schema_pdf_and_errors(client: Any, world: World) -> None:
    council = world.ids["council_a"]
    responses = {
        "page": await client.get("/connexion"),
        "api": await client.get(f"/api/v1/conseils/{council}", headers=bearer(world, "admin")),
        "schema": await client.get("/schema"),
        "schema-json": await client.get("/schema/openapi.json"),
        "pdf": await client.get(f"/api/v1/conseils/{council}/composition/rapport.pdf", headers=bearer(world, "admin")),
        "404": await client.get("/nulle-part"),
        "401": await client.get(f"/api/v1/conseils/{council}"),
        "static": await client.get("/static/app.css"),
    }
    assert responses["pdf"].headers["content-type"].startswith("application/pdf")
    for what, r in responses.items():
        assert r.status_code < 500, what
        _check(r, what)
    # No HSTS over plain HTTP settings; Swagger UI starts from a static file.
    assert "strict-transport-security" not in responses["page"].headers
    assert "<script>" not in responses["schema"].text and "swagger-init.js" in responses["schema"].text


async def test_hsts_when_secure_cookies(ctx: Any) -> None:
    from dataclasses import replace

    from litestar.testing import AsyncTestClient

    from service.app import create_app

    app = create_app(replace(ctx.settings, secure_cookies=True), ctx=ctx)
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as c:
        r = await c.get("/sante")
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_no_inline_script_in_templates() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "service" / "http" / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+\s*=", text), path
