"""One error hierarchy for the whole domain.

The service maps each class once to an RFC 9457 problem (DESIGN.md rule 4); no HTTP
status lives here. ``code`` is stable and becomes the problem's ``type`` suffix, so the
API, the pages and the préfecture report name a failure the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One problem with one field (and, for files, one line)."""

    field: str
    message: str
    line: int | None = None
    code: str = "invalide"

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"field": self.field, "message": self.message, "code": self.code}
        if self.line is not None:
            d["line"] = self.line
        return d


class DomainError(Exception):
    """Base of every expected failure. ``detail`` is French, for people."""

    code: str = "erreur"
    title: str = "Erreur"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        field: str | None = None,
        line: int | None = None,
        errors: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.field = field
        self.line = line
        self.errors = list(errors or [])
        self.extra = dict(extra or {})


class InvalidInput(DomainError):
    """Input that does not have the right form (a date, a code, a column)."""

    code = "donnees-invalides"
    title = "Données invalides"


class TooLarge(InvalidInput):
    """A file (or request body) over the size allowed: always the same answer, whether
    the size was declared up front or found while receiving."""

    code = "fichier-trop-volumineux"
    title = "Fichier trop volumineux"


class NotFound(DomainError):
    code = "introuvable"
    title = "Introuvable"


class RuleBroken(DomainError):
    """A business rule refuses the change (parity, residents' share, …)."""

    code = "regle-non-respectee"
    title = "Règle non respectée"


class Conflict(DomainError):
    """The state changed under the caller (double submission, concurrent edit)."""

    code = "conflit"
    title = "Conflit"


class InvalidState(Conflict):
    """The action is not allowed in the object's current state."""

    code = "etat-invalide"
    title = "Action impossible dans l'état actuel"


class NotAuthenticated(DomainError):
    code = "non-authentifie"
    title = "Authentification requise"


class Forbidden(DomainError):
    code = "acces-refuse"
    title = "Accès refusé"


class TooManyAttempts(DomainError):
    code = "trop-de-tentatives"
    title = "Trop de tentatives"

    def __init__(self, detail: str, *, retry_after: int, **kw: Any) -> None:
        super().__init__(detail, **kw)
        self.retry_after = retry_after

