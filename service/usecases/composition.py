"""The council's composition: members, the rules judged live, departures and
replacements, the parity timeline, and the volunteers' pool.

Rules are the named objects of ``domain/composition.py``; this module only loads rows,
turns them into ``Member`` values, and records what changed (audit trail + member
history) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from typing import Any

from domain.composition import (
    OVERRIDE_MIN_LENGTH,
    College,
    Composition,
    CouncilSettings,
    Member,
    MemberStatus,
    Origin,
    ParityInResidentsCollege,
    ParityPoint,
    Regime,
    ResidentsShare,
    Seat,
    Sex,
    Vacancy,
    VolunteerSeats,
    VolunteersOnlyRefusedUnder2014,
    check_change,
    depart,
    evaluate_composition,
    mandate_end_for,
    parity_timeline,
    promote,
    propose_replacement,
)
from domain.errors import Conflict, FieldError, InvalidInput, InvalidState, NotFound, RuleBroken
from domain.i18n import _
from domain.organisation import normalise_key
from domain.rules import RuleResult
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.db.tables import Account
from service.db.tables_candidatures import CandidatureHabitant, Membre, MembreHistorique
from service.db.versioned import versioned_update
from service.usecases.candidatures import local_today
from service.usecases.tirage_people import ReplyContact

ORIGINS_BY_COLLEGE = {
    College.HABITANTS: {
        Origin.TIRE_AU_SORT_REGISTRE,
        Origin.TIRE_AU_SORT_VOLONTAIRES,
        Origin.VOLONTAIRE,
    },
    College.ASSOCIATIONS_ACTEURS: {Origin.REPRESENTANT_STRUCTURE},
}
DRAWN = {Origin.TIRE_AU_SORT_REGISTRE, Origin.TIRE_AU_SORT_VOLONTAIRES}
# What the history and the audit may hold: no contact data.
SNAPSHOT_FIELDS = (
    "college",
    "origin",
    "seat",
    "sexe",
    "mandate_start",
    "mandate_end",
    "status",
    "status_since",
    "stratum",
    "rank",
    "draw_id",
    "replaces",
)


# --- loading --------------------------------------------------------------------------


async def council_row(council_id: int) -> dict[str, Any]:
    from service.usecases.organisation import get_council

    row = await get_council(council_id)
    row["qpv_label"] = ", ".join(f"{q['code']} {q['name']}" for q in row.get("qpvs", []))
    return row


def rule_settings(council: dict[str, Any]) -> CouncilSettings:
    s = council.get("settings") or {}
    return CouncilSettings(
        regime=Regime(council.get("regime") or "2024"),
        mandate_years=int(s.get("duree_mandat_annees", 3)),
        volunteer_seats=int(s.get("sieges_volontaires", 0) or 0),
    )


def to_member(row: dict[str, Any]) -> Member:
    return Member(
        id=str(row["id"]),
        college=College(row["college"]),
        origin=Origin(row["origin"]),
        seat=Seat(row["seat"]),
        sex=Sex(row["sexe"]),
        mandate_start=row["mandate_start"],
        mandate_end=row["mandate_end"],
        status=MemberStatus(row["status"]),
        status_since=row["status_since"],
        stratum=row["stratum"],
        rank=row["rank"],
    )


async def list_members(council_id: int) -> list[dict[str, Any]]:
    rows = [dict(r) for r in await Membre.select().where(Membre.council == council_id)]
    # Titulaires before suppléants (ranked), in each college; names in alphabetical order.
    college_order = {c.value: i for i, c in enumerate(College)}
    rows.sort(
        key=lambda r: (
            college_order.get(r["college"], 9),
            r["seat"] != "titulaire",
            r["status"] != "actif",
            r["rank"] or 0,
            normalise_key(r["nom"]),
            normalise_key(r["prenom"]),
            r["id"],
        )
    )
    return rows


async def sitting_subjects(council_id: int) -> list[tuple[str, int]]:
    """(subject type, subject id) of the council's sitting members (a drawn resident is
    ``("resident", register person id)``): the register leaves them out of new pools."""
    rows = await Membre.select(Membre.subject_type, Membre.subject_id).where(
        (Membre.council == council_id) & (Membre.status == "actif")
    )
    return [(r["subject_type"], int(r["subject_id"])) for r in rows if r["subject_id"]]


async def get_member(member_id: int, council_id: int | None = None) -> dict[str, Any]:
    """The member; NotFound when it does not exist or belongs to another council than
    ``council_id`` (routes are nested under the council the caller is allowed on)."""
    row = await Membre.select().where(Membre.id == member_id).first()
    if row is None or (council_id is not None and row["council"] != council_id):
        raise NotFound(_("Membre introuvable."))
    return dict(row)


def label_member(row: dict[str, Any]) -> dict[str, Any]:
    """Row plus French labels for pages and reports."""
    out = dict(row)
    out["college_label"] = College(row["college"]).label
    out["origin_label"] = Origin(row["origin"]).label_for(row["sexe"])
    out["seat_label"] = Seat(row["seat"]).label_for(row["sexe"])
    out["status_label"] = MemberStatus(row["status"]).label
    out["sexe_label"] = Sex(row["sexe"]).label
    return out


@dataclass(frozen=True)
class CompositionView:
    council: dict[str, Any]
    members: list[dict[str, Any]]
    results: list[RuleResult]
    today: date

    def sitting(self, college: str) -> list[dict[str, Any]]:
        return [
            m
            for m in self.members
            if m["college"] == college and m["status"] == "actif" and m["seat"] == "titulaire"
        ]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for c in College:
            sitting = self.sitting(c.value)
            out[c.value] = {
                "F": sum(1 for m in sitting if m["sexe"] == "F"),
                "M": sum(1 for m in sitting if m["sexe"] == "M"),
                "total": len(sitting),
            }
        return out


async def composition(ctx: AppContext, council_id: int) -> CompositionView:
    council = await council_row(council_id)
    rows = await list_members(council_id)
    today = local_today(ctx.now())
    excluded = await _excluded_predicate(council_id, rows)
    results = evaluate_composition(
        [to_member(r) for r in rows], rule_settings(council), today, excluded=excluded
    )
    results.append(_one_person_one_college(rows))
    return CompositionView(council, [label_member(r) for r in rows], results, today)


async def _excluded_predicate(
    council_id: int, rows: list[dict[str, Any]]
) -> Callable[[Member], bool] | None:
    """Who is on the council's imported exclusion list (elected officials, State
    representatives, agents of the politique de la ville — spec rule 5), matched as the
    registers match it: surname key, compatible given names, and the birth date when the
    member's is known (from their application); without a birth date a match on names
    is reported, for the lead to check. None when no list is imported."""
    from service.registre.usecases.lists import exclusion_list

    exclusions = await exclusion_list(council_id)
    if not len(exclusions):
        return None
    from domain.registre.normalise import cle_nom, cle_prenoms, premier_prenom, prenoms_compatibles
    from service.db.tables_candidatures import CandidatureStructure

    born: dict[str, date] = {}
    volunteers = {
        r["subject_id"]: r["id"]
        for r in rows
        if r["subject_type"] == "candidature" and r["subject_id"]
    }
    structures = {
        r["subject_id"]: r["id"]
        for r in rows
        if r["subject_type"] == "structure" and r["subject_id"]
    }
    if volunteers:
        for a in await CandidatureHabitant.select(
            CandidatureHabitant.id, CandidatureHabitant.birth_date
        ).where(CandidatureHabitant.id.is_in(list(volunteers))):
            born[str(volunteers[a["id"]])] = a["birth_date"]
    if structures:
        for a in await CandidatureStructure.select(
            CandidatureStructure.id, CandidatureStructure.representant_birth_date
        ).where(CandidatureStructure.id.is_in(list(structures))):
            if a["representant_birth_date"] is not None:
                born[str(structures[a["id"]])] = a["representant_birth_date"]
    by_id = {str(r["id"]): r for r in rows}

    def hit(m: Member) -> bool:
        row = by_id.get(m.id)
        if row is None:
            return False
        nom, prenoms = cle_nom(row["nom"]), cle_prenoms(row["prenom"])
        for x in exclusions.exclusions:
            if nom not in x.cles_noms or premier_prenom(x.cle_prenoms) != premier_prenom(prenoms):
                continue
            if not prenoms_compatibles(x.cle_prenoms, prenoms):
                continue
            known = born.get(m.id)
            if known is None or known == x.date_naissance:
                return True
        return False

    return hit


def _one_person_one_college(rows: list[dict[str, Any]]) -> RuleResult:
    """A representative of a structure may not also sit as a drawn resident (exclusions)."""
    clash = _college_clashes(rows)
    if not clash:
        return RuleResult(
            "representant-et-habitant",
            True,
            _("Aucun représentant de structure ne siège aussi comme habitant tiré au sort."),
        )
    return RuleResult(
        "representant-et-habitant",
        False,
        _(
            "{n} personnes siègent à la fois comme représentant d'une structure et comme "
            "habitant tiré au "
            "sort (membres {ids})."
        ).format(n=len(clash), ids=", ".join(clash)),
        details={"members": clash},
    )


def _college_clashes(rows: list[dict[str, Any]]) -> list[str]:
    by_person: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r["status"] == "actif" and r["person_key"]:
            by_person.setdefault(r["person_key"], []).append(r)
    out: list[str] = []
    for group in by_person.values():
        reps = [r for r in group if r["origin"] == Origin.REPRESENTANT_STRUCTURE]
        drawn = [r for r in group if Origin(r["origin"]) in DRAWN]
        if reps and drawn:
            out.extend(str(r["id"]) for r in reps + drawn)
    return sorted(set(out), key=int)


# --- writing --------------------------------------------------------------------------


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


def _enum(cls: Any, value: str, field: str, errors: list[FieldError], message: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        errors.append(FieldError(field, message, code="valeur-inconnue"))
        return None


def _values(data: MemberInput, council: dict[str, Any], today: date) -> dict[str, Any]:
    errors: list[FieldError] = []
    college = _enum(College, data.college, "college", errors, _("Collège inconnu."))
    origin = _enum(Origin, data.origin, "origin", errors, _("Origine inconnue."))
    seat = _enum(Seat, data.seat, "seat", errors, _("Siège inconnu (titulaire ou suppleant)."))
    sexe = _enum(
        Sex, (data.sexe or "").upper(), "sexe", errors, _("Indiquez F (femme) ou M (homme).")
    )
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
    structure = " ".join((data.structure or "").split())
    if origin is Origin.REPRESENTANT_STRUCTURE and not structure:
        errors.append(
            FieldError(
                "structure", _("Indiquez la structure représentée."), code="champ-obligatoire"
            )
        )
    start = data.mandate_start or today
    years = rule_settings(council).mandate_years
    end = data.mandate_end or mandate_end_for(start, years)
    if end < start:
        errors.append(
            FieldError(
                "mandate_end", _("La fin du mandat précède son début."), code="dates-incoherentes"
            )
        )
    if data.rank is not None and data.rank < 1:
        errors.append(FieldError("rank", _("Le rang commence à 1.")))
    if errors:
        first = errors[0]
        raise InvalidInput(
            first.message,
            field=first.field,
            errors=errors,
            code=None if first.code == "invalide" else first.code,
        )
    return {
        "college": college.value,
        "origin": origin.value,
        "seat": seat.value,
        "prenom": prenom,
        "nom": nom,
        "sexe": sexe.value,
        "person_key": f"{normalise_key(prenom)}|{normalise_key(nom)}"[:300],
        "structure": structure[:200],
        "email": (data.email or "").strip()[:254],
        "telephone": (data.telephone or "").strip()[:30],
        "contact_consent": bool(data.contact_consent),
        "mandate_start": start,
        "mandate_end": end,
        "stratum": data.stratum or None,
        "rank": data.rank,
        "account": data.account_id,
        "draw_id": data.draw_id,
        "pool_key": data.pool_key or "",
        "subject_type": data.subject_type or "",
        "subject_id": data.subject_id,
    }


def _snapshot(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in values.items()
        if k in SNAPSHOT_FIELDS
    }


def _check_exclusion(
    rows: list[dict[str, Any]], candidate: dict[str, Any], candidate_id: int | None
) -> None:
    """Refuse a representative who already sits as a drawn resident, and the reverse."""
    if candidate.get("status", "actif") != "actif":
        return
    origin = Origin(candidate["origin"])
    if origin not in DRAWN and origin is not Origin.REPRESENTANT_STRUCTURE:
        return
    for r in rows:
        if (
            r["id"] == candidate_id
            or r["status"] != "actif"
            or r["person_key"] != candidate["person_key"]
        ):
            continue
        other = Origin(r["origin"])
        if (origin is Origin.REPRESENTANT_STRUCTURE and other in DRAWN) or (
            origin in DRAWN and other is Origin.REPRESENTANT_STRUCTURE
        ):
            raise RuleBroken(
                _(
                    "{p} {n} siège déjà au conseil comme {role} (membre n° {id}) : un habitant "
                    "tiré au sort ne peut pas "
                    "représenter aussi une association ou un acteur local."
                ).format(
                    p=candidate["prenom"],
                    n=candidate["nom"],
                    id=r["id"],
                    role=_("habitant tiré au sort")
                    if other in DRAWN
                    else _("représentant d'une structure"),
                ),
                code="representant-et-habitant",
                field="origin",
                extra={"rule": "representant-et-habitant", "member": r["id"]},
            )


def guard_change(
    before: list[Member],
    after: list[Member],
    council: dict[str, Any],
    today: date,
    override_reason: str,
) -> list[str]:
    """Refuse a change that newly breaks parity or the residents' share (the domain's
    ``check_change``), that makes either worse when already broken, or — under the 2014
    regime — that leaves a residents' college of volunteers only; an override reason of
    ``OVERRIDE_MIN_LENGTH`` characters lets it through, and the codes it overrode are
    returned for the audit trail."""
    settings = rule_settings(council)
    extra = _extra_broken(before, after, settings, today)
    try:
        overridden = check_change(before, after, settings, today, override_reason)
    except RuleBroken as exc:
        codes = list(exc.extra.get("rules", []))
        exc.extra["rules"] = codes + [r.code for r in extra if r.code not in codes]
        raise
    if not extra:
        return overridden
    if len((override_reason or "").strip()) >= OVERRIDE_MIN_LENGTH:
        return overridden + [r.code for r in extra if r.code not in overridden]
    first = extra[0]
    raise RuleBroken(
        " ".join(r.message for r in extra)
        + " "
        + _("Pour passer outre, indiquez un motif d'au moins {n} caractères.").format(
            n=OVERRIDE_MIN_LENGTH
        ),
        code=first.code,
        extra={
            "rule": first.code,
            "rules": [r.code for r in extra],
            "override_min_length": OVERRIDE_MIN_LENGTH,
            **first.details,
        },
    )


def _extra_broken(
    before: list[Member], after: list[Member], settings: CouncilSettings, today: date
) -> list[RuleResult]:
    old, new = Composition.of(before, today), Composition.of(after, today)
    out: list[RuleResult] = []
    parity = ParityInResidentsCollege()
    was, now = parity.check(old), parity.check(new)
    if not was.ok and not now.ok and now.details["gap"] > was.details["gap"]:
        out.append(replace(now, message=now.message + " " + _("Ce changement aggrave l'écart.")))
    share = ResidentsShare(settings.residents_min_share)
    was, now = share.check(old), share.check(new)
    if not was.ok and not now.ok and _share(now) < _share(was):
        out.append(
            replace(now, message=now.message + " " + _("Ce changement réduit encore leur part."))
        )
    volunteers = VolunteersOnlyRefusedUnder2014(settings.regime)
    was, now = volunteers.check(old), volunteers.check(new)
    if was.ok and now.blocks:
        out.append(now)
    seats = VolunteerSeats(settings.volunteer_seats, settings.regime)
    was, now = seats.check(old), seats.check(new)
    if now.blocks and (was.ok or now.details["volunteers"] > was.details["volunteers"]):
        out.append(now)
    return out


def _share(result: RuleResult) -> Fraction:
    total = int(result.details["total"])
    return Fraction(int(result.details["residents"]), total) if total else Fraction(0)


async def _record(
    ctx: AppContext,
    actor: Actor,
    council: dict[str, Any],
    member_id: int,
    action: str,
    values: dict[str, Any],
    override_reason: str,
    overridden: list[str],
) -> None:
    now = ctx.now()
    snap = _snapshot(values)
    snap.setdefault("status", "actif")
    await MembreHistorique.insert(
        MembreHistorique(
            membre=member_id,
            council=council["id"],
            at=now,
            actor_id=actor.id,
            action=action,
            snapshot=snap,
            override_reason=override_reason if overridden else "",
            overridden_rules=overridden,
        )
    )
    details: dict[str, Any] = {
        k: snap[k] for k in ("college", "seat", "origin", "status") if k in snap
    }
    if overridden:
        details["derogation"] = {"regles": overridden, "motif": override_reason.strip()}
    await audit.record(
        ctx.db,
        actor=actor,
        action=f"membre.{action}",
        subject_type="membre",
        subject_id=member_id,
        at=now,
        territory_id=int(council["territory"]),
        council_id=int(council["id"]),
        after=snap,
        details=details,
    )


async def create_member(
    ctx: AppContext, actor: Actor, council_id: int, data: MemberInput, override_reason: str = ""
) -> dict[str, Any]:
    now = ctx.now()
    today = local_today(now)
    async with ctx.db.transaction():
        council = await council_row(council_id)
        values = _values(data, council, today)
        if values["account"] is not None and not await Account.exists().where(
            Account.id == values["account"]
        ):
            raise InvalidInput(_("Compte introuvable."), field="account_id")
        rows = await list_members(council_id)
        _check_exclusion(rows, {**values, "status": "actif"}, None)
        before = [to_member(r) for r in rows]
        new = Member(
            id="nouveau",
            college=College(values["college"]),
            origin=Origin(values["origin"]),
            seat=Seat(values["seat"]),
            sex=Sex(values["sexe"]),
            mandate_start=values["mandate_start"],
            mandate_end=values["mandate_end"],
            stratum=values["stratum"],
            rank=values["rank"],
        )
        overridden = guard_change(before, [*before, new], council, today, override_reason)
        row = (
            await Membre.insert(
                Membre(council=council_id, created_at=now, updated_at=now, **values)
            ).returning(Membre.id)
        )[0]
        await _record(
            ctx, actor, council, row["id"], "creation", values, override_reason, overridden
        )
    return await get_member(row["id"])


async def update_member(
    ctx: AppContext,
    actor: Actor,
    member_id: int,
    data: MemberInput,
    version: int,
    override_reason: str = "",
    council_id: int | None = None,
) -> dict[str, Any]:
    now = ctx.now()
    today = local_today(now)
    async with ctx.db.transaction():
        current = await get_member(member_id, council_id)
        council = await council_row(current["council"])
        values = _values(data, council, today)
        if data.draw_id is None:  # a form never resends where the member came from
            for k in ("draw_id", "pool_key", "subject_type", "subject_id"):
                values[k] = current[k]
        rows = await list_members(current["council"])
        _check_exclusion(rows, {**values, "status": current["status"]}, member_id)
        before = [to_member(r) for r in rows]
        after = [to_member({**r, **values}) if r["id"] == member_id else to_member(r) for r in rows]
        overridden = guard_change(before, after, council, today, override_reason)
        await _versioned(member_id, version, {**values, "updated_at": now})
        await _record(
            ctx,
            actor,
            council,
            member_id,
            "modification",
            {**current, **values},
            override_reason,
            overridden,
        )
    return await get_member(member_id)


async def _versioned(member_id: int, version: int, values: dict[str, Any]) -> None:
    await versioned_update(
        Membre, member_id, version, values,
        message=_("Ce membre a été modifié par quelqu'un d'autre entre-temps : rechargez la page "
                  "pour voir sa fiche à jour, puis recommencez."),
    )


@dataclass(frozen=True)
class DepartureResult:
    member: dict[str, Any]
    vacancy: bool
    proposal: dict[str, Any] | None
    message: str


async def depart_member(
    ctx: AppContext,
    actor: Actor,
    member_id: int,
    status: str,
    on: date,
    version: int,
    override_reason: str = "",
    council_id: int | None = None,
) -> DepartureResult:
    now = ctx.now()
    today = local_today(now)
    try:
        new_status = MemberStatus(status)
    except ValueError:
        raise InvalidInput(_("Statut inconnu."), field="status") from None
    async with ctx.db.transaction():
        current = await get_member(member_id, council_id)
        council = await council_row(current["council"])
        rows = await list_members(current["council"])
        departure = depart(to_member(current), new_status, on)
        before = [to_member(r) for r in rows]
        after = [departure.member if m.id == str(member_id) else m for m in before]
        overridden = guard_change(before, after, council, today, override_reason)
        values = {"status": new_status.value, "status_since": on, "updated_at": now}
        await _versioned(member_id, version, values)
        await _record(
            ctx,
            actor,
            council,
            member_id,
            "depart",
            {**current, **values},
            override_reason,
            overridden,
        )
        # A member who came from a draw leaves the draw's seats too (same transaction), so
        # the draw's record and the composition never disagree on who holds a seat.
        draw_proposal = await _draw_departure(ctx, actor, current)
    member = await get_member(member_id)
    proposal, message = None, _("Le départ d'un suppléant ne libère pas de siège.")
    if departure.vacancy is not None:
        proposal, message = await replacement_proposal(member_id)
        if draw_proposal is not None:
            message = str(draw_proposal.get("message") or message)
            key = draw_proposal.get("replacement")
            if key:
                row = (
                    await Membre.select()
                    .where(
                        (Membre.draw_id == current["draw_id"])
                        & (Membre.pool_key == key)
                        & (Membre.council == current["council"])
                    )
                    .first()
                )
                proposal = (
                    label_member(dict(row))
                    if row is not None and row["status"] == "actif"
                    else proposal
                )
    return DepartureResult(member, departure.vacancy is not None, proposal, message)


async def _draw_departure(
    ctx: AppContext, actor: Actor, member: dict[str, Any]
) -> dict[str, Any] | None:
    if member.get("draw_id") is None or not member.get("pool_key"):
        return None
    try:
        from service.usecases import tirage
    except ImportError:
        return None
    try:
        return await tirage.record_departure(
            ctx, actor, int(member["council"]), int(member["draw_id"]), member["pool_key"]
        )
    except (InvalidState, NotFound):
        # The draw no longer tracks this key (abandoned, replaced): the composition's own
        # order (suppléants' ranks from the draw) still gives the proposal.
        return None


def _vacancy_of(d: Member) -> Vacancy:
    if d.is_active or d.seat is not Seat.TITULAIRE or d.status_since is None:
        raise InvalidState(
            _("Seul le siège d'un titulaire parti peut être pourvu."), code="pas-de-siege-vacant"
        )
    vacancy = depart(
        replace(d, status=MemberStatus.ACTIF, status_since=None), d.status, d.status_since
    ).vacancy
    assert vacancy is not None
    return vacancy


async def replacement_proposal(
    member_id: int, council_id: int | None = None
) -> tuple[dict[str, Any] | None, str]:
    """The suppléant proposed for a departed titulaire's seat, best rank of the same
    college, stratum (and sex among residents) first — the draw's order."""
    current = await get_member(member_id, council_id)
    vacancy = _vacancy_of(to_member(current))
    if await Membre.exists().where(Membre.replaces == member_id):
        raise InvalidState(_("Ce siège a déjà été pourvu."), code="siege-deja-pourvu")
    rows = await list_members(current["council"])
    proposal = propose_replacement(vacancy, [to_member(r) for r in rows])
    if proposal.candidate is None:
        return None, proposal.reason
    return label_member(
        next(r for r in rows if str(r["id"]) == proposal.candidate.id)
    ), proposal.reason


