"""Who may be drawn: eligibility rules as named objects (DESIGN.md rule 3).

Each rule has a stable ``code`` (used by the API, the pages and the préfecture report)
and a French message. :func:`evaluate` applies *every* rule to every person and keeps
*all* the reasons a person is left out, so the summary can say "312 under 16, 41 outside
the perimeter" and a person excluded twice shows both reasons.

The reference date is an argument (no clock in the domain): a draw is re-checked later
with the date it was made on.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import compress, repeat
from operator import attrgetter
from typing import Protocol

from domain.i18n import _
from domain.registre.entries import Entry, paused_gc
from domain.registre.exclusions import ExclusionList
from domain.registre.normalise import (
    cle_nom,
    cle_prenoms,
    fast_frozen_constructor,
    format_date,
    premier_prenom,
)
from domain.registre.perimeter import Perimeter
from domain.rules import RuleResult

__all__ = [
    "BirthDateKnownRule",
    "EligibilityReport",
    "EligibilityRule",
    "EligibilitySettings",
    "InPerimeterRule",
    "IneligibleEntry",
    "MemberIdentity",
    "MinimumAgeRule",
    "NotExcludedRule",
    "NotMemberRule",
    "SexKnownRule",
    "age_at",
    "build_rules",
    "evaluate",
    "member_identity",
]

DEFAULT_MINIMUM_AGE = 16


def age_at(naissance: date, reference: date) -> int:
    """Age in whole years on ``reference``.

    Someone born on 29 February has their birthday on 1 March in other years (the
    month-day comparison), the later of the two readings: never eligible a day early.
    """
    before_birthday = (reference.month, reference.day) < (naissance.month, naissance.day)
    return reference.year - naissance.year - before_birthday


@dataclass(frozen=True)
class MemberIdentity:
    """How a sitting member is recognised in a register."""

    cle_nom: str
    cle_premier_prenom: str
    date_naissance: date


def member_identity(nom: str, prenoms: str, date_naissance: date) -> MemberIdentity:
    return MemberIdentity(cle_nom(nom), premier_prenom(cle_prenoms(prenoms)), date_naissance)


class EligibilityRule(Protocol):
    code: str
    message: str

    def is_broken(self, entry: Entry) -> bool: ...

    def check(self, entry: Entry) -> RuleResult: ...


class _Rule:
    """``is_broken`` is what the million-row loop calls; ``check`` is the ``Rule``
    protocol of ``domain.rules`` (one ``RuleResult`` per call, for pages and the API)."""

    code: str = ""
    message: str = ""

    def is_broken(self, entry: Entry) -> bool:
        raise NotImplementedError

    def details(self, entry: Entry) -> dict[str, object]:
        return {}

    def broken_flags(self, entries: Sequence[Entry]) -> list[bool]:
        """``is_broken`` of every entry, in order; rules override it with C-level loops
        (``evaluate`` runs it over up to a million entries)."""
        return list(map(self.is_broken, entries))

    def check(self, entry: Entry) -> RuleResult:
        broken = self.is_broken(entry)
        return RuleResult(
            code=self.code, ok=not broken, message=self.message,
            details=self.details(entry) if broken else {},
        )


class MinimumAgeRule(_Rule):
    code = "age-minimum"

    def __init__(self, minimum: int, reference_date: date) -> None:
        self.minimum = minimum
        self.reference_date = reference_date
        # Born on or before this day = old enough; one date comparison per person.
        self._latest_birth = _years_before(reference_date, minimum)
        self.message = _("moins de %(age)d ans au %(date)s") % {
            "age": minimum, "date": format_date(reference_date)}

    def is_broken(self, entry: Entry) -> bool:
        d = entry.date_naissance
        return d is not None and d > self._latest_birth

    def broken_flags(self, entries: Sequence[Entry]) -> list[bool]:
        latest = self._latest_birth
        return [d is not None and d > latest for d in map(_DATE_NAISSANCE, entries)]


def _years_before(reference: date, years: int) -> date:
    try:
        return reference.replace(year=reference.year - years)
    except ValueError:  # reference is 29 February: consistent with age_at()
        return date(reference.year - years, 2, 28)


class BirthDateKnownRule(_Rule):
    """Without a birth date the minimum age cannot be checked."""

    code = "date-naissance-inconnue"

    def __init__(self) -> None:
        self.message = _("date de naissance inconnue : l'âge minimum ne peut être vérifié")

    def is_broken(self, entry: Entry) -> bool:
        return entry.date_naissance is None

    def broken_flags(self, entries: Sequence[Entry]) -> list[bool]:
        return list(map(operator.is_, map(_DATE_NAISSANCE, entries), repeat(None)))


class InPerimeterRule(_Rule):
    code = "hors-perimetre"

    def __init__(self, perimeter: Perimeter) -> None:
        self.perimeter = perimeter
        self.message = _("adresse hors du périmètre du quartier")
        self._cache: dict[str, bool] = {}

    def is_broken(self, entry: Entry) -> bool:
        # Neighbours share an address: decide once per distinct address.
        a = entry.adresse
        inside = self._cache.get(a.cle)
        if inside is None:
            inside = self._cache[a.cle] = self.perimeter.contains(a)
        return not inside


class NotExcludedRule(_Rule):
    code = "liste-exclusion"

    def __init__(self, exclusions: ExclusionList) -> None:
        self.exclusions = exclusions
        self.message = _("inscrit sur la liste d'exclusion (élu, représentant de l'État "
                         "ou agent de la politique de la ville)")

    def is_broken(self, entry: Entry) -> bool:
        return self.exclusions.find(entry) is not None

    def details(self, entry: Entry) -> dict[str, object]:
        found = self.exclusions.find(entry)
        return {"motif": found.motif} if found is not None else {}

    def broken_flags(self, entries: Sequence[Entry]) -> list[bool]:
        # Only entries born on a listed birth date can match: a set test first.
        dates = self.exclusions.birth_dates()
        if not dates:
            return [False] * len(entries)
        find = self.exclusions.find
        return [d in dates and find(e) is not None
                for e, d in zip(entries, map(_DATE_NAISSANCE, entries), strict=True)]


class NotMemberRule(_Rule):
    code = "deja-membre"

    def __init__(self, members: Iterable[MemberIdentity]) -> None:
        self.members = frozenset(members)
        self.message = _("déjà membre du conseil citoyen")

    def is_broken(self, entry: Entry) -> bool:
        d = entry.date_naissance
        if not self.members or d is None:
            return False
        first = entry.premier_prenom
        return any(MemberIdentity(nom, first, d) in self.members for nom in entry.cles_noms)

    def broken_flags(self, entries: Sequence[Entry]) -> list[bool]:
        if not self.members:
            return [False] * len(entries)
        dates = {m.date_naissance for m in self.members}
        broken = self.is_broken
        return [d in dates and broken(e)
                for e, d in zip(entries, map(_DATE_NAISSANCE, entries), strict=True)]


class SexKnownRule(_Rule):
    code = "sexe-inconnu"

    def __init__(self) -> None:
        self.message = _("sexe inconnu : nécessaire pour respecter la parité")

    def is_broken(self, entry: Entry) -> bool:
        return entry.sexe is None

    def broken_flags(self, entries: Sequence[Entry]) -> list[bool]:
        return list(map(operator.is_, map(_SEXE, entries), repeat(None)))


@dataclass(frozen=True)
class EligibilitySettings:
    """The council's settings that decide who may be drawn."""

    perimeter: Perimeter
    exclusions: ExclusionList = field(default_factory=ExclusionList)
    members: frozenset[MemberIdentity] = frozenset()
    minimum_age: int = DEFAULT_MINIMUM_AGE
    # Landlords often omit birth dates. A council may accept such tenants (a tenant
    # is an adult); by default they are left out because the age cannot be checked.
    accept_unknown_birth_date: bool = False


