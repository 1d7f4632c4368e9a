"""Composition of a conseil citoyen: who sits, in which college, and the rules that judge it.

Source of the rules: ``spec/conseil-citoyen.md`` ("Composition") and, for replacements,
``spec/draw-protocol.md`` §6. Standard library only; the reference date always comes in as
an argument (DESIGN.md rules 1 and 2).

Words used below:

* a member *sits* when they are an active titulaire (status ``actif``, seat ``titulaire``).
  Parity, the residents' share and the size are judged on sitting members only: the
  suppléants are a reserve, not part of the council's voting body.
* ``mandate_end`` is the **last day** of the mandate (inclusive); ``status_since`` is the
  first day of the new status, so a member who resigns "on" a date no longer sits that day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple, TypeAlias

from domain.errors import InvalidInput, InvalidState, RuleBroken
from domain.i18n import _, ngettext
from domain.rules import Rule, RuleResult, Severity

# --------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------


class College(StrEnum):
    HABITANTS = "habitants"
    ASSOCIATIONS_ACTEURS = "associations_acteurs"

    @property
    def label(self) -> str:
        # Built at call time, not import time, so a translation installed later applies.
        return {
            College.HABITANTS: _("Collège des habitants"),
            College.ASSOCIATIONS_ACTEURS: _("Collège des associations et acteurs locaux"),
        }[self]


class Origin(StrEnum):
    TIRE_AU_SORT_REGISTRE = "tire_au_sort_registre"
    TIRE_AU_SORT_VOLONTAIRES = "tire_au_sort_volontaires"
    VOLONTAIRE = "volontaire"
    REPRESENTANT_STRUCTURE = "representant_structure"

    @property
    def label(self) -> str:
        return {
            Origin.TIRE_AU_SORT_REGISTRE: _("Tiré au sort sur les listes (registre)"),
            Origin.TIRE_AU_SORT_VOLONTAIRES: _("Tiré au sort parmi les volontaires"),
            Origin.VOLONTAIRE: _("Volontaire"),
            Origin.REPRESENTANT_STRUCTURE: _("Représentant d'une structure"),
        }[self]

    def label_for(self, sexe: str) -> str:
        """The label agreed with the person's sex when it is known (« Tirée au sort »)."""
        if sexe != "F":
            return self.label
        return {
            Origin.TIRE_AU_SORT_REGISTRE: _("Tirée au sort sur les listes (registre)"),
            Origin.TIRE_AU_SORT_VOLONTAIRES: _("Tirée au sort parmi les volontaires"),
            Origin.VOLONTAIRE: _("Volontaire"),
            Origin.REPRESENTANT_STRUCTURE: _("Représentante d'une structure"),
        }[self]


class Seat(StrEnum):
    TITULAIRE = "titulaire"
    SUPPLEANT = "suppleant"

    @property
    def label(self) -> str:
        return {Seat.TITULAIRE: _("Titulaire"), Seat.SUPPLEANT: _("Suppléant")}[self]

    def label_for(self, sexe: str) -> str:
        """« Suppléante » for a woman, « Suppléant » otherwise."""
        if sexe == "F" and self is Seat.SUPPLEANT:
            return _("Suppléante")
        return self.label


class MemberStatus(StrEnum):
    ACTIF = "actif"
    DEMISSIONNAIRE = "demissionnaire"
    DEMENAGE = "demenage"
    FIN_ABSENCES = "fin_absences"
    DECEDE = "decede"
    MANDAT_TERMINE = "mandat_termine"

    @property
    def label(self) -> str:
        return {
            MemberStatus.ACTIF: _("Actif"),
            MemberStatus.DEMISSIONNAIRE: _("Démissionnaire"),
            MemberStatus.DEMENAGE: _("A quitté le quartier"),
            MemberStatus.FIN_ABSENCES: _("Mandat terminé pour absences répétées"),
            MemberStatus.DECEDE: _("Décédé"),
            MemberStatus.MANDAT_TERMINE: _("Mandat terminé"),
        }[self]


class Sex(StrEnum):
    F = "F"
    M = "M"

    @property
    def label(self) -> str:
        return {Sex.F: _("Femme"), Sex.M: _("Homme")}[self]


class Regime(StrEnum):
    """The council's draw regime (spec, composition rule 7)."""

    R2014 = "2014"  # loi Lamy as written until November 2024: residents drawn by lot
    R2024 = "2024"  # décret n° 2024-1036: the draw is optional, parity remains

    @property
    def label(self) -> str:
        return {
            Regime.R2014: _("Régime 2014 (tirage au sort obligatoire)"),
            Regime.R2024: _("Régime 2024 (décret n° 2024-1036)"),
        }[self]


