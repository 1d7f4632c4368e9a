"""The convocations' one door into the meetings' store (``ReunionStore``): meetings,
their agenda, the members convened on a date with their contact details, and the
meeting's new status once convened."""

from __future__ import annotations

from datetime import date

from domain.adresse_postale import StatutAdresse, cle_tri_postal, formater_adresse
from domain.meetings import AgendaItem, Meeting
from service.audit import Actor
from service.context import AppContext
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
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.store = ReunionStore(ctx.db)

    async def get_meeting(self, reunion_id: int) -> Meeting:
        return await self.store.get_meeting(reunion_id)

    async def agenda(self, reunion_id: int) -> list[AgendaItem]:
        return await self.store.agenda(reunion_id)

    async def list_meetings(self, council_id: int) -> list[Meeting]:
        return await self.store.list_meetings(council_id)

    async def before_sending(self, meeting: Meeting, sent_on: date) -> None:
        """The residents' questions still open go on the agenda before it is printed."""
        from service.reunions.usecases.meetings import sync_pending_questions

        async with self.ctx.db.transaction():
            await sync_pending_questions(self.ctx, meeting, sent_on)

    async def mark_convened(self, actor: Actor, meeting: Meeting, sent_on: date, motif: str) -> Meeting:
        """Status convoquée, sending date and emergency reason, in the caller's
        transaction; a meeting changed since it was read is a conflict."""
        from service.reunions.usecases.meetings import mark_convened

        assert meeting.id is not None
        return await mark_convened(
            self.ctx, actor, meeting.id, sent_on=sent_on, urgence_motif=motif, version=meeting.version
        )

    async def recipients(self, council_id: int, on: date, include_suppleants: bool) -> list[Recipient]:
        members = await self.store.convened_members(council_id, on, include_suppleants=include_suppleants)
        return [recipient_of(m) for m in members]
