"""create_app(settings) — the only place the application is assembled."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar, Request, get
from litestar.config.response_cache import ResponseCacheConfig  # noqa: F401
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme, Tag
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from service.context import AppContext
from service.db.engine import bind_engine, make_engine
from service.db.request_connection import RequestConnectionMiddleware
from service.http.auth import AuthMiddleware, access_guard, public
from service.http.bounds import bounds_guard
from service.http.csrf import check_csrf
from service.http.errors import EXCEPTION_HANDLERS
from service.http.filters import FILTERS
from service.http.headers import StaticSwaggerRenderPlugin, before_send_hook
from service.settings import Settings, load_settings

HTTP_DIR = Path(__file__).parent / "http"
API_VERSION = "1.0.0"


async def csrf_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    if isinstance(connection, Request):
        await check_csrf(connection)


@get("/sante", opt=public(), tags=["Service"], operation_id="health", summary="État du service")
async def health(request: Request[Any, Any, Any]) -> dict[str, str]:
    ctx: AppContext = request.app.state.ctx
    from service.audit.store import AuditStore

    await AuditStore(ctx.db).count_heads()
    return {"statut": "ok", "base": "sqlite" if ctx.db.is_sqlite else "postgresql"}


def template_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HTTP_DIR / "templates")),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from domain import i18n

    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the jinja2.ext.i18n extension
        lambda s: i18n._(s), lambda s, p, n: i18n.ngettext(s, p, n), newstyle=True
    )
    env.filters.update(FILTERS)
    return env


def openapi_config() -> OpenAPIConfig:
    swagger = StaticSwaggerRenderPlugin(
        js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
        css_url="/static/vendor/swagger-ui/swagger-ui.css",
        standalone_preset_js_url="/static/vendor/swagger-ui/swagger-ui-standalone-preset.js",
        path="/",
        favicon='<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">',
    )
    return OpenAPIConfig(
        title="API des conseils citoyens",
        version=API_VERSION,
        description=(
            "Tirage au sort, composition et vie des conseils citoyens. Authentification : "
            "jeton d'API (« Authorization: Bearer … », créé depuis « Mon compte »). Les erreurs "
            "suivent la RFC 9457 (application/problem+json)."
        ),
        path="/schema",
        render_plugins=[swagger],
        components=Components(security_schemes={"jeton": SecurityScheme(type="http", scheme="bearer")}),
        security=[{"jeton": []}],
        tags=[Tag(name="Territoires"), Tag(name="Conseils citoyens")],
    )


def create_app(
    settings: Settings | None = None,
    *,
    ctx: AppContext | None = None,
    route_handlers: list[Any] | None = None,
) -> Litestar:
    settings = settings or load_settings()
    if ctx is None:
        ctx = AppContext(settings=settings, db=bind_engine(make_engine(settings)))
    logging.getLogger("conseil").setLevel(settings.log_level)

    # The context is read from app.state when the app starts and stops, not captured here:
    # the tests reuse one app (route registration is the slow part) with a context each.
    async def on_startup() -> None:
        await app.state.ctx.db.start()

    async def on_shutdown() -> None:
        await app.state.ctx.db.stop()

    handlers: list[Any] = [
        health,
        create_static_files_router(path="/static", directories=[HTTP_DIR / "static"], opt=public(),
                                   include_in_schema=False),
        *(route_handlers or []),
    ]
    from service import features

    handlers.extend(features.route_handlers())

    app = Litestar(
        route_handlers=handlers,
        # bounds first: an id beyond 64 bits must not reach the scope lookup (404).
        guards=[bounds_guard, access_guard, csrf_guard],
        # One SQLite connection for a request's reads, bound before the principal's lookup.
        middleware=[DefineMiddleware(RequestConnectionMiddleware), DefineMiddleware(AuthMiddleware)],
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(template_environment())),
        openapi_config=openapi_config(),
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        lifespan=features.background_tasks(),
        request_max_body_size=settings.upload_max_bytes,
        debug=False,
        before_send=[before_send_hook(settings.secure_cookies)],
    )
    app.state.ctx = ctx
    from service.http import openapi

    openapi.install(app)
    # The OpenAPI router is built by Litestar; its routes are public documentation.
    from service.http.auth import Access

    for route in app.routes:
        if route.path.startswith("/schema"):
            for handler in getattr(route, "route_handlers", []):
                handler.opt.setdefault("access", Access("public"))
    from service.http.summaries import apply_french_summaries

    apply_french_summaries(app)
    return app