# Origins that count as "drawn by lot" for the 2014 regime. Being drawn *among volunteers*
# does not: those people applied, and the 2014 framework only accepted volunteers as a
# complement to a draw on the lists (electoral list, landlords' files).
DRAWN_FROM_REGISTER = frozenset({Origin.TIRE_AU_SORT_REGISTRE})
VOLUNTEERS = frozenset({Origin.VOLONTAIRE, Origin.TIRE_AU_SORT_VOLONTAIRES})
# Origins drawn by lot (on the lists or among volunteers): a drawn resident may not also
# represent a structure (OnePersonOneCollege).
DRAWN = frozenset({Origin.TIRE_AU_SORT_REGISTRE, Origin.TIRE_AU_SORT_VOLONTAIRES})
# Which origins each college admits.
ORIGINS_BY_COLLEGE: dict[College, frozenset[Origin]] = {
    College.HABITANTS: frozenset(
        {Origin.TIRE_AU_SORT_REGISTRE, Origin.TIRE_AU_SORT_VOLONTAIRES, Origin.VOLONTAIRE}
    ),
    College.ASSOCIATIONS_ACTEURS: frozenset({Origin.REPRESENTANT_STRUCTURE}),
}


# --------------------------------------------------------------------------------------
# Settings and members
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CouncilSettings:
    """The council's settings that bear on its composition (defaults from the spec)."""

    # No default: which law applies is a decision the lead must make explicitly.
    regime: Regime
    min_size: int = 15
    max_size: int = 50
    residents_min_share: float = 0.5
    mandate_years: int = 3
    mandate_warning_days: int = 60
    volunteer_seats: int = 0  # titulaire seats of the residents' college open to volunteers

    def __post_init__(self) -> None:
        if not 0 < self.min_size <= self.max_size:
            raise InvalidInput(
                _("La taille recommandée doit vérifier 0 < minimum ≤ maximum."), field="min_size"
            )
        if not 0 < self.residents_min_share <= 1:
            raise InvalidInput(
                _("La part minimale d'habitants doit être comprise entre 0 et 1."),
                field="residents_min_share",
            )
        if self.mandate_years < 1:
            raise InvalidInput(
                _("La durée du mandat doit être d'au moins un an."), field="mandate_years"
            )
        if self.mandate_warning_days < 0:
            raise InvalidInput(
                _("Le délai d'alerte avant fin de mandat ne peut pas être négatif."),
                field="mandate_warning_days",
            )


def mandate_end_for(start: date, years: int) -> date:
    """Last day (inclusive) of a mandate of ``years`` years starting on ``start``.

    A mandate starting on 29 February ends on 28 February: the anniversary is taken as
    1 March, the day before is the last day.
    """
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:
        anniversary = date(start.year + years, 3, 1)
    return anniversary - timedelta(days=1)


@dataclass(frozen=True)
class Member:
    """One person's seat (or place in the reserve) in one council, for one mandate."""

    id: str
    college: College
    origin: Origin
    seat: Seat
    sex: Sex
    mandate_start: date
    mandate_end: date  # last day of the mandate, inclusive
    status: MemberStatus = MemberStatus.ACTIF
    status_since: date | None = None  # first day of ``status``; required unless actif
    stratum: str | None = None  # the draw's stratum (e.g. "F", "F/A2"), None if not drawn
    rank: int | None = None  # rank in the stratum's list, 1 = best

    def __post_init__(self) -> None:
        if self.mandate_end < self.mandate_start:
            raise InvalidInput(_("La fin du mandat précède son début."), field="mandate_end")
        if self.status is not MemberStatus.ACTIF and self.status_since is None:
            # Without the date a departure cannot be placed on the parity timeline.
            raise InvalidInput(
                _("La date du changement de statut est obligatoire."), field="status_since"
            )
        if self.rank is not None and self.rank < 1:
            raise InvalidInput(_("Le rang commence à 1."), field="rank")

    @property
    def is_active(self) -> bool:
        return self.status is MemberStatus.ACTIF

    @property
    def sits(self) -> bool:
        """Active titulaire, as recorded (dates are MandateExpiry's business)."""
        return self.is_active and self.seat is Seat.TITULAIRE

    def sits_on(self, day: date) -> bool:
        """Was this record an active titulaire on ``day``, judging by its dates?"""
        if self.seat is not Seat.TITULAIRE:
            return False
        if not self.mandate_start <= day <= self.mandate_end:
            return False
        return self.is_active or (self.status_since is not None and day < self.status_since)


