"""The single mapping from domain errors to RFC 9457 problems (DESIGN.md rule 4).

API paths (``/api/…``) and clients asking for JSON get ``application/problem+json``;
people get a French HTML error page.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from domain.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotAuthenticated,
    NotFound,
    RuleBroken,
    TooLarge,
    TooManyAttempts,
)
from domain.i18n import _

PROBLEM_BASE = "https://conseil-citoyen.example/problemes/"
PROBLEM_JSON = "application/problem+json"

log = logging.getLogger("conseil.errors")

STATUS: list[tuple[type[DomainError], int]] = [
    (TooManyAttempts, 429),
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (RuleBroken, 409),
    (InvalidState, 409),
    (Conflict, 409),
    (TooLarge, 413),
    (InvalidInput, 422),
    (DomainError, 400),
]


def status_of(exc: DomainError) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 400


def wants_json(request: Request[Any, Any, Any]) -> bool:
    if request.url.path.startswith("/api/") or request.url.path.startswith("/schema"):
        return True
    accept = request.headers.get("accept", "")
    return "json" in accept and "html" not in accept


def problem(status: int, code: str, title: str, detail: str, instance: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def _respond(request: Request[Any, Any, Any], status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response[Any]:
    if wants_json(request):
        return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)
    user = request.scope.get("user")
    from service.http.csrf import csrf_token, pending_cookie

    # The page's logout form needs a valid token too.
    token = csrf_token(request)
    pending = pending_cookie(request)
    return Template(
        template_name="erreur.html",
        context={"problem": body, "request": request, "user": user, "csrf": token},
        status_code=status,
        headers=headers,
        cookies=[pending] if pending is not None else [],
    )


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    status = status_of(exc)
    body = problem(
        status, exc.code, _(exc.title), exc.detail, request.url.path,
        field=exc.field, line=exc.line,
        errors=[e.as_dict() for e in exc.errors] or None,
        **{k: v for k, v in exc.extra.items() if k not in ("type", "title", "status", "detail", "instance")},
    )
    headers = {}
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, NotAuthenticated) and not wants_json(request) and request.method == "GET":
        from urllib.parse import quote

        from litestar.response import Redirect

        return Redirect(f"/connexion?suite={quote(request.url.path)}")
    return _respond(request, status, body, headers)


_PYDANTIC_FR = [
    ("Field required", "Champ obligatoire."),
    ("Extra inputs are not permitted", "Champ inconnu."),
    ("Input should be a valid integer", "Doit être un nombre entier."),
    ("Input should be a valid string", "Doit être une chaîne de caractères."),
    ("Input should be a valid boolean", "Doit valoir vrai ou faux."),
    ("Input should be a valid list", "Doit être une liste."),
    ("Input should be a valid dictionary", "Doit être un objet."),
    # the date-time first: its English text starts with the date's
    ("Input should be a valid datetime", "Date et heure invalides (format ISO 8601 attendu)."),
    ("Input should be a valid date", "Date invalide (format attendu : AAAA-MM-JJ)."),
    ("String should have at most", "Texte trop long."),
    ("String should have at least", "Texte trop court."),
    ("Input should be greater than or equal to", "Valeur trop petite."),
    ("Input should be less than or equal to", "Valeur trop grande."),
    ("Input should be", "Valeur non autorisée."),
    ("JSON is malformed", "Le corps de la requête n'est pas un JSON valide."),
    # service.http.bounds (issue 14, item 4)
    ("Out of range date", "Date hors limites : entre le 1er janvier 1900 et le 31 décembre 2100."),
    ("Out of range number", "Nombre hors limites."),
]


def _fr(message: str) -> str:
    for en, fr in _PYDANTIC_FR:
        if message.startswith(en):
            return _(fr)
    return _("Valeur invalide.")


def validation_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors: list[FieldError] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            errors.append(FieldError(str(item.get("key") or "corps"), _fr(str(item.get("message", "")))))
    if not errors:
        detail = _("Requête invalide : le corps n'a pas pu être lu (JSON mal formé ?).")
    else:
        detail = _("Champ « {f} » : {m}").format(f=errors[0].field, m=errors[0].message)
    body = problem(422, "donnees-invalides", _("Données invalides"), detail, request.url.path,
                   field=errors[0].field if errors else None, errors=[e.as_dict() for e in errors] or None)
    return _respond(request, 422, body)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, NotFoundException):
        code, title, detail = "introuvable", _("Introuvable"), _("Cette adresse n'existe pas.")
    elif isinstance(exc, MethodNotAllowedException):
        code, title, detail = "methode-non-autorisee", _("Méthode non autorisée"), _("Cette action n'est pas possible à cette adresse.")
    elif isinstance(exc, NotAuthorizedException):
        code, title, detail = "non-authentifie", _("Authentification requise"), _("Connectez-vous pour continuer.")
    elif isinstance(exc, PermissionDeniedException):
        code, title, detail = "acces-refuse", _("Accès refusé"), _("Accès refusé.")
    elif status == 413:
        code, title, detail = "fichier-trop-volumineux", _("Fichier trop volumineux"), _("Le fichier dépasse la taille autorisée.")
    elif status == 415:
        code, title, detail = "type-non-supporte", _("Type de contenu non pris en charge"), _("Ce type de contenu n'est pas accepté ici.")
    elif status >= 500:
        return internal_error_handler(request, exc)
    else:
        code, title, detail = "requete-invalide", _("Requête invalide"), _("La requête n'a pas pu être traitée.")
    return _respond(request, status, problem(status, code, title, detail, request.url.path), dict(exc.headers or {}))


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # Log the type and place only: exception messages may quote register data.
    log.error("erreur interne %s sur %s %s", type(exc).__name__, request.method, request.url.path,
              exc_info=(type(exc), exc, exc.__traceback__) if log.isEnabledFor(logging.DEBUG) else None)
    body = problem(HTTP_500_INTERNAL_SERVER_ERROR, "erreur-interne", _("Erreur interne"),
                   _("Une erreur inattendue s'est produite. Rien n'a été enregistré ; réessayez ou contactez l'administrateur."),
                   request.url.path)
    return _respond(request, 500, body)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    ValidationException: validation_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "MediaType", "problem"]
