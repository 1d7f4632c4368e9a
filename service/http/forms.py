"""Reading web forms: into the API's models (French messages naming the field), local
Paris date-times, optional integers. Every feature's pages use these."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from domain.errors import FieldError, InvalidInput
from domain.i18n import _
from service.http.bounds import bounded_int, check_day
from service.http.errors import _fr

PARIS = ZoneInfo("Europe/Paris")
M = TypeVar("M", bound=BaseModel)


def form_values(form: Mapping[str, Any], keys: list[str] | tuple[str, ...] | None = None) -> dict[str, str]:
    """Submitted fields as trimmed text (all of them, or ``keys``), without the CSRF token."""
    if keys is None:
        return {k: str(v).strip() for k, v in form.items() if k != "_csrf"}
    return {k: str(form.get(k, "")).strip() for k in keys}


def local_datetime(raw: str, field: str, label: str) -> datetime:
    """« 2026-03-12T18:30 » from a ``datetime-local`` input, read as Paris time."""
    text = (raw or "").strip()
    if not text:
        raise InvalidInput(_("{l} : champ obligatoire.").format(l=label), field=field, code="champ-obligatoire")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("{l} : date et heure invalides (attendu : JJ/MM/AAAA et HH:MM).").format(l=label),
            field=field, code="date-invalide",
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    return value


def for_input(value: datetime | None) -> str:
    """An aware datetime as a ``datetime-local`` input value, in Paris time."""
    if value is None:
        return ""
    return value.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def optional_int(raw: str, field: str, label: str) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(_("{l} : un nombre entier est attendu.").format(l=label), field=field,
                           code="nombre-invalide") from None


def _field_of(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """The form field an error belongs to: the model's field, or « field.key » when the
    field is a mapping the form gives one input per key (invitations per stratum…)."""
    if not loc:
        return "formulaire"
    field = str(loc[0])
    member = data.get(field)
    if len(loc) > 1 and isinstance(member, dict) and loc[1] in member:
        return f"{field}.{loc[1]}"
    return field


def decode(model: type[M], data: dict[str, Any], labels: dict[str, str] | None = None) -> M:
    """Validate ``data`` with the API's pydantic model; failures become one InvalidInput
    with a French message per field (the same words as the API's problem+json)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = []
        for e in exc.errors():
            field = _field_of(tuple(e.get("loc") or ()), data)
            name = field.split(".")[0]
            label = (labels or {}).get(field) or (labels or {}).get(name, name)
            errors.append(FieldError(field, f"{label} : {_fr(str(e.get('msg', '')))}"))
        raise InvalidInput(errors[0].message, field=errors[0].field, errors=errors) from None


# Readers for forms that no API model describes (JJ/MM/AAAA or AAAA-MM-JJ dates, whole
# numbers within the edge bounds); a form with an API model goes through decode().


def form_dict(form: Any) -> dict[str, str]:
    return {k: str(v) for k, v in form.items() if k != "_csrf"}


def read_date(values: dict[str, str], key: str) -> date:
    raw = (values.get(key) or "").strip()
    try:
        if "/" in raw:
            d, m, y = raw.split("/")
            return check_day(date(int(y), int(m), int(d)), key)
        return check_day(date.fromisoformat(raw), key)
    except ValueError:
        raise InvalidInput(
            _("Date invalide (JJ/MM/AAAA)."), field=key, code="date-invalide"
        ) from None


def read_opt_date(values: dict[str, str], key: str) -> date | None:
    return read_date(values, key) if (values.get(key) or "").strip() else None


def read_int(values: dict[str, str], key: str) -> int:
    try:
        return bounded_int(int(values.get(key) or ""), key)
    except ValueError:
        raise InvalidInput(_("Valeur entière attendue."), field=key) from None


def read_opt_int(values: dict[str, str], key: str) -> int | None:
    return read_int(values, key) if (values.get(key) or "").strip() else None
