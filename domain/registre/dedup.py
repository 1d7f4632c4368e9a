"""One person, counted once, whatever the number of registers that list them.

Matching, in order of strength:

1. **Names and birth date** — a surname key (birth *or* usage name on either side: a
   landlord's "Nom" may be either), compatible given names (one list starts with the
   other: "Isabelle" / "Isabelle Bernadette") and the same birth date. Merged when the
   address is the same door too; *same identity at different addresses* is left to a
   person (it may be a move, or a namesake born the same day).
2. **Names and address**, for rows without a birth date (landlords' files): merged when
   exactly one person of those names is known and they live at that door. When several
   people carry the names and one of them lives there, nobody can tell which one the
   row is: the pair goes to a person.
3. Rows without a birth date that match nobody dated are merged among themselves on
   names and address (the same tenant listed twice).

Same names at different addresses *without* a birth date is not flagged: the name alone
is no evidence, and in a large city it would flood the review list with namesakes.

A row is never merged on a guess: every uncertain case becomes an
:class:`AmbiguousPair`, and both rows stay in the pool until someone decides.

The work is bounded per block of look-alike rows. A person's rows are compared through
what they hold that differs (given-name lists, sexes, doors), not row by row, so 16,000
identical rows cost 16,000 comparisons, not 128 million. And a block of more than
:data:`MAX_BLOCK` *different* people sharing names and birth date (or names and door)
is compared with its first :data:`MAX_BLOCK` only: each further row is flagged against
those, which is already more than a person can review, instead of against every other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import compress
from typing import TypeVar

from domain.i18n import _
from domain.registre.entries import Entry, paused_gc
from domain.registre.normalise import Sexe, premier_prenom, prenoms_compatibles

__all__ = [
    "AMBIGUITE_ADRESSE_DIFFERENTE",
    "AMBIGUITE_PLUSIEURS_CANDIDATS",
    "AMBIGUITE_SEXE_DISCORDANT",
    "CRITERE_NOMS_ADRESSE",
    "CRITERE_NOMS_DATE",
    "AmbiguousPair",
    "DedupReport",
    "Merge",
    "deduplicate",
]

K = TypeVar("K", bound=Hashable)

# People (groups) one look-alike key is compared with, and the distinct doors kept per
# person: beyond that, a block is unreal data that a person must look at anyway.
MAX_BLOCK = 8

CRITERE_NOMS_DATE = "noms-date"
CRITERE_NOMS_ADRESSE = "noms-adresse"

AMBIGUITE_ADRESSE_DIFFERENTE = "adresse-differente"
AMBIGUITE_PLUSIEURS_CANDIDATS = "plusieurs-candidats"
AMBIGUITE_SEXE_DISCORDANT = "sexe-discordant"


@dataclass(frozen=True)
class Merge:
    """Rows found to be one person. ``kept`` stands for them in the pool."""

    kept: Entry
    entries: tuple[Entry, ...]  # every merged row as read, ``kept``'s own row first
    criteria: tuple[str, ...]


@dataclass(frozen=True)
class AmbiguousPair:
    """Two rows that may be one person; a person decides. Both stay in the pool."""

    a: Entry
    b: Entry
    code: str
    message: str


@dataclass(frozen=True)
class DedupReport:
    entries: tuple[Entry, ...]  # one per person, in the order of the input
    merges: tuple[Merge, ...]
    ambiguous: tuple[AmbiguousPair, ...]
    comparisons: int = 0  # row-against-person checks made: the work, for tests and benches

    @property
    def duplicates_merged(self) -> int:
        """Rows absorbed into another (rows read − people kept)."""
        return sum(len(m.entries) - 1 for m in self.merges)


def _sexes_agree(a: Sexe | None, b: Sexe | None) -> bool:
    return a is None or b is None or a is b


def _door_key(e: Entry) -> tuple[object, ...]:
    """What :meth:`Address.meme_porte` looks at: two addresses with the same key give
    the same answer against any third."""
    a = e.adresse
    return (a.cle_rue, a.numero, a.suffixe, a.voie_cle, not a.code_postal)


class _Groups:
    """Union of rows into people. A group's id is the index of its first row.

    Besides its rows, a group keeps what its rows hold that differs — given-name
    lists, sexes, doors — so a new row is checked against those few values, not against
    every row (identical rows would otherwise make the work quadratic)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = entries
        # Rows absorbed into an earlier row's group (row → group); the rest stand alone.
        self.absorbed: dict[int, int] = {}
        self.members: dict[int, list[int]] = {}
        self.criteria: dict[int, set[str]] = {}
        self.pairs: list[AmbiguousPair] = []
        self.prenoms: dict[int, dict[str, None]] = {}
        self.sexes: dict[int, set[Sexe | None]] = {}
        self.doors: dict[int, dict[tuple[object, ...], Entry]] = {}
        self.comparisons = 0

    def rows(self, g: int) -> list[int]:
        return self.members.get(g) or [g]

    def join(self, g: int, i: int, criterion: str) -> None:
        if g not in self.members:
            head = self.entries[g]
            self.members[g] = [g]
            self.prenoms[g] = {head.cle_prenoms: None}
            self.sexes[g] = {head.sexe}
            self.doors[g] = {_door_key(head): head}
        e = self.entries[i]
        self.members[g].append(i)
        self.criteria.setdefault(g, set()).add(criterion)
        self.absorbed[i] = g
        self.prenoms[g].setdefault(e.cle_prenoms, None)
        self.sexes[g].add(e.sexe)
        doors = self.doors[g]
        if len(doors) < MAX_BLOCK:
            doors.setdefault(_door_key(e), e)

    def names_agree(self, g: int, e: Entry) -> tuple[bool, bool]:
        """(given names compatible with every row of g, sexes agree with every row)."""
        if g not in self.members:
            self.comparisons += 1
            other = self.entries[g]
            return (prenoms_compatibles(other.cle_prenoms, e.cle_prenoms),
                    _sexes_agree(other.sexe, e.sexe))
        prenoms, sexes = self.prenoms[g], self.sexes[g]
        self.comparisons += len(prenoms) + len(sexes)
        names = all(prenoms_compatibles(p, e.cle_prenoms) for p in prenoms)
        sex = all(_sexes_agree(s, e.sexe) for s in sexes)
        return names, sex

    def same_door(self, g: int, e: Entry) -> bool:
        if g not in self.members:
            self.comparisons += 1
            return self.entries[g].adresse.meme_porte(e.adresse)
        doors = self.doors[g]
        self.comparisons += len(doors)
        return any(other.adresse.meme_porte(e.adresse) for other in doors.values())

    def flag(self, g: int, i: int, code: str, message: str) -> None:
        self.pairs.append(AmbiguousPair(self.entries[g], self.entries[i], code, message))


