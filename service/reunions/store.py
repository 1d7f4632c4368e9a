"""The only code that queries the database for the meetings feature.

Typed methods returning frozen dataclasses (domain values where the domain has one).
Members are read through the composition feature's use cases (``service.composition.
usecases``), never by re-implementing who sits on a date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.adresse_postale import AdressePostale
from domain.composition import Seat
from domain.errors import NotFound
from domain.i18n import _
from domain.meetings import (
    AgendaItem,
    AgendaTree,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Presence,
)
from domain.meetings.absences import AttendanceRecord
from service.composition.rows import ADDRESS_PARTS, MemberRow
from service.db.engine import Database
from service.reunions.store_minutes import SittingRecords, stale
from service.reunions.tables import (
    Reunion,
    ReunionDecision,
    ReunionPieceJointe,
    ReunionPoint,
    ReunionPresence,
)

ADDRESS_FIELDS = ADDRESS_PARTS  # the member's postal address, as the composition keeps it


@dataclass(frozen=True)
class MemberRef:
    """A member as the meetings need them: name, seat, contact and postal address."""

    id: int
    council_id: int
    prenom: str
    nom: str
    sexe: str
    seat: str  # "titulaire" | "suppleant"
    college: str
    email: str = ""
    account_id: int | None = None
    adresse: dict[str, str] = field(default_factory=dict)  # ADDRESS_FIELDS → value

    @property
    def titulaire(self) -> bool:
        return self.seat == Seat.TITULAIRE.value

    @property
    def display_name(self) -> str:
        return f"{self.prenom} {self.nom}".strip()

    def adresse_postale(self) -> AdressePostale:
        civ = "Mme" if self.sexe == "F" else "M." if self.sexe == "M" else ""
        return AdressePostale(civilite=civ, prenom=self.prenom, nom=self.nom,
                              **{k: self.adresse.get(k, "") for k in ADDRESS_FIELDS})


@dataclass(frozen=True)
class Attachment:
    id: int
    meeting_id: int
    point_id: int | None
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


@dataclass(frozen=True)
class AttendanceRow:
    membre_id: int
    presence: Presence
    porteur_id: int | None


def _meeting(r: dict[str, Any]) -> Meeting:
    return Meeting(
        id=r["id"], council_id=r["council"], titre=r["titre"], debut=r["debut"], fin=r["fin"],
        lieu=r["lieu"], kind=MeetingKind(r["kind"]), publique=bool(r["publique"]),
        status=MeetingStatus(r["status"]), reportee_au=r["reportee_au"],
        second_convocation_of=r["second_convocation_of"], urgence_motif=r["urgence_motif"],
        version=r["version"], sequence=r["sequence"], convoquee_le=r["convoquee_le"],
        report_de=r["report_de"], quorum_membres=r["quorum_membres"],
        quorum_requis=r["quorum_requis"], quorum_presents=r["quorum_presents"],
    )


def _meeting_values(m: Meeting) -> dict[Any, Any]:
    return {
        Reunion.titre: m.titre, Reunion.debut: m.debut, Reunion.fin: m.fin, Reunion.lieu: m.lieu,
        Reunion.kind: m.kind.value, Reunion.publique: m.publique, Reunion.status: m.status.value,
        Reunion.reportee_au: m.reportee_au, Reunion.second_convocation_of: m.second_convocation_of,
        Reunion.urgence_motif: m.urgence_motif, Reunion.sequence: m.sequence,
        Reunion.convoquee_le: m.convoquee_le, Reunion.report_de: m.report_de,
        Reunion.quorum_membres: m.quorum_membres, Reunion.quorum_requis: m.quorum_requis,
        Reunion.quorum_presents: m.quorum_presents,
    }


def _item(r: dict[str, Any]) -> AgendaItem:
    return AgendaItem(
        id=r["id"], meeting_id=r["reunion"], parent_id=r["parent"], position=r["position"],
        titre=r["titre"], rapporteur=r["rapporteur"], duree_minutes=r["duree_minutes"],
        kind=r["kind"], ref_id=r["ref_id"], version=r["version"],
    )


def _attachment(r: dict[str, Any]) -> Attachment:
    return Attachment(
        id=r["id"], meeting_id=r["reunion"], point_id=r["point"], filename=r["filename"],
        content_type=r["content_type"], size=r["size"], sha256=r["sha256"], created_at=r["created_at"],
    )


_ATTACHMENT_COLUMNS = (
    ReunionPieceJointe.id, ReunionPieceJointe.reunion, ReunionPieceJointe.point, ReunionPieceJointe.filename,
    ReunionPieceJointe.content_type, ReunionPieceJointe.size, ReunionPieceJointe.sha256,
    ReunionPieceJointe.created_at,
)


class ReunionStore(SittingRecords):
    """The meetings feature's store: meetings, agenda, attachments, attendance and members
    here; proposals, decisions, minutes and questions in ``store_minutes``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- meetings -----------------------------------------------------------------

    async def insert_meeting(self, m: Meeting, now: datetime) -> Meeting:
        rows = await Reunion.insert(
            Reunion(council=m.council_id, version=1, created_at=now, updated_at=now,
                    **{c._meta.name: v for c, v in _meeting_values(m).items()})
        ).returning(Reunion.id)
        return await self.get_meeting(int(rows[0]["id"]))

    async def get_meeting(self, meeting_id: int) -> Meeting:
        row = await Reunion.select().where(Reunion.id == meeting_id).first()
        if row is None:
            raise NotFound(_("Réunion introuvable."), field="reunion_id")
        return _meeting(row)

    async def list_meetings(
        self,
        council_id: int,
        *,
        publique_only: bool = False,
        since: datetime | None = None,
        until: datetime | None = None,
        statuses: Sequence[MeetingStatus] | None = None,
    ) -> list[Meeting]:
        where: Any = Reunion.council == council_id
        if publique_only:
            where &= Reunion.publique.eq(True)
        if since is not None:
            where &= Reunion.debut >= since
        if until is not None:
            where &= Reunion.debut < until
        if statuses:
            where &= Reunion.status.is_in([s.value for s in statuses])
        rows = await Reunion.select().where(where).order_by(Reunion.debut).order_by(Reunion.id)
        return [_meeting(r) for r in rows]

    async def update_meeting(self, m: Meeting, expected_version: int, now: datetime) -> Meeting:
        """Write every field of ``m``; Conflict when the row's version moved on."""
        assert m.id is not None
        updated = await Reunion.update(
            {**_meeting_values(m), Reunion.version: expected_version + 1, Reunion.updated_at: now}
        ).where((Reunion.id == m.id) & (Reunion.version == expected_version)).returning(Reunion.id)
        if not updated:
            raise stale(_("Cette réunion"))
        return await self.get_meeting(m.id)

    async def lock_meeting(self, meeting_id: int, expected_version: int | None, now: datetime) -> Meeting:
        """Bump the meeting's version and sequence (its agenda changed): serialises
        agenda edits on a meeting (row lock on PostgreSQL) and makes a stale version a
        conflict."""
        where: Any = Reunion.id == meeting_id
        if expected_version is not None:
            where &= Reunion.version == expected_version
        updated = await Reunion.update(
            {Reunion.version: Reunion.version + 1, Reunion.sequence: Reunion.sequence + 1, Reunion.updated_at: now}
        ).where(where).returning(Reunion.id)
        if not updated:
            await self.get_meeting(meeting_id)  # NotFound first
            raise stale(_("Cette réunion"))
        return await self.get_meeting(meeting_id)

    async def next_meeting_after(self, meeting: Meeting) -> Meeting | None:
        rows = await Reunion.select().where(
            (Reunion.council == meeting.council_id) & (Reunion.debut > meeting.debut)
            & Reunion.status.is_in([MeetingStatus.PREVUE.value, MeetingStatus.CONVOQUEE.value])
        ).order_by(Reunion.debut).limit(1)
        return _meeting(rows[0]) if rows else None

    # --- agenda -------------------------------------------------------------------

    async def agenda(self, meeting_id: int) -> list[AgendaItem]:
        """Items in reading order, numbered "1, 2, 2.1" by the domain."""
        rows = await ReunionPoint.select().where(ReunionPoint.reunion == meeting_id)
        return AgendaTree([_item(r) for r in rows]).numbered()

    async def get_item(self, item_id: int) -> AgendaItem:
        row = await ReunionPoint.select().where(ReunionPoint.id == item_id).first()
        if row is None:
            raise NotFound(_("Point de l'ordre du jour introuvable."), field="point_id")
        return _item(row)

    async def insert_item(self, item: AgendaItem, now: datetime) -> int:
        rows = await ReunionPoint.insert(ReunionPoint(
            reunion=item.meeting_id, parent=item.parent_id, position=item.position, titre=item.titre,
            rapporteur=item.rapporteur, duree_minutes=item.duree_minutes, kind=item.kind,
            ref_id=item.ref_id, version=1, created_at=now,
        )).returning(ReunionPoint.id)
        return int(rows[0]["id"])

    async def update_item(self, item: AgendaItem, expected_version: int) -> None:
        updated = await ReunionPoint.update({
            ReunionPoint.titre: item.titre, ReunionPoint.rapporteur: item.rapporteur,
            ReunionPoint.duree_minutes: item.duree_minutes, ReunionPoint.parent: item.parent_id,
            ReunionPoint.position: item.position, ReunionPoint.version: expected_version + 1,
        }).where((ReunionPoint.id == item.id) & (ReunionPoint.version == expected_version)).returning(ReunionPoint.id)
        if not updated:
            raise stale(_("Ce point de l'ordre du jour"))

    async def place_items(self, changes: dict[int, tuple[int | None, int]]) -> None:
        for item_id, (parent, position) in changes.items():
            await ReunionPoint.update({
                ReunionPoint.parent: parent, ReunionPoint.position: position,
                ReunionPoint.version: ReunionPoint.version + 1,
            }).where(ReunionPoint.id == item_id)

    async def delete_items(self, item_ids: Sequence[int]) -> None:
        if item_ids:
            await ReunionPieceJointe.update({ReunionPieceJointe.point: None}).where(
                ReunionPieceJointe.point.is_in(list(item_ids)))
            await ReunionPoint.delete().where(ReunionPoint.id.is_in(list(item_ids)))

    async def items_with_decisions(self, item_ids: Sequence[int]) -> list[int]:
        if not item_ids:
            return []
        rows = await ReunionDecision.select(ReunionDecision.point).where(
            ReunionDecision.point.is_in(list(item_ids)))
        return sorted({r["point"] for r in rows})

    async def item_of_kind(self, meeting_id: int, kind: str, ref_id: int | None = None) -> AgendaItem | None:
        where: Any = (ReunionPoint.reunion == meeting_id) & (ReunionPoint.kind == kind)
        if ref_id is not None:
            where &= ReunionPoint.ref_id == ref_id
        row = await ReunionPoint.select().where(where).first()
        return None if row is None else _item(row)

    # --- attachments --------------------------------------------------------------

    async def insert_attachment(
        self, meeting_id: int, point_id: int | None, filename: str, content_type: str,
        data: bytes, sha256: str, created_by: int | None, now: datetime,
    ) -> Attachment:
        rows = await ReunionPieceJointe.insert(ReunionPieceJointe(
            reunion=meeting_id, point=point_id, filename=filename, content_type=content_type,
            size=len(data), sha256=sha256, data=data, created_by=created_by, created_at=now,
        )).returning(ReunionPieceJointe.id)
        return (await self.get_attachment(int(rows[0]["id"])))[0]

    async def attachments(self, meeting_id: int) -> list[Attachment]:
        rows = await ReunionPieceJointe.select(*_ATTACHMENT_COLUMNS).where(
            ReunionPieceJointe.reunion == meeting_id).order_by(ReunionPieceJointe.id)
        return [_attachment(r) for r in rows]

    async def get_attachment(self, attachment_id: int) -> tuple[Attachment, bytes]:
        row = await ReunionPieceJointe.select().where(ReunionPieceJointe.id == attachment_id).first()
        if row is None:
            raise NotFound(_("Pièce jointe introuvable."), field="piece_id")
        return _attachment(row), bytes(row["data"])

    async def delete_attachment(self, attachment_id: int) -> None:
        await ReunionPieceJointe.delete().where(ReunionPieceJointe.id == attachment_id)

    # --- attendance ---------------------------------------------------------------

    async def attendance(self, meeting_id: int) -> list[AttendanceRow]:
        rows = await ReunionPresence.select().where(ReunionPresence.reunion == meeting_id).order_by(ReunionPresence.id)
        return [AttendanceRow(r["membre"], Presence(r["presence"]), r["porteur"]) for r in rows]

    async def save_attendance(self, meeting_id: int, rows: Sequence[AttendanceRow], now: datetime) -> None:
        """Replace the meeting's whole sheet (inside the caller's transaction)."""
        await ReunionPresence.delete().where(ReunionPresence.reunion == meeting_id)
        if rows:
            await ReunionPresence.insert(*[
                ReunionPresence(reunion=meeting_id, membre=r.membre_id, presence=r.presence.value,
                                porteur=r.porteur_id, cle=f"{meeting_id}:{r.membre_id}", recorded_at=now)
                for r in rows
            ])

    async def attendance_history(self, council_id: int) -> dict[int, list[AttendanceRecord]]:
        """Per member, the meetings held (or without quorum) they were recorded at."""
        meetings = {m.id: m for m in await self.list_meetings(
            council_id, statuses=[MeetingStatus.TENUE, MeetingStatus.QUORUM_NON_ATTEINT])}
        if not meetings:
            return {}
        rows = await ReunionPresence.select().where(ReunionPresence.reunion.is_in(list(meetings)))
        out: dict[int, list[AttendanceRecord]] = {}
        for r in rows:
            m = meetings[r["reunion"]]
            out.setdefault(r["membre"], []).append(
                AttendanceRecord(m.on, Presence(r["presence"]), r["porteur"] is not None))
        for recs in out.values():
            recs.sort(key=lambda x: x.on)
        return out

    # --- members (read through the composition feature) -------------------------

    async def convened_members(self, council_id: int, on: date, *, include_suppleants: bool = False) -> list[MemberRef]:
        """Titulaires sitting on ``on`` (the voting body: quorum and convocations), then,
        when asked (setting ``convoquer_suppleants``), the suppléants in the reserve that
        day."""
        from service.composition.usecases import members as composition

        out: list[MemberRef] = []
        for row in await composition.list_members(council_id):
            member = row.to_member()
            if member.sits_on(on) or (include_suppleants and member.seat is Seat.SUPPLEANT and member.mandate_start <= on <= member.mandate_end \
                    and (member.is_active or (member.status_since is not None and on < member.status_since))):
                out.append(_member_ref(row))
        return out

    async def member(self, membre_id: int, council_id: int | None = None) -> MemberRef:
        from service.composition.usecases import members as composition

        return _member_ref(await composition.get_member(membre_id, council_id))

    async def member_of_account(self, council_id: int, account_id: int) -> MemberRef | None:
        from service.composition.usecases import members as composition

        for row in await composition.my_memberships(account_id):
            if row.council == council_id:
                return _member_ref(row)
        return None


def _member_ref(row: MemberRow) -> MemberRef:
    return MemberRef(
        id=row.id, council_id=row.council, prenom=row.prenom, nom=row.nom, sexe=row.sexe,
        seat=row.seat, college=row.college, email=row.email or "", account_id=row.account,
        adresse=row.address(),
    )
