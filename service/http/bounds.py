"""Ranges checked at the edge, once for the API and the pages (issue 14, item 4).

A path id beyond 64 bits reached the database (SQLite: ``OverflowError``; PostgreSQL:
"out of range") and a date in year 2 broke the age arithmetic: 500s. Here:

* :func:`bounds_guard` (the app's first guard, before any scope is resolved) answers
  404 for an integer path parameter outside 1..2⁶³−1 — no such resource can exist —
  and 422 for an integer query parameter beyond 64 bits, a page number past
  :data:`MAX_PAGE` (its offset could overflow) or a query date outside
  :data:`DATE_MIN`..:data:`DATE_MAX`;
* :class:`BoundedIn`, the base of every request body, refuses (422) any integer beyond
  64 bits and any date outside the same bounds, in every field, nested or not;
* :func:`check_day` is the same bound for dates typed in a form.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from domain.errors import InvalidInput, NotFound
from domain.i18n import _

__all__ = ["DATE_MAX", "DATE_MIN", "MAX_ID", "MAX_PAGE", "BoundedIn", "bounded_int",
           "bounds_guard", "check_day", "version_or_stale"]

MAX_ID = 2**63 - 1
# Pages are at most 200 rows: a million pages is two hundred million rows.
MAX_PAGE = 1_000_000
PAGE_PARAMS = frozenset({"page", "par_page", "per_page", "limit"})
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)


def _date_message() -> str:
    return _("Date hors limites : elle doit être comprise entre le 1er janvier 1900 et le "
             "31 décembre 2100.")


def check_day(day: date, field: str) -> date:
    """``day`` if within :data:`DATE_MIN`..:data:`DATE_MAX`, else a French 422."""
    if not DATE_MIN <= (day.date() if isinstance(day, datetime) else day) <= DATE_MAX:
        raise InvalidInput(_date_message(), field=field, code="date-hors-limites")
    return day


def bounded_int(value: int, field: str) -> int:
    """``value`` if within 64 bits (what a database column holds), else a French 422."""
    if abs(value) > MAX_ID:
        raise InvalidInput(_("Nombre trop grand."), field=field, code="hors-limites")
    return value


def version_or_stale(raw: str) -> int:
    """A form's version field: a version no row holds (-1) when it is not a number that
    fits, so the use case answers « modifié entre-temps »."""
    return int(raw) if raw.isdigit() and int(raw) <= MAX_ID else -1


# English keys, translated once by service.http.errors (like pydantic's own messages).
OUT_OF_RANGE_DATE = "Out of range date"
OUT_OF_RANGE_NUMBER = "Out of range number"


def _check_value(value: Any, depth: int = 0) -> None:
    if isinstance(value, bool) or depth > 8:
        return
    if isinstance(value, int):
        if abs(value) > MAX_ID:
            raise PydanticCustomError("hors_limites", OUT_OF_RANGE_NUMBER)
    elif isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        if not DATE_MIN <= day <= DATE_MAX:
            raise PydanticCustomError("hors_limites", OUT_OF_RANGE_DATE)
    elif isinstance(value, dict):
        for item in value.values():
            _check_value(item, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_value(item, depth + 1)


class BoundedIn(BaseModel):
    """Base of request bodies: unknown fields refused, every integer within 64 bits and
    every date between 1900 and 2100 (a database cannot store the rest, and date
    arithmetic breaks near year 1)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _in_bounds(cls, value: Any, info: ValidationInfo) -> Any:
        _check_value(value)
        return value


def _typed_query(handler: BaseRouteHandler) -> list[tuple[str, str]]:
    """(parameter, kind) for the handler's int and date parameters, cached on it."""
    cached: list[tuple[str, str]] | None = handler.opt.get("_bounded_params")
    if cached is not None:
        return cached
    found: list[tuple[str, str]] = []
    try:
        parameters = handler.parsed_fn_signature.parameters
    except AttributeError:
        parameters = {}
    for name, field in parameters.items():
        def is_a(kind: type, field: Any = field) -> bool:
            return bool(field.is_subclass_of(kind) or field.has_inner_subclass_of(kind))

        if is_a(bool):
            continue
        if is_a(int):
            found.append((name, "int"))
        elif is_a(date):
            found.append((name, "date"))
    handler.opt["_bounded_params"] = found
    return found


def _int_out_of_range(raw: str) -> bool:
    text = raw.strip()
    if not text.lstrip("+-").isdigit():
        return False  # not a number: the handler's own validation answers
    return abs(int(text)) > MAX_ID


def bounds_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    for value in connection.path_params.values():
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and not 1 <= value <= MAX_ID:
            raise NotFound(_("Cette adresse n'existe pas."))
        if isinstance(value, date) and not DATE_MIN <= (
                value.date() if isinstance(value, datetime) else value) <= DATE_MAX:
            raise NotFound(_("Cette adresse n'existe pas."))
    query = connection.query_params
    if not query:
        return
    for name, kind in _typed_query(handler):
        raw = query.get(name)
        if raw is None or not isinstance(raw, str):
            continue
        if kind == "int":
            if _int_out_of_range(raw):
                raise InvalidInput(_("Nombre trop grand."), field=name, code="hors-limites")
            if name in PAGE_PARAMS and raw.strip().lstrip("+").isdigit() and int(raw) > MAX_PAGE:
                raise InvalidInput(_("Numéro de page trop grand (maximum %(max)d).")
                                   % {"max": MAX_PAGE}, field=name, code="hors-limites")
        else:
            try:
                day = date.fromisoformat(raw.strip()[:10])
            except ValueError:
                continue  # the handler's own validation answers
            check_day(day, name)
