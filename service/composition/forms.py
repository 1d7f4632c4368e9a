"""Reading the composition's web forms (the generic readers are service/http/forms.py):
the choices offered, the API model's field
labels, and a broken rule that an override reason may let through."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from domain.composition import College, MemberStatus, Origin, Seat
from domain.errors import DomainError, RuleBroken
from domain.i18n import _
from service.composition.rows import MemberRow
from service.http.forms import read_opt_date, read_opt_int


def choices() -> dict[str, list[tuple[str, str]]]:
    return {
        "colleges": [(c.value, c.label) for c in College],
        "origins": [(o.value, o.label) for o in Origin],
        "seats": [(s.value, s.label) for s in Seat],
        "departures": [(s.value, s.label) for s in MemberStatus if s is not MemberStatus.ACTIF],
    }


def labels() -> dict[str, str]:
    return {
        "college": _("Collège"),
        "origin": _("Origine"),
        "prenom": _("Prénom"),
        "nom": _("Nom"),
        "sexe": _("Sexe"),
        "seat": _("Siège"),
        "structure": _("Structure"),
        "email": _("Courriel"),
        "telephone": _("Téléphone"),
        "stratum": _("Strate"),
        "override_reason": _("Motif de dérogation"),
    }


def member_body(values: dict[str, str]) -> dict[str, Any]:
    """The member form as the API's body: dates and numbers read as the pages read them
    (JJ/MM/AAAA accepted), then validated by the API's model."""
    return {
        "college": values.get("college", ""),
        "origin": values.get("origin", ""),
        "prenom": values.get("prenom", ""),
        "nom": values.get("nom", ""),
        "sexe": values.get("sexe", ""),
        "seat": values.get("seat", "titulaire"),
        "mandate_start": read_opt_date(values, "mandate_start"),
        "mandate_end": read_opt_date(values, "mandate_end"),
        "structure": values.get("structure", ""),
        "email": values.get("email", ""),
        "telephone": values.get("telephone", ""),
        "contact_consent": values.get("contact_consent", "") in ("on", "oui", "1", "true"),
        "stratum": values.get("stratum") or None,
        "rank": read_opt_int(values, "rank"),
        "account_id": read_opt_int(values, "account_id"),
        "override_reason": values.get("override_reason", ""),
    }


def rule_error(exc: DomainError) -> dict[str, Any] | None:
    if isinstance(exc, RuleBroken) and exc.extra.get("override_min_length"):
        return {
            "code": exc.code,
            "message": exc.detail,
            "rules": exc.extra.get("rules", [exc.code]),
        }
    return None


def member_values(m: MemberRow) -> dict[str, Any]:
    """The record as the member form shows it (text fields, ISO dates)."""
    out = {k: ("" if v is None else v) for k, v in asdict(m).items()}
    for k in ("mandate_start", "mandate_end", "status_since"):
        day = getattr(m, k)
        if day:
            out[k] = day.isoformat()
    out["contact_consent"] = "on" if m.contact_consent else ""
    out["account_id"] = m.account or ""
    return out
