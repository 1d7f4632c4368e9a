"""What the register use cases share: kinds of files, import options, references."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from domain.errors import InvalidInput
from domain.i18n import _
from domain.registre import Entry
from domain.registre.mapping import header_key
from service.registre.store import RegisterStore

REGISTER_KINDS = ("liste", "bailleur", "autre")
LIST_KINDS = ("perimetre", "exclusions")
KINDS = (*REGISTER_KINDS, *LIST_KINDS)
KIND_LABELS = {
    "liste": "extrait de liste électorale",
    "bailleur": "fichier de locataires d'un bailleur",
    "autre": "tableur (correspondance personnalisée)",
    "perimetre": "périmètre du quartier",
    "exclusions": "liste d'exclusion",
}
PRESET_OF_KIND = {"liste": "liste_electorale", "bailleur": "bailleur"}
KIND_OF_PRESET = {v: k for k, v in PRESET_OF_KIND.items()}
# Order of trust for deduplication: the electoral list's row stands for the person.
TRUST = {"liste": 0, "autre": 1, "bailleur": 2}
NEW = "nouveau"  # source label of the rows being imported, before their source has an id

MAX_ERRORS_LISTED = 1000

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class ImportOptions:
    kind: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    mapping: dict[str, str] | None = None
    mapping_name: str | None = None
    keep_valid: bool = False


def store_or_default(store: RegisterStore | None) -> RegisterStore:
    return store if store is not None else RegisterStore()


def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


def check_kind(kind: str | None) -> str | None:
    if kind in (None, ""):
        return None
    if kind not in KINDS:
        raise InvalidInput(
            _("Type de fichier inconnu : « %(type)s » (attendu : %(types)s).")
            % {"type": kind, "types": ", ".join(KINDS)}, field="type", code="type-inconnu")
    return kind


def looks_like_list(header: Sequence[str]) -> str | None:
    keys = {header_key(h) for h in header}
    if "VOIE" in keys and keys & {"NUMEROMIN", "COTE", "NUMEROMAX", "PARITE"}:
        return "perimetre"
    if keys & {"MOTIF", "FONCTION", "MANDAT", "QUALITE"} and keys & {"NOM"}:
        return "exclusions"
    return None


def ref(e: Entry, source_id: int) -> str:
    """The stored reference of an entry: rows being imported take ``source_id``."""
    return f"{source_id if e.source == NEW else e.source}:{e.line}"


def numero(num: int | None, suffixe: str) -> str:
    """« 12 bis », « 12B », or "" without a number."""
    if num is None:
        return ""
    return f"{num} {suffixe.lower()}" if len(suffixe) > 1 else f"{num}{suffixe}"
