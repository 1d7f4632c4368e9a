"""Register rows turned into entries, or into rejections that say why.

One :class:`Entry` per person per source file. Rows that cannot be used are not dropped
silently: each becomes a :class:`Rejection` naming the line, the field(s) and the reason
in French, so the project lead can correct the file and import it again.
"""

from __future__ import annotations

import gc
import operator
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import islice, repeat
from operator import itemgetter
from typing import Any

from domain.errors import FieldError, InvalidInput
from domain.i18n import _
from domain.registre import mapping as m
from domain.registre.mapping import Mapping
from domain.registre.normalise import (
    Address,
    Sexe,
    cle_nom,
    cle_prenoms,
    fast_frozen_constructor,
    parse_address,
    parse_civilite,
    parse_date,
    parse_sexe,
    premier_prenom,
)

__all__ = ["Entry", "Rejection", "parse_numbered_rows", "parse_rows", "paused_gc"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One person as one source lists them.

    Names are kept as written (letters use them) next to their matching keys. A
    landlord's plain "Nom" is stored as ``nom_usage``: it is the name the tenant goes by,
    and deduplication compares it with both the birth and the usage name of other
    sources anyway. ``slots`` because an import holds up to a million of these.
    """

    source: str
    line: int
    nom_naissance: str
    nom_usage: str
    prenoms: str
    sexe: Sexe | None
    date_naissance: date | None
    adresse: Address
    bureau_vote: str
    cle_nom_naissance: str
    cle_nom_usage: str
    cle_prenoms: str
    # The source's own identifier of the person's household (a landlord's lease
    # reference), as written; "" when the file has none (domain/registre/households.py).
    foyer_source: str = ""

    @classmethod
    def build(
        cls,
        *,
        source: str,
        line: int,
        nom_naissance: str = "",
        nom_usage: str = "",
        prenoms: str,
        sexe: Sexe | None,
        date_naissance: date | None,
        adresse: Address,
        bureau_vote: str = "",
        foyer_source: str = "",
    ) -> Entry:
        """An entry from already parsed values, its keys computed here."""
        return cls(
            source, line, nom_naissance, nom_usage, prenoms, sexe, date_naissance,
            adresse, bureau_vote,
            cle_nom(nom_naissance), cle_nom(nom_usage), cle_prenoms(prenoms), foyer_source,
        )

    @property
    def reference(self) -> str:
        """Stable reference to the row it came from: ``"<source>:<line>"``."""
        return f"{self.source}:{self.line}"

    @property
    def nom(self) -> str:
        """The name a letter is addressed to: usage name if any, else birth name."""
        return self.nom_usage or self.nom_naissance

    @property
    def cles_noms(self) -> tuple[str, ...]:
        """Matching keys of every surname this person is known by (1 or 2)."""
        a, b = self.cle_nom_naissance, self.cle_nom_usage
        if a and b and a != b:
            return (a, b)
        return (a or b,)

    @property
    def premier_prenom(self) -> str:
        return premier_prenom(self.cle_prenoms)


@dataclass(frozen=True)
class Rejection:
    """A row that was not imported, with every reason found on it."""

    source: str
    line: int
    errors: tuple[FieldError, ...]
    values: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(e.field for e in self.errors)

    @property
    def message(self) -> str:
        return " ; ".join(e.message for e in self.errors)


def parse_rows(
    rows: Iterable[list[str]],
    mapping: Mapping,
    source_label: str,
    first_line_number: int = 2,
) -> tuple[list[Entry], list[Rejection]]:
    """Parse consecutive rows; the first one is line ``first_line_number`` of the file."""
    return parse_numbered_rows(
        enumerate(rows, start=first_line_number), mapping, source_label
    )


_new_entry = fast_frozen_constructor(Entry)

# Marks a value not parsed yet in a memo whose values may legitimately be None.
_UNSEEN: Any = object()


def _error(exc: InvalidInput, default_field: str, line: int) -> FieldError:
    return FieldError(exc.field or default_field, exc.detail, line=line, code=exc.code)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk build, then restore it.

    Building a million entries allocates millions of container objects; every few
    hundred allocations the collector walks the young ones and, as the heap grows, the
    whole heap, looking for reference cycles the code here never creates. That search
    is pure overhead (about a third of the import time); reference counting still frees
    everything as usual while the collector is paused.

    Pausing is not enough on its own: the collector counts the allocations made while it
    was off, so its first run after ``gc.enable()`` would walk every object just built
    (~1 s for a million entries), then walk them again in the middle generation. Freezing
    then unfreezing at once moves them straight to the oldest generation, whose full
    walks are rare (only when it has grown by a quarter); no object is dropped, cycles
    among them are still collected then. Skipped when something else froze objects on
    purpose (a pre-forking server): unfreezing would undo its work.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


_ADDRESS_FIELDS = (m.ADRESSE1, m.ADRESSE2, m.NUMERO, m.VOIE, m.COMPLEMENT, m.RESIDENCE,
                   m.BATIMENT, m.LOGEMENT, m.CODE_POSTAL, m.COMMUNE)
# Positions (in _ADDRESS_FIELDS) of a file with two free lines, postcode and commune.
_FREE_LINES = [0, 1, 8, 9]


def parse_numbered_rows(
    numbered_rows: Iterable[tuple[int, list[str]]],
    mapping: Mapping,
    source_label: str,
) -> tuple[list[Entry], list[Rejection]]:
    """Parse ``(line, cells)`` pairs (as a file reader yields them).

    Blank rows are skipped. A row with the wrong number of cells is rejected (cells
    shifted by a stray delimiter would put a street in the postcode), except extra
    *empty* cells at the end, which spreadsheets and some exports add.
    """
    rejections: list[Rejection] = []
    with paused_gc():
        entries = _joined(_parse(numbered_rows, mapping, source_label, rejections))
    return entries, rejections


def _joined(parts: Iterator[list[Entry]]) -> list[Entry]:
    entries: list[Entry] = []
    for part in parts:
        entries.extend(part)
    return entries


class _Memo(dict[Any, Any]):
    """A per-import memo that computes a missing value itself.

    ``map(memo.__getitem__, column)`` then runs in C for every value already seen and
    calls back into Python only for new ones. A value that cannot be parsed is not
    stored: ``failed`` is set and ``_BAD`` returned, and the chunk it came from is parsed
    again row by row so that its rejection names every fault of the row.
    """

    __slots__ = ("compute", "failed")

    def __init__(self, compute: Any, initial: dict[Any, Any] | None = None) -> None:
        super().__init__(initial or {})
        self.compute = compute
        self.failed = False

    def __missing__(self, key: Any) -> Any:
        try:
            value = self[key] = self.compute(key)
        except (InvalidInput, _AmbiguousKey):
            self.failed = True
            return _BAD
        return value


# What a memo gives for a value that does not parse (never a legitimate value).
_BAD: Any = object()

# Joins the address cells of a row into one memo key (ASCII "unit separator").
_SEP = "\x1f"


class _AmbiguousKey(Exception):
    """An address key whose cells hold the separator: parsed row by row instead."""

# Rows are parsed column by column in chunks of this many: big enough that the C loops
# dominate, small enough that a chunk holding a faulty row costs little to redo slowly
# and that a chunk's cells are still in the CPU cache when they are parsed (measured:
# 1024 rows beat 4096 by ~0.3 s on 1M rows).
_CHUNK_ROWS = 1024


class _RowParser:
    """One import's parse: the mapping's column positions, the per-import memos, and the
    two paths (``quickly`` column by column for clean chunks, ``slowly`` row by row for
    the rest), filling ``entries`` and ``rejections``.

    While a row is parsed it carries one extra empty cell at its end, and a field the
    file lacks reads position -1: the hot loop needs no "has this column?" test. The cell
    is appended then popped (not copied) to spare one list per row.
    """

    def __init__(self, mapping: Mapping, source_label: str, rejections: list[Rejection]
                 ) -> None:
        self.source_label = source_label
        self.rejections = rejections
        self.entries: list[Entry] = []
        self.width = mapping.width
        ix = mapping.index
        self.i_nn, self.i_nu, self.i_nom = ix(m.NOM_NAISSANCE), ix(m.NOM_USAGE), ix(m.NOM)
        self.i_pr, self.i_sexe, self.i_civ = ix(m.PRENOMS), ix(m.SEXE), ix(m.CIVILITE)
        self.i_date, self.i_bv, self.i_foyer = (
            ix(m.DATE_NAISSANCE), ix(m.BUREAU_VOTE), ix(m.FOYER))
        # The sex memo's key of a row: the one cell a file usually has ("F", "Mme"), or
        # both cells when it has both.
        self.sexe_key = (itemgetter(self.i_sexe) if self.i_civ < 0
                         else itemgetter(self.i_civ) if self.i_sexe < 0
                         else itemgetter(self.i_sexe, self.i_civ))
        self.name_field = (m.NOM_NAISSANCE if self.i_nn >= 0
                           else m.NOM if self.i_nom >= 0 else m.NOM_USAGE)
        # The address memo is keyed on the address cells the file has, joined by a
        # separator no register holds (one string hashes and compares several times
        # faster than a tuple of fresh cells); ``address_args`` rebuilds the full call. A
        # key that holds the separator more often than it joins cells is ambiguous: such
        # a row is built without the memo.
        present = [(pos, ix(f)) for pos, f in enumerate(_ADDRESS_FIELDS) if ix(f) >= 0]
        self.positions = [pos for pos, _col in present]
        self.address_columns = [col for _pos, col in present]
        self.address_key = itemgetter(*self.address_columns, -1)
        self.separators = len(self.address_columns) - 1
        self.build_address = parse_address.__wrapped__
        # Per-import memos: unbounded for this call and freed with it. A register repeats
        # surnames, given names, dates, sexes and addresses; each distinct value is
        # parsed once, and every row holding it shares the same key object.
        self.noms = _Memo(cle_nom.__wrapped__, {"": ""})
        self.prenoms_keys = _Memo(cle_prenoms.__wrapped__)
        self.dates = _Memo(parse_date, {"": None})
        self.sexes = _Memo(self.sexe_of)
        self.addresses = _Memo(self.address_of)
        self.memos = (self.noms, self.prenoms_keys, self.dates, self.sexes, self.addresses)

    # ------------------------------------------------------------ memo computations

    def address_args(self, key: Sequence[str]) -> list[str]:
        args = [""] * len(_ADDRESS_FIELDS)
        for pos, value in zip(self.positions, key, strict=False):
            args[pos] = value
        return args

    def address_of(self, key: str) -> Address:
        cells = key.split(_SEP)
        if len(cells) != self.separators + 1:
            raise _AmbiguousKey
        if self.positions == _FREE_LINES:  # the electoral extract: no argument list to fill
            return self.build_address(cells[0], cells[1], "", "", "", "", "", "", cells[2],
                                      cells[3])
        return self.build_address(*self.address_args(cells))

    def sexe_of(self, cells: str | tuple[str, str]) -> Sexe | None:
        if isinstance(cells, tuple):
            return parse_sexe(cells[0]) or parse_civilite(cells[1])
        return parse_sexe(cells) if self.i_sexe >= 0 else parse_civilite(cells)

    # -------------------------------------------------------------- column by column

    def quickly(self, chunk: list[tuple[int, list[str]]]) -> bool:
        """Column by column, for a chunk of well-formed rows; False (nothing added) when
        some row needs ``slowly``: wrong width, blank or missing name, a fault."""
        lines, rows = zip(*chunk, strict=True)
        if set(map(len, rows)) != {self.width} or not self.address_columns:
            return False
        n = len(rows)
        columns = list(zip(*rows, strict=True))
        columns.append(("",) * n)  # position -1: a field the file lacks
        names = self._name_columns(columns)
        if names is None:
            return False
        naissance_noms, usage_noms, prenoms = names
        sexes, dates, addresses = self.sexes, self.dates, self.addresses
        sexe_values = list(map(sexes.__getitem__, self._sexe_cells(columns)))
        date_values = list(map(dates.__getitem__, columns[self.i_date]))
        address_values = list(map(addresses.__getitem__, map(
            _SEP.join, zip(*[columns[c] for c in self.address_columns], strict=True))))
        if any(memo.failed for memo in self.memos):
            for memo in self.memos:
                memo.failed = False
            return False
        strip, noms = str.strip, self.noms
        self.entries.extend(map(
            _new_entry, repeat(self.source_label, n), lines, naissance_noms, usage_noms,
            prenoms, sexe_values, date_values, address_values, map(strip, columns[self.i_bv]),
            map(noms.__getitem__, naissance_noms), map(noms.__getitem__, usage_noms),
            map(self.prenoms_keys.__getitem__, prenoms), map(strip, columns[self.i_foyer]),
        ))
        return True

    def _name_columns(self, columns: list[tuple[str, ...]]
                      ) -> tuple[list[str], list[str], list[str]] | None:
        """(birth names, usage names, given names) of a chunk, stripped; None when a row
        lacks a given name or both surnames."""
        strip, i_nu, i_nom = str.strip, self.i_nu, self.i_nom
        naissance_noms = list(map(strip, columns[self.i_nn]))
        if i_nu >= 0 and i_nom >= 0:
            usage_noms = [a or b for a, b in zip(
                map(strip, columns[i_nu]), map(strip, columns[i_nom]), strict=True)]
        else:
            usage_noms = list(map(strip, columns[i_nu if i_nu >= 0 else i_nom]))
        prenoms = list(map(strip, columns[self.i_pr]))
        if "" in prenoms or (
            "" in naissance_noms
            and not all(map(operator.or_, map(bool, naissance_noms), map(bool, usage_noms)))
        ):
            return None
        return naissance_noms, usage_noms, prenoms

    def _sexe_cells(self, columns: list[tuple[str, ...]]) -> Iterable[Any]:
        """The sex memo's keys of a chunk: the one cell a file usually has ("F",
        "Mme"), or both cells when it has both."""
        if self.i_sexe >= 0 and self.i_civ >= 0:
            return zip(columns[self.i_sexe], columns[self.i_civ], strict=True)
        return columns[self.i_sexe if self.i_sexe >= 0 else self.i_civ]

    # ------------------------------------------------------------------ row by row

    def slowly(self, numbered: Iterable[tuple[int, list[str]]]) -> None:
        """Row by row: every case (blank rows, stray cells, faults) handled and named."""
        width, fitted, parse_row = self.width, self._fitted, self._row
        for line, cells in numbered:
            row = cells if len(cells) == width else fitted(line, cells)
            if row is None:
                continue
            row.append("")
            try:
                parse_row(line, row)
            finally:
                row.pop()

    def _fitted(self, line: int, cells: list[str]) -> list[str] | None:
        """The row's cells at the mapping's width (extra empty cells dropped); None for a
        blank row or a row rejected for its number of cells."""
        width = self.width
        if len(cells) == width:
            return cells
        if len(cells) > width and not "".join(cells[width:]).strip():
            return cells[:width]
        if "".join(cells).strip():
            self.rejections.append(Rejection(self.source_label, line, (FieldError(
                "ligne",
                _("nombre de colonnes incorrect : %(trouve)d au lieu de %(attendu)d")
                % {"trouve": len(cells), "attendu": width},
                line=line, code="nombre-colonnes"),), tuple(cells)))
        return None

    def _row(self, line: int, row: list[str]) -> None:
        """One row carrying its extra cell: an entry, a rejection, or nothing (blank)."""
        errors: list[FieldError] = []
        nom_naissance = row[self.i_nn].strip()
        nom_usage = row[self.i_nu].strip() or row[self.i_nom].strip()
        prenoms = row[self.i_pr].strip()
        if not nom_naissance and not nom_usage:
            if not "".join(row).strip():
                return
            errors.append(FieldError(self.name_field, _("nom manquant"), line=line,
                                     code="nom-manquant"))
        if not prenoms:
            errors.append(FieldError(m.PRENOMS, _("prénom manquant"), line=line,
                                     code="prenom-manquant"))
        # Memo hits inline, misses (a value not seen yet, or a fault) in the helpers.
        sexe_cells = self.sexe_key(row)
        sexe = self.sexes.get(sexe_cells, _UNSEEN)
        if sexe is _UNSEEN:
            sexe = self._row_sexe(line, row, sexe_cells, errors)
        naissance = self.dates.get(row[self.i_date], _UNSEEN)
        if naissance is _UNSEEN:
            naissance = self._row_date(line, row, errors)
        adresse = self._row_address(line, row, errors)
        if errors or adresse is None:
            self.rejections.append(
                Rejection(self.source_label, line, tuple(errors), tuple(row[:-1])))
            return
        noms, prenoms_keys = self.noms, self.prenoms_keys
        k_naissance = noms.get(nom_naissance)
        if k_naissance is None:
            k_naissance = noms[nom_naissance] = noms.compute(nom_naissance)
        k_usage = noms.get(nom_usage) if nom_usage else ""
        if k_usage is None:
            k_usage = noms[nom_usage] = noms.compute(nom_usage)
        k_prenoms = prenoms_keys.get(prenoms)
        if k_prenoms is None:
            k_prenoms = prenoms_keys[prenoms] = prenoms_keys.compute(prenoms)
        self.entries.append(_new_entry(
            self.source_label, line, nom_naissance, nom_usage, prenoms, sexe, naissance,
            adresse, row[self.i_bv].strip(), k_naissance, k_usage, k_prenoms,
            row[self.i_foyer].strip(),
        ))

    def _row_sexe(self, line: int, row: list[str], cells: str | tuple[str, str],
                  errors: list[FieldError]) -> Sexe | None:
        try:
            sexe = parse_sexe(row[self.i_sexe]) or parse_civilite(row[self.i_civ])
        except InvalidInput as exc:
            errors.append(_error(exc, m.SEXE, line))
            return None
        self.sexes[cells] = sexe
        return sexe

    def _row_date(self, line: int, row: list[str], errors: list[FieldError]) -> date | None:
        raw = row[self.i_date]
        try:
            naissance = self.dates[raw] = parse_date(raw)
        except InvalidInput as exc:
            errors.append(_error(exc, m.DATE_NAISSANCE, line))
            return None
        return naissance

    def _row_address(self, line: int, row: list[str], errors: list[FieldError]
                     ) -> Address | None:
        cells = self.address_key(row)
        joined = _SEP.join(cells[:-1])
        memoised = joined.count(_SEP) == self.separators
        adresse: Address | None = self.addresses.get(joined) if memoised else None
        if adresse is None:
            try:
                adresse = self.build_address(*self.address_args(cells))
                if memoised:
                    self.addresses[joined] = adresse
            except InvalidInput as exc:
                errors.append(_error(exc, m.ADRESSE1, line))
        return adresse


def _parse(
    numbered_rows: Iterable[tuple[int, list[str]]],
    mapping: Mapping,
    source_label: str,
    rejections: list[Rejection],
) -> Iterator[list[Entry]]:
    parser = _RowParser(mapping, source_label, rejections)
    iterator = iter(numbered_rows)
    while chunk := list(islice(iterator, _CHUNK_ROWS)):
        if not parser.quickly(chunk):
            parser.slowly(chunk)
        if parser.entries:
            yield parser.entries
            parser.entries = []
