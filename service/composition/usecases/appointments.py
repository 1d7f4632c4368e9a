"""Where members come from besides a lead's form: the seats a draw filled, an accepted
application (volunteer or structure), and the volunteers' pool drawn with cc-draw/1 when
volunteers outnumber the seats reserved for them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from domain.composition import ChangeGuard, Origin
from domain.errors import Conflict, InvalidInput, InvalidState, NotFound
from domain.i18n import _
from service.audit import Actor
from service.composition.rows import (
    CompositionStorePort,
    CompositionUnit,
    MemberRow,
    MemberValues,
    VolunteerRow,
)
from service.composition.usecases.common import (
    load_member,
    local_today,
    reader,
    record_change,
    rule_settings,
    unit_for,
)
from service.composition.usecases.members import (
    MemberInput,
    create_member,
    member_values,
    new_member,
    refuse_two_colleges,
)
from service.context import AppContext

if TYPE_CHECKING:
    from service.organisation.subjects import Subject
    from service.tirage.usecases.records import SeatHolder


def _drawn_input(
    h: SeatHolder, subj: Subject, origin: Origin, start: date, draw_id: int
) -> MemberInput:
    from service.tirage.usecases.people import ReplyContact

    contact = ReplyContact.parse(h.contact)
    other = contact.autre
    return MemberInput(
        college="habitants",
        origin=origin.value,
        prenom=subj.prenom,
        nom=subj.nom,
        sexe=subj.sexe or h.stratum.split("/")[0],
        seat="titulaire" if h.role == "titulaire" else "suppleant",
        mandate_start=start,
        email=subj.email or contact.email or (other if "@" in other else ""),
        telephone=subj.telephone
        or contact.telephone
        or (other if other and "@" not in other else ""),
        stratum=h.stratum,
        rank=h.rank,
        draw_id=draw_id,
        pool_key=h.key,
        subject_type=h.subject_type,
        subject_id=h.subject_id,
    )


async def members_from_draw(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    draw_id: int,
    mandate_start: date | None = None,
    override_reason: str = "",
    *,
    unit: CompositionUnit | None = None,
) -> list[MemberRow]:
    """Create the members a draw seated: titulaires, and suppléants with their rank (the
    draw's order, used for replacements). People already created from this draw are
    skipped, so the call can be repeated after later rounds."""
    from service.organisation.subjects import load_subjects
    from service.tirage.usecases import records

    u = unit_for(ctx, unit)
    results = await records.draw_results(draw_id)
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
    async with u.store.transaction():
        council = await u.store.council(council_id)
        existing = await u.store.draw_keys(council_id, draw_id)
        rows = await u.store.list_members(council_id)
        before = [r.to_member() for r in rows]
        pending: list[MemberValues] = []
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
            values = member_values(_drawn_input(h, subj, origin, start, draw_id), council, today)
            refuse_two_colleges(rows, values, None)
            pending.append(values)
        after = before + [new_member(v, f"nouveau-{i}") for i, v in enumerate(pending)]
        overridden = ChangeGuard(rule_settings(council)).check(
            before, after, today, override_reason
        )
        for values in pending:
            member_id = await u.store.insert_member(council_id, values, now)
            created.append(member_id)
            await record_change(
                ctx, u, actor, council, member_id, "creation", values, override_reason,
                overridden,
            )
    return [await load_member(u.store, i) for i in created]


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
    unit: CompositionUnit | None = None,
) -> MemberRow:
    """Appoint an accepted application: a volunteer resident (origin « volontaire ») or a
    structure's representative. The composition rules apply as for any new member."""
    from dataclasses import asdict

    from service.candidatures.usecases.review import get_application

    u = unit_for(ctx, unit)
    if kind not in ("habitant", "structure"):
        raise NotFound(_("Candidature introuvable."))
    app = asdict(await get_application(kind, application_id, council_id))
    if app["status"] != "acceptee":
        raise InvalidState(
            _("Seule une candidature acceptée peut donner lieu à une nomination."),
            code="candidature-non-acceptee",
        )
    subject_type = "candidature" if kind == "habitant" else "structure"
    if await u.store.has_subject(council_id, subject_type, application_id):
        raise Conflict(_("Cette personne siège déjà au conseil."), code="deja-membre")
    data = _application_input(kind, app, seat, mandate_start, subject_type, application_id)
    return await create_member(ctx, actor, council_id, data, override_reason, unit=u)


def _application_input(
    kind: str,
    app: dict[str, Any],
    seat: str,
    mandate_start: date | None,
    subject_type: str,
    application_id: int,
) -> MemberInput:
    if kind == "habitant":
        return MemberInput(
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
    if app["representant_sexe"] not in ("F", "M"):
        raise InvalidInput(
            _(
                "Le sexe du représentant n'est pas connu : ajoutez-le à la main depuis la "
                "composition."
            ),
            field="representant_sexe",
        )
    return MemberInput(
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


# --- the volunteers' pool (drawn with cc-draw/1 by the draw feature) --------------------


async def eligible_volunteers(
    council_id: int, *, store: CompositionStorePort | None = None
) -> list[VolunteerRow]:
    """Accepted volunteer applications not yet seated or drawn into the council."""
    s = reader(store)
    seated = await s.subject_ids(council_id, "candidature")
    return [v for v in await s.accepted_volunteers(council_id) if v.id not in seated]


async def build_volunteer_pool(
    ctx: AppContext, actor: Actor, council_id: int, *, store: CompositionStorePort | None = None
) -> dict[str, Any]:
    """When accepted volunteers outnumber the seats reserved for them, freeze them into a
    pool of kind « volontaires », stratified by sex, for the draw (cc-draw/1)."""
    from domain.registre.normalise import parse_address
    from service.tirage.usecases.pools import PoolItem, create_pool, new_key

    s = reader(store)
    council = await s.council(council_id)
    seats = int(council.settings.get("sieges_volontaires", 0))
    volunteers = await eligible_volunteers(council_id, store=s)
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
            home = parse_address(adresse1=v.adresse, code_postal=v.code_postal, commune=v.commune).cle
        except InvalidInput:
            home = ""
        household = households.setdefault(home, new_key()) if home else ""
        items.append(
            PoolItem(
                key=new_key(),
                stratum=v.sexe,
                household=household,
                subject_type="candidature",
                subject_id=v.id,
            )
        )
    pool: dict[str, Any] = await create_pool(
        ctx,
        actor,
        council_id,
        items,
        kind="volontaires",
        label=_("Volontaires du collège des habitants"),
        reference_date=local_today(ctx.now()).isoformat(),
        stratification={"sexe": True, "sieges": seats},
    )
    return pool