@dataclass(frozen=True)
class Composition:
    """What the composition rules look at: the members and the reference date."""

    members: tuple[Member, ...]
    today: date

    @classmethod
    def of(cls, members: Iterable[Member], today: date) -> Composition:
        members = tuple(members)
        seen: set[str] = set()
        for m in members:
            if m.id in seen:
                # Two records for one person would count them twice in parity.
                raise InvalidInput(
                    _("Le membre {id} apparaît deux fois dans la composition.").format(id=m.id),
                    field="members",
                )
            seen.add(m.id)
        return cls(members, today)

    def sitting(self, college: College | None = None) -> list[Member]:
        return [m for m in self.members if m.sits and (college is None or m.college is college)]


# --------------------------------------------------------------------------------------
# Rules. ``code`` is a plain class attribute, not a dataclass field: the Rule protocol
# wants an attribute, and a frozen field would be read-only for the type checker.
# --------------------------------------------------------------------------------------


def _pct(share: Fraction) -> str:
    """French percentage with one decimal at most: 1/2 -> "50", 7/15 -> "46,7"."""
    tenths = round(share * 1000)
    whole, decimal = divmod(tenths, 10)
    return f"{whole},{decimal}" if decimal else str(whole)


@dataclass(frozen=True)
class ParityInResidentsCollege:
    """Women and men among sitting residents differ by at most one (spec rule 2)."""

    code = "parite-habitants"
    max_gap = 1  # fixed by the law, not a setting

    def check(self, subject: Composition) -> RuleResult:
        residents = subject.sitting(College.HABITANTS)
        women = sum(1 for m in residents if m.sex is Sex.F)
        men = len(residents) - women
        gap = abs(women - men)
        details = {"women": women, "men": men, "gap": gap, "max_gap": self.max_gap}
        if gap <= self.max_gap:
            return RuleResult(
                self.code,
                True,
                _(
                    "Parité respectée dans le collège des habitants : {f} femmes, {m} hommes."
                ).format(f=women, m=men),
                details=details,
            )
        return RuleResult(
            self.code,
            False,
            _(
                "Parité non respectée dans le collège des habitants : {f} femmes et {m} hommes "
                "parmi les titulaires (écart de {gap}, au plus {max} admis)."
            ).format(f=women, m=men, gap=gap, max=self.max_gap),
            details=details,
        )


@dataclass(frozen=True)
class ResidentsShare:
    """Residents hold at least ``min_share`` of the sitting members (spec rule 3)."""

    min_share: float = 0.5
    code = "part-habitants"

    def check(self, subject: Composition) -> RuleResult:
        sitting = subject.sitting()
        total = len(sitting)
        residents = sum(1 for m in sitting if m.college is College.HABITANTS)
        # Exact arithmetic: 7/14 must be exactly 50 %, not 0.49999… of a float.
        minimum = Fraction(repr(self.min_share))
        share = Fraction(residents, total) if total else Fraction(0)
        details = {"residents": residents, "total": total, "min_share": self.min_share}
        numbers = {"n": residents, "total": total, "pct": _pct(share), "min": _pct(minimum)}
        # An empty council breaks nothing here; SizeRecommended says it is too small.
        if total == 0 or share >= minimum:
            return RuleResult(
                self.code,
                True,
                _("Les habitants occupent {n} sièges de titulaires sur {total} ({pct} %).").format(
                    **numbers
                ),
                details=details,
            )
        return RuleResult(
            self.code,
            False,
            _(
                "Les habitants n'occupent que {n} sièges de titulaires sur {total} ({pct} %) ; "
                "il en faut au moins {min} %."
            ).format(**numbers),
            details=details,
        )


@dataclass(frozen=True)
class SizeRecommended:
    """15 to 50 sitting members recommended (circulaire 2017): a warning, never a block."""

    min_size: int = 15
    max_size: int = 50
    code = "taille-recommandee"

    def check(self, subject: Composition) -> RuleResult:
        n = len(subject.sitting())
        details = {"size": n, "min_size": self.min_size, "max_size": self.max_size}
        ok = self.min_size <= n <= self.max_size
        if ok:
            message = _("Le conseil compte {n} titulaires (recommandé : {lo} à {hi}).")
        elif n < self.min_size:
            message = _("Le conseil ne compte que {n} titulaires ; {lo} à {hi} sont recommandés.")
        else:
            message = _("Le conseil compte {n} titulaires ; {lo} à {hi} sont recommandés.")
        return RuleResult(
            self.code,
            ok,
            message.format(n=n, lo=self.min_size, hi=self.max_size),
            severity=Severity.WARNING,
            details=details,
        )