def deduplicate(entries: Sequence[Entry]) -> DedupReport:
    """Merge the rows of one or several registers into people.

    ``entries`` come in order of trust (the electoral list first): the first dated row
    of a person stands for them, completed with the sex or polling station another row
    knows.
    """
    with paused_gc():  # see entries.paused_gc: no cycles here, only overhead
        groups = _Groups(entries)
        # Buckets hold a bare group id while they have one (nearly always): an int costs
        # no extra object, unlike a one-item list per identity.
        by_identity: dict[tuple[str, str, date], int | list[int]] = {}
        undated: list[int] = []

        for i, e in enumerate(entries):
            d = e.date_naissance
            if d is None:
                undated.append(i)
                continue
            first = e.cle_prenoms.partition(" ")[0]
            a, b = e.cle_nom_naissance, e.cle_nom_usage
            noms = (a, b) if a and b and a != b else (a or b,)
            found: list[int] = []
            for nom in noms:
                hit = by_identity.get((nom, first, d))
                if hit is not None:
                    found.extend((hit,) if isinstance(hit, int) else hit)
            if not found:
                # Fast path (almost every row): nobody seen yet has this identity.
                for nom in noms:
                    by_identity[(nom, first, d)] = i
                continue
            target = _place_dated(groups, i, e, list(dict.fromkeys(found)))
            for nom in noms:
                _register(by_identity, (nom, first, d), target)

        if undated:
            # Only needed for rows without a birth date: built from the identities
            # already indexed rather than from a second pass over the rows, and only
            # for the (surname, first name) pairs those rows will look up.
            wanted: dict[str, set[str]] = {}
            for i in undated:
                e = entries[i]
                for nom in e.cles_noms:
                    wanted.setdefault(nom, set()).add(premier_prenom(e.cle_prenoms))
            by_name: dict[tuple[str, str], int | list[int]] = {}
            for (nom, first, _d), held in by_identity.items():
                firsts = wanted.get(nom)
                if firsts is None or first not in firsts:
                    continue
                for g in (held,) if isinstance(held, int) else held:
                    _register(by_name, (nom, first), g)
            leftovers = [i for i in undated if not _place_undated(groups, i, by_name)]
            _merge_undated(groups, leftovers)
        return _report(groups)


def _register(index: dict[K, int | list[int]], key: K, g: int) -> None:
    """Add person ``g`` under ``key``; a block already holding :data:`MAX_BLOCK`
    people keeps those (later rows are compared with them only)."""
    held = index.get(key)
    if held is None:
        index[key] = g
    elif isinstance(held, int):
        if held != g:
            index[key] = [held, g]
    elif len(held) < MAX_BLOCK and g not in held:
        held.append(g)


