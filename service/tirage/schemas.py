"""Request and response models of the draw's API (and the JSON its pages serve)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from domain.draw import plan as draw_plan
from service.http.bounds import BoundedIn
from service.http.strict import StrictInput


class _In(BoundedIn, StrictInput):
    """Request bodies: numbers and dates bounded (service/http/bounds.py), unknown members refused and
    dates as ISO text (service/http/strict.py)."""


class PlanIn(_In):
    seats: int = Field(
        ge=1, le=500, description="Sièges à pourvoir par ce tirage (habitants, ou volontaires)"
    )
    odd_seat: str | None = Field(default=None, description="F ou M : à qui revient le siège impair")
    one_per_household: bool = Field(default=True, description="Une seule personne par foyer")
    invitations: dict[str, int] | None = Field(
        default=None,
        description="Invitations du premier tour par strate (défaut : multiple × sièges)",
    )
    multiple: int = Field(default=draw_plan.DEFAULT_MULTIPLE, ge=1, le=1000)
    seats_by_stratum: dict[str, int] | None = Field(
        default=None, description="Sièges par strate, explicites"
    )

    def to_input(self) -> draw_plan.PlanInput:
        return draw_plan.PlanInput(
            seats=self.seats,
            odd_seat=self.odd_seat,
            one_per_household=self.one_per_household,
            invitations=self.invitations,
            multiple=self.multiple,
            seats_by_stratum=self.seats_by_stratum,
        )


class DrawPrepare(PlanIn):
    pool_id: int = Field(description="Vivier (liste) sur lequel tirer")
    label: str = Field(default="", max_length=200)
    place: str = Field(default="", max_length=200, description="Lieu de la séance publique")
    present: str = Field(
        default="", max_length=4000, description="Personnes présentes, une par ligne"
    )


class PlanProposal(BaseModel):
    protocol: str
    one_per_household: bool
    quotas: dict[str, int]
    seats: dict[str, int]


class EntropyIn(_In):
    entropy: str = Field(
        min_length=1, max_length=2000, examples=["3 6 1 4 4 2 5 1 6 2 3 3 5 4 1 2 6 6 5 1"]
    )
    kind: str = Field(default="dice", description="dice (dés) ou text (tirage public, balise)")


class AbandonIn(_In):
    reason: str = Field(min_length=1, max_length=500)
    redo_pool_id: int | None = Field(
        default=None, description="Préparer et engager aussitôt un nouveau tirage"
    )


class RoundIn(_In):
    counts: dict[str, int] | None = Field(
        default=None, description="Invitations par strate (tours suivants)"
    )
    deadline: datetime | None = Field(
        default=None, description="Date limite de réponse (ISO 8601 avec décalage)"
    )


class ReplyIn(_In):
    key: str = Field(min_length=1, max_length=64)
    reply: str = Field(description="accepte, refuse, sans_reponse ou npai")
    correction: str = Field(
        default="", max_length=500,
        description="Motif, pour corriger un courrier enregistré comme revenu (NPAI) ; inscrit au journal",
    )


class KeyIn(_In):
    key: str = Field(min_length=1, max_length=64)


class OnlineReplyIn(_In):
    code: str = Field(min_length=1, max_length=40, description="Code imprimé sur le courrier")
    birth_year: int = Field(ge=1850, le=2100, description="Année de naissance")
    answer: str = Field(description="accepte ou refuse")
    contact: str = Field(
        default="", max_length=300, description="Téléphone ou courriel (facultatif)"
    )


class DrawOut(BaseModel):
    id: int
    council: int
    pool: int
    kind: str
    reference: str
    status: str
    status_label: str
    label: str
    plan: dict[str, Any]
    pool_digest: str
    pool_size: int
    strata_counts: dict[str, int]
    commitment: str
    committed_at: datetime | None
    entropy: str | None
    entropy_kind: str
    entropy_by: str
    entropy_at: datetime | None
    seed: str
    ranking_digest: str
    ranked_counts: dict[str, int]
    skipped_count: int
    ranked_at: datetime | None
    place: str
    prepared_at: datetime
    abandoned_at: datetime | None
    abandon_reason: str
    replaces: int | None
    replaced_by: int | None
    version: int


class Recipient(BaseModel):
    invitation_id: int
    key: str
    rank: int
    stratum: str
    reply_code: str
    deadline: datetime | None
    subject_type: str
    subject_id: int | None
    draw_reference: str
    round_no: int


class VerificationOut(BaseModel):
    ok: bool
    code: str
    message: str
    checked: list[str]


class DrawView(DrawOut):
    """A draw as the lead's progress view starts it (every stored detail but the ranking)."""

    params: dict[str, Any]
    present: str
    abandoned_by: str