@dataclass(frozen=True)
class VolunteersOnlyRefusedUnder2014:
    """Under the 2014 regime a residents' college of volunteers only is refused.

    "Volunteers only" means no sitting resident was drawn on the lists (electoral list,
    landlords' files); people drawn among volunteers are still volunteers. Under the
    2024 regime the draw is optional and the rule always passes.
    """

    regime: Regime
    code = "volontaires-seuls-regime-2014"

    def check(self, subject: Composition) -> RuleResult:
        residents = subject.sitting(College.HABITANTS)
        drawn = sum(1 for m in residents if m.origin in DRAWN_FROM_REGISTER)
        details = {"regime": self.regime.value, "residents": len(residents), "drawn": drawn}
        if self.regime is not Regime.R2014:
            return RuleResult(
                self.code,
                True,
                _("Régime 2024 : le tirage au sort est facultatif."),
                details=details,
            )
        # An empty college is judged by the size and share rules, not this one.
        if not residents or drawn:
            return RuleResult(
                self.code,
                True,
                _("Régime 2014 : {d} habitants titulaires sur {n} ont été tirés au sort.").format(
                    d=drawn, n=len(residents)
                ),
                details=details,
            )
        return RuleResult(
            self.code,
            False,
            _(
                "Régime 2014 : le collège des habitants ne peut pas être composé uniquement de "
                "volontaires ; aucun des {n} habitants titulaires n'a été tiré au sort sur les "
                "listes."
            ).format(n=len(residents)),
            details=details,
        )


@dataclass(frozen=True)
class VolunteerSeats:
    """Volunteers seated as titulaires (appointed, or drawn among volunteers) fit in the
    seats the council reserved for them (setting « sièges réservés aux volontaires »).

    Under the 2014 regime residents are drawn by lot: more volunteers than reserved seats
    is refused (unless the lead overrides it with a reason). Under the 2024 regime
    volunteers may fill the college, so it is only a warning that the setting says
    otherwise.
    """

    seats: int
    regime: Regime
    code = "sieges-volontaires"

    def check(self, subject: Composition) -> RuleResult:
        volunteers = sum(1 for m in subject.sitting(College.HABITANTS) if m.origin in VOLUNTEERS)
        details = {"volunteers": volunteers, "seats": self.seats, "regime": self.regime.value}
        severity = Severity.BLOCKING if self.regime is Regime.R2014 else Severity.WARNING
        if volunteers <= self.seats:
            return RuleResult(
                self.code,
                True,
                ngettext(
                    "{n} volontaire titulaire pour {s} sièges réservés aux volontaires.",
                    "{n} volontaires titulaires pour {s} sièges réservés aux volontaires.",
                    volunteers,
                ).format(n=volunteers, s=self.seats),
                severity=severity,
                details=details,
            )
        if self.seats == 0:
            message = ngettext(
                "{n} volontaire siège comme titulaire alors qu'aucun siège n'est réservé aux "
                "volontaires (réglage du conseil).",
                "{n} volontaires siègent comme titulaires alors qu'aucun siège n'est réservé "
                "aux volontaires (réglage du conseil).",
                volunteers,
            ).format(n=volunteers)
        else:
            message = ngettext(
                "{n} volontaire siège comme titulaire pour {s} sièges réservés aux volontaires "
                "(réglage du conseil).",
                "{n} volontaires siègent comme titulaires pour {s} sièges réservés aux "
                "volontaires (réglage du conseil).",
                volunteers,
            ).format(n=volunteers, s=self.seats)
        return RuleResult(self.code, False, message, severity=severity, details=details)


