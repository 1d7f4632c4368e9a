"""Make the OpenAPI document say what the service does (issue 14, item 10).

Litestar documents errors as ``application/json {status_code, detail, extra}`` and every
operation as needing the global security scheme. This service answers errors in RFC 9457
problem+json and has public routes. After Litestar builds the document, each operation
gets, from its declared access (service/http/auth.py) and its shape:

- ``security: []`` when the route is public;
- the problem+json responses it can give: 400 and 422 (input), 401 and 403 (access), 404
  (a path parameter names something), 409 (a write meets the current state), 413 (a
  body too large), 429 (attempts counted);
- ``additionalProperties: false`` on the request models that refuse unknown members.

Generic: a route added by any feature is documented the same way.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.openapi.spec import OpenAPI, OpenAPIMediaType, OpenAPIResponse, Reference, Schema
from litestar.openapi.spec.enums import OpenAPIType
from pydantic import BaseModel

PROBLEM_JSON = "application/problem+json"
PROBLEM_SCHEMA = "ProblemDetails"
WRITE_METHODS = {"post", "put", "patch", "delete"}

DESCRIPTIONS = {
    "400": "Requête incorrecte",
    "401": "Authentification requise ou jeton invalide",
    "403": "Accès refusé (droits insuffisants ou jeton de formulaire invalide)",
    "404": "Ressource introuvable",
    "409": "Conflit avec l'état actuel (modification concurrente, étape déjà faite)",
    "413": "Corps de requête trop volumineux",
    "422": "Données invalides (le champ ou la ligne en cause est nommé)",
    "429": "Trop de tentatives : réessayez plus tard (en-tête Retry-After)",
}


def _problem_schema() -> Schema:
    text = Schema(type=OpenAPIType.STRING)
    return Schema(
        type=OpenAPIType.OBJECT,
        title="Problème (RFC 9457)",
        description="Réponse d'erreur au format application/problem+json ; « detail » est en français.",
        required=["type", "title", "status", "detail"],
        properties={
            "type": Schema(type=OpenAPIType.STRING, description="URI du type de problème"),
            "title": text,
            "status": Schema(type=OpenAPIType.INTEGER),
            "detail": text,
            "instance": text,
            "code": Schema(type=OpenAPIType.STRING, description="Code stable de la règle ou de l'erreur"),
            "field": Schema(type=OpenAPIType.STRING, description="Champ en cause"),
            "line": Schema(type=OpenAPIType.INTEGER, description="Ligne en cause d'un fichier"),
            "errors": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT)),
            "retry_after": Schema(type=OpenAPIType.INTEGER),
        },
        additional_properties=True,
    )


def _forbidding_models() -> set[str]:
    names: set[str] = set()
    todo: list[type[BaseModel]] = [BaseModel]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.model_config.get("extra") == "forbid" and sub.__module__.startswith("service."):
                names.add(sub.__name__)
    return names


def _opt_by_operation(plugin: OpenAPIPlugin) -> dict[tuple[str, str], dict[str, Any]]:
    """Each operation's route options: its declared access and whether it is rate-limited
    (service.http.auth.public)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for route in plugin.included_routes.values():
        path = route.path_format or "/"
        for handler in route.route_handlers:
            for method in handler.http_methods:
                out[(path, method.lower())] = dict(handler.opt)
    return out


def make_truthful(openapi: OpenAPI, opts: dict[tuple[str, str], dict[str, Any]]) -> OpenAPI:
    components = openapi.components
    schemas = dict(components.schemas or {})
    schemas[PROBLEM_SCHEMA] = _problem_schema()
    forbid = _forbidding_models()
    for name, schema in schemas.items():
        base = name.rsplit("_", 1)[-1]
        if isinstance(schema, Schema) and (name in forbid or base in forbid) and schema.properties is not None:
            schema.additional_properties = False
    components.schemas = schemas
    ref = Reference(ref=f"#/components/schemas/{PROBLEM_SCHEMA}")
    for path, item in (openapi.paths or {}).items():
        for method in ("get", "post", "put", "patch", "delete"):
            op = getattr(item, method, None)
            if op is None:
                continue
            opt = opts.get((path, method), {})
            kind = getattr(opt.get("access"), "kind", "public")
            # 404: a path parameter, or an identifier or code in the body, names nothing.
            statuses = {"400", "404", "422"}
            if kind == "public":
                op.security = []
            else:
                statuses |= {"401", "403"}
            if method in WRITE_METHODS:
                statuses |= {"403", "409", "413"}
            if opt.get("rate_limited"):
                statuses.add("429")
            responses = dict(op.responses or {})
            for code in sorted(statuses):
                responses[code] = OpenAPIResponse(
                    description=DESCRIPTIONS[code],
                    content={PROBLEM_JSON: OpenAPIMediaType(schema=ref)},
                )
            op.responses = responses
    return openapi


class TruthfulOpenAPIPlugin(OpenAPIPlugin):
    __slots__ = ()

    def _build_openapi(self) -> OpenAPI:
        return make_truthful(super()._build_openapi(), _opt_by_operation(self))


def install(app: Litestar) -> None:
    """Swap Litestar's OpenAPI plugin for the one above (same state, one more step)."""
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = TruthfulOpenAPIPlugin
