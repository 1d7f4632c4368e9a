"""The QPV's perimeter as streets and number ranges.

A perimeter file lists, per street, the numbers inside the neighbourhood and the side
("tous", "pairs", "impairs"): QPV boundaries often run down the middle of a street. A
row with no numbers at all covers the whole street, which is the only case where an
address without a number can be said to be inside.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from domain.errors import FieldError, InvalidInput
from domain.i18n import _
from domain.registre.mapping import header_key
from domain.registre.normalise import Address, cle_voie, normalise_texte

__all__ = ["Cote", "Perimeter", "PerimeterRule", "parse_perimeter"]


class Cote(StrEnum):
    TOUS = "tous"
    PAIRS = "pairs"
    IMPAIRS = "impairs"


_COTES: dict[str, Cote] = {
    "": Cote.TOUS, "TOUS": Cote.TOUS, "TOUT": Cote.TOUS, "TOUTES": Cote.TOUS,
    "LES DEUX": Cote.TOUS, "DEUX COTES": Cote.TOUS, "T": Cote.TOUS,
    "PAIRS": Cote.PAIRS, "PAIR": Cote.PAIRS, "P": Cote.PAIRS,
    "IMPAIRS": Cote.IMPAIRS, "IMPAIR": Cote.IMPAIRS, "I": Cote.IMPAIRS,
}


@dataclass(frozen=True)
class PerimeterRule:
    """One perimeter row: a street, an optional number range, a side."""

    voie: str
    numero_min: int | None = None
    numero_max: int | None = None
    cote: Cote = Cote.TOUS
    code_postal: str = ""
    line: int | None = None
    voie_cle: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.voie_cle:
            object.__setattr__(self, "voie_cle", cle_voie(self.voie))

    @property
    def whole_street(self) -> bool:
        return self.numero_min is None and self.numero_max is None and self.cote is Cote.TOUS

    def covers(self, adresse: Address) -> bool:
        if adresse.voie_cle != self.voie_cle:
            return False
        if self.code_postal and adresse.code_postal and adresse.code_postal != self.code_postal:
            return False
        n = adresse.numero
        if n is None:
            return self.whole_street
        if self.numero_min is not None and n < self.numero_min:
            return False
        if self.numero_max is not None and n > self.numero_max:
            return False
        if self.cote is Cote.PAIRS:
            return n % 2 == 0
        if self.cote is Cote.IMPAIRS:
            return n % 2 == 1
        return True


class Perimeter:
    """All the rules of one QPV, indexed by street key for a fast ``contains``."""

    def __init__(self, rules: Iterable[PerimeterRule]) -> None:
        self.rules: tuple[PerimeterRule, ...] = tuple(rules)
        self._by_street: dict[str, list[PerimeterRule]] = {}
        for rule in self.rules:
            self._by_street.setdefault(rule.voie_cle, []).append(rule)

    def contains(self, adresse: Address) -> bool:
        rules = self._by_street.get(adresse.voie_cle)
        return rules is not None and any(r.covers(adresse) for r in rules)

    def __len__(self) -> int:
        return len(self.rules)


_COLUMNS: dict[str, tuple[str, ...]] = {
    "voie": ("voie", "rue", "adresse", "libelle voie", "nom de voie"),
    "numero_min": ("numero_min", "numero min", "num min", "de", "du", "debut", "min",
                   "numero debut", "premier numero"),
    "numero_max": ("numero_max", "numero max", "num max", "a", "au", "fin", "max",
                   "numero fin", "dernier numero"),
    "cote": ("cote", "côté", "parite", "parité", "numeros"),
    "code_postal": ("code_postal", "code postal", "cp"),
}
_LOOKUP = {header_key(t): name for name, titles in _COLUMNS.items() for t in titles}


def _number(value: str, name: str, line: int, errors: list[FieldError]) -> int | None:
    raw = value.strip()
    if not raw:
        return None
    if raw.endswith(".0"):
        raw = raw[:-2]
    if not raw.isdigit():
        errors.append(FieldError(
            name, _("numéro invalide : « %(valeur)s »") % {"valeur": value.strip()},
            line=line, code="numero-invalide"))
        return None
    return int(raw)


def parse_perimeter(
    header: Sequence[str], rows: Iterable[list[str]], first_line_number: int = 2
) -> Perimeter:
    """Read a perimeter file (``voie;numero_min;numero_max;cote``).

    The file is small and every row matters, so it is taken whole or not at all:
    ``InvalidInput`` lists every faulty line.
    """
    columns: dict[str, int] = {}
    for i, title in enumerate(header):
        name = _LOOKUP.get(header_key(title))
        if name is not None:
            columns.setdefault(name, i)
    if "voie" not in columns:
        raise InvalidInput(
            _("Fichier de périmètre : colonne « voie » absente (attendu : voie ; "
              "numero_min ; numero_max ; cote)."),
            code="en-tete-non-reconnu", field="voie", line=first_line_number - 1)

    def cell(row: list[str], name: str) -> str:
        i = columns.get(name, -1)
        return row[i] if 0 <= i < len(row) else ""

    rules: list[PerimeterRule] = []
    errors: list[FieldError] = []
    for line, row in enumerate(rows, start=first_line_number):
        if not "".join(row).strip():
            continue
        voie = cell(row, "voie").strip()
        if not voie:
            errors.append(FieldError("voie", _("voie manquante"), line=line,
                                     code="voie-manquante"))
            continue
        low = _number(cell(row, "numero_min"), "numero_min", line, errors)
        high = _number(cell(row, "numero_max"), "numero_max", line, errors)
        cote = _COTES.get(normalise_texte(cell(row, "cote")))
        if cote is None:
            errors.append(FieldError(
                "cote", _("côté inconnu : « %(valeur)s » (attendu : tous, pairs ou impairs)")
                % {"valeur": cell(row, "cote").strip()}, line=line, code="cote-invalide"))
            continue
        if low is not None and high is not None and low > high:
            errors.append(FieldError(
                "numero_max", _("plage de numéros inversée : %(min)d > %(max)d")
                % {"min": low, "max": high}, line=line, code="plage-invalide"))
            continue
        rules.append(PerimeterRule(voie, low, high, cote, cell(row, "code_postal").strip(),
                                   line))
    if errors:
        raise InvalidInput(_("Le fichier de périmètre contient des erreurs."),
                           code="perimetre-invalide", errors=errors)
    if not rules:
        raise InvalidInput(_("Le fichier de périmètre ne contient aucune voie."),
                           code="perimetre-vide")
    return Perimeter(rules)