@dataclass(frozen=True)
class MandateExpiry:
    """Warn ``warning_days`` ahead of a mandate's end; block when still active after it.

    Suppléants count too: an expired reserve cannot replace anyone.
    """

    warning_days: int = 60
    code = "echeance-mandats"

    def check(self, subject: Composition) -> RuleResult:
        today = subject.today
        active = [m for m in subject.members if m.is_active]
        expired = sorted(m.id for m in active if m.mandate_end < today)
        expiring = sorted(
            m.id for m in active if 0 <= (m.mandate_end - today).days <= self.warning_days
        )
        details = {"expired": expired, "expiring": expiring, "warning_days": self.warning_days}
        if expired:
            return RuleResult(
                self.code,
                False,
                _(
                    "{n} membres sont encore actifs alors que leur mandat est terminé ({ids}) ; "
                    "{k} autres mandats se terminent dans les {days} jours."
                ).format(
                    n=len(expired), ids=", ".join(expired), k=len(expiring), days=self.warning_days
                ),
                severity=Severity.BLOCKING,
                details=details,
            )
        if expiring:
            return RuleResult(
                self.code,
                False,
                _("{k} mandats se terminent dans les {days} jours ({ids}).").format(
                    k=len(expiring), days=self.warning_days, ids=", ".join(expiring)
                ),
                severity=Severity.WARNING,
                details=details,
            )
        return RuleResult(
            self.code,
            True,
            _("Aucun mandat ne se termine dans les {days} jours.").format(days=self.warning_days),
            severity=Severity.WARNING,
            details=details,
        )


Excluded: TypeAlias = Callable[[Member], bool] | AbstractSet[str]


@dataclass(frozen=True)
class ExcludedPerson:
    """No active member (titulaire or suppléant) is on the exclusion list (spec rule 5).

    ``excluded`` is a set of member ids, or a predicate when the match is made another
    way (the service matches the imported list's identities to members).
    """

    excluded: Excluded
    code = "personne-ineligible"

    def check(self, subject: Composition) -> RuleResult:
        rule = self.excluded
        hit: Callable[[Member], bool] = rule if callable(rule) else (lambda m: m.id in rule)
        found = sorted(m.id for m in subject.members if m.is_active and hit(m))
        details = {"members": found}
        if not found:
            return RuleResult(
                self.code,
                True,
                _("Aucun membre actif ne figure sur la liste des personnes inéligibles."),
                details=details,
            )
        return RuleResult(
            self.code,
            False,
            _(
                "{n} membres actifs figurent sur la liste des personnes inéligibles (élus, "
                "représentants de l'État, agents de la politique de la ville) : {ids}."
            ).format(n=len(found), ids=", ".join(found)),
            details=details,
        )


@dataclass(frozen=True)
class PersonSeat:
    """Who holds a record, as the one-person-one-college rule sees it: ``person_key`` is
    the normalised name (same person, same key), ``active`` the record's status."""

    id: int
    person_key: str
    origin: Origin
    active: bool = True


@dataclass(frozen=True)
class OnePersonOneCollege:
    """A representative of a structure may not also sit as a resident drawn by lot
    (exclusions of the spec): judged over the council, and refused on each change."""

    code = "representant-et-habitant"

    @staticmethod
    def _clash(a: Origin, b: Origin) -> bool:
        return (a is Origin.REPRESENTANT_STRUCTURE and b in DRAWN) or (
            a in DRAWN and b is Origin.REPRESENTANT_STRUCTURE
        )

    def clashes(self, seats: Iterable[PersonSeat]) -> list[str]:
        """Ids (as text, ascending) of the active records of people in both roles."""
        by_person: dict[str, list[PersonSeat]] = defaultdict(list)
        for s in seats:
            if s.active and s.person_key:
                by_person[s.person_key].append(s)
        out: set[int] = set()
        for group in by_person.values():
            reps = [s for s in group if s.origin is Origin.REPRESENTANT_STRUCTURE]
            drawn = [s for s in group if s.origin in DRAWN]
            if reps and drawn:
                out.update(s.id for s in reps + drawn)
        return [str(i) for i in sorted(out)]

    def check(self, seats: Iterable[PersonSeat]) -> RuleResult:
        clash = self.clashes(seats)
        if not clash:
            return RuleResult(
                self.code,
                True,
                _("Aucun représentant de structure ne siège aussi comme habitant tiré au sort."),
            )
        return RuleResult(
            self.code,
            False,
            _(
                "{n} personnes siègent à la fois comme représentant d'une structure et comme "
                "habitant tiré au "
                "sort (membres {ids})."
            ).format(n=len(clash), ids=", ".join(clash)),
            details={"members": clash},
        )

    def refuse(
        self, candidate: PersonSeat, others: Iterable[PersonSeat], prenom: str, nom: str
    ) -> None:
        """Raise ``RuleBroken`` when ``candidate`` (active) would hold both roles with one
        of ``others`` (the candidate's own record, same id, is skipped)."""
        if not candidate.active:
            return
        for other in others:
            if other.id == candidate.id or not other.active:
                continue
            if other.person_key != candidate.person_key:
                continue
            if not self._clash(candidate.origin, other.origin):
                continue
            raise RuleBroken(
                _(
                    "{p} {n} siège déjà au conseil comme {role} (membre n° {id}) : un habitant "
                    "tiré au sort ne peut pas "
                    "représenter aussi une association ou un acteur local."
                ).format(
                    p=prenom,
                    n=nom,
                    id=other.id,
                    role=_("habitant tiré au sort")
                    if other.origin in DRAWN
                    else _("représentant d'une structure"),
                ),
                code=self.code,
                field="origin",
                extra={"rule": self.code, "member": other.id},
            )


