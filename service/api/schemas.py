"""Request and response models of the API, written by hand (create_pydantic_model breaks
the OpenAPI schema on this Litestar, DESIGN.md §4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from service.api.bounds import BoundedIn
from service.api.strict import StrictInput


class _In(BoundedIn, StrictInput):
    """Request bodies: numbers and dates bounded (service/api/bounds.py), unknown members refused and
    dates as ISO text (service/api/strict.py)."""


class Commune(BaseModel):
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


class Territory(BaseModel):
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


class Qpv(BaseModel):
    id: int
    territory: int
    code: str
    name: str
    communes: list[Commune]
    archived_at: datetime | None
    version: int


class QpvRef(BaseModel):
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


class Council(BaseModel):
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


class RoleOut(BaseModel):
    role: str
    territory_id: str | None = None
    council_id: str | None = None
    departement: str | None = None


class Me(BaseModel):
    id: int
    email: str
    display_name: str
    roles: list[RoleOut]


class PasswordChange(_In):
    old_password: str
    new_password: str


class TokenCreate(_In):
    name: str = Field(max_length=100)
    days: int | None = Field(default=365, description="Durée de validité en jours (1 à 730), null pour sans expiration")


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(BaseModel):
    token: str = Field(description="Affiché une seule fois : conservez-le")
    info: TokenOut


class InvitationCreate(_In):
    email: str
    role: str = Field(description="administrateur, chef_de_projet, secretaire, membre ou auditeur")
    display_name: str = ""
    territory_id: int | None = None
    council_id: int | None = None
    departement: str | None = None


class InvitationCreated(BaseModel):
    id: int
    email: str
    role: str
    expires_at: datetime
    code: str
    url: str


class InvitationAccept(_In):
    code: str
    display_name: str = ""
    password: str


class AccountOut(BaseModel):
    id: int
    email: str
    display_name: str
    active: bool
    created_at: datetime
    last_login_at: datetime | None
    roles: list[dict[str, Any]]


class AuditEventOut(BaseModel):
    seq: int
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    subject_type: str
    subject_id: str
    territory_id: int | None
    council_id: int | None
    details: dict[str, Any]
    payload_digest: str
    prev_hash: str
    hash: str


class ChainReportOut(BaseModel):
    ok: bool
    checked: int
    first_broken_seq: int | None
    message: str
