"""People who may not sit in the residents' college (circulaire du 2 février 2017).

Elected officials, State representatives and agents in charge of the politique de la
ville are kept on a list the project lead imports. An entry matches a listed person on
normalised surname (birth or usage), compatible given names and the same birth date:
the date is what keeps a namesake from being excluded by mistake.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from domain.errors import FieldError, InvalidInput
from domain.i18n import _
from domain.registre.entries import Entry
from domain.registre.mapping import header_key
from domain.registre.normalise import (
    cle_nom,
    cle_prenoms,
    parse_date,
    premier_prenom,
    prenoms_compatibles,
)

__all__ = ["Exclusion", "ExclusionList", "parse_exclusions"]


@dataclass(frozen=True)
class Exclusion:
    nom: str
    prenoms: str
    date_naissance: date
    motif: str = ""
    line: int | None = None
    nom_usage: str = ""

    @property
    def cles_noms(self) -> tuple[str, ...]:
        return tuple(k for k in dict.fromkeys((cle_nom(self.nom), cle_nom(self.nom_usage))) if k)

    @property
    def cle_prenoms(self) -> str:
        return cle_prenoms(self.prenoms)


class ExclusionList:
    """The exclusion list, indexed by (surname key, first given name, birth date)."""

    def __init__(self, exclusions: Iterable[Exclusion] = ()) -> None:
        self.exclusions: tuple[Exclusion, ...] = tuple(exclusions)
        self._index: dict[tuple[str, str, date], list[Exclusion]] = {}
        for x in self.exclusions:
            first = premier_prenom(x.cle_prenoms)
            for nom in x.cles_noms:
                self._index.setdefault((nom, first, x.date_naissance), []).append(x)

    def find(self, entry: Entry) -> Exclusion | None:
        """The listed person ``entry`` is, if any. No birth date, no match."""
        if entry.date_naissance is None or not self._index:
            return None
        first = entry.premier_prenom
        for nom in entry.cles_noms:
            for x in self._index.get((nom, first, entry.date_naissance), ()):
                if prenoms_compatibles(x.cle_prenoms, entry.cle_prenoms):
                    return x
        return None

    def find_person(self, nom: str, prenoms: str, born: date | None) -> Exclusion | None:
        """The listed person a council member may be: same surname key, same first given
        name, compatible given names, and the same birth date when the member's is known
        (without one, a match on names is reported for the lead to check)."""
        key_nom, key_prenoms = cle_nom(nom), cle_prenoms(prenoms)
        first = premier_prenom(key_prenoms)
        for x in self.exclusions:
            if key_nom not in x.cles_noms or premier_prenom(x.cle_prenoms) != first:
                continue
            if not prenoms_compatibles(x.cle_prenoms, key_prenoms):
                continue
            if born is None or born == x.date_naissance:
                return x
        return None

    def birth_dates(self) -> frozenset[date]:
        """Birth dates of the listed people: no entry born on another day can match."""
        return frozenset(x.date_naissance for x in self.exclusions)

    def __len__(self) -> int:
        return len(self.exclusions)


_COLUMNS: dict[str, tuple[str, ...]] = {
    "nom": ("nom", "nom de naissance", "nomdenaissance", "nom de famille"),
    "nom_usage": ("nom d'usage", "nomdusage", "nom usage"),
    "prenoms": ("prenom", "prénom", "prenoms", "prénoms"),
    "date_naissance": ("date_naissance", "date de naissance", "datenaissance", "né le",
                       "né(e) le"),
    "motif": ("motif", "raison", "fonction", "qualité", "mandat"),
}
_LOOKUP = {header_key(t): name for name, titles in _COLUMNS.items() for t in titles}


def parse_exclusions(
    header: Sequence[str], rows: Iterable[list[str]], first_line_number: int = 2
) -> ExclusionList:
    """Read an exclusion list (``nom;prenom;date_naissance;motif``).

    Taken whole or refused: a silently skipped line would let an official be drawn.
    """
    columns: dict[str, int] = {}
    for i, title in enumerate(header):
        name = _LOOKUP.get(header_key(title))
        if name is not None:
            columns.setdefault(name, i)
    missing = [n for n in ("nom", "prenoms", "date_naissance") if n not in columns]
    if missing:
        raise InvalidInput(
            _("Liste d'exclusion : colonnes absentes : %(colonnes)s (attendu : nom ; "
              "prenom ; date_naissance ; motif).") % {"colonnes": ", ".join(missing)},
            code="en-tete-non-reconnu", line=first_line_number - 1)

    def cell(row: list[str], name: str) -> str:
        i = columns.get(name, -1)
        return row[i].strip() if 0 <= i < len(row) else ""

    found: list[Exclusion] = []
    errors: list[FieldError] = []
    for line, row in enumerate(rows, start=first_line_number):
        if not "".join(row).strip():
            continue
        nom, prenoms = cell(row, "nom"), cell(row, "prenoms")
        if not nom:
            errors.append(FieldError("nom", _("nom manquant"), line=line,
                                     code="nom-manquant"))
        if not prenoms:
            errors.append(FieldError("prenoms", _("prénom manquant"), line=line,
                                     code="prenom-manquant"))
        try:
            naissance = parse_date(cell(row, "date_naissance"))
        except InvalidInput as exc:
            errors.append(FieldError("date_naissance", exc.detail, line=line, code=exc.code))
            continue
        if naissance is None:
            errors.append(FieldError(
                "date_naissance",
                _("date de naissance manquante (nécessaire pour ne pas exclure un homonyme)"),
                line=line, code="date-manquante"))
            continue
        if nom and prenoms:
            found.append(Exclusion(nom, prenoms, naissance, cell(row, "motif"), line,
                                   cell(row, "nom_usage")))
    if errors:
        raise InvalidInput(_("La liste d'exclusion contient des erreurs."),
                           code="exclusions-invalides", errors=errors)
    return ExclusionList(found)
