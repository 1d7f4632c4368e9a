"""Reading the public forms' fields: trimmed text, contact, postcode, birth date, SIRET
and RNA, each error attached to its field so the form shows them all at once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from stdnum.fr import siret as stdnum_siret

from domain.errors import FieldError, InvalidInput
from domain.i18n import _

Form = Mapping[str, Any]

_RNA = re.compile(r"^W(\d{3}|2[AB]\d)\d{6}$")
_CP = re.compile(r"^\d{5}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 .()-]{6,20}$")


def check_siret(raw: str) -> str:
    value = re.sub(r"[\s.]", "", raw or "")
    if not value:
        return ""
    if not stdnum_siret.is_valid(value):
        raise InvalidInput(
            _(
                "Numéro SIRET « {v} » invalide : 14 chiffres dont le dernier est une clé de "
                "contrôle."
            ).format(v=raw),
            field="siret",
            code="siret-invalide",
        )
    return str(stdnum_siret.compact(value))


def check_rna(raw: str) -> str:
    value = re.sub(r"\s", "", raw or "").upper()
    if not value:
        return ""
    if not _RNA.match(value):
        raise InvalidInput(
            _(
                "Numéro RNA « {v} » invalide : la lettre W suivie de 9 caractères (ex. W372001234)."
            ).format(v=raw),
            field="rna",
            code="rna-invalide",
        )
    return value


def text(
    form: Form,
    key: str,
    errors: list[FieldError],
    label: str,
    *,
    required: bool = True,
    max_len: int = 200,
) -> str:
    value = " ".join(str(form.get(key) or "").split())
    if required and not value:
        errors.append(
            FieldError(
                key, _("{label} : champ obligatoire.").format(label=label), code="champ-obligatoire"
            )
        )
    elif len(value) > max_len:
        errors.append(
            FieldError(key, _("{label} : {n} caractères au plus.").format(label=label, n=max_len))
        )
    return value


def long_text(form: Form, key: str, errors: list[FieldError], label: str, max_len: int = 4000) -> str:
    value = str(form.get(key) or "").strip()
    if len(value) > max_len:
        errors.append(
            FieldError(key, _("{label} : {n} caractères au plus.").format(label=label, n=max_len))
        )
    return value


def truthy(value: Any) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "on", "oui", "yes")


def require_consent(form: Form, errors: list[FieldError]) -> None:
    if not truthy(form.get("consent")):
        errors.append(
            FieldError(
                "consent",
                _("Votre accord est nécessaire pour que votre candidature soit enregistrée."),
                code="consentement-manquant",
            )
        )


def contact(form: Form, errors: list[FieldError]) -> tuple[str, str]:
    email = str(form.get("email") or "").strip().lower()
    phone = str(form.get("telephone") or "").strip()
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        errors.append(
            FieldError("email", _("Adresse électronique invalide."), code="courriel-invalide")
        )
    if phone and not _PHONE.match(phone):
        errors.append(
            FieldError("telephone", _("Numéro de téléphone invalide."), code="telephone-invalide")
        )
    if not email and not phone:
        errors.append(
            FieldError(
                "email",
                _(
                    "Indiquez une adresse électronique ou un numéro de téléphone pour être "
                    "recontacté."
                ),
                code="contact-obligatoire",
            )
        )
    return email, phone


def postcode(form: Form, errors: list[FieldError], required: bool = True) -> str:
    cp = str(form.get("code_postal") or "").strip()
    if (cp or required) and not _CP.match(cp):
        errors.append(
            FieldError(
                "code_postal", _("Code postal invalide (5 chiffres)."), code="code-postal-invalide"
            )
        )
    return cp


def _parse_day(raw: str) -> date:
    if "/" in raw:
        d, m, y = raw.split("/")
        return date(int(y), int(m), int(d))
    return date.fromisoformat(raw)


def birth_date(form: Form, errors: list[FieldError], today: date, required: bool = True) -> date | None:
    raw = str(form.get("birth_date") or "").strip()
    if not raw:
        if required:
            errors.append(
                FieldError(
                    "birth_date",
                    _("Date de naissance : champ obligatoire."),
                    code="champ-obligatoire",
                )
            )
        return None
    try:
        value = _parse_day(raw)
    except ValueError:
        errors.append(
            FieldError(
                "birth_date", _("Date de naissance invalide (JJ/MM/AAAA)."), code="date-invalide"
            )
        )
        return None
    if value > today or value.year < today.year - 120:
        errors.append(
            FieldError("birth_date", _("Date de naissance invraisemblable."), code="date-invalide")
        )
        return None
    return value


def raise_errors(errors: list[FieldError]) -> None:
    if errors:
        first = errors[0]
        raise InvalidInput(
            first.message,
            field=first.field,
            errors=errors,
            code=None if first.code == "invalide" else first.code,
        )