async def promote_replacement(
    ctx: AppContext,
    actor: Actor,
    departed_id: int,
    suppleant_id: int,
    version: int,
    override_reason: str = "",
    council_id: int | None = None,
) -> dict[str, Any]:
    now = ctx.now()
    today = local_today(now)
    async with ctx.db.transaction():
        departed = await get_member(departed_id, council_id)
        supp = await get_member(suppleant_id, council_id)
        if supp["council"] != departed["council"]:
            raise InvalidInput(
                _("Ce suppléant n'appartient pas à ce conseil."), field="suppleant_id"
            )
        if await Membre.exists().where(Membre.replaces == departed_id):
            raise InvalidState(_("Ce siège a déjà été pourvu."), code="siege-deja-pourvu")
        vacancy = _vacancy_of(to_member(departed))
        promoted = promote(to_member(supp), vacancy)
        council = await council_row(departed["council"])
        rows = await list_members(departed["council"])
        before = [to_member(r) for r in rows]
        after = [promoted if m.id == str(suppleant_id) else m for m in before]
        overridden = guard_change(before, after, council, today, override_reason)
        values = {
            "seat": "titulaire",
            "mandate_start": promoted.mandate_start,
            "replaces": departed_id,
            "updated_at": now,
        }
        await _versioned(suppleant_id, version, values)
        await _record(
            ctx,
            actor,
            council,
            suppleant_id,
            "promotion",
            {**supp, **values},
            override_reason,
            overridden,
        )
    return await get_member(suppleant_id)


