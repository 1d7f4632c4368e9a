"""The applications' API models, read by the API and by the pages that decode their forms
into the same models (DESIGN.md rule 10)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.candidatures.usecases.fields import truthy
from service.http.bounds import BoundedIn
from service.http.strict import StrictInput


class _In(BoundedIn, StrictInput):
    """Request bodies: numbers and dates bounded (service/http/bounds.py), unknown members refused and
    dates as ISO text (service/http/strict.py)."""


class _Out(BaseModel):
    # Responses are read from the store's frozen dataclasses, by attribute.
    model_config = ConfigDict(from_attributes=True)


class CallCreate(_In):
    college: str = Field(
        description="habitants (volontaires) ou associations_acteurs", examples=["habitants"]
    )
    title: str = Field(max_length=200, examples=["Appel à volontaires 2026"])
    opens_on: date
    closes_on: date = Field(description="Dernier jour de dépôt (inclus, heure de Paris)")
    text: str = Field(default="", max_length=10000)


class CallUpdate(CallCreate):
    version: int


class Call(_Out):
    id: int
    council: int
    college: str
    title: str
    text: str
    opens_on: date
    closes_on: date
    open: bool | None = None
    version: int


class VolunteerApplication(_Out):
    id: int
    appel: int
    prenom: str
    nom: str
    email: str
    telephone: str
    adresse: str
    complement: str
    code_postal: str
    commune: str
    birth_date: date
    sexe: str
    motivation: str
    disponibilites: str
    perimetre: str
    status: str
    reason: str
    reviewed_by: int | None
    reviewed_at: datetime | None
    submitted_at: datetime
    version: int


class StructureApplication(_Out):
    id: int
    appel: int
    structure: str
    kind: str
    siret: str
    rna: str
    activite: str
    adresse: str
    code_postal: str
    commune: str
    representant_prenom: str
    representant_nom: str
    representant_sexe: str
    email: str
    telephone: str
    no_institutional_tie: bool
    status: str
    reason: str
    reviewed_by: int | None
    reviewed_at: datetime | None
    submitted_at: datetime
    version: int


class Decision(_In):
    decision: str = Field(description="acceptee ou refusee")
    reason: str = Field(
        default="", max_length=2000, description="Motif (obligatoire pour un refus)"
    )
    version: int


class PublicApplication(BaseModel):
    """Fields of the public form (volunteer or structure, depending on the call)."""

    model_config = ConfigDict(extra="forbid")
    prenom: str = ""
    nom: str = ""
    email: str = ""
    telephone: str = ""
    adresse: str = ""
    complement: str = ""
    code_postal: str = ""
    commune: str = ""
    birth_date: str = ""
    sexe: str = ""
    motivation: str = ""
    disponibilites: str = ""
    consent: bool = False
    structure: str = ""
    kind: str = "association"
    siret: str = ""
    rna: str = ""
    activite: str = ""
    representant_prenom: str = ""
    representant_nom: str = ""
    representant_sexe: str = ""
    no_institutional_tie: bool = False

    @classmethod
    def from_web_form(cls, values: dict[str, str]) -> PublicApplication:
        """The public HTML form: its fields are the API's; a ticked box sends « oui » (or
        « on »); a field the form does not have is ignored, as it always was."""
        data: dict[str, Any] = {k: v for k, v in values.items() if k in cls.model_fields}
        for box in ("consent", "no_institutional_tie"):
            data[box] = truthy(values.get(box))
        return cls.model_validate(data)

    def as_form(self) -> dict[str, str]:
        """What the submission use cases read (the boxes as « oui » or empty)."""
        form = {k: v for k, v in self.model_dump().items() if isinstance(v, str)}
        form["consent"] = "oui" if self.consent else ""
        form["no_institutional_tie"] = "oui" if self.no_institutional_tie else ""
        return form


class Receipt(BaseModel):
    id: int
    appel: int
    perimetre: str | None = None
    message: str
