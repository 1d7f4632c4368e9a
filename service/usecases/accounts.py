"""Accounts: first administrator, login with rate limiting, sessions, passwords,
invitations and API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.access import GLOBAL, Action, Principal, ResourceScope, Role, RoleAssignment, is_allowed
from domain.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound, TooManyAttempts
from domain.i18n import _, ngettext
from service import audit
from service.audit import Actor
from service.auth import TOKEN_PREFIX, council_scope
from service.context import AppContext
from service.db.tables import (
    Account,
    ApiToken,
    AppState,
    Council,
    Invitation,
    LoginAttempt,
    Territory,
    WebSession,
)
from service.db.tables import (
    RoleAssignment as RoleRow,
)
from service.security import (
    check_password_policy,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)

SETUP_KEY = "jeton_installation"


def normalise_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    local, _sep, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 254:
        raise InvalidInput(_("Adresse électronique invalide : « {e} ».").format(e=raw), field="email", code="courriel-invalide")
    return email


async def admin_exists() -> bool:
    return bool(await RoleRow.exists().where(RoleRow.role == Role.ADMINISTRATEUR.value))


async def _create_account(ctx: AppContext, email: str, display_name: str, password: str, now: datetime) -> int:
    check_password_policy(password, email=email)
    name = " ".join((display_name or "").split())
    if not name:
        raise InvalidInput(_("Le nom est obligatoire."), field="display_name", code="champ-obligatoire")
    if await Account.exists().where(Account.email == email):
        raise Conflict(_("Un compte existe déjà pour cette adresse."), field="email", code="doublon")
    rows = await Account.insert(
        Account(email=email, display_name=name, password_hash=hash_password(password, cheap=ctx.cheap_hashing),
                created_at=now, password_changed_at=now)
    ).returning(Account.id)
    return int(rows[0]["id"])


async def create_admin(ctx: AppContext, email: str, display_name: str, password: str, actor: Actor | None = None) -> int:
    """Used by ``conseil admin create`` (whoever has the machine may add administrators)."""
    email = normalise_email(email)
    now = ctx.now()
    async with ctx.db.transaction():
        account_id = await _create_account(ctx, email, display_name, password, now)
        await RoleRow.insert(RoleRow(account=account_id, role=Role.ADMINISTRATEUR.value, created_at=now))
        await AppState.delete().where(AppState.key == SETUP_KEY)
        await audit.record(ctx.db, actor=actor or Actor.system("ligne de commande"), action="compte.creation_administrateur",
                           subject_type="compte", subject_id=account_id, at=now, details={"role": "administrateur"})
    return account_id


async def issue_setup_token(ctx: AppContext) -> str | None:
    """On an empty database, a one-time token lets the first administrator be created
    through the browser. Returns None when an administrator already exists."""
    async with ctx.db.transaction():
        if await admin_exists():
            await AppState.delete().where(AppState.key == SETUP_KEY)
            return None
        token = new_token(nbytes=24)
        await AppState.delete().where(AppState.key == SETUP_KEY)
        await AppState.insert(AppState(key=SETUP_KEY, value=token_digest(token), updated_at=ctx.now()))
        return token


async def setup_first_admin(ctx: AppContext, token: str, email: str, display_name: str, password: str) -> int:
    email = normalise_email(email)
    now = ctx.now()
    async with ctx.db.transaction():
        # DELETE … RETURNING consumes the token atomically: of two submissions at once,
        # exactly one gets the row back.
        consumed = await AppState.raw(
            "DELETE FROM etat_service WHERE key = {} AND value = {} RETURNING id", SETUP_KEY, token_digest(token or "")
        )
        if not consumed or await admin_exists():
            raise Conflict(_("Ce jeton d'installation n'est plus valable : un administrateur existe déjà ou le jeton est erroné."),
                           field="token", code="jeton-installation-invalide")
        account_id = await _create_account(ctx, email, display_name, password, now)
        await RoleRow.insert(RoleRow(account=account_id, role=Role.ADMINISTRATEUR.value, created_at=now))
        await audit.record(ctx.db, actor=Actor(account_id, email), action="compte.installation", subject_type="compte",
                           subject_id=account_id, at=now, details={"role": "administrateur"})
    return account_id


# --- login ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    session_token: str
    account_id: int
    expires_at: datetime


async def _failures_since(key: str, since: datetime) -> tuple[int, datetime | None]:
    rows = await LoginAttempt.select(LoginAttempt.at, LoginAttempt.success).where(
        (LoginAttempt.subject_key == key) & (LoginAttempt.at >= since)
    ).order_by(LoginAttempt.at, ascending=False).limit(200)
    count, last = 0, None
    for r in rows:
        if r["success"]:
            break
        count += 1
        last = last or r["at"]
    return count, last


async def login(ctx: AppContext, email: str, password: str, client_ip: str) -> LoginResult:
    s = ctx.settings
    now = ctx.now()
    email_n = (email or "").strip().lower()
    window = timedelta(minutes=s.login_lock_minutes)
    keys = [f"courriel:{email_n}", f"ip:{client_ip}"]
    for key in keys:
        limit = s.login_max_failures if key.startswith("courriel") else s.login_max_failures * 5
        count, last = await _failures_since(key, now - window)
        if count >= limit and last is not None:
            retry = int((last + window - now).total_seconds()) + 1
            raise TooManyAttempts(
                ngettext("Trop de tentatives de connexion échouées. Réessayez dans {m} minute.",
                    "Trop de tentatives de connexion échouées. Réessayez dans {m} minutes.",
                    max(1, retry // 60 + (retry % 60 > 0))).format(m=max(1, retry // 60 + (retry % 60 > 0))),
                retry_after=max(1, retry),
            )
    acc = await Account.select(Account.id, Account.password_hash, Account.active).where(Account.email == email_n).first()
    ok = verify_password(acc["password_hash"] if acc else "", password or "", cheap=ctx.cheap_hashing)
    ok = ok and bool(acc and acc["active"])
    if not ok or acc is None:
        # Recorded in its own transaction: the failure must count even though we raise.
        async with ctx.db.transaction():
            await LoginAttempt.insert(*[LoginAttempt(subject_key=k, at=now, success=False) for k in keys])
            await LoginAttempt.delete().where(LoginAttempt.at < now - timedelta(days=1))
        raise NotAuthenticated(_("Adresse électronique ou mot de passe incorrect."), code="identifiants-invalides")
    async with ctx.db.transaction():
        await LoginAttempt.insert(*[LoginAttempt(subject_key=k, at=now, success=True) for k in keys])
        token = new_token()
        expires = now + timedelta(hours=s.session_hours)
        await WebSession.insert(WebSession(token_hash=token_digest(token), account=acc["id"], created_at=now, expires_at=expires))
        await WebSession.delete().where(WebSession.expires_at < now)
        await Account.update({Account.last_login_at: now}).where(Account.id == acc["id"])
        await audit.record(ctx.db, actor=Actor(acc["id"], email_n), action="compte.connexion", subject_type="compte",
                           subject_id=acc["id"], at=now)
    return LoginResult(token, acc["id"], expires)


async def logout(session_hash: str | None) -> None:
    if session_hash:
        await WebSession.delete().where(WebSession.token_hash == session_hash)


async def change_password(ctx: AppContext, account_id: int, old: str, new: str, keep_session_hash: str | None) -> None:
    now = ctx.now()
    acc = await Account.select(Account.email, Account.password_hash).where(Account.id == account_id).first()
    if not acc:
        raise NotFound(_("Compte introuvable."))
    if not verify_password(acc["password_hash"], old or "", cheap=ctx.cheap_hashing):
        raise InvalidInput(_("Le mot de passe actuel est incorrect."), field="old_password", code="mot-de-passe-incorrect")
    check_password_policy(new, email=acc["email"])
    async with ctx.db.transaction():
        new_hash = hash_password(new, cheap=ctx.cheap_hashing)
        await Account.update({Account.password_hash: new_hash, Account.password_changed_at: now}).where(Account.id == account_id)
        # Other sessions end: a stolen session must not survive a password change.
        q = WebSession.delete().where(WebSession.account == account_id)
        if keep_session_hash:
            q = q.where(WebSession.token_hash != keep_session_hash)
        await q
        await audit.record(ctx.db, actor=Actor(account_id, acc["email"]), action="compte.changement_mot_de_passe",
                           subject_type="compte", subject_id=account_id, at=now)


# --- API tokens -----------------------------------------------------------------------


async def create_api_token(ctx: AppContext, actor: Actor, account_id: int, name: str, days: int | None = 365) -> tuple[str, dict[str, Any]]:
    label = " ".join((name or "").split())
    if not label or len(label) > 100:
        raise InvalidInput(_("Donnez un nom au jeton (100 caractères au plus)."), field="name", code="champ-obligatoire")
    if days is not None and not 1 <= days <= 730:
        raise InvalidInput(_("La durée de validité doit être comprise entre 1 et 730 jours."), field="days")
    token = new_token(TOKEN_PREFIX)
    now = ctx.now()
    async with ctx.db.transaction():
        row = (await ApiToken.insert(ApiToken(account=account_id, name=label, prefix=token[:12], token_hash=token_digest(token),
                                              created_at=now, expires_at=None if days is None else now + timedelta(days=days)))
               .returning(ApiToken.id))[0]
        await audit.record(ctx.db, actor=actor, action="jeton_api.creation", subject_type="jeton_api", subject_id=row["id"], at=now,
                           details={"nom": label})
    return token, await get_api_token(account_id, row["id"])


async def get_api_token(account_id: int, token_id: int) -> dict[str, Any]:
    row = await ApiToken.select(ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.created_at, ApiToken.expires_at,
                                ApiToken.last_used_at, ApiToken.revoked_at).where(
        (ApiToken.id == token_id) & (ApiToken.account == account_id)).first()
    if not row:
        raise NotFound(_("Jeton introuvable."))
    return dict(row)


async def list_api_tokens(account_id: int) -> list[dict[str, Any]]:
    return list(await ApiToken.select(ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.created_at, ApiToken.expires_at,
                                      ApiToken.last_used_at, ApiToken.revoked_at).where(ApiToken.account == account_id)
                .order_by(ApiToken.created_at, ascending=False))


async def revoke_api_token(ctx: AppContext, actor: Actor, account_id: int, token_id: int) -> None:
    now = ctx.now()
    async with ctx.db.transaction():
        row = await get_api_token(account_id, token_id)
        if row["revoked_at"] is not None:
            raise Conflict(_("Ce jeton est déjà révoqué."), code="deja-revoque")
        await ApiToken.update({ApiToken.revoked_at: now}).where(ApiToken.id == token_id)
        await audit.record(ctx.db, actor=actor, action="jeton_api.revocation", subject_type="jeton_api", subject_id=token_id, at=now)


# --- invitations ----------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationInput:
    email: str
    role: str
    display_name: str = ""
    territory_id: int | None = None
    council_id: int | None = None
    departement: str | None = None


async def _invitation_scope(data: InvitationInput) -> tuple[RoleAssignment, ResourceScope]:
    try:
        role = Role(data.role)
    except ValueError as exc:
        raise InvalidInput(_("Rôle inconnu : « {r} ».").format(r=data.role), field="role") from exc
    from domain.organisation import normalise_departement

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
        t = await Territory.select(Territory.departement).where(Territory.id == data.territory_id).first()
        if not t:
            raise InvalidInput(_("Territoire introuvable."), field="territory_id")
        return assignment, ResourceScope(str(data.territory_id), t["departement"])
    return assignment, GLOBAL


def may_invite(principal: Principal, assignment: RoleAssignment, scope: ResourceScope) -> bool:
    """Administrators invite anyone; a project lead invites the secretaries and members
    of the councils of his territory."""
    if principal.is_admin:
        return True
    if assignment.role in (Role.SECRETAIRE, Role.MEMBRE):
        return is_allowed(principal, Action.MANAGE_COUNCIL, scope)
    return False


async def create_invitation(ctx: AppContext, actor: Actor, principal: Principal, data: InvitationInput) -> tuple[str, dict[str, Any]]:
    email = normalise_email(data.email)
    assignment, scope = await _invitation_scope(data)
    if not may_invite(principal, assignment, scope):
        raise Forbidden(_("Vous ne pouvez pas inviter une personne avec ce rôle ou sur ce périmètre."))
    code = new_token(nbytes=18)
    now = ctx.now()
    async with ctx.db.transaction():
        row = (await Invitation.insert(Invitation(
            code_hash=token_digest(code), email=email, display_name=data.display_name.strip(), role=assignment.role.value,
            territory=data.territory_id, council=data.council_id, departement=assignment.departement,
            created_by=actor.id, created_at=now, expires_at=now + timedelta(days=ctx.settings.invitation_days),
        )).returning(Invitation.id))[0]
        await audit.record(ctx.db, actor=actor, action="invitation.creation", subject_type="invitation", subject_id=row["id"],
                           at=now, territory_id=int(scope.territory_id) if scope.territory_id else None,
                           council_id=data.council_id, details={"role": assignment.role.value})
    return code, {"id": row["id"], "email": email, "role": assignment.role.value, "expires_at": now + timedelta(days=ctx.settings.invitation_days)}


async def find_invitation(ctx: AppContext, code: str) -> dict[str, Any]:
    row = await Invitation.select().where(Invitation.code_hash == token_digest(code or "")).first()
    if not row:
        raise NotFound(_("Invitation inconnue. Vérifiez le lien reçu."), code="invitation-inconnue")
    if row["used_at"] is not None:
        raise Conflict(_("Cette invitation a déjà été utilisée."), code="invitation-utilisee")
    if row["expires_at"] <= ctx.now():
        raise Conflict(_("Cette invitation a expiré : demandez-en une nouvelle."), code="invitation-expiree")
    return dict(row)


async def accept_invitation(ctx: AppContext, code: str, display_name: str, password: str) -> int:
    now = ctx.now()
    async with ctx.db.transaction():
        inv = await find_invitation(ctx, code)
        taken = await Invitation.update({Invitation.used_at: now}).where(
            (Invitation.id == inv["id"]) & Invitation.used_at.is_null()).returning(Invitation.id)
        if not taken:
            raise Conflict(_("Cette invitation a déjà été utilisée."), code="invitation-utilisee")
        existing = await Account.select(Account.id).where(Account.email == inv["email"]).first()
        if existing:
            account_id = existing["id"]
        else:
            account_id = await _create_account(ctx, inv["email"], display_name or inv["display_name"], password, now)
        await RoleRow.insert(RoleRow(account=account_id, role=inv["role"], territory=inv["territory"], council=inv["council"],
                                     departement=inv["departement"], created_at=now))
        await audit.record(ctx.db, actor=Actor(account_id, inv["email"]), action="invitation.acceptation",
                           subject_type="compte", subject_id=account_id, at=now, territory_id=inv["territory"],
                           council_id=inv["council"], details={"role": inv["role"]})
    return account_id


async def list_accounts() -> list[dict[str, Any]]:
    accounts = await Account.select(Account.id, Account.email, Account.display_name, Account.active,
                                    Account.created_at, Account.last_login_at).order_by(Account.email)
    roles = await RoleRow.select(RoleRow.account, RoleRow.role, RoleRow.territory.name, RoleRow.council.name, RoleRow.departement)
    by: dict[int, list[dict[str, Any]]] = {}
    for r in roles:
        by.setdefault(r["account"], []).append({"role": r["role"], "territoire": r["territory.name"],
                                                 "conseil": r["council.name"], "departement": r["departement"]})
    return [{**a, "roles": by.get(a["id"], [])} for a in accounts]


async def set_account_active(ctx: AppContext, actor: Actor, account_id: int, active: bool) -> None:
    now = ctx.now()
    async with ctx.db.transaction():
        if not await Account.exists().where(Account.id == account_id):
            raise NotFound(_("Compte introuvable."))
        if account_id == actor.id and not active:
            raise Conflict(_("Vous ne pouvez pas désactiver votre propre compte."), code="auto-desactivation")
        await Account.update({Account.active: active}).where(Account.id == account_id)
        if not active:
            await WebSession.delete().where(WebSession.account == account_id)
            await ApiToken.update({ApiToken.revoked_at: now}).where((ApiToken.account == account_id) & ApiToken.revoked_at.is_null())
        await audit.record(ctx.db, actor=actor, action="compte.activation" if active else "compte.desactivation",
                           subject_type="compte", subject_id=account_id, at=now)


async def council_name(council_id: int) -> str:
    r = await Council.select(Council.name).where(Council.id == council_id).first()
    return r["name"] if r else ""
