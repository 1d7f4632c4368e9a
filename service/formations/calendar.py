"""A member's training sessions for their personal calendar feed (declared in the
feature, read by the meetings' feed): sessions they are enrolled in, cancelled ones
shown as such so calendars remove them."""

from __future__ import annotations

from domain.training import EnrolmentStatus
from service.context import AppContext
from service.documents.ics import CalendarEvent
from service.formations import notify
from service.formations.store import TrainingStore


async def member_sessions(ctx: AppContext, membre_id: int) -> list[CalendarEvent]:
    store = TrainingStore(ctx.db)
    events = []
    for e in await store.enrolments_of_member([membre_id]):
        if e.status is not EnrolmentStatus.INSCRIT:
            continue
        session = await store.get_session(e.seance_id)
        training = await store.get_training(session.formation_id)
        events.append(notify.session_event(ctx, training, session))
    return events