def build_rules(settings: EligibilitySettings, reference_date: date) -> list[EligibilityRule]:
    """The council's rules, in the order reasons are listed."""
    rules: list[EligibilityRule] = [MinimumAgeRule(settings.minimum_age, reference_date)]
    if not settings.accept_unknown_birth_date:
        rules.append(BirthDateKnownRule())
    rules += [
        InPerimeterRule(settings.perimeter),
        NotExcludedRule(settings.exclusions),
        NotMemberRule(settings.members),
        SexKnownRule(),
    ]
    return rules


@dataclass(frozen=True)
class IneligibleEntry:
    entry: Entry
    codes: tuple[str, ...]  # every rule the entry breaks, in rule order


@dataclass(frozen=True)
class EligibilityReport:
    reference_date: date
    eligible: tuple[Entry, ...]
    ineligible: tuple[IneligibleEntry, ...]
    counts: dict[str, int]  # entries per reason (an entry counts under each of its reasons)
    messages: dict[str, str]  # code → French message, in rule order

    def summary(self) -> list[tuple[str, str, int]]:
        """(code, message, count) per rule, in rule order, zero counts included."""
        return [(code, msg, self.counts[code]) for code, msg in self.messages.items()]


def evaluate(
    entries: Sequence[Entry], settings: EligibilitySettings, reference_date: date
) -> EligibilityReport:
    """Apply every rule to every entry (normally the deduplicated pool)."""
    with paused_gc():  # a million reports built, no cycles: see entries.paused_gc
        return _evaluate(entries, settings, reference_date)


def _evaluate(
    entries: Sequence[Entry], settings: EligibilitySettings, reference_date: date
) -> EligibilityReport:
    rules = build_rules(settings, reference_date)
    codes = tuple(r.code for r in rules)
    # One list of flags per rule, then the rows of flags per entry: every loop over the
    # entries is a C loop; Python code runs per rule and per distinct combination.
    flags = [
        bulk(entries) if (bulk := getattr(r, "broken_flags", None)) is not None
        else list(map(r.is_broken, entries))
        for r in rules
    ]
    counts = {code: sum(f) for code, f in zip(codes, flags, strict=True)}
    # zip(*flags) is walked twice rather than kept: a million tuples of flags is memory
    # for nothing.
    broken_any = list(map(any, zip(*flags, strict=True))) if flags else [False] * len(entries)
    eligible = tuple(compress(entries, map(operator.not_, broken_any)))
    reasons = _Reasons(codes)
    ineligible = tuple(map(
        _new_ineligible,
        compress(entries, broken_any),
        map(reasons.__getitem__, compress(zip(*flags, strict=True), broken_any)),
    ))
    return EligibilityReport(
        reference_date, eligible, ineligible, counts, {r.code: r.message for r in rules},
    )


class _Reasons(dict[tuple[bool, ...], tuple[str, ...]]):
    """Row of flags → tuple of the codes it breaks, computed once per distinct row."""

    def __init__(self, codes: tuple[str, ...]) -> None:
        super().__init__()
        self.codes = codes

    def __missing__(self, row: tuple[bool, ...]) -> tuple[str, ...]:
        value = self[row] = tuple(compress(self.codes, row))
        return value


_new_ineligible = fast_frozen_constructor(IneligibleEntry)
_DATE_NAISSANCE = attrgetter("date_naissance")
_SEXE = attrgetter("sexe")