class RoundOut(BaseModel):
    number: int
    invited: dict[str, int]
    proposed: dict[str, int]
    at: datetime
    deadline: datetime | None


class InvitationOut(BaseModel):
    id: int
    key: str
    stratum: str
    rank: int
    round: int
    reply: str
    reply_label: str
    reply_via: str
    replied_at: datetime | None
    departed: bool


class StratumProgressOut(BaseModel):
    stratum: str
    invited: int
    accepted: int
    declined: int
    no_reply: int
    returned_npai: int
    pending: int
    remaining: int
    seats: int
    titulaires: int
    suppleants: int
    empty_seats: int
    awaiting_replies: bool


class SeatsOut(BaseModel):
    titulaires: dict[str, list[str]]
    suppleants: dict[str, list[str]]
    empty: dict[str, int]


class DrawProgress(DrawView):
    """``GET …/suivi``: the draw, its rounds, invitations, progress per stratum and seats
    (progress and seats once the ranking is established)."""

    rounds: list[RoundOut]
    invitations: list[InvitationOut]
    progress: list[StratumProgressOut] | None = None
    seats: SeatsOut | None = None


class RoundClosed(BaseModel):
    round: int
    marked_no_reply: int


class RepliesImported(BaseModel):
    recorded: int
    by_reply: dict[str, int]


class ReplacementOut(BaseModel):
    stratum: str | None
    leaving: str
    replacement: str | None
    new_round_needed: bool
    message: str


class RecordCouncil(BaseModel):
    name: str
    qpv: list[str]


class RecordRound(BaseModel):
    round: int
    invited: dict[str, int]
    at: str


class DrawRecord(BaseModel):
    """The §8 record of ``spec/draw-protocol.md``, member for member (dates as written)."""

    protocol: str
    draw_id: str
    council: RecordCouncil
    pool_digest: str
    pool_size: int
    strata_counts: dict[str, int]
    plan: dict[str, Any]
    commitment: str
    committed_at: str
    entropy: str | None
    entropy_entered_at: str | None
    seed: str | None
    ranked: dict[str, list[str]]
    rounds: list[RecordRound]


class AuditHeadOut(BaseModel):
    seq: int
    hash: str


class PublicDrawRecord(DrawRecord):
    """The public record, with the audit trail's head when it was read."""

    journal_audit: AuditHeadOut


class KeyLookup(BaseModel):
    reference: str
    key: str
    ticket: str
    stratum: str | None
    rank: int | None
    stratum_size: int | None
    skipped: bool
    invited_round: int | None


class OnlineReplyOut(BaseModel):
    reference: str
    council: str
    reply: str
    reply_label: str
    deadline: datetime | None


class CeremonyState(BaseModel):
    """What the projector page polls to follow the ceremony live."""

    status: str
    status_label: str
    commitment: str
    seed: str


class Pool(BaseModel):
    """A pool (vivier): the frozen input of a draw, described (its content is the pool
    file, served to auditors with the draw)."""

    id: int
    council: int
    kind: str
    label: str
    reference_date: str
    stratification: dict[str, Any]
    digest: str
    size: int
    strata_counts: dict[str, int]
    created_at: datetime
