"""Request and response models of the organisation's API, written by hand
(create_pydantic_model breaks the OpenAPI schema on this Litestar, DESIGN.md §4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.http.bounds import BoundedIn
from service.http.strict import StrictInput


class _In(BoundedIn, StrictInput):
    """Request bodies: numbers and dates bounded (service/http/bounds.py), unknown members refused and
    dates as ISO text (service/http/strict.py)."""


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Commune(_Out):
    insee: str = Field(description="Code INSEE (5 caractères)", examples=["37261"])
    nom: str = Field(examples=["Valmont-sur-Loire"])


class TerritoryCreate(_In):
    name: str = Field(max_length=200, examples=["Valmont Métropole"])
    departement: str = Field(examples=["37"])
    kind: str = Field(default="epci", description="epci ou commune")
    siren: str = Field(default="", description="SIREN de l'EPCI (9 chiffres)")
    communes: list[Commune] = Field(default_factory=list)


class TerritoryUpdate(TerritoryCreate):
    version: int = Field(description="Version lue : la modification échoue (409) si elle a changé")


class Territory(_Out):
    id: int
    name: str
    kind: str
    siren: str
    departement: str
    communes: list[Commune]
    archived_at: datetime | None
    created_at: datetime
    version: int


class QpvCreate(_In):
    code: str = Field(description="Code officiel du quartier", examples=["QN03701M"])
    name: str = Field(max_length=200, examples=["Les Tilleuls – Bastié"])
    communes: list[Commune] = Field(default_factory=list)


class QpvUpdate(QpvCreate):
    version: int


class Qpv(_Out):
    id: int
    territory: int
    code: str
    name: str
    communes: list[Commune]
    archived_at: datetime | None
    version: int


class QpvRef(_Out):
    id: int
    code: str
    name: str


class CouncilCreate(_In):
    name: str = Field(max_length=200, examples=["Conseil citoyen des Tilleuls"])
    qpv_ids: list[int] = Field(min_length=1)
    regime: str = Field(default="2024", description="« 2014 » (loi Lamy initiale) ou « 2024 » (décret 2024-1036)")
    settings: dict[str, Any] = Field(default_factory=dict, description="Réglages du règlement intérieur ; les valeurs absentes prennent les valeurs par défaut")


class CouncilUpdate(_In):
    version: int
    name: str | None = None
    qpv_ids: list[int] | None = None
    regime: str | None = None
    settings: dict[str, Any] | None = None


class Council(_Out):
    id: int
    territory: int
    territory_name: str
    departement: str
    name: str
    regime: str
    settings: dict[str, Any]
    qpvs: list[QpvRef]
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
