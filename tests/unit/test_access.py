"""Roles and scopes (pure policy)."""

from __future__ import annotations

from itertools import product

import pytest

from domain.access import (
    GLOBAL,
    GRANTS,
    WRITE_ACTIONS,
    Action,
    Principal,
    ResourceScope,
    Role,
    RoleAssignment,
    is_allowed,
    require,
    visible_territories,
)
from domain.errors import Forbidden, InvalidInput

# Territory A (Tours, département 37) has councils A1 and A2; territory B (Blois, 41) has B1.
TERR_A = ResourceScope("terr-a", "37")
TERR_B = ResourceScope("terr-b", "41")
A1 = ResourceScope("terr-a", "37", "cc-a1")
A2 = ResourceScope("terr-a", "37", "cc-a2")
B1 = ResourceScope("terr-b", "41", "cc-b1")
UNKNOWN_DEPT = ResourceScope("terr-a", None, "cc-a1")
SCOPES = [GLOBAL, TERR_A, TERR_B, A1, A2, B1, UNKNOWN_DEPT]


def who(*assignments: RoleAssignment) -> Principal:
    return Principal.of("u1", assignments)


ADMIN = who(RoleAssignment(Role.ADMINISTRATEUR))
LEAD_A = who(RoleAssignment(Role.CHEF_DE_PROJET, territory_id="terr-a"))
SECRETARY_A1 = who(RoleAssignment(Role.SECRETAIRE, council_id="cc-a1"))
MEMBER_A1 = who(RoleAssignment(Role.MEMBRE, council_id="cc-a1"))
AUDITOR_37 = who(RoleAssignment(Role.AUDITEUR, departement="37"))
AUDITOR_B = who(RoleAssignment(Role.AUDITEUR, territory_id="terr-b"))
NOBODY = who()
PRINCIPALS = [ADMIN, LEAD_A, SECRETARY_A1, MEMBER_A1, AUDITOR_37, AUDITOR_B, NOBODY]


def test_administrator_may_do_everything_everywhere() -> None:
    assert all(is_allowed(ADMIN, a, s) for a, s in product(Action, SCOPES))


def test_lead_acts_in_his_territory_only() -> None:
    for action in (
        Action.READ_COUNCIL,
        Action.MANAGE_COUNCIL,
        Action.READ_REGISTER,
        Action.RUN_DRAW,
        Action.MANAGE_MEETINGS,
        Action.READ_AUDIT_TRAIL,
    ):
        assert is_allowed(LEAD_A, action, A1), action
        assert is_allowed(LEAD_A, action, A2), action
        assert not is_allowed(LEAD_A, action, B1), action
    assert is_allowed(LEAD_A, Action.MANAGE_TERRITORY, TERR_A)
    assert not is_allowed(LEAD_A, Action.MANAGE_TERRITORY, TERR_B)
    for action in (Action.MANAGE_USERS, Action.CREATE_TERRITORY):
        assert not any(is_allowed(LEAD_A, action, s) for s in SCOPES), action


def test_auditor_never_writes_nor_reads_the_register() -> None:
    auditor_everywhere = who(
        RoleAssignment(Role.AUDITEUR, departement="37"),
        RoleAssignment(Role.AUDITEUR, departement="41"),
        RoleAssignment(Role.AUDITEUR, territory_id="terr-a"),
    )
    for action, scope in product([*WRITE_ACTIONS, Action.READ_REGISTER], SCOPES):
        assert not is_allowed(auditor_everywhere, action, scope), (action, scope)
    # …and the grant table itself cannot drift: no write in the auditor's column.
    assert not GRANTS[Role.AUDITEUR] & (WRITE_ACTIONS | {Action.READ_REGISTER})


def test_auditor_by_departement_sees_that_departement_only() -> None:
    for action in (Action.READ_COUNCIL, Action.READ_DRAW_AUDIT, Action.READ_AUDIT_TRAIL):
        assert is_allowed(AUDITOR_37, action, A1)
        assert is_allowed(AUDITOR_37, action, A2)
        assert not is_allowed(AUDITOR_37, action, B1)
    # A resource whose département is unknown is not assumed to be in his.
    assert not is_allowed(AUDITOR_37, Action.READ_COUNCIL, UNKNOWN_DEPT)


def test_auditor_by_territory_and_assignments_add_up() -> None:
    assert is_allowed(AUDITOR_B, Action.READ_COUNCIL, B1)
    assert not is_allowed(AUDITOR_B, Action.READ_COUNCIL, A1)
    both = who(*AUDITOR_37.assignments, *AUDITOR_B.assignments)
    assert is_allowed(both, Action.READ_COUNCIL, A1) and is_allowed(both, Action.READ_COUNCIL, B1)