def composition_rules(
    settings: CouncilSettings, *, excluded: Excluded | None = None
) -> list[Rule[Composition]]:
    """The rules a composition is judged by, in the order they are reported."""
    rules: list[Rule[Composition]] = [
        ParityInResidentsCollege(),
        ResidentsShare(settings.residents_min_share),
        VolunteersOnlyRefusedUnder2014(settings.regime),
        VolunteerSeats(settings.volunteer_seats, settings.regime),
        SizeRecommended(settings.min_size, settings.max_size),
        MandateExpiry(settings.mandate_warning_days),
    ]
    if excluded is not None:
        rules.append(ExcludedPerson(excluded))
    return rules


def evaluate_composition(
    members: Iterable[Member],
    settings: CouncilSettings,
    today: date,
    *,
    excluded: Excluded | None = None,
) -> list[RuleResult]:
    """Every rule's result, passing ones included (the report shows both)."""
    subject = Composition.of(members, today)
    return [rule.check(subject) for rule in composition_rules(settings, excluded=excluded)]


# --------------------------------------------------------------------------------------
# Changes that may be overridden
# --------------------------------------------------------------------------------------

OVERRIDE_MIN_LENGTH = 10


def _guarded_rules(settings: CouncilSettings) -> list[Rule[Composition]]:
    # The two legal composition rules a lead may knowingly depart from for a while
    # (e.g. a resignation recorded before its replacement); the rest is reported by
    # evaluate_composition.
    return [ParityInResidentsCollege(), ResidentsShare(settings.residents_min_share)]


def check_change(
    before: Iterable[Member],
    after: Iterable[Member],
    settings: CouncilSettings,
    today: date,
    override_reason: str | None = None,
) -> list[str]:
    """Refuse a change that newly breaks parity or the residents' share, unless overridden.

    A rule already broken before the change does not block it (a change that does not
    fix everything must still be possible). With an override reason of at least
    ``OVERRIDE_MIN_LENGTH`` characters (spaces around it ignored), returns the codes of
    the rules knowingly broken, for the caller to write in the audit trail; returns
    ``[]`` when nothing is newly broken. Raises ``RuleBroken`` with the first rule's code.
    """
    old = Composition.of(before, today)
    new = Composition.of(after, today)
    return _overridable(_newly_broken(old, new, settings), [], override_reason)


def _newly_broken(old: Composition, new: Composition, settings: CouncilSettings) -> list[RuleResult]:
    broken: list[RuleResult] = []
    for rule in _guarded_rules(settings):
        was, now = rule.check(old), rule.check(new)
        if was.ok and now.blocks:
            broken.append(now)
    return broken


def _overridable(
    broken: list[RuleResult], extra: list[RuleResult], override_reason: str | None
) -> list[str]:
    """The one override decision: nothing broken passes; a reason of
    ``OVERRIDE_MIN_LENGTH`` characters returns the codes overridden; otherwise
    ``RuleBroken`` names the first group's rules (the newly broken ones, else ``extra``)
    and lists every code."""
    codes = [r.code for r in broken]
    codes += [r.code for r in extra if r.code not in codes]
    if not codes:
        return []
    reason = (override_reason or "").strip()
    if len(reason) >= OVERRIDE_MIN_LENGTH:
        return codes
    shown = broken or extra
    first = shown[0]
    detail = (
        " ".join(r.message for r in shown)
        + " "
        + _("Pour passer outre, indiquez un motif d'au moins {n} caractères.").format(
            n=OVERRIDE_MIN_LENGTH
        )
    )
    raise RuleBroken(
        detail,
        code=first.code,
        extra={
            "rule": first.code,
            "rules": codes,
            "override_min_length": OVERRIDE_MIN_LENGTH,
            **first.details,
        },
    )


