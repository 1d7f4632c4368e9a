"""Reading the organisation's web forms into the API's models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from service.http.bounds import version_or_stale
from service.http.forms import decode

M = TypeVar("M", bound=BaseModel)


def parse_communes(raw: str) -> list[dict[str, str]]:
    """« 37261 Valmont-sur-Loire; 37262 Autre » → [{insee, nom}]."""
    out = []
    for part in raw.replace("\r", "\n").replace(";", "\n").split("\n"):
        part = part.strip()
        if part:
            insee, _sep, nom = part.partition(" ")
            out.append({"insee": insee, "nom": nom.strip()})
    return out


def communes_text(communes: list[dict[str, Any]]) -> str:
    return "\n".join(f"{c.get('insee', '')} {c.get('nom', '')}".strip() for c in communes or [])


def decode_territory_form(model: type[M], values: Mapping[str, str]) -> M:
    """A territory or QPV form (communes typed one a line, the row's version as text)
    decoded into ``model`` (TerritoryCreate/Update, QpvCreate/Update)."""
    data: dict[str, Any] = {k: v for k, v in values.items() if k in model.model_fields}
    if "communes" in data:
        data["communes"] = parse_communes(values["communes"])
    if "kind" in data:
        data["kind"] = data["kind"] or "epci"
    if "version" in model.model_fields:
        data["version"] = version_or_stale(values.get("version", ""))
    return decode(model, data)
