"""The training feature's store: the only code that queries its tables (DESIGN.md §2).

Typed methods return frozen dataclasses; engine differences (row locks) live here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from fractions import Fraction
from typing import Any

from domain.errors import NotFound
from domain.i18n import _
from domain.indicators import TrainingFact
from domain.training import (
    PARIS,
    Audience,
    EnrolmentStatus,
    HalfDayPart,
    Mark,
    ParticipantKind,
    SessionTimes,
    half_days,
    hours_attended,
)
from service.db.engine import Database
from service.db.versioned import versioned_update
from service.formations.tables import Emargement, Formation, FormationConseil, Inscription, Seance
from service.organisation.store import OrganisationStore


@dataclass(frozen=True)
class TrainingRow:
    id: int
    territory_id: int
    titre: str
    theme: str
    objectifs: str
    organisme: str
    public: Audience
    auto_inscription: bool
    date_debut: date | None
    date_fin: date | None
    rappel_jours: int
    version: int
    council_ids: tuple[int, ...]


@dataclass(frozen=True)
class SessionRow:
    id: int
    formation_id: int
    debut: datetime
    fin: datetime
    pause_debut: time | None
    pause_fin: time | None
    lieu: str
    lien_visio: str
    capacite: int | None
    annulee: bool
    sequence: int
    version: int

    @property
    def times(self) -> SessionTimes:
        return SessionTimes(self.debut, self.fin, self.pause_debut, self.pause_fin)


@dataclass(frozen=True)
class EnrolmentRow:
    id: int
    seance_id: int
    membre_id: int | None
    person_key: str
    kind: ParticipantKind
    prenom: str
    nom: str
    sexe: str
    email: str
    status: EnrolmentStatus
    created_at: datetime
    cancelled_at: datetime | None
    reminder_sent_at: datetime | None
    version: int


@dataclass(frozen=True)
class MarkRow:
    inscription_id: int
    demi_journee: HalfDayPart
    marque: Mark


def _time(text: str) -> time | None:
    return time.fromisoformat(text) if text else None


def _training(row: dict[str, Any], councils: Sequence[int]) -> TrainingRow:
    return TrainingRow(
        id=row["id"], territory_id=row["territory"], titre=row["titre"], theme=row["theme"], objectifs=row["objectifs"],
        organisme=row["organisme"], public=Audience(row["public"]), auto_inscription=bool(row["auto_inscription"]),
        date_debut=row["date_debut"], date_fin=row["date_fin"], rappel_jours=row["rappel_jours"], version=row["version"],
        council_ids=tuple(sorted(councils)),
    )


def _session(row: dict[str, Any]) -> SessionRow:
    return SessionRow(
        id=row["id"], formation_id=row["formation"], debut=row["debut"], fin=row["fin"],
        pause_debut=_time(row["pause_debut"]), pause_fin=_time(row["pause_fin"]), lieu=row["lieu"],
        lien_visio=row["lien_visio"], capacite=row["capacite"], annulee=bool(row["annulee"]),
        sequence=row["sequence"], version=row["version"],
    )


def _enrolment(row: dict[str, Any]) -> EnrolmentRow:
    return EnrolmentRow(
        id=row["id"], seance_id=row["seance"], membre_id=row["membre"], person_key=row["person_key"],
        kind=ParticipantKind(row["kind"]), prenom=row["prenom"], nom=row["nom"], sexe=row["sexe"], email=row["email"],
        status=EnrolmentStatus(row["status"]), created_at=row["created_at"], cancelled_at=row["cancelled_at"],
        reminder_sent_at=row["reminder_sent_at"], version=row["version"],
    )


class TrainingStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- trainings ------------------------------------------------------------------

    async def create_training(self, territory_id: int, values: dict[str, Any], council_ids: Sequence[int]) -> int:
        rows = await Formation.insert(Formation(territory=territory_id, **values)).returning(Formation.id)
        fid = int(rows[0]["id"])
        await self._set_councils(fid, council_ids)
        return fid

    async def update_training(self, formation_id: int, version: int, values: dict[str, Any], council_ids: Sequence[int]) -> None:
        await versioned_update(Formation, formation_id, version, values)
        await FormationConseil.delete().where(FormationConseil.formation == formation_id)
        await self._set_councils(formation_id, council_ids)

    async def _set_councils(self, formation_id: int, council_ids: Sequence[int]) -> None:
        if council_ids:
            await FormationConseil.insert(*[FormationConseil(formation=formation_id, council=c) for c in sorted(set(council_ids))])

    async def get_training(self, formation_id: int) -> TrainingRow:
        row = await Formation.select().where(Formation.id == formation_id).first()
        if row is None:
            raise NotFound(_("Formation introuvable."), field="formation_id")
        councils = await FormationConseil.select(FormationConseil.council).where(FormationConseil.formation == formation_id)
        return _training(row, [c["council"] for c in councils])

    async def trainings(self, *, territory_id: int | None = None, council_id: int | None = None) -> list[TrainingRow]:
        q = Formation.select().order_by(Formation.date_debut).order_by(Formation.id)
        if territory_id is not None:
            q = q.where(Formation.territory == territory_id)
        if council_id is not None:
            ids = [r["formation"] for r in await FormationConseil.select(FormationConseil.formation).where(
                FormationConseil.council == council_id)]
            if not ids:
                return []
            q = q.where(Formation.id.is_in(ids))
        rows = list(await q)
        if not rows:
            return []
        links = await FormationConseil.select(FormationConseil.formation, FormationConseil.council).where(
            FormationConseil.formation.is_in([r["id"] for r in rows]))
        by: dict[int, list[int]] = {}
        for link in links:
            by.setdefault(link["formation"], []).append(link["council"])
        return [_training(r, by.get(r["id"], [])) for r in rows]

    async def territory_councils(self, territory_id: int) -> list[tuple[int, str]]:
        """(id, name) of the territory's councils not archived, by name (the organisation's)."""
        return [(c.id, c.name) for c in await OrganisationStore(self.db).councils_of_territory(territory_id)]

    # --- sessions -------------------------------------------------------------------

    async def add_session(self, formation_id: int, values: dict[str, Any]) -> int:
        rows = await Seance.insert(Seance(formation=formation_id, **values)).returning(Seance.id)
        return int(rows[0]["id"])

    async def update_session(self, seance_id: int, version: int, values: dict[str, Any]) -> None:
        current = await self.get_session(seance_id)
        await versioned_update(Seance, seance_id, version, {**values, Seance.sequence: current.sequence + 1})

    async def get_session(self, seance_id: int) -> SessionRow:
        row = await Seance.select().where(Seance.id == seance_id).first()
        if row is None:
            raise NotFound(_("Séance introuvable."), field="seance_id")
        return _session(row)

    async def sessions(self, formation_ids: Sequence[int]) -> list[SessionRow]:
        if not formation_ids:
            return []
        rows = await Seance.select().where(Seance.formation.is_in(list(formation_ids))).order_by(Seance.debut)
        return [_session(r) for r in rows]

    async def lock_session(self, seance_id: int) -> None:
        """Serialise enrolments of one session: the last place goes to exactly one
        person. SQLite's IMMEDIATE transaction already holds the write lock."""
        if not self.db.is_sqlite:
            await Seance.raw("SELECT id FROM formation_seance WHERE id = {} FOR UPDATE", seance_id)

    # --- enrolments -----------------------------------------------------------------

    async def enrolments(self, seance_ids: Sequence[int], *, include_cancelled: bool = False) -> list[EnrolmentRow]:
        if not seance_ids:
            return []
        q = Inscription.select().where(Inscription.seance.is_in(list(seance_ids))).order_by(Inscription.id)
        if not include_cancelled:
            q = q.where(Inscription.status != EnrolmentStatus.ANNULE.value)
        return [_enrolment(r) for r in await q]

    async def enrolments_of_member(self, membre_ids: Sequence[int]) -> list[EnrolmentRow]:
        if not membre_ids:
            return []
        rows = await Inscription.select().where(Inscription.membre.is_in(list(membre_ids))).order_by(Inscription.id)
        return [_enrolment(r) for r in rows]

    async def find_enrolment(self, seance_id: int, person_key: str) -> EnrolmentRow | None:
        row = await Inscription.select().where(
            (Inscription.seance == seance_id) & (Inscription.person_key == person_key)).first()
        return None if row is None else _enrolment(row)

    async def get_enrolment(self, inscription_id: int) -> EnrolmentRow:
        row = await Inscription.select().where(Inscription.id == inscription_id).first()
        if row is None:
            raise NotFound(_("Inscription introuvable."), field="inscription_id")
        return _enrolment(row)

    async def add_enrolment(self, seance_id: int, values: dict[str, Any]) -> int:
        rows = await Inscription.insert(Inscription(seance=seance_id, **values)).returning(Inscription.id)
        return int(rows[0]["id"])

    async def set_enrolment_status(self, inscription_id: int, version: int, status: EnrolmentStatus, **stamps: Any) -> None:
        values: dict[Any, Any] = {Inscription.status: status.value}
        for name, value in stamps.items():
            values[getattr(Inscription, name)] = value
        await versioned_update(Inscription, inscription_id, version, values,
                               message=_("Cette inscription vient d'être modifiée : rechargez la page."))

    async def reenrol(self, inscription_id: int, version: int, status: EnrolmentStatus, now: datetime) -> None:
        """A cancelled enrolment taken up again goes to the back of the queue."""
        await versioned_update(Inscription, inscription_id, version, {
            Inscription.status: status.value, Inscription.cancelled_at: None, Inscription.created_at: now})

    async def mark_reminded(self, inscription_id: int, at: datetime) -> None:
        await Inscription.update({Inscription.reminder_sent_at: at}).where(Inscription.id == inscription_id)

    # --- attendance -----------------------------------------------------------------

    async def set_mark(self, inscription_id: int, part: HalfDayPart, mark: Mark, at: datetime, by: int | None) -> None:
        """One mark per enrolment and half-day; recording it again replaces it (the unique
        index makes two people tapping at once agree on one row)."""
        await Emargement.insert(
            Emargement(inscription=inscription_id, demi_journee=part.value, marque=mark.value, recorded_at=at, recorded_by=by)
        ).on_conflict(
            target=(Emargement.inscription, Emargement.demi_journee),
            action="DO UPDATE",
            values=[Emargement.marque, Emargement.recorded_at, Emargement.recorded_by],
        )

    async def marks(self, inscription_ids: Sequence[int]) -> list[MarkRow]:
        if not inscription_ids:
            return []
        rows = await Emargement.select(Emargement.inscription, Emargement.demi_journee, Emargement.marque).where(
            Emargement.inscription.is_in(list(inscription_ids)))
        return [MarkRow(r["inscription"], HalfDayPart(r["demi_journee"]), Mark(r["marque"])) for r in rows]

    # --- facts for the contrat de ville's indicators ------------------------------------

    async def facts(self, council_ids: Sequence[int], council_of_member: Mapping[int, int]
                    ) -> dict[int, list[TrainingFact]]:
        """Per council, each session held (not cancelled) of the trainings open to it, with
        its members' enrolments, presences by sex and hours attended (half-days signed).
        ``council_of_member``: the council of each member of ``council_ids`` (the
        composition's, read by the caller); an enrolled member of another council counts
        for none of them. Four queries whatever the number of councils."""
        out: dict[int, list[TrainingFact]] = {c: [] for c in council_ids}
        if not council_ids:
            return out
        links = await FormationConseil.select(FormationConseil.formation, FormationConseil.council).where(
            FormationConseil.council.is_in(list(council_ids)))
        if not links:
            return out
        sessions = [_session(r) for r in await Seance.select().where(
            Seance.formation.is_in(sorted({link["formation"] for link in links})) & (Seance.annulee == False))]  # noqa: E712
        if not sessions:
            return out
        rows = await Inscription.select(Inscription.id, Inscription.seance, Inscription.sexe, Inscription.membre).where(
            Inscription.seance.is_in([s.id for s in sessions]) & (Inscription.status == EnrolmentStatus.INSCRIT.value)
            & Inscription.membre.is_not_null())
        marks = await self.marks([r["id"] for r in rows])
        present: dict[int, set[HalfDayPart]] = {}
        for m in marks:
            if m.marque is Mark.PRESENT:
                present.setdefault(m.inscription_id, set()).add(m.demi_journee)
        by_session: dict[int, list[dict[str, Any]]] = {}
        for r in rows:
            by_session.setdefault(r["seance"], []).append(r)
        for s in sessions:
            parts = {h.part: h for h in half_days(s.times)}
            held_on = s.debut.astimezone(PARIS).date()
            for link in links:
                if link["formation"] != s.formation_id:
                    continue
                cid = link["council"]
                enrolled: dict[str, int] = {}
                came: dict[str, int] = {}
                hours = Fraction(0)
                for r in by_session.get(s.id, []):
                    if council_of_member.get(r["membre"]) != cid:
                        continue
                    enrolled[r["sexe"]] = enrolled.get(r["sexe"], 0) + 1
                    signed = [parts[p] for p in present.get(r["id"], set()) if p in parts]
                    if signed:
                        came[r["sexe"]] = came.get(r["sexe"], 0) + 1
                        hours += hours_attended(signed)
                out[cid].append(TrainingFact(s.formation_id, s.id, held_on, enrolled, came, hours))
        return out