@dataclass(frozen=True)
class ChangeGuard:
    """What a change to the composition may not do without an override reason: newly
    break parity or the residents' share (``check_change``), make either worse when
    already broken, leave — under the 2014 regime — a residents' college of volunteers
    only, or seat more volunteers than the seats reserved for them where that blocks.
    ``check`` returns the codes overridden, for the history and the audit trail."""

    settings: CouncilSettings

    def check(
        self,
        before: Iterable[Member],
        after: Iterable[Member],
        today: date,
        override_reason: str | None = None,
    ) -> list[str]:
        old, new = Composition.of(before, today), Composition.of(after, today)
        broken = _newly_broken(old, new, self.settings)
        return _overridable(broken, self._worsened(old, new), override_reason)

    def _worsened(self, old: Composition, new: Composition) -> list[RuleResult]:
        out: list[RuleResult] = []
        parity = ParityInResidentsCollege()
        was, now = parity.check(old), parity.check(new)
        if not was.ok and not now.ok and now.details["gap"] > was.details["gap"]:
            out.append(
                replace(now, message=now.message + " " + _("Ce changement aggrave l'écart."))
            )
        share = ResidentsShare(self.settings.residents_min_share)
        was, now = share.check(old), share.check(new)
        if not was.ok and not now.ok and _share(now) < _share(was):
            out.append(
                replace(
                    now, message=now.message + " " + _("Ce changement réduit encore leur part.")
                )
            )
        volunteers = VolunteersOnlyRefusedUnder2014(self.settings.regime)
        was, now = volunteers.check(old), volunteers.check(new)
        if was.ok and now.blocks:
            out.append(now)
        seats = VolunteerSeats(self.settings.volunteer_seats, self.settings.regime)
        was, now = seats.check(old), seats.check(new)
        if now.blocks and (was.ok or now.details["volunteers"] > was.details["volunteers"]):
            out.append(now)
        return out


def _share(result: RuleResult) -> Fraction:
    total = int(result.details["total"])
    return Fraction(int(result.details["residents"]), total) if total else Fraction(0)


# --------------------------------------------------------------------------------------
# Departures and replacements (draw-protocol.md §6)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vacancy:
    """A titulaire's seat left empty; the replacement inherits college, stratum and sex."""

    member_id: str
    college: College
    sex: Sex
    stratum: str | None
    opened_on: date
    mandate_end: date


@dataclass(frozen=True)
class Departure:
    member: Member  # the departed member's record, with its new status
    vacancy: Vacancy | None  # None when a suppléant leaves: no seat is freed


def depart(member: Member, status: MemberStatus, on: date) -> Departure:
    """Record that ``member`` leaves on ``on`` (first day no longer a member)."""
    if status is MemberStatus.ACTIF:
        raise InvalidInput(_("Un départ demande un statut autre qu'« actif »."), field="status")
    if not member.is_active:
        raise InvalidState(
            _("Le membre {id} n'est plus actif ({status}).").format(
                id=member.id, status=member.status.label
            )
        )
    if on < member.mandate_start:
        raise InvalidInput(_("La date de départ précède le début du mandat."), field="status_since")
    left = replace(member, status=status, status_since=on)
    vacancy = None
    if member.seat is Seat.TITULAIRE:
        vacancy = Vacancy(
            member.id, member.college, member.sex, member.stratum, on, member.mandate_end
        )
    return Departure(left, vacancy)


@dataclass(frozen=True)
class Replacement:
    candidate: Member | None
    reason: str

    @property
    def needs_new_round(self) -> bool:
        return self.candidate is None


def propose_replacement(vacancy: Vacancy, suppleants: Iterable[Member]) -> Replacement:
    """The best-ranked active suppléant of the vacancy's college and stratum.

    In the residents' college the sex must match too, so that a replacement never moves
    parity (strata normally carry the sex already). Suppléants without a rank, or whose
    mandate ended before the vacancy opened, are not proposed.
    """
    stratum = vacancy.stratum if vacancy.stratum is not None else _("sans strate")

    def eligible(m: Member) -> bool:
        return (
            m.seat is Seat.SUPPLEANT
            and m.is_active
            and m.id != vacancy.member_id
            and m.college is vacancy.college
            and m.stratum == vacancy.stratum
            and (vacancy.college is not College.HABITANTS or m.sex is vacancy.sex)
            and m.rank is not None
            and m.mandate_end >= vacancy.opened_on
        )

    # Ties on rank cannot happen in one draw; the id only keeps the answer deterministic.
    candidates = sorted((m for m in suppleants if eligible(m)), key=lambda m: (m.rank or 0, m.id))
    if not candidates:
        return Replacement(
            None,
            _(
                "Aucun suppléant actif ne reste dans la strate {s} du {college} : "
                "un nouveau tour est nécessaire."
            ).format(s=stratum, college=vacancy.college.label.lower()),
        )
    best = candidates[0]
    return Replacement(
        best,
        _(
            "Le suppléant {id}, rang {rank} de la strate {s}, est proposé pour remplacer {old}."
        ).format(id=best.id, rank=best.rank, s=stratum, old=vacancy.member_id),
    )


