"""The letters feature's API models: request bodies (``…In``), responses (``…Out``), and
the wording's fields, which the template page's form is decoded into too."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from service.http.bounds import BoundedIn
from service.http.strict import StrictInput


class _In(BoundedIn, StrictInput):
    """Request bodies: numbers and dates bounded (service/http/bounds.py), unknown members refused and
    dates as ISO text (service/http/strict.py)."""


class WordingFields(BaseModel):
    organisation: str = Field(max_length=200, examples=["Ville de Valmont-sur-Loire"])
    en_tete: str = Field(
        default="", max_length=400, description="Lignes sous le nom (service, adresse)"
    )
    lieu: str = Field(max_length=200, examples=["Valmont-sur-Loire"])
    objet: str = Field(max_length=200, description="Champs entre accolades autorisés")
    corps: str = Field(
        max_length=6000, description="Paragraphes séparés par une ligne vide ; champs {…}"
    )
    rgpd: str = Field(max_length=2000, description="Information RGPD (art. 14) ; champs {…}")
    signataire: str = Field(max_length=200)
    fonction_signataire: str = Field(max_length=200)
    telephone: str = Field(max_length=200)
    email: str = Field(max_length=200)
    contact_donnees: str = Field(max_length=200)


class LetterTemplateIn(WordingFields, _In):
    version: int = Field(description="Version lue (0 si jamais enregistré) : 409 si elle a changé")


class LetterTemplateOut(WordingFields):
    version: int
    saved: bool = Field(description="Faux tant que le modèle d'exemple n'a pas été enregistré")
    has_logo: bool
    placeholders: dict[str, str] = Field(description="Champs utilisables entre accolades")


class WithheldOut(BaseModel):
    """A person without a letter in the PDF (no name through the API) and why."""

    invitation_id: int
    rank: int
    stratum: str
    code: str = Field(description="personne-introuvable, injoignable, adresse-trop-longue ou "
                      "caracteres-non-imprimables")
    message: str


class LetterBatchOut(BaseModel):
    id: int
    draw_id: int
    round_no: int
    status: str = Field(description="en_attente, en_cours, pret, echec ou vide")
    status_label: str
    total: int = Field(description="Personnes invitées par le tour")
    done: int = Field(description="Lettres produites")
    mailed: int = Field(description="Lettres dans le PDF")
    withheld: list[WithheldOut] = Field(description="Personnes sans lettre (sans nom) et motif")
    pages: int
    pdf_sha256: str
    pdf_url: str | None
    csv_url: str | None
    created_at: datetime
    finished_at: datetime | None
