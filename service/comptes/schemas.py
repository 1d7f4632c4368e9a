"""Request and response models of the accounts' API, written by hand
(create_pydantic_model breaks the OpenAPI schema on this Litestar, DESIGN.md §4)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.http.bounds import BoundedIn
from service.http.strict import StrictInput


class _In(BoundedIn, StrictInput):
    """Request bodies: numbers and dates bounded (service/http/bounds.py), unknown members refused and
    dates as ISO text (service/http/strict.py)."""


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


GENRE_DESCRIPTION = ("Accord de la fonction : « F » (cheffe de projet), « M » (chef de projet), "
                     "null quand la personne ne l'a pas dit (cheffe ou chef de projet)")


class RoleOut(_Out):
    role: str
    label: str = Field(description="Le rôle tel qu'il s'écrit pour cette personne (« Cheffe de projet … »)")
    territory_id: str | None = None
    council_id: str | None = None
    departement: str | None = None


class Me(_Out):
    id: int
    email: str
    display_name: str
    genre: Literal["F", "M"] | None = Field(default=None, description=GENRE_DESCRIPTION)
    roles: list[RoleOut]


class MeUpdate(_In):
    genre: Literal["F", "M"] | None = Field(description=GENRE_DESCRIPTION)


class PasswordChange(_In):
    old_password: str
    new_password: str


class TokenCreate(_In):
    name: str = Field(max_length=100)
    days: int | None = Field(default=365, description="Durée de validité en jours (1 à 730), null pour sans expiration")


class TokenOut(_Out):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(_Out):
    token: str = Field(description="Affiché une seule fois : conservez-le")
    info: TokenOut


class InvitationCreate(_In):
    email: str
    role: str = Field(description="administrateur, chef_de_projet, secretaire, membre ou auditeur")
    display_name: str = ""
    territory_id: int | None = None
    council_id: int | None = None
    departement: str | None = None


class InvitationCreated(_Out):
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
    genre: Literal["F", "M"] | None = Field(default=None, description=GENRE_DESCRIPTION)


class InvitationAccepted(_Out):
    account_id: int


class AccountRoleOut(_Out):
    role: str
    territoire: str | None
    conseil: str | None
    departement: str | None


class AccountOut(_Out):
    id: int
    email: str
    display_name: str
    active: bool
    created_at: datetime
    last_login_at: datetime | None
    genre: Literal["F", "M"] | None = Field(description=GENRE_DESCRIPTION)
    roles: list[AccountRoleOut]