def _ids(held: int | list[int] | None) -> tuple[int, ...] | list[int]:
    if held is None:
        return ()
    return (held,) if isinstance(held, int) else held


def _place_dated(groups: _Groups, i: int, e: Entry, found: list[int]) -> int:
    """Merge or flag a dated row against people already seen; return its group."""
    candidates: list[int] = []
    sex_conflicts: list[int] = []
    for g in found:
        names, sex = groups.names_agree(g, e)
        if names:
            (candidates if sex else sex_conflicts).append(g)
    for g in sex_conflicts:
        groups.flag(g, i, AMBIGUITE_SEXE_DISCORDANT,
                    _("mêmes nom, prénom et date de naissance mais sexes différents"))
    if not candidates:
        return i
    same_door = [g for g in candidates if groups.same_door(g, e)]
    if len(candidates) == 1 and same_door:
        groups.join(candidates[0], i, CRITERE_NOMS_DATE)
        return candidates[0]
    for g in candidates:
        if len(candidates) > 1:
            groups.flag(g, i, AMBIGUITE_PLUSIEURS_CANDIDATS,
                        _("plusieurs personnes ont ces nom, prénom et date de naissance"))
        else:
            groups.flag(g, i, AMBIGUITE_ADRESSE_DIFFERENTE,
                        _("mêmes nom, prénom et date de naissance mais adresses différentes"))
    return i


def _place_undated(
    groups: _Groups, i: int, by_name: dict[tuple[str, str], int | list[int]]
) -> bool:
    """Merge or flag a row without birth date against dated people; True if merged."""
    e = groups.entries[i]
    first = premier_prenom(e.cle_prenoms)
    found: list[int] = []
    for nom in e.cles_noms:
        found.extend(_ids(by_name.get((nom, first))))
    if not found:
        return False
    candidates = [g for g in dict.fromkeys(found) if all(groups.names_agree(g, e))]
    same_door = [g for g in candidates if groups.same_door(g, e)]
    if not same_door:
        return False
    if len(candidates) == 1:
        groups.join(candidates[0], i, CRITERE_NOMS_ADRESSE)
        return True
    for g in candidates:
        groups.flag(g, i, AMBIGUITE_PLUSIEURS_CANDIDATS,
                    _("sans date de naissance : plusieurs personnes ont ces nom et prénom, "
                      "dont au moins une à cette adresse"))
    return False


def _merge_undated(groups: _Groups, leftovers: list[int]) -> None:
    """Rows without birth date matched among themselves on names and door."""
    index: dict[tuple[str, str, str, int | None, str], list[int]] = {}
    for i in leftovers:
        e = groups.entries[i]
        a = e.adresse
        keys = [(nom, premier_prenom(e.cle_prenoms), a.voie_cle, a.numero, a.suffixe)
                for nom in e.cles_noms]
        found: list[int] = []
        for k in keys:
            found.extend(index.get(k, ()))
        candidates = [g for g in dict.fromkeys(found)
                      if all(groups.names_agree(g, e)) and groups.same_door(g, e)]
        target = i
        if len(candidates) == 1:
            target = candidates[0]
            groups.join(target, i, CRITERE_NOMS_ADRESSE)
        else:
            for g in candidates:
                groups.flag(g, i, AMBIGUITE_PLUSIEURS_CANDIDATS,
                            _("sans date de naissance : plusieurs personnes ont ces nom et "
                              "prénom à cette adresse"))
        for k in keys:
            bucket = index.setdefault(k, [])
            if len(bucket) < MAX_BLOCK and target not in bucket:
                bucket.append(target)


def _report(groups: _Groups) -> DedupReport:
    entries = groups.entries
    kept: dict[int, Entry] = {}
    merges: list[Merge] = []
    for g, rows in sorted(groups.members.items()):
        rows_entries = [entries[j] for j in rows]
        head = rows_entries[0]
        sexe = next((r.sexe for r in rows_entries if r.sexe is not None), None)
        bureau = next((r.bureau_vote for r in rows_entries if r.bureau_vote), "")
        if sexe is not head.sexe or bureau != head.bureau_vote:
            head = dataclasses.replace(head, sexe=sexe, bureau_vote=bureau)
        kept[g] = head
        merges.append(Merge(head, tuple(rows_entries), tuple(sorted(groups.criteria[g]))))
    absorbed = groups.absorbed
    if absorbed or kept:
        # Index writes for the few merged people, then one C-level filter.
        everyone = list(entries)
        for g, head in kept.items():
            everyone[g] = head
        keep = [True] * len(everyone)
        for i in absorbed:
            keep[i] = False
        people = tuple(compress(everyone, keep))
    else:
        people = tuple(entries)
    return DedupReport(people, tuple(merges), tuple(groups.pairs), groups.comparisons)
