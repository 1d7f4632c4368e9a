"""The convocations' one door into the meetings' store (``ReunionStore``): meetings,
their agenda, the members convened on a date with their contact details, and the
meeting's new status once convened."""

from __future__ import annotations

from datetime import date, datetime

from domain.adresse_postale import StatutAdresse, cle_tri_postal, formater_adresse
from domain.meetings import AgendaItem, Meeting
from service.db.engine import Database
from service.reunions.store import MemberRef, ReunionStore
from service.reunions.usecases.convocation_inputs import Recipient


def recipient_of(m: MemberRef) -> Recipient:
    address: tuple[str, ...] = ()
    key: tuple[object, ...] = ()
    if any(m.adresse.values()):
        bloc = formater_adresse(m.adresse_postale())
        if bloc.status is StatutAdresse.OK:
            address, key = bloc.lines, tuple(cle_tri_postal(bloc))
    civilite = {"F": "Madame", "M": "Monsieur"}.get((m.sexe or "").upper(), "")
    return Recipient(
        membre_id=m.id, civilite=civilite, prenom=m.prenom, nom=m.nom, seat=m.seat,
        email=m.email, address=address, postal_key=key,
    )


class ReunionGateway:
    def __init__(self, db: Database) -> None:
        self.store = ReunionStore(db)

    async def get_meeting(self, reunion_id: int) -> Meeting:
        return await self.store.get_meeting(reunion_id)

    async def agenda(self, reunion_id: int) -> list[AgendaItem]:
        return await self.store.agenda(reunion_id)

    async def list_meetings(self, council_id: int) -> list[Meeting]:
        return await self.store.list_meetings(council_id)

    async def save_convened(self, before: Meeting, after: Meeting, now: datetime) -> None:
        await self.store.update_meeting(after, before.version, now)

    async def recipients(self, council_id: int, on: date, include_suppleants: bool) -> list[Recipient]:
        members = await self.store.convened_members(council_id, on, include_suppleants=include_suppleants)
        return [recipient_of(m) for m in members]
