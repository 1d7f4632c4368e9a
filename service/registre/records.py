"""What the register store returns: frozen rows (DESIGN.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = [
    "AddresseeRow", "CouncilInfo", "IdentityRow", "ImportedBefore", "NewPair", "PairRow",
    "PersonRow", "RegisterCounts", "RegisterTallyRow", "SavedMappingRow", "SourceDue", "SourceRow",
    "TaskRow",
]


@dataclass(frozen=True)
class CouncilInfo:
    id: int
    territory: int
    settings: dict[str, Any]

    def setting(self, key: str, default: int) -> int:
        try:
            return int((self.settings or {}).get(key, default))
        except (TypeError, ValueError):
            return default


@dataclass(frozen=True)
class SavedMappingRow:
    id: int
    name: str
    mapping: dict[str, str]
    created_at: datetime


@dataclass(frozen=True)
class ImportedBefore:
    id: int
    created_at: datetime


@dataclass(frozen=True)
class NewPair:
    ref_a: str
    ref_b: str
    pair_key: str
    code: str
    message: str


@dataclass(frozen=True)
class RegisterCounts:
    lignes: int
    personnes: int
    eligibles: int
    paires_a_decider: int
    evalues: int  # people with an eligibility status (0: never evaluated since the import)


@dataclass(frozen=True)
class RegisterTallyRow:
    """The stored figures of a register (``registre_effectif``)."""

    lignes: int
    personnes: int
    eligibles: int
    evalues: int


@dataclass(frozen=True)
class SourceRow:
    """An imported file as its report shows it."""

    id: int
    council: int
    kind: str
    file_name: str
    format: str
    encoding: str
    delimiter: str
    digest: str
    mapping_name: str
    mapping: dict[str, str]
    rows_read: int
    imported: int
    rejected: int
    merged: int
    status: str
    rapport: dict[str, Any]
    created_by: int | None
    created_at: datetime
    purged_at: datetime | None


@dataclass(frozen=True)
class PersonRow:
    """A register row as the search and the pairs show it."""

    id: int
    source: int
    line: int
    nom_naissance: str
    nom_usage: str
    prenoms: str
    sexe: str
    date_naissance: str
    numero: int | None
    suffixe: str
    voie: str
    complement: str
    code_postal: str
    commune: str
    bureau_vote: str
    doublon_de: str
    eligibilite: str
    motifs: str
    selected_at: datetime | None


@dataclass(frozen=True)
class AddresseeRow:
    """What a letter needs of a register row."""

    id: int
    nom_naissance: str
    nom_usage: str
    prenoms: str
    sexe: str
    date_naissance: str
    numero: int | None
    suffixe: str
    voie: str
    complement: str
    code_postal: str
    commune: str


@dataclass(frozen=True)
class IdentityRow:
    cle_nom_naissance: str
    cle_nom_usage: str
    cle_prenoms: str
    date_naissance: str


@dataclass(frozen=True)
class PairRow:
    id: int
    council: int
    ref_a: str
    ref_b: str
    pair_key: str
    code: str
    message: str
    decision: str
    decided_by: int | None
    decided_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class TaskRow:
    id: int
    council: int
    kind: str
    file_name: str
    status: str
    stage: str
    rows_done: int
    source: int | None
    error: dict[str, Any]
    created_by: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class SourceDue:
    id: int
    kind: str