async def members_from_draw(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    draw_id: int,
    mandate_start: date | None = None,
    override_reason: str = "",
) -> list[dict[str, Any]]:
    """Create the members a draw seated: titulaires, and suppléants with their rank (the
    draw's order, used for replacements). People already created from this draw are
    skipped, so the call can be repeated after later rounds."""
    from service.usecases import tirage
    from service.usecases.subjects import load_subjects

    results = await tirage.draw_results(draw_id)
    if results.council_id != council_id:
        raise NotFound(_("Tirage introuvable."))
    if not results.titulaires:
        raise InvalidState(
            _("Ce tirage n'a encore pourvu aucun siège : enregistrez d'abord les réponses."),
            code="aucun-siege-pourvu",
        )
    origin = (
        Origin.TIRE_AU_SORT_VOLONTAIRES
        if results.kind == "volontaires"
        else Origin.TIRE_AU_SORT_REGISTRE
    )
    holders = [*results.titulaires, *results.suppleants]
    by_type: dict[str, list[int]] = {}
    for h in holders:
        if h.subject_id is not None:
            by_type.setdefault(h.subject_type, []).append(int(h.subject_id))
    subjects = {t: await load_subjects(t, ids) for t, ids in by_type.items()}
    now = ctx.now()
    today = local_today(now)
    start = mandate_start or today
    created: list[int] = []
    async with ctx.db.transaction():
        council = await council_row(council_id)
        existing = {
            r["pool_key"]
            for r in await Membre.select(Membre.pool_key).where(
                (Membre.council == council_id) & (Membre.draw_id == draw_id)
            )
        }
        rows = await list_members(council_id)
        before = [to_member(r) for r in rows]
        pending: list[dict[str, Any]] = []
        for h in holders:
            if h.key in existing:
                continue
            subj = (
                subjects.get(h.subject_type, {}).get(int(h.subject_id))
                if h.subject_id is not None
                else None
            )
            if subj is None:
                raise InvalidState(
                    _(
                        "Les données de la personne « {k} » ne sont plus disponibles (purgées ?) : "
                        "ajoutez-la à la main."
                    ).format(k=h.key),
                    code="personne-introuvable",
                )
            sexe = subj.sexe or h.stratum.split("/")[0]
            contact = ReplyContact.parse(h.contact)
            other = contact.autre
            data = MemberInput(
                college="habitants",
                origin=origin.value,
                prenom=subj.prenom,
                nom=subj.nom,
                sexe=sexe,
                seat="titulaire" if h.role == "titulaire" else "suppleant",
                mandate_start=start,
                email=subj.email or contact.email or (other if "@" in other else ""),
                telephone=subj.telephone or contact.telephone
                or (other if other and "@" not in other else ""),
                stratum=h.stratum,
                rank=h.rank,
                draw_id=draw_id,
                pool_key=h.key,
                subject_type=h.subject_type,
                subject_id=h.subject_id,
            )
            values = _values(data, council, today)
            _check_exclusion(rows, {**values, "status": "actif"}, None)
            pending.append(values)
        after = before + [
            Member(
                id=f"nouveau-{i}",
                college=College.HABITANTS,
                origin=origin,
                seat=Seat(v["seat"]),
                sex=Sex(v["sexe"]),
                mandate_start=v["mandate_start"],
                mandate_end=v["mandate_end"],
                stratum=v["stratum"],
                rank=v["rank"],
            )
            for i, v in enumerate(pending)
        ]
        overridden = guard_change(before, after, council, today, override_reason)
        for values in pending:
            row = (
                await Membre.insert(
                    Membre(council=council_id, created_at=now, updated_at=now, **values)
                ).returning(Membre.id)
            )[0]
            created.append(int(row["id"]))
            await _record(
                ctx, actor, council, row["id"], "creation", values, override_reason, overridden
            )
    return [await get_member(i) for i in created]


