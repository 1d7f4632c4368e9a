"""Members: reading them, naming one, editing one (optimistic locking), the postal
address. Each change is judged by the domain's rules (one person in one college, the
change guard with its override reason) and recorded in the history and the audit trail,
in one transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import TypeVar

from domain.composition import (
    ORIGINS_BY_COLLEGE,
    ChangeGuard,
    College,
    Member,
    OnePersonOneCollege,
    Origin,
    PersonSeat,
    Seat,
    Sex,
    mandate_end_for,
)
from domain.errors import FieldError, InvalidInput
from domain.i18n import _
from domain.organisation import normalise_key
from service.audit import Actor
from service.composition.rows import (
    ADDRESS_PARTS,
    CompositionStorePort,
    CompositionUnit,
    Mandate,
    MemberRow,
    MemberValues,
)
from service.composition.usecases.common import (
    load_member,
    local_today,
    reader,
    record_change,
    rule_settings,
    unit_for,
)
from service.context import AppContext
from service.organisation.store import CouncilRow

E = TypeVar("E", College, Origin, Seat, Sex)


# --- reading ---------------------------------------------------------------------------


async def list_members(
    council_id: int, *, store: CompositionStorePort | None = None
) -> list[MemberRow]:
    """The council's members, titulaires first in each college (the order of the pages)."""
    return await reader(store).list_members(council_id)


async def get_member(
    member_id: int, council_id: int | None = None, *, store: CompositionStorePort | None = None
) -> MemberRow:
    return await load_member(reader(store), member_id, council_id)


async def sitting_subjects(
    council_id: int, *, store: CompositionStorePort | None = None
) -> list[tuple[str, int]]:
    """(subject type, subject id) of the council's sitting members (a drawn resident is
    ``("resident", register person id)``): the register leaves them out of new pools
    (the « déjà membre » rule)."""
    return await reader(store).sitting_subjects(council_id)


async def my_memberships(
    account_id: int, *, store: CompositionStorePort | None = None
) -> list[Mandate]:
    return await reader(store).memberships(account_id)


async def council_accounts(
    council_id: int, *, store: CompositionStorePort | None = None
) -> list[tuple[str, str]]:
    """Accounts a member record may be linked to: those holding the member or secretary
    role on this council (invited by the lead), as (id, « name <e-mail> »)."""
    return await reader(store).council_accounts(council_id)


# --- the input and its validation ------------------------------------------------------


@dataclass(frozen=True)
class MemberInput:
    college: str
    origin: str
    prenom: str
    nom: str
    sexe: str
    seat: str = "titulaire"
    mandate_start: date | None = None
    mandate_end: date | None = None
    structure: str = ""
    email: str = ""
    telephone: str = ""
    contact_consent: bool = False
    stratum: str | None = None
    rank: int | None = None
    account_id: int | None = None
    draw_id: int | None = None
    pool_key: str = ""
    subject_type: str = ""
    subject_id: int | None = None


def _enum(cls: type[E], value: str, field: str, errors: list[FieldError], message: str) -> E | None:
    try:
        return cls(value)
    except ValueError:
        errors.append(FieldError(field, message, code="valeur-inconnue"))
        return None


def _names(data: MemberInput, errors: list[FieldError]) -> tuple[str, str]:
    prenom = " ".join((data.prenom or "").split())
    nom = " ".join((data.nom or "").split())
    if not prenom:
        errors.append(
            FieldError("prenom", _("Le prénom est obligatoire."), code="champ-obligatoire")
        )
    if not nom:
        errors.append(FieldError("nom", _("Le nom est obligatoire."), code="champ-obligatoire"))
    if len(prenom) > 100 or len(nom) > 100:
        errors.append(FieldError("nom", _("Nom ou prénom trop long (100 caractères au plus).")))
    return prenom, nom


def _origin_fits(
    college: College | None, origin: Origin | None, structure: str, errors: list[FieldError]
) -> None:
    if college is not None and origin is not None and origin not in ORIGINS_BY_COLLEGE[college]:
        errors.append(
            FieldError(
                "origin",
                _(
                    "Cette origine ne correspond pas au collège choisi : le collège des habitants "
                    "réunit des habitants tirés au sort ou volontaires, celui des associations "
                    "et acteurs locaux leurs représentants."
                ),
                code="origine-incoherente",
            )
        )
    if origin is Origin.REPRESENTANT_STRUCTURE and not structure:
        errors.append(
            FieldError(
                "structure", _("Indiquez la structure représentée."), code="champ-obligatoire"
            )
        )


def member_values(data: MemberInput, council: CouncilRow, today: date) -> MemberValues:
    """The record's values from what the lead typed, or InvalidInput listing each field."""
    errors: list[FieldError] = []
    college = _enum(College, data.college, "college", errors, _("Collège inconnu."))
    origin = _enum(Origin, data.origin, "origin", errors, _("Origine inconnue."))
    seat = _enum(Seat, data.seat, "seat", errors, _("Siège inconnu (titulaire ou suppleant)."))
    sexe = _enum(
        Sex, (data.sexe or "").upper(), "sexe", errors, _("Indiquez F (femme) ou M (homme).")
    )
    prenom, nom = _names(data, errors)
    structure = " ".join((data.structure or "").split())
    _origin_fits(college, origin, structure, errors)
    start = data.mandate_start or today
    end = data.mandate_end or mandate_end_for(start, rule_settings(council).mandate_years)
    if end < start:
        errors.append(
            FieldError(
                "mandate_end", _("La fin du mandat précède son début."), code="dates-incoherentes"
            )
        )
    if data.rank is not None and data.rank < 1:
        errors.append(FieldError("rank", _("Le rang commence à 1.")))
    if errors or college is None or origin is None or seat is None or sexe is None:
        first = errors[0]
        raise InvalidInput(
            first.message,
            field=first.field,
            errors=errors,
            code=None if first.code == "invalide" else first.code,
        )
    return MemberValues(
        college=college.value,
        origin=origin.value,
        seat=seat.value,
        prenom=prenom,
        nom=nom,
        sexe=sexe.value,
        person_key=f"{normalise_key(prenom)}|{normalise_key(nom)}"[:300],
        structure=structure[:200],
        email=(data.email or "").strip()[:254],
        telephone=(data.telephone or "").strip()[:30],
        contact_consent=bool(data.contact_consent),
        mandate_start=start,
        mandate_end=end,
        stratum=data.stratum or None,
        rank=data.rank,
        account=data.account_id,
        draw_id=data.draw_id,
        pool_key=data.pool_key or "",
        subject_type=data.subject_type or "",
        subject_id=data.subject_id,
    )


