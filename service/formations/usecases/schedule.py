"""The training schedule: trainings of a territory, open to some of its councils, and
their sessions. The lead manages it; each write is audited in its transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from domain.errors import FieldError, InvalidInput, RuleBroken
from domain.i18n import _
from domain.training import Audience, SessionTimes, check_session_times
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.formations.store import SessionRow, TrainingRow, TrainingStore


@dataclass(frozen=True)
class TrainingInput:
    titre: str
    theme: str = ""
    objectifs: str = ""
    organisme: str = ""
    public: str = Audience.MEMBRES.value
    auto_inscription: bool = True
    date_debut: date | None = None
    date_fin: date | None = None
    rappel_jours: int = 2
    conseils: tuple[int, ...] = ()


@dataclass(frozen=True)
class SessionInput:
    debut: datetime
    fin: datetime
    pause_debut: time | None = None
    pause_fin: time | None = None
    lieu: str = ""
    lien_visio: str = ""
    capacite: int | None = None


@dataclass(frozen=True)
class Schedule:
    training: TrainingRow
    sessions: list[SessionRow]


def _training_values(data: TrainingInput) -> dict[str, Any]:
    errors: list[FieldError] = []
    titre = data.titre.strip()
    if not titre:
        errors.append(FieldError("titre", _("Donnez un titre à la formation.")))
    elif len(titre) > 200:
        errors.append(FieldError("titre", _("Le titre dépasse 200 caractères.")))
    try:
        audience = Audience(data.public)
    except ValueError:
        errors.append(FieldError("public", _("Public inconnu : choisissez membres, membres et suppléants, ou ouvert.")))
        audience = Audience.MEMBRES
    if data.date_debut and data.date_fin and data.date_fin < data.date_debut:
        errors.append(FieldError("date_fin", _("La fin de la formation précède son début.")))
    if not 0 <= data.rappel_jours <= 30:
        errors.append(FieldError("rappel_jours", _("Le rappel se règle entre 0 (aucun) et 30 jours avant la séance.")))
    if errors:
        raise InvalidInput(_("La formation n'est pas valide."), field=errors[0].field, errors=errors)
    return {
        "titre": titre, "theme": data.theme.strip()[:200], "objectifs": data.objectifs.strip(),
        "organisme": data.organisme.strip()[:200], "public": audience.value, "auto_inscription": data.auto_inscription,
        "date_debut": data.date_debut, "date_fin": data.date_fin, "rappel_jours": data.rappel_jours,
    }


async def _check_councils(store: TrainingStore, territory_id: int, council_ids: Sequence[int]) -> None:
    known = {cid for cid, _name in await store.territory_councils(territory_id)}
    strangers = sorted(set(council_ids) - known)
    if strangers:
        raise InvalidInput(_("Ces conseils ne sont pas du territoire de la formation : {ids}.").format(
            ids=", ".join(str(c) for c in strangers)), field="conseils")
    if not council_ids:
        raise InvalidInput(_("Ouvrez la formation à au moins un conseil citoyen."), field="conseils")


async def create_training(ctx: AppContext, actor: Actor, store: TrainingStore, territory_id: int, data: TrainingInput) -> TrainingRow:
    values = _training_values(data)
    async with ctx.db.transaction():
        await _check_councils(store, territory_id, data.conseils)
        fid = await store.create_training(territory_id, values, data.conseils)
        await audit.record(ctx.db, actor=actor, action="formation.creation", subject_type="formation", subject_id=fid,
                           at=ctx.now(), territory_id=territory_id, after={**values, "conseils": list(data.conseils)})
        return await store.get_training(fid)


async def update_training(ctx: AppContext, actor: Actor, store: TrainingStore, formation_id: int, version: int,
                          data: TrainingInput) -> TrainingRow:
    values = _training_values(data)
    async with ctx.db.transaction():
        before = await store.get_training(formation_id)
        await _check_councils(store, before.territory_id, data.conseils)
        sessions = await store.sessions([formation_id])
        for s in sessions:
            check_session_times(s.times, training_from=values["date_debut"], training_to=values["date_fin"])
        await store.update_training(formation_id, version, values, data.conseils)
        await audit.record(ctx.db, actor=actor, action="formation.modification", subject_type="formation", subject_id=formation_id,
                           at=ctx.now(), territory_id=before.territory_id, before=before, after=values)
        return await store.get_training(formation_id)


def _session_values(data: SessionInput, training: TrainingRow) -> dict[str, Any]:
    times = SessionTimes(data.debut, data.fin, data.pause_debut, data.pause_fin)
    check_session_times(times, training_from=training.date_debut, training_to=training.date_fin)
    if data.capacite is not None and not 1 <= data.capacite <= 10_000:
        raise InvalidInput(_("La capacité va de 1 à 10 000 places (laissez vide pour ne pas limiter)."), field="capacite")
    if not data.lieu.strip() and not data.lien_visio.strip():
        raise InvalidInput(_("Indiquez un lieu ou un lien de visioconférence."), field="lieu")
    if data.lien_visio.strip() and not data.lien_visio.strip().startswith("https://"):
        raise InvalidInput(_("Le lien de visioconférence commence par https://."), field="lien_visio")
    return {
        "debut": data.debut, "fin": data.fin,
        "pause_debut": data.pause_debut.strftime("%H:%M") if data.pause_debut else "",
        "pause_fin": data.pause_fin.strftime("%H:%M") if data.pause_fin else "",
        "lieu": data.lieu.strip()[:300], "lien_visio": data.lien_visio.strip()[:500], "capacite": data.capacite,
    }


async def add_session(ctx: AppContext, actor: Actor, store: TrainingStore, formation_id: int, data: SessionInput) -> SessionRow:
    async with ctx.db.transaction():
        training = await store.get_training(formation_id)
        values = _session_values(data, training)
        sid = await store.add_session(formation_id, values)
        await audit.record(ctx.db, actor=actor, action="formation.seance.creation", subject_type="formation_seance", subject_id=sid,
                           at=ctx.now(), territory_id=training.territory_id, after=values)
        return await store.get_session(sid)


async def update_session(ctx: AppContext, actor: Actor, store: TrainingStore, seance_id: int, version: int,
                         data: SessionInput) -> SessionRow:
    async with ctx.db.transaction():
        session = await store.get_session(seance_id)
        training = await store.get_training(session.formation_id)
        values = _session_values(data, training)
        enrolled = sum(1 for e in await store.enrolments([seance_id]) if e.status.value == "inscrit")
        if values["capacite"] is not None and values["capacite"] < enrolled:
            raise RuleBroken(_("{n} personnes sont déjà inscrites : la capacité ne peut pas descendre en dessous.").format(n=enrolled),
                             field="capacite", code="capacite-sous-inscrits")
        await store.update_session(seance_id, version, values)
        await audit.record(ctx.db, actor=actor, action="formation.seance.modification", subject_type="formation_seance",
                           subject_id=seance_id, at=ctx.now(), territory_id=training.territory_id, before=session, after=values)
        updated = await store.get_session(seance_id)
        await _tell_enrolled(ctx, store, training, updated)
        return updated


async def cancel_session(ctx: AppContext, actor: Actor, store: TrainingStore, seance_id: int, version: int) -> SessionRow:
    async with ctx.db.transaction():
        session = await store.get_session(seance_id)
        training = await store.get_training(session.formation_id)
        await store.update_session(seance_id, version, {"annulee": True})
        await audit.record(ctx.db, actor=actor, action="formation.seance.annulation", subject_type="formation_seance",
                           subject_id=seance_id, at=ctx.now(), territory_id=training.territory_id)
        updated = await store.get_session(seance_id)
        await _tell_enrolled(ctx, store, training, updated)
        return updated


async def _tell_enrolled(ctx: AppContext, store: TrainingStore, training: TrainingRow, session: SessionRow) -> None:
    """Everyone enrolled is told of the change, in the same transaction (outbox)."""
    from domain.training import EnrolmentStatus
    from service.formations import notify

    for e in await store.enrolments([session.id]):
        if e.status is EnrolmentStatus.INSCRIT:
            await notify.changed(ctx, e, training, session)


async def schedule_of_territory(store: TrainingStore, territory_id: int) -> list[Schedule]:
    trainings = await store.trainings(territory_id=territory_id)
    return await _with_sessions(store, trainings)


async def schedule_of_council(store: TrainingStore, council_id: int) -> list[Schedule]:
    trainings = await store.trainings(council_id=council_id)
    return await _with_sessions(store, trainings)


async def schedule_of(store: TrainingStore, formation_id: int) -> Schedule:
    training = await store.get_training(formation_id)
    return Schedule(training, await store.sessions([formation_id]))


async def _with_sessions(store: TrainingStore, trainings: list[TrainingRow]) -> list[Schedule]:
    sessions = await store.sessions([t.id for t in trainings])
    by: dict[int, list[SessionRow]] = {}
    for s in sessions:
        by.setdefault(s.formation_id, []).append(s)
    return [Schedule(t, by.get(t.id, [])) for t in trainings]