# --- history and the parity timeline ---------------------------------------------------


async def history(council_id: int, limit: int = 500) -> list[dict[str, Any]]:
    rows = (
        await MembreHistorique.select(
            *MembreHistorique.all_columns(),
            MembreHistorique.membre.prenom.as_alias("prenom"),
            MembreHistorique.membre.nom.as_alias("nom"),
        )
        .where(MembreHistorique.council == council_id)
        .order_by(MembreHistorique.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
    return [{**dict(r), "etat": _state_label(r["snapshot"] or {})} for r in rows]


def _state_label(snap: dict[str, Any]) -> str:
    """« Collège des habitants, titulaire, femme, actif (depuis 2026-06-01) » for the history."""
    parts = []
    for cls, key in ((College, "college"), (Seat, "seat"), (Sex, "sexe"), (MemberStatus, "status")):
        try:
            label = cls(snap.get(key)).label
        except ValueError:
            continue
        parts.append(label if key == "college" else label.lower())
    text = ", ".join(parts)
    if snap.get("status_since") and snap.get("status") != "actif":
        text += " " + _("(depuis le {d})").format(d=snap["status_since"])
    return text


async def timeline(ctx: AppContext, council_id: int) -> tuple[list[ParityPoint], date, date]:
    rows = await list_members(council_id)
    titulaires = [r for r in rows if r["seat"] == "titulaire"]
    today = local_today(ctx.now())
    if not titulaires:
        return [], today, today
    start = min(r["mandate_start"] for r in titulaires)
    end = max(max(r["mandate_end"] for r in titulaires), start)
    return parity_timeline([to_member(r) for r in rows], start, end), start, end


# --- the volunteers' pool (drawn with cc-draw/1 by the draw feature) --------------------


async def eligible_volunteers(council_id: int) -> list[dict[str, Any]]:
    """Accepted volunteer applications not yet seated or drawn into the council."""
    rows = (
        await CandidatureHabitant.select(
            CandidatureHabitant.id,
            CandidatureHabitant.sexe,
            CandidatureHabitant.adresse,
            CandidatureHabitant.code_postal,
            CandidatureHabitant.commune,
            CandidatureHabitant.perimetre,
        )
        .where(
            (CandidatureHabitant.council == council_id)
            & (CandidatureHabitant.status == "acceptee")
            & (CandidatureHabitant.perimetre != "hors-perimetre")
        )
        .order_by(CandidatureHabitant.id)
    )
    seated = {
        r["subject_id"]
        for r in await Membre.select(Membre.subject_id).where(
            (Membre.council == council_id) & (Membre.subject_type == "candidature")
        )
    }
    return [dict(r) for r in rows if r["id"] not in seated]


async def build_volunteer_pool(ctx: AppContext, actor: Actor, council_id: int) -> dict[str, Any]:
    """When accepted volunteers outnumber the seats reserved for them, freeze them into a
    pool of kind « volontaires », stratified by sex, for the draw (cc-draw/1)."""
    from domain.registre.normalise import parse_address
    from service.usecases.pools import PoolItem, create_pool, new_key

    council = await council_row(council_id)
    seats = int((council["settings"] or {}).get("sieges_volontaires", 0))
    volunteers = await eligible_volunteers(council_id)
    if seats <= 0:
        raise InvalidState(
            _(
                "Aucun siège du collège des habitants n'est réservé aux volontaires (réglage du "
                "conseil)."
            ),
            code="aucun-siege-volontaire",
        )
    if len(volunteers) <= seats:
        raise InvalidState(
            _(
                "{n} volontaires acceptés pour {s} sièges réservés : pas besoin de tirage, ils "
                "peuvent tous être nommés."
            ).format(n=len(volunteers), s=seats),
            code="tirage-inutile",
        )
    households: dict[str, str] = {}
    items = []
    for v in volunteers:
        try:
            home = parse_address(
                adresse1=v["adresse"], code_postal=v["code_postal"], commune=v["commune"]
            ).cle
        except InvalidInput:
            home = ""
        household = households.setdefault(home, new_key()) if home else ""
        items.append(
            PoolItem(
                key=new_key(),
                stratum=v["sexe"],
                household=household,
                subject_type="candidature",
                subject_id=v["id"],
            )
        )
    return await create_pool(
        ctx,
        actor,
        council_id,
        items,
        kind="volontaires",
        label=_("Volontaires du collège des habitants"),
        reference_date=local_today(ctx.now()).isoformat(),
        stratification={"sexe": True, "sieges": seats},
    )


# --- the member's own page -------------------------------------------------------------


async def my_memberships(account_id: int) -> list[dict[str, Any]]:
    rows = (
        await Membre.select(*Membre.all_columns(), Membre.council.name.as_alias("council_name"))
        .where(Membre.account == account_id)
        .order_by(Membre.mandate_start, ascending=False)
    )
    return [label_member(dict(r)) for r in rows]


# --- appointing an accepted applicant ---------------------------------------------------


async def member_from_application(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    kind: str,
    application_id: int,
    *,
    seat: str = "titulaire",
    mandate_start: date | None = None,
    override_reason: str = "",
) -> dict[str, Any]:
    """Appoint an accepted application: a volunteer resident (origin « volontaire ») or a
    structure's representative. The composition rules apply as for any new member."""
    from service.usecases.candidatures import get_application

    if kind not in ("habitant", "structure"):
        raise NotFound(_("Candidature introuvable."))
    app = await get_application(kind, application_id, council_id)
    if app["status"] != "acceptee":
        raise InvalidState(
            _("Seule une candidature acceptée peut donner lieu à une nomination."),
            code="candidature-non-acceptee",
        )
    subject_type = "candidature" if kind == "habitant" else "structure"
    if await Membre.exists().where(
        (Membre.council == council_id)
        & (Membre.subject_type == subject_type)
        & (Membre.subject_id == application_id)
    ):
        raise Conflict(_("Cette personne siège déjà au conseil."), code="deja-membre")
    if kind == "habitant":
        data = MemberInput(
            college="habitants",
            origin=Origin.VOLONTAIRE.value,
            prenom=app["prenom"],
            nom=app["nom"],
            sexe=app["sexe"],
            seat=seat,
            mandate_start=mandate_start,
            email=app["email"],
            telephone=app["telephone"],
            subject_type=subject_type,
            subject_id=application_id,
        )
    else:
        if app["representant_sexe"] not in ("F", "M"):
            raise InvalidInput(
                _(
                    "Le sexe du représentant n'est pas connu : ajoutez-le à la main depuis la "
                    "composition."
                ),
                field="representant_sexe",
            )
        data = MemberInput(
            college="associations_acteurs",
            origin=Origin.REPRESENTANT_STRUCTURE.value,
            prenom=app["representant_prenom"],
            nom=app["representant_nom"],
            sexe=app["representant_sexe"],
            seat=seat,
            mandate_start=mandate_start,
            structure=app["structure"],
            email=app["email"],
            telephone=app["telephone"],
            subject_type=subject_type,
            subject_id=application_id,
        )
    return await create_member(ctx, actor, council_id, data, override_reason)


async def council_accounts(council_id: int) -> list[tuple[str, str]]:
    """Accounts a member record may be linked to: those holding the member or secretary
    role on this council (invited by the lead), as (id, « name <e-mail> »)."""
    from service.db.tables import RoleAssignment

    rows = await RoleAssignment.select(
        RoleAssignment.account,
        RoleAssignment.account.display_name.as_alias("name"),
        RoleAssignment.account.email.as_alias("email"),
    ).where(
        (RoleAssignment.council == council_id) & RoleAssignment.role.is_in(["membre", "secretaire"])
    )
    seen: dict[int, str] = {}
    for r in rows:
        seen.setdefault(int(r["account"]), f"{r['name']} <{r['email']}>")
    return [(str(k), v) for k, v in sorted(seen.items(), key=lambda kv: kv[1].casefold())]


# --- postal address (convocations by post) -----------------------------------------------

ADDRESS_PARTS = ("complement_destinataire", "complement_lieu", "numero", "voie", "lieu_dit", "code_postal", "commune")


async def update_member_address(
    ctx: AppContext, actor: Actor, member_id: int, values: dict[str, str], version: int,
    council_id: int | None = None,
) -> dict[str, Any]:
    """The member's postal address (NF Z10-011 parts) used by convocations sent by post.
    Contact data: the audit records which parts changed, never their values."""
    clean = {k: " ".join(str(values.get(k, "")).split()) for k in ADDRESS_PARTS}
    cp = clean["code_postal"].replace(" ", "")
    if cp and not (len(cp) == 5 and cp.isdigit()):
        raise InvalidInput(_("Code postal invalide : cinq chiffres attendus (ex. 37000)."), field="code_postal",
                           code="code-postal-invalide")
    clean["code_postal"] = cp
    async with ctx.db.transaction():
        current = await get_member(member_id, council_id)
        changed = sorted(k for k in ADDRESS_PARTS if current.get(f"adresse_{k}", "") != clean[k])
        await _versioned(member_id, version, {**{f"adresse_{k}": v for k, v in clean.items()}, "updated_at": ctx.now()})
        await audit.record(ctx.db, actor=actor, action="membre.adresse", subject_type="membre", subject_id=member_id,
                           at=ctx.now(), council_id=current["council"], details={"champs": changed})
    return await get_member(member_id)
