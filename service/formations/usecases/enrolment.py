"""Enrolment in training sessions: capacity, waiting list in order, promotion when a
place frees, cancellation up to the session, reminders. Mails go through the outbox in
the same transaction as the change they announce."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import Conflict, InvalidInput, NotFound, RuleBroken
from domain.i18n import _
from domain.organisation import normalise_key
from domain.training import AudienceRule, CancellationRule, EnrolmentStatus, ParticipantKind, place, reminder_due, to_promote
from service import audit
from service.audit import Actor
from service.composition.usecases import members as composition
from service.context import AppContext
from service.formations import notify
from service.formations.store import EnrolmentRow, SessionRow, TrainingRow, TrainingStore
from service.formations.usecases.attendance import PersonHours


@dataclass(frozen=True)
class Participant:
    kind: ParticipantKind
    prenom: str
    nom: str
    sexe: str = ""
    email: str = ""
    membre_id: int | None = None
    council_id: int | None = None

    @property
    def key(self) -> str:
        if self.membre_id is not None:
            return f"membre:{self.membre_id}"
        return "externe:" + (self.email.strip().lower() or normalise_key(f"{self.prenom} {self.nom}"))


@dataclass(frozen=True)
class EnrolmentResult:
    enrolment: EnrolmentRow
    position: int | None  # rank on the waiting list, None when a place was given


async def member_participant(membre_id: int) -> Participant:
    row = await composition.get_member(membre_id)
    if not row.is_active:
        raise RuleBroken(_("Ce mandat n'est plus en cours : la personne ne peut pas s'inscrire comme membre."), field="membre_id")
    kind = ParticipantKind.TITULAIRE if row.seat == "titulaire" else ParticipantKind.SUPPLEANT
    return Participant(kind, row.prenom, row.nom, row.sexe, row.email, row.id, row.council)


async def participant_for_account(account_id: int, training: TrainingRow) -> Participant:
    """The caller as a member of one of the councils the training is open to."""
    for m in await composition.my_memberships(account_id):
        if m.council in training.council_ids and m.is_active:
            return await member_participant(m.id)
    raise RuleBroken(_("Cette formation n'est pas ouverte à votre conseil citoyen, ou votre mandat n'y est pas en cours."),
                     code="mandat-requis", field="formation_id")


def external_participant(kind: str, prenom: str, nom: str, sexe: str, email: str) -> Participant:
    try:
        k = ParticipantKind(kind)
    except ValueError:
        raise InvalidInput(_("Type de participant inconnu."), field="kind") from None
    if k in (ParticipantKind.TITULAIRE, ParticipantKind.SUPPLEANT):
        raise InvalidInput(_("Un membre s'inscrit par sa fiche de membre (membre_id)."), field="kind")
    if not prenom.strip() or not nom.strip():
        raise InvalidInput(_("Le prénom et le nom sont nécessaires."), field="nom")
    if sexe not in ("", "F", "M"):
        raise InvalidInput(_("Sexe : F, M ou vide."), field="sexe")
    if email and "@" not in email:
        raise InvalidInput(_("Adresse électronique invalide."), field="email")
    return Participant(k, prenom.strip()[:100], nom.strip()[:100], sexe, email.strip()[:254])


def _check_open(session: SessionRow, now: datetime) -> None:
    if session.annulee:
        raise RuleBroken(_("Cette séance est annulée."), field="seance_id", code="seance-annulee")
    if now >= session.debut:
        raise RuleBroken(_("La séance a commencé : les inscriptions sont closes."), field="seance_id", code="inscriptions-closes")


async def enrol(ctx: AppContext, actor: Actor, store: TrainingStore, seance_id: int, person: Participant) -> EnrolmentResult:
    async with ctx.db.transaction():
        session = await store.get_session(seance_id)
        training = await store.get_training(session.formation_id)
        if person.council_id is not None and person.council_id not in training.council_ids:
            raise RuleBroken(_("Cette formation n'est pas ouverte au conseil de cette personne."), field="membre_id",
                             code="formation-hors-conseil")
        AudienceRule.check(training.public, person.kind)
        _check_open(session, ctx.now())
        # Exactly one of two people asking for the last place gets it.
        await store.lock_session(seance_id)
        existing = await store.find_enrolment(seance_id, person.key)
        if existing is not None and existing.status is not EnrolmentStatus.ANNULE:
            raise Conflict(_("{prenom} {nom} figure déjà sur cette séance ({etat}).").format(
                prenom=person.prenom, nom=person.nom, etat=existing.status.label.lower()), field="participant", code="deja-inscrit")
        current = await store.enrolments([seance_id])
        enrolled = sum(1 for e in current if e.status is EnrolmentStatus.INSCRIT)
        waiting = sum(1 for e in current if e.status is EnrolmentStatus.ATTENTE)
        placement = place(session.capacite, enrolled, waiting)
        if existing is not None:
            await store.reenrol(existing.id, existing.version, placement.status, ctx.now())
            eid = existing.id
        else:
            eid = await store.add_enrolment(seance_id, {
                "membre": person.membre_id, "person_key": person.key, "kind": person.kind.value, "prenom": person.prenom,
                "nom": person.nom, "sexe": person.sexe, "email": person.email, "status": placement.status.value,
                "created_at": ctx.now()})
        row = await store.get_enrolment(eid)
        await audit.record(ctx.db, actor=actor, action="formation.inscription", subject_type="formation_inscription", subject_id=eid,
                           at=ctx.now(), territory_id=training.territory_id, council_id=person.council_id,
                           details={"seance": seance_id, "statut": placement.status.value})
        if placement.status is EnrolmentStatus.INSCRIT:
            await notify.invitation(ctx, row, training, session)
        else:
            await notify.waiting(ctx, row, training, session, placement.position or 0)
        return EnrolmentResult(row, placement.position)


async def enrol_in_training(ctx: AppContext, actor: Actor, store: TrainingStore, formation_id: int,
                            person: Participant) -> list[EnrolmentResult]:
    """Enrol in every session of a training still to come (each with its own capacity)."""
    sessions = [s for s in await store.sessions([formation_id]) if not s.annulee and s.debut > ctx.now()]
    if not sessions:
        raise RuleBroken(_("Cette formation n'a plus de séance à venir."), field="formation_id", code="inscriptions-closes")
    results = []
    async with ctx.db.transaction():
        for s in sessions:
            existing = await store.find_enrolment(s.id, person.key)
            if existing is not None and existing.status is not EnrolmentStatus.ANNULE:
                continue
            results.append(await enrol(ctx, actor, store, s.id, person))
    if not results:
        raise Conflict(_("{prenom} {nom} figure déjà sur toutes les séances à venir.").format(
            prenom=person.prenom, nom=person.nom), field="participant", code="deja-inscrit")
    return results


async def cancel(ctx: AppContext, actor: Actor, store: TrainingStore, inscription_id: int, *, by_person: bool) -> EnrolmentRow:
    """Cancel an enrolment (the person, up to the session; the lead, any time) and give
    the freed place to the first on the waiting list, who is told by mail."""
    async with ctx.db.transaction():
        e = await store.get_enrolment(inscription_id)
        if e.status is EnrolmentStatus.ANNULE:
            raise Conflict(_("Cette inscription est déjà annulée."), field="inscription_id", code="deja-annulee")
        session = await store.get_session(e.seance_id)
        training = await store.get_training(session.formation_id)
        if by_person:
            CancellationRule.check(session.debut, ctx.now())
        await store.lock_session(session.id)
        await store.set_enrolment_status(e.id, e.version, EnrolmentStatus.ANNULE, cancelled_at=ctx.now())
        await audit.record(ctx.db, actor=actor, action="formation.desinscription", subject_type="formation_inscription",
                           subject_id=e.id, at=ctx.now(), territory_id=training.territory_id)
        if ctx.now() < session.debut and not session.annulee:
            await _promote(ctx, actor, store, training, session)
        return await store.get_enrolment(e.id)


async def _promote(ctx: AppContext, actor: Actor, store: TrainingStore, training: TrainingRow, session: SessionRow) -> None:
    current = await store.enrolments([session.id])
    enrolled = sum(1 for e in current if e.status is EnrolmentStatus.INSCRIT)
    queue = sorted((e for e in current if e.status is EnrolmentStatus.ATTENTE), key=lambda e: (e.created_at, e.id))
    chosen = set(to_promote(session.capacite, enrolled, [e.id for e in queue]))
    for e in queue:
        if e.id not in chosen:
            continue
        await store.set_enrolment_status(e.id, e.version, EnrolmentStatus.INSCRIT, promoted_at=ctx.now())
        await audit.record(ctx.db, actor=Actor.system(), action="formation.promotion", subject_type="formation_inscription",
                           subject_id=e.id, at=ctx.now(), territory_id=training.territory_id)
        await notify.promoted(ctx, await store.get_enrolment(e.id), training, session)


async def waiting_position(store: TrainingStore, e: EnrolmentRow) -> int | None:
    if e.status is not EnrolmentStatus.ATTENTE:
        return None
    queue = sorted((x for x in await store.enrolments([e.seance_id]) if x.status is EnrolmentStatus.ATTENTE),
                   key=lambda x: (x.created_at, x.id))
    return next(i for i, x in enumerate(queue, start=1) if x.id == e.id)


async def send_reminders(ctx: AppContext, store: TrainingStore, trainings: list[TrainingRow]) -> int:
    """Queue the reminder of each enrolled person whose session is ``rappel_jours`` away;
    each person is reminded once (the stamp is written with the mail)."""
    sent = 0
    for training in trainings:
        if training.rappel_jours <= 0:
            continue
        for session in await store.sessions([training.id]):
            if session.annulee or not reminder_due(session.debut, ctx.now(), days_before=training.rappel_jours):
                continue
            for e in await store.enrolments([session.id]):
                if e.status is not EnrolmentStatus.INSCRIT or e.reminder_sent_at is not None:
                    continue
                async with ctx.db.transaction():
                    await store.mark_reminded(e.id, ctx.now())
                    await notify.reminder(ctx, e, training, session)
                sent += 1
    return sent


async def enrolment_of(store: TrainingStore, inscription_id: int, *, membre_ids: set[int] | None = None) -> EnrolmentRow:
    """An enrolment, checked to belong to one of ``membre_ids`` when given (a member acts
    on their own enrolments only)."""
    e = await store.get_enrolment(inscription_id)
    if membre_ids is not None and e.membre_id not in membre_ids:
        raise NotFound(_("Inscription introuvable."), field="inscription_id")
    return e


async def my_member_ids(council_id: int, account_id: int) -> set[int]:
    return {m.id for m in await composition.my_memberships(account_id) if m.council == council_id}


async def my_person_key(council_id: int, account_id: int) -> str:
    ids = await my_member_ids(council_id, account_id)
    if not ids:
        raise RuleBroken(_("Vous n'êtes pas membre de ce conseil citoyen : vous n'avez pas d'inscription ni d'attestation ici."),
                         code="mandat-requis", field="council_id")
    return f"membre:{max(ids)}"


async def enrol_self(ctx: AppContext, actor: Actor, store: TrainingStore, council_id: int, formation_id: int,
                     account_id: int) -> list[EnrolmentResult]:
    training = await store.get_training(formation_id)
    if council_id not in training.council_ids:
        raise NotFound(_("Formation introuvable pour ce conseil."), field="formation_id")
    if not training.auto_inscription:
        raise RuleBroken(_("Pour cette formation, l'inscription se fait auprès du chef de projet."), field="formation_id",
                         code="inscription-par-le-chef-de-projet")
    person = await participant_for_account(account_id, training)
    return await enrol_in_training(ctx, actor, store, formation_id, person)


async def own_enrolment(store: TrainingStore, inscription_id: int, council_id: int, account_id: int) -> EnrolmentRow:
    return await enrolment_of(store, inscription_id, membre_ids=await my_member_ids(council_id, account_id))


@dataclass(frozen=True)
class MyEnrolment:
    enrolment: EnrolmentRow
    position: int | None
    training: TrainingRow
    session: SessionRow


@dataclass(frozen=True)
class MyTrainings:
    enrolments: list[MyEnrolment]
    hours: list[tuple[TrainingRow, PersonHours]]


async def my_trainings(store: TrainingStore, council_id: int, account_id: int) -> MyTrainings:
    from service.formations.usecases.attendance import hours_of_training

    ids = await my_member_ids(council_id, account_id)
    rows = [e for e in await store.enrolments_of_member(sorted(ids)) if e.status is not EnrolmentStatus.ANNULE]
    sessions = {}
    trainings: dict[int, TrainingRow] = {}
    out = []
    for e in rows:
        if e.seance_id not in sessions:
            sessions[e.seance_id] = await store.get_session(e.seance_id)
        session = sessions[e.seance_id]
        if session.formation_id not in trainings:
            trainings[session.formation_id] = await store.get_training(session.formation_id)
        out.append(MyEnrolment(e, await waiting_position(store, e), trainings[session.formation_id], session))
    out.sort(key=lambda m: m.session.debut)
    keys = {e.person_key for e in rows}
    hours = []
    for fid, training in trainings.items():
        for p in await hours_of_training(store, fid):
            if p.enrolment.person_key in keys:
                hours.append((training, p))
    return MyTrainings(out, hours)
