"""Attendance at training sessions (one mark per enrolled person and half-day), hours
attended per person (spec §7), and the figures of an attestation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from domain.errors import InvalidInput
from domain.i18n import _
from domain.training import (
    PARIS,
    AttendanceRule,
    AttestationRule,
    EnrolmentStatus,
    HalfDay,
    HalfDayPart,
    Mark,
    half_days,
    hours_attended,
)
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.formations.store import EnrolmentRow, MarkRow, SessionRow, TrainingRow, TrainingStore


@dataclass(frozen=True)
class SheetLine:
    enrolment: EnrolmentRow
    marks: dict[HalfDayPart, Mark]


@dataclass(frozen=True)
class Sheet:
    """The attendance sheet of a session: its half-days and one line per enrolled person."""

    training: TrainingRow
    session: SessionRow
    half_days: list[HalfDay]
    lines: list[SheetLine]


@dataclass(frozen=True)
class PersonHours:
    enrolment: EnrolmentRow  # the person's first enrolment in the training (names, kind)
    hours: Fraction
    days: tuple[date, ...]  # dates attended (Paris)


async def sheet(store: TrainingStore, seance_id: int) -> Sheet:
    session = await store.get_session(seance_id)
    training = await store.get_training(session.formation_id)
    enrolled = [e for e in await store.enrolments([seance_id]) if e.status is EnrolmentStatus.INSCRIT]
    enrolled.sort(key=lambda e: (e.nom.lower(), e.prenom.lower(), e.id))
    marks = _by_enrolment(await store.marks([e.id for e in enrolled]))
    return Sheet(training, session, half_days(session.times), [SheetLine(e, marks.get(e.id, {})) for e in enrolled])


def _by_enrolment(rows: Sequence[MarkRow]) -> dict[int, dict[HalfDayPart, Mark]]:
    out: dict[int, dict[HalfDayPart, Mark]] = {}
    for r in rows:
        out.setdefault(r.inscription_id, {})[r.demi_journee] = r.marque
    return out


async def record_mark(ctx: AppContext, actor: Actor, store: TrainingStore, inscription_id: int, part: str, mark: str) -> Sheet:
    try:
        p, m = HalfDayPart(part), Mark(mark)
    except ValueError:
        raise InvalidInput(_("Demi-journée ou présence inconnue."), field="marque") from None
    async with ctx.db.transaction():
        e = await store.get_enrolment(inscription_id)
        AttendanceRule.check(e.status)
        session = await store.get_session(e.seance_id)
        if p not in {h.part for h in half_days(session.times)}:
            raise InvalidInput(_("Cette séance n'a pas de demi-journée « {partie} ».").format(partie=p.label.lower()),
                               field="demi_journee")
        await store.set_mark(e.id, p, m, ctx.now(), actor.id)
        training = await store.get_training(session.formation_id)
        await audit.record(ctx.db, actor=actor, action="formation.emargement", subject_type="formation_inscription",
                           subject_id=e.id, at=ctx.now(), territory_id=training.territory_id,
                           details={"demi_journee": p.value, "marque": m.value})
    return await sheet(store, e.seance_id)


async def hours_of_training(store: TrainingStore, formation_id: int) -> list[PersonHours]:
    sessions = {s.id: s for s in await store.sessions([formation_id])}
    enrolments = await store.enrolments(list(sessions))
    marks = _by_enrolment(await store.marks([e.id for e in enrolments]))
    per: dict[str, tuple[EnrolmentRow, list[HalfDay], set[date]]] = {}
    for e in enrolments:
        _first, signed, days = per.setdefault(e.person_key, (e, [], set()))
        session = sessions[e.seance_id]
        for h in half_days(session.times):
            if marks.get(e.id, {}).get(h.part) is Mark.PRESENT:
                signed.append(h)
                days.add(h.start.astimezone(PARIS).date())
    out = [PersonHours(first, hours_attended(signed), tuple(sorted(days))) for first, signed, days in per.values()]
    out.sort(key=lambda p: (p.enrolment.nom.lower(), p.enrolment.prenom.lower()))
    return out


async def attestation_of(store: TrainingStore, formation_id: int, person_key: str) -> tuple[TrainingRow, PersonHours]:
    """What an attestation states; refused when the person attended no half-day."""
    training = await store.get_training(formation_id)
    for p in await hours_of_training(store, formation_id):
        if p.enrolment.person_key == person_key:
            AttestationRule.check(p.hours)
            return training, p
    AttestationRule.check(Fraction(0))
    raise AssertionError("unreachable")


async def attestations_of(store: TrainingStore, formation_id: int) -> tuple[TrainingRow, list[PersonHours]]:
    """Everyone who attended at least one half-day."""
    training = await store.get_training(formation_id)
    return training, [p for p in await hours_of_training(store, formation_id) if p.hours > 0]


async def printed_invitations(store: TrainingStore, seance_id: int) -> tuple[TrainingRow, SessionRow, list[Any], list[str]]:
    """The enrolled members without e-mail, with their postal address (read through the
    meetings' store, which holds members' addresses); those without a usable address are
    named instead of getting a wrong letter."""
    from domain.adresse_postale import cle_tri_postal, formater_adresse
    from service.formations.documents import PrintedInvitation
    from service.reunions.store import ReunionStore

    session = await store.get_session(seance_id)
    training = await store.get_training(session.formation_id)
    members = ReunionStore(store.db)
    out, missing = [], []
    for e in await store.enrolments([seance_id]):
        if e.status is not EnrolmentStatus.INSCRIT or e.email:
            continue
        bloc = formater_adresse((await members.member(e.membre_id)).adresse_postale()) if e.membre_id else None
        if bloc is None or not bloc.ok:
            missing.append(f"{e.prenom} {e.nom}")
            continue
        out.append(PrintedInvitation(e.prenom, e.nom, e.sexe, bloc.lines, cle_tri_postal(bloc)))
    return training, session, out, missing