def promote(suppleant: Member, vacancy: Vacancy) -> Member:
    """The suppléant's new titulaire record, sitting from the day the vacancy opened.

    ``mandate_start`` becomes the day the seat is taken, so the parity timeline counts
    them from then; the record as suppléant stays in the history unchanged.
    """
    if suppleant.seat is not Seat.SUPPLEANT or not suppleant.is_active:
        raise InvalidState(_("Seul un suppléant actif peut prendre un siège de titulaire."))
    return replace(
        suppleant,
        seat=Seat.TITULAIRE,
        mandate_start=max(vacancy.opened_on, suppleant.mandate_start),
        status_since=None,
    )


# --------------------------------------------------------------------------------------
# Parity over time
# --------------------------------------------------------------------------------------


class ParityPoint(NamedTuple):
    """Sitting women and men of one college from ``day`` until the next point."""

    day: date
    college: College
    women: int
    men: int


def _tenures(records: Iterable[Member]) -> list[Member]:
    # Several versions of one tenure (same person, college, seat and start) may be
    # passed; the latest knowledge wins: a departure over "actif", then the later date.
    latest: dict[tuple[str, College, Seat, date], Member] = {}
    for m in records:
        key = (m.id, m.college, m.seat, m.mandate_start)
        seen = latest.get(key)
        if seen is None or _recency(m) >= _recency(seen):
            latest[key] = m
    return list(latest.values())


def _recency(m: Member) -> tuple[bool, date]:
    return (not m.is_active, m.status_since or date.min)


def parity_timeline(
    members_with_history: Iterable[Member], start: date, end: date
) -> list[ParityPoint]:
    """Women and men sitting in each college at ``start`` and at every change up to ``end``.

    Pass every record ever held: departed members with their status and ``status_since``,
    suppléants' titulaire records from ``promote``, renewed mandates as new records. One
    point per college at ``start``, then one for a college each day its counts change;
    counts hold until that college's next point (a step chart).
    """
    if end < start:
        raise InvalidInput(_("La fin de la période précède son début."), field="end")
    # Each tenure sits over [first, stop): +1 on its first day, -1 on its first day off.
    deltas: dict[date, dict[tuple[College, Sex], int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[tuple[College, Sex], int] = defaultdict(int)
    for m in _tenures(members_with_history):
        if m.seat is not Seat.TITULAIRE:
            continue
        stop = m.mandate_end + timedelta(days=1)
        if not m.is_active and m.status_since is not None:
            stop = min(stop, m.status_since)
        first = m.mandate_start
        if stop <= first or stop <= start or first > end:
            continue
        key = (m.college, m.sex)
        if first <= start:
            counts[key] += 1
        else:
            deltas[first][key] += 1
        if stop <= end:
            deltas[stop][key] -= 1

    points = [ParityPoint(start, c, counts[(c, Sex.F)], counts[(c, Sex.M)]) for c in College]
    for day in sorted(deltas):
        changed = {c for (c, _sex), d in deltas[day].items() if d}
        for key, d in deltas[day].items():
            counts[key] += d
        for c in College:  # enum order keeps the output stable
            if c in changed:
                points.append(ParityPoint(day, c, counts[(c, Sex.F)], counts[(c, Sex.M)]))
    return points


__all__ = [
    "DRAWN",
    "ORIGINS_BY_COLLEGE",
    "ChangeGuard",
    "College",
    "Composition",
    "CouncilSettings",
    "Departure",
    "ExcludedPerson",
    "MandateExpiry",
    "Member",
    "MemberStatus",
    "OnePersonOneCollege",
    "Origin",
    "ParityInResidentsCollege",
    "ParityPoint",
    "PersonSeat",
    "Regime",
    "Replacement",
    "ResidentsShare",
    "Seat",
    "Sex",
    "SizeRecommended",
    "Vacancy",
    "VolunteersOnlyRefusedUnder2014",
    "check_change",
    "composition_rules",
    "depart",
    "evaluate_composition",
    "mandate_end_for",
    "parity_timeline",
    "promote",
]
