"""Invitations: an administrator (any role) or a project lead (secretaries and members
of the councils of their territory) invites someone, who sets a password to accept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.access import GLOBAL, Action, Principal, ResourceScope, Role, RoleAssignment, is_allowed
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.genre import parse_genre
from domain.i18n import _
from domain.organisation import normalise_departement
from service import audit
from service.audit import Actor
from service.comptes.store import AccountStore, InvitationRow
from service.comptes.usecases.accounts import _create_account, normalise_email
from service.context import AppContext
from service.organisation.scopes import council_scope
from service.organisation.store import OrganisationStore
from service.security import new_token, token_digest


@dataclass(frozen=True)
class InvitationInput:
    email: str
    role: str
    display_name: str = ""
    territory_id: int | None = None
    council_id: int | None = None
    departement: str | None = None


@dataclass(frozen=True)
class NewInvitation:
    id: int
    email: str
    role: str
    expires_at: datetime


async def _invitation_scope(data: InvitationInput) -> tuple[RoleAssignment, ResourceScope]:
    try:
        role = Role(data.role)
    except ValueError as exc:
        raise InvalidInput(_("Rôle inconnu : « {r} ».").format(r=data.role), field="role") from exc
    dept = normalise_departement(data.departement) if data.departement else None
    assignment = RoleAssignment(
        role=role,
        territory_id=None if data.territory_id is None else str(data.territory_id),
        council_id=None if data.council_id is None else str(data.council_id),
        departement=dept,
    )
    if data.council_id is not None:
        return assignment, await council_scope(data.council_id)
    if data.territory_id is not None:
        t = await OrganisationStore().territory_scope(data.territory_id)
        if t is None:
            raise InvalidInput(_("Territoire introuvable."), field="territory_id")
        return assignment, ResourceScope(str(data.territory_id), t.departement)
    return assignment, GLOBAL


def may_invite(principal: Principal, assignment: RoleAssignment, scope: ResourceScope) -> bool:
    """Administrators invite anyone; a project lead invites the secretaries and members
    of the councils of his territory."""
    if principal.is_admin:
        return True
    if assignment.role in (Role.SECRETAIRE, Role.MEMBRE):
        return is_allowed(principal, Action.MANAGE_COUNCIL, scope)
    return False


async def create_invitation(ctx: AppContext, actor: Actor, principal: Principal,
                            data: InvitationInput) -> tuple[str, NewInvitation]:
    store = AccountStore(ctx.db)
    email = normalise_email(data.email)
    assignment, scope = await _invitation_scope(data)
    if not may_invite(principal, assignment, scope):
        raise Forbidden(_("Vous ne pouvez pas inviter une personne avec ce rôle ou sur ce périmètre."))
    code = new_token(nbytes=18)
    now = ctx.now()
    expires = now + timedelta(days=ctx.settings.invitation_days)
    async with ctx.db.transaction():
        invitation_id = await store.insert_invitation(
            code_hash=token_digest(code), email=email, display_name=data.display_name.strip(), role=assignment.role.value,
            territory=data.territory_id, council=data.council_id, departement=assignment.departement,
            created_by=actor.id, at=now, expires_at=expires)
        await audit.record(ctx.db, actor=actor, action="invitation.creation", subject_type="invitation",
                           subject_id=invitation_id, at=now,
                           territory_id=int(scope.territory_id) if scope.territory_id else None,
                           council_id=data.council_id, details={"role": assignment.role.value})
    return code, NewInvitation(invitation_id, email, assignment.role.value, expires)


async def find_invitation(ctx: AppContext, code: str) -> InvitationRow:
    row = await AccountStore(ctx.db).invitation(token_digest(code or ""))
    if row is None:
        raise NotFound(_("Invitation inconnue. Vérifiez le lien reçu."), code="invitation-inconnue")
    if row.used_at is not None:
        raise Conflict(_("Cette invitation a déjà été utilisée."), code="invitation-utilisee")
    if row.expires_at <= ctx.now():
        raise Conflict(_("Cette invitation a expiré : demandez-en une nouvelle."), code="invitation-expiree")
    return row


async def accept_invitation(ctx: AppContext, code: str, display_name: str, password: str,
                            genre: str | None = None) -> int:
    """``genre``: how the person's role is to be written (« F », « M », or nothing said)."""
    store = AccountStore(ctx.db)
    said = parse_genre(genre)
    now = ctx.now()
    async with ctx.db.transaction():
        inv = await find_invitation(ctx, code)
        if not await store.take_invitation(inv.id, now):
            raise Conflict(_("Cette invitation a déjà été utilisée."), code="invitation-utilisee")
        account_id = await store.account_id_by_email(inv.email)
        if account_id is None:
            account_id = await _create_account(ctx, inv.email, display_name or inv.display_name, password, now, store,
                                               genre=said)
        elif said is not None:
            await store.set_genre(account_id, said.value)
        await store.add_role(account_id, inv.role, now, territory=inv.territory, council=inv.council,
                             departement=inv.departement)
        await audit.record(ctx.db, actor=Actor(account_id, inv.email), action="invitation.acceptation",
                           subject_type="compte", subject_id=account_id, at=now, territory_id=inv.territory,
                           council_id=inv.council, details={"role": inv.role})
    return account_id
