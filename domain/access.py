"""Who may do what, where: roles and scopes as pure policy (no I/O, standard library only).

A user holds one or more role assignments; each assignment grants its role's actions on
the resources it *covers*. Each assignment sets exactly one scope field (none for the
administrator) and covers a resource when that field equals the resource's: a lead's
territory, a secretary's or member's council, an auditor's département or territory.
Several assignments add up (an auditor over a département and two more territories).
Anything not granted is refused, including a resource whose scope is unknown (fail closed).

Matrix (✓ = allowed on covered resources, · = never)::

    action             administrateur  chef_de_projet  secretaire  membre   auditeur
                       (everything)    (territory)     (council)   (council) (dépt / territories)
    read_territory          ✓               ✓              ·          ·         ✓
    manage_territory        ✓               ✓              ·          ·         ·
    create_territory        ✓               ·              ·          ·         ·
    read_council            ✓               ✓              ✓          ✓         ✓
    manage_council          ✓               ✓              ·          ·         ·
    read_register           ✓               ✓              ·          ·         ·   personal data
    manage_register         ✓               ✓              ·          ·         ·   imports, purge
    run_draw                ✓               ✓              ·          ·         ·
    read_draw_public        anyone: the draw is public (spec: draws are public)
    read_draw_audit         ✓               ✓              ·          ·         ✓
    manage_meetings         ✓               ✓              ✓          ·         ·
    read_meetings           ✓               ✓              ✓          ✓         ✓
    manage_applications     ✓               ✓              ·          ·         ·   applicants' data
    read_composition        ✓               ✓              ✓          ✓         ✓
    manage_composition      ✓               ✓              ·          ·         ·
    read_audit_trail        ✓               ✓              ·          ·         ✓
    manage_users            ✓               ·              ·          ·         ·
    manage_trainings        ✓               ✓              ·          ·         ·   schedule, enrolments, attendance
    read_trainings          ✓               ✓              ✓          ✓         ✓   the schedule (no names)
    enrol_training          ✓               ✓              ✓          ✓         ·   one's own enrolments
    read_indicators         ✓               ✓              ✓          ·         ✓   contrat de ville figures

Two lines are structural and tested as such: the auditor (délégué du préfet) holds read
actions only and never ``read_register`` (he re-checks draws from the pseudonymous pool,
never the register); members never see the register either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.errors import Forbidden, InvalidInput
from domain.genre import lead_title
from domain.i18n import _


class Role(StrEnum):
    ADMINISTRATEUR = "administrateur"
    CHEF_DE_PROJET = "chef_de_projet"
    SECRETAIRE = "secretaire"
    MEMBRE = "membre"
    AUDITEUR = "auditeur"

    @property
    def label(self) -> str:
        return {
            Role.ADMINISTRATEUR: _("Administrateur"),
            Role.CHEF_DE_PROJET: _("Chef de projet politique de la ville"),
            Role.SECRETAIRE: _("Secrétaire du conseil"),
            Role.MEMBRE: _("Membre du conseil"),
            Role.AUDITEUR: _("Délégué du préfet (auditeur)"),
        }[self]

    def label_for(self, genre: str | None) -> str:
        """The role of a person, agreed with the gender their account says (« F »/« M »):
        « Cheffe de projet politique de la ville », « Administratrice »…; the lead's title
        takes the neutral double form when nothing is said."""
        if self is Role.CHEF_DE_PROJET:
            return _("{titre} politique de la ville").format(titre=lead_title(genre, capital=True))
        if genre == "F":
            feminine = {Role.ADMINISTRATEUR: _("Administratrice"), Role.AUDITEUR: _("Déléguée du préfet (auditrice)")}
            return feminine.get(self, self.label)
        return self.label


class Action(StrEnum):
    READ_TERRITORY = "read_territory"
    MANAGE_TERRITORY = "manage_territory"
    CREATE_TERRITORY = "create_territory"
    READ_COUNCIL = "read_council"
    MANAGE_COUNCIL = "manage_council"
    READ_REGISTER = "read_register"
    MANAGE_REGISTER = "manage_register"
    RUN_DRAW = "run_draw"
    READ_DRAW_PUBLIC = "read_draw_public"
    READ_DRAW_AUDIT = "read_draw_audit"
    MANAGE_MEETINGS = "manage_meetings"
    READ_MEETINGS = "read_meetings"
    MANAGE_APPLICATIONS = "manage_applications"
    READ_COMPOSITION = "read_composition"
    MANAGE_COMPOSITION = "manage_composition"
    READ_AUDIT_TRAIL = "read_audit_trail"
    VERIFY_AUDIT_TRAIL = "verify_audit_trail"
    MANAGE_USERS = "manage_users"
    MANAGE_TRAININGS = "manage_trainings"
    READ_TRAININGS = "read_trainings"
    ENROL_TRAINING = "enrol_training"
    READ_INDICATORS = "read_indicators"

    @property
    def label(self) -> str:
        """What the action does, to complete "vous ne pouvez pas …"."""
        return {
            Action.READ_TERRITORY: _("consulter ce territoire"),
            Action.MANAGE_TERRITORY: _("gérer ce territoire"),
            Action.CREATE_TERRITORY: _("créer un territoire"),
            Action.READ_COUNCIL: _("consulter ce conseil citoyen"),
            Action.MANAGE_COUNCIL: _("gérer ce conseil citoyen"),
            Action.READ_REGISTER: _("consulter les listes de résidents (données personnelles)"),
            Action.MANAGE_REGISTER: _("importer ou purger les listes de résidents"),
            Action.RUN_DRAW: _("conduire un tirage au sort"),
            Action.READ_DRAW_PUBLIC: _("consulter le résultat public du tirage"),
            Action.READ_DRAW_AUDIT: _("consulter le dossier de vérification du tirage"),
            Action.MANAGE_MEETINGS: _("gérer les réunions de ce conseil"),
            Action.READ_MEETINGS: _("consulter les réunions de ce conseil"),
            Action.MANAGE_APPLICATIONS: _("gérer les candidatures"),
            Action.READ_COMPOSITION: _("consulter la composition du conseil"),
            Action.MANAGE_COMPOSITION: _("modifier la composition du conseil"),
            Action.READ_AUDIT_TRAIL: _("consulter le journal d'audit"),
            Action.VERIFY_AUDIT_TRAIL: _("vérifier l'intégrité de tout le journal d'audit"),
            Action.MANAGE_USERS: _("gérer les comptes utilisateurs"),
            Action.MANAGE_TRAININGS: _("gérer les formations"),
            Action.READ_TRAININGS: _("consulter le programme de formation"),
            Action.ENROL_TRAINING: _("vous inscrire aux formations"),
            Action.READ_INDICATORS: _("consulter les indicateurs du contrat de ville"),
        }[self]


# Actions that change something. The auditor's grants are checked against this set by
# the tests, so a write can never slip into his column.
WRITE_ACTIONS = frozenset(
    {
        Action.MANAGE_TERRITORY,
        Action.CREATE_TERRITORY,
        Action.MANAGE_COUNCIL,
        Action.MANAGE_REGISTER,
        Action.RUN_DRAW,
        Action.MANAGE_MEETINGS,
        Action.MANAGE_APPLICATIONS,
        Action.MANAGE_COMPOSITION,
        Action.MANAGE_USERS,
        Action.MANAGE_TRAININGS,
        Action.ENROL_TRAINING,
    }
)

# Anyone may read a draw's public record: the draw is public by design.
PUBLIC_ACTIONS = frozenset({Action.READ_DRAW_PUBLIC})

GRANTS: dict[Role, frozenset[Action]] = {
    Role.ADMINISTRATEUR: frozenset(Action),
    Role.CHEF_DE_PROJET: frozenset(
        {
            Action.READ_TERRITORY,
            Action.MANAGE_TERRITORY,
            Action.READ_COUNCIL,
            Action.MANAGE_COUNCIL,
            Action.READ_REGISTER,
            Action.MANAGE_REGISTER,
            Action.RUN_DRAW,
            Action.READ_DRAW_PUBLIC,
            Action.READ_DRAW_AUDIT,
            Action.MANAGE_MEETINGS,
            Action.READ_MEETINGS,
            Action.MANAGE_APPLICATIONS,
            Action.READ_COMPOSITION,
            Action.MANAGE_COMPOSITION,
            Action.READ_AUDIT_TRAIL,
            Action.MANAGE_TRAININGS,
            Action.READ_TRAININGS,
            Action.ENROL_TRAINING,
            Action.READ_INDICATORS,
        }
    ),
    Role.SECRETAIRE: frozenset(
        {
            Action.READ_COUNCIL,
            Action.READ_DRAW_PUBLIC,
            Action.MANAGE_MEETINGS,
            Action.READ_MEETINGS,
            Action.READ_COMPOSITION,
            Action.READ_TRAININGS,
            Action.ENROL_TRAINING,
            Action.READ_INDICATORS,
        }
    ),
    Role.MEMBRE: frozenset(
        {
            Action.READ_COUNCIL,
            Action.READ_DRAW_PUBLIC,
            Action.READ_MEETINGS,
            Action.READ_COMPOSITION,
            Action.READ_TRAININGS,
            Action.ENROL_TRAINING,
        }
    ),
    Role.AUDITEUR: frozenset(
        {
            Action.READ_TERRITORY,
            Action.READ_COUNCIL,
            Action.READ_DRAW_PUBLIC,
            Action.READ_DRAW_AUDIT,
            Action.READ_MEETINGS,
            Action.READ_COMPOSITION,
            Action.READ_AUDIT_TRAIL,
            Action.READ_TRAININGS,
            Action.READ_INDICATORS,
            Action.VERIFY_AUDIT_TRAIL,
        }
    ),
}


@dataclass(frozen=True)
class RoleAssignment:
    """One role over one scope. Which scope fields a role takes is checked here, so a
    mistyped assignment (a lead without territory) fails when built, not when used."""

    role: Role
    territory_id: str | None = None
    council_id: str | None = None
    departement: str | None = None

    def __post_init__(self) -> None:
        role, t, c, d = self.role, self.territory_id, self.council_id, self.departement
        if role is Role.ADMINISTRATEUR:
            valid = t is None and c is None and d is None
            message = _("Un administrateur n'a pas de périmètre.")
        elif role is Role.CHEF_DE_PROJET:
            valid = t is not None and c is None and d is None
            message = _("Un chef de projet est rattaché à un territoire, et à lui seul.")
        elif role in (Role.SECRETAIRE, Role.MEMBRE):
            valid = c is not None and t is None and d is None
            message = _("Un secrétaire ou un membre est rattaché à un conseil citoyen.")
        else:
            # One field per assignment: an auditor over a département and two territories
            # holds three assignments, and each one reads simply.
            valid = c is None and (t is None) != (d is None)
            message = _("Un auditeur est rattaché soit à un département, soit à un territoire.")
        if not valid:
            raise InvalidInput(message, field="role")

    def covers(self, scope: ResourceScope) -> bool:
        # Written for any combination of fields (each set field must match), so a future
        # role with two fields narrows rather than widens.
        return (
            (self.territory_id is None or self.territory_id == scope.territory_id)
            and (self.council_id is None or self.council_id == scope.council_id)
            and (self.departement is None or self.departement == scope.departement)
        )


@dataclass(frozen=True)
class Principal:
    user_id: str
    assignments: tuple[RoleAssignment, ...] = ()

    @classmethod
    def of(cls, user_id: str, assignments: Iterable[RoleAssignment]) -> Principal:
        return cls(user_id, tuple(assignments))

    @property
    def is_admin(self) -> bool:
        return any(a.role is Role.ADMINISTRATEUR for a in self.assignments)


@dataclass(frozen=True)
class ResourceScope:
    """Where a resource lives. A territory-level resource has ``council_id=None``; an
    action on nothing in particular (creating a territory, managing users) uses
    ``GLOBAL``, which only the administrator covers."""

    territory_id: str | None
    departement: str | None
    council_id: str | None = None


GLOBAL = ResourceScope(None, None, None)


def is_allowed(principal: Principal, action: Action, scope: ResourceScope) -> bool:
    if action in PUBLIC_ACTIONS:
        return True
    return any(action in GRANTS[a.role] and a.covers(scope) for a in principal.assignments)


def holds_anywhere(principal: Principal, action: Action) -> bool:
    """For actions over the whole service that some scoped roles may still take (an
    auditor verifying the whole audit chain): does any assignment grant ``action``?"""
    return action in PUBLIC_ACTIONS or any(action in GRANTS[a.role] for a in principal.assignments)


def require(principal: Principal, action: Action, scope: ResourceScope) -> None:
    """Raise ``Forbidden`` unless ``is_allowed``. The message names the action, never
    what the resource holds."""
    if not is_allowed(principal, action, scope):
        raise Forbidden(
            _("Accès refusé : vos droits ne vous permettent pas de {action}.").format(
                action=action.label
            ),
            extra={"action": action.value},
        )


@dataclass(frozen=True)
class Visibility:
    """What a list may show a principal for one action: everything, or the union of
    these territories, départements and councils."""

    everything: bool
    territory_ids: frozenset[str] = frozenset()
    departements: frozenset[str] = frozenset()
    council_ids: frozenset[str] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.territory_ids or self.departements or self.council_ids)

    def includes(self, scope: ResourceScope) -> bool:
        """Agrees with ``is_allowed`` for the principal and action it was built for."""
        return (
            self.everything
            or scope.territory_id in self.territory_ids
            or scope.departement in self.departements
            or scope.council_id in self.council_ids
        )


def visible_territories(principal: Principal, action: Action = Action.READ_COUNCIL) -> Visibility:
    """For filtering lists in a query: the scopes in which ``action`` is allowed."""
    if action in PUBLIC_ACTIONS or (principal.is_admin and action in GRANTS[Role.ADMINISTRATEUR]):
        return Visibility(everything=True)
    territories: set[str] = set()
    departements: set[str] = set()
    councils: set[str] = set()
    for a in principal.assignments:
        if action not in GRANTS[a.role]:
            continue
        # Exactly one field is set (RoleAssignment checks it), so this is the whole scope.
        if a.council_id is not None:
            councils.add(a.council_id)
        elif a.territory_id is not None:
            territories.add(a.territory_id)
        elif a.departement is not None:
            departements.add(a.departement)
    return Visibility(False, frozenset(territories), frozenset(departements), frozenset(councils))


__all__ = [
    "GLOBAL",
    "GRANTS",
    "WRITE_ACTIONS",
    "Action",
    "Principal",
    "ResourceScope",
    "Role",
    "RoleAssignment",
    "Visibility",
    "holds_anywhere",
    "is_allowed",
    "require",
    "visible_territories",
]