def new_member(values: MemberValues, member_id: str = "nouveau") -> Member:
    """The domain's view of a record about to be created."""
    return Member(
        id=member_id,
        college=College(values.college),
        origin=Origin(values.origin),
        seat=Seat(values.seat),
        sex=Sex(values.sexe),
        mandate_start=values.mandate_start,
        mandate_end=values.mandate_end,
        stratum=values.stratum,
        rank=values.rank,
    )


def refuse_two_colleges(
    rows: list[MemberRow], values: MemberValues, member_id: int | None, active: bool = True
) -> None:
    """OnePersonOneCollege, applied to a record about to be written."""
    candidate = PersonSeat(member_id or 0, values.person_key, Origin(values.origin), active)
    OnePersonOneCollege().refuse(
        candidate, (r.person_seat() for r in rows), values.prenom, values.nom
    )


# --- writing ---------------------------------------------------------------------------


async def create_member(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    data: MemberInput,
    override_reason: str = "",
    *,
    unit: CompositionUnit | None = None,
) -> MemberRow:
    u = unit_for(ctx, unit)
    now = ctx.now()
    today = local_today(now)
    async with u.store.transaction():
        council = await u.store.council(council_id)
        values = member_values(data, council, today)
        if values.account is not None and not await u.store.account_exists(values.account):
            raise InvalidInput(_("Compte introuvable."), field="account_id")
        rows = await u.store.list_members(council_id)
        refuse_two_colleges(rows, values, None)
        before = [r.to_member() for r in rows]
        overridden = ChangeGuard(rule_settings(council)).check(
            before, [*before, new_member(values)], today, override_reason
        )
        member_id = await u.store.insert_member(council_id, values, now)
        await record_change(
            ctx, u, actor, council, member_id, "creation", values, override_reason, overridden
        )
    return await load_member(u.store, member_id)


async def update_member(
    ctx: AppContext,
    actor: Actor,
    member_id: int,
    data: MemberInput,
    version: int,
    override_reason: str = "",
    council_id: int | None = None,
    *,
    unit: CompositionUnit | None = None,
) -> MemberRow:
    u = unit_for(ctx, unit)
    now = ctx.now()
    today = local_today(now)
    async with u.store.transaction():
        current = await load_member(u.store, member_id, council_id)
        council = await u.store.council(current.council)
        values = member_values(data, council, today)
        if data.draw_id is None:  # a form never resends where the member came from
            values = replace(
                values,
                draw_id=current.draw_id,
                pool_key=current.pool_key,
                subject_type=current.subject_type,
                subject_id=current.subject_id,
            )
        rows = await u.store.list_members(current.council)
        refuse_two_colleges(rows, values, member_id, current.is_active)
        changed = _apply(current, values)
        before = [r.to_member() for r in rows]
        after = [changed.to_member() if r.id == member_id else r.to_member() for r in rows]
        overridden = ChangeGuard(rule_settings(council)).check(
            before, after, today, override_reason
        )
        await u.store.update_member(member_id, version, values, now)
        await record_change(
            ctx, u, actor, council, member_id, "modification", changed, override_reason,
            overridden,
        )
    return await load_member(u.store, member_id)


def _apply(row: MemberRow, values: MemberValues) -> MemberRow:
    """The row as it will read once ``values`` are written (every value is a column)."""
    return replace(row, **asdict(values))


async def update_member_address(
    ctx: AppContext,
    actor: Actor,
    member_id: int,
    values: dict[str, str],
    version: int,
    council_id: int | None = None,
    *,
    unit: CompositionUnit | None = None,
) -> MemberRow:
    """The member's postal address (NF Z10-011 parts) used by convocations sent by post.
    Contact data: the audit records which parts changed, never their values."""
    u = unit_for(ctx, unit)
    clean = {k: " ".join(str(values.get(k, "")).split()) for k in ADDRESS_PARTS}
    cp = clean["code_postal"].replace(" ", "")
    if cp and not (len(cp) == 5 and cp.isdigit()):
        raise InvalidInput(
            _("Code postal invalide : cinq chiffres attendus (ex. 37000)."),
            field="code_postal",
            code="code-postal-invalide",
        )
    clean["code_postal"] = cp
    async with u.store.transaction():
        current = await load_member(u.store, member_id, council_id)
        address = current.address()
        changed = sorted(k for k in ADDRESS_PARTS if address[k] != clean[k])
        await u.store.set_address(member_id, version, clean, ctx.now())
        await u.audit(
            actor=actor,
            action="membre.adresse",
            subject_type="membre",
            subject_id=member_id,
            at=ctx.now(),
            council_id=current.council,
            details={"champs": changed},
        )
    return await load_member(u.store, member_id)