def test_auditor_reads_meetings_of_his_territory_and_never_manages_them() -> None:
    # The issue "Meetings": read by members and by the auditor of the territory (so the
    # préfecture sees that the council lives); writing stays with the lead and secretary.
    assert is_allowed(AUDITOR_37, Action.READ_MEETINGS, A1)
    assert not is_allowed(AUDITOR_37, Action.READ_MEETINGS, B1)
    assert not is_allowed(AUDITOR_37, Action.MANAGE_MEETINGS, A1)


def test_member_reads_his_council_and_its_meetings_nothing_more() -> None:
    assert is_allowed(MEMBER_A1, Action.READ_COUNCIL, A1)
    assert is_allowed(MEMBER_A1, Action.READ_MEETINGS, A1)
    assert not is_allowed(MEMBER_A1, Action.READ_COUNCIL, A2)
    for action in (
        Action.READ_REGISTER,
        Action.MANAGE_MEETINGS,
        Action.READ_DRAW_AUDIT,
        Action.READ_AUDIT_TRAIL,
    ):
        assert not is_allowed(MEMBER_A1, action, A1), action
    # His council's id alone grants nothing at territory level.
    assert not is_allowed(MEMBER_A1, Action.READ_TERRITORY, TERR_A)


def test_secretary_manages_meetings_of_his_council_only() -> None:
    assert is_allowed(SECRETARY_A1, Action.MANAGE_MEETINGS, A1)
    assert not is_allowed(SECRETARY_A1, Action.MANAGE_MEETINGS, A2)
    assert not is_allowed(SECRETARY_A1, Action.MANAGE_COUNCIL, A1)
    assert not is_allowed(SECRETARY_A1, Action.READ_REGISTER, A1)


def test_register_is_for_leads_of_the_territory_and_admins_only() -> None:
    for role in (Role.SECRETAIRE, Role.MEMBRE, Role.AUDITEUR):
        assert Action.READ_REGISTER not in GRANTS[role], role
    allowed = [p for p in PRINCIPALS if is_allowed(p, Action.READ_REGISTER, A1)]
    assert allowed == [ADMIN, LEAD_A]


def test_public_draw_result_is_readable_by_anyone() -> None:
    assert is_allowed(NOBODY, Action.READ_DRAW_PUBLIC, B1)
    assert not is_allowed(NOBODY, Action.READ_COUNCIL, B1)


def test_require_raises_forbidden_in_french() -> None:
    require(LEAD_A, Action.RUN_DRAW, A1)
    with pytest.raises(Forbidden) as err:
        require(LEAD_A, Action.RUN_DRAW, B1)
    assert err.value.code == "acces-refuse"
    assert err.value.detail == (
        "Accès refusé : vos droits ne vous permettent pas de conduire un tirage au sort."
    )
    assert err.value.extra == {"action": "run_draw"}


@pytest.mark.parametrize(
    "assignment",
    [
        {"role": Role.ADMINISTRATEUR, "territory_id": "terr-a"},
        {"role": Role.CHEF_DE_PROJET},
        {"role": Role.CHEF_DE_PROJET, "territory_id": "terr-a", "council_id": "cc-a1"},
        {"role": Role.SECRETAIRE},
        {"role": Role.MEMBRE, "council_id": "cc-a1", "departement": "37"},
        {"role": Role.AUDITEUR},
        {"role": Role.AUDITEUR, "council_id": "cc-a1"},
        {"role": Role.AUDITEUR, "territory_id": "terr-a", "departement": "37"},
    ],
)
def test_assignment_with_the_wrong_scope_fields_is_refused(assignment: dict[str, str]) -> None:
    with pytest.raises(InvalidInput):
        RoleAssignment(**assignment)  # type: ignore[arg-type]


def test_visible_territories_for_list_filtering() -> None:
    assert visible_territories(ADMIN).everything
    lead = visible_territories(LEAD_A)
    assert not lead.everything and lead.territory_ids == {"terr-a"}
    mixed = visible_territories(who(*AUDITOR_37.assignments, *AUDITOR_B.assignments))
    assert mixed.departements == {"37"} and mixed.territory_ids == {"terr-b"}
    assert visible_territories(MEMBER_A1).council_ids == {"cc-a1"}
    assert visible_territories(AUDITOR_37, Action.READ_REGISTER).is_empty
    assert visible_territories(NOBODY).is_empty


def test_visibility_agrees_with_is_allowed_everywhere() -> None:
    for principal, action, scope in product(PRINCIPALS, Action, SCOPES):
        expected = is_allowed(principal, action, scope)
        assert visible_territories(principal, action).includes(scope) is expected, (
            principal,
            action,
            scope,
        )


def test_every_action_and_role_has_a_french_label_and_a_grant_entry() -> None:
    assert set(GRANTS) == set(Role)
    assert all(a.label for a in Action) and all(r.label for r in Role)
    assert Action("read_register") is Action.READ_REGISTER
