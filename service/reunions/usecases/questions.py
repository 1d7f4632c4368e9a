"""Residents' questions: recorded (public form or at a meeting), sent to an addressee,
answered with a date; the open ones go on the next meeting's agenda when it is convened
(see meetings.sync_pending_questions). Counts feed the indicators."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from datetime import date

from domain.errors import InvalidInput, NotFound
from domain.i18n import _
from domain.meetings import Question, QuestionChannel, QuestionStatus
from domain.meetings import questions as rules
from service.audit import Actor
from service.context import AppContext
from service.reunions.usecases.common import council_settings, local_today, record, store

AUTHOR_MAX = 200


async def record_question(
    ctx: AppContext, actor: Actor, council_id: int, texte: str, destinataire: str, *,
    channel: str = QuestionChannel.REUNION.value, raised_on: date | None = None, meeting_id: int | None = None,
    auteur: str = "",
) -> Question:
    """``channel`` « formulaire » is the public form's (R-WEB's page, with its rate limit
    and consent); « reunion » a question the secretary records at a meeting."""
    await council_settings(council_id)
    try:
        how = QuestionChannel(channel)
    except ValueError:
        raise InvalidInput(_("Origine de la question inconnue."), field="channel", code="origine-inconnue") from None
    today = local_today(ctx.now())
    raised = raised_on or today
    if raised > today:
        raise InvalidInput(_("La date de la question ne peut pas être dans le futur."), field="raised_on",
                           code="date-future")
    if len(auteur) > AUTHOR_MAX:
        raise InvalidInput(_("Le nom est trop long."), field="auteur", code="texte-trop-long")
    q = Question(None, council_id, raised, how, rules.check_question_text(texte), rules.parse_addressee(destinataire),
                 meeting_id=meeting_id)
    st = store(ctx)
    async with ctx.db.transaction():
        if meeting_id is not None and (await st.get_meeting(meeting_id)).council_id != council_id:
            raise NotFound(_("Réunion introuvable."), field="reunion_id")
        created = await st.insert_question(q, auteur.strip(), ctx.now())
        await record(ctx, actor, "reunion.question", None, council_id=council_id, subject_type="reunion_question",
                     subject_id=created.id or 0, details={"origine": how.value, "destinataire": q.addressee.value})
    return created


async def answer_question(
    ctx: AppContext, actor: Actor, question_id: int, reponse: str, version: int, *, answered_on: date | None = None,
    council_id: int | None = None,
) -> Question:
    st = store(ctx)
    async with ctx.db.transaction():
        q = await st.get_question(question_id)
        if council_id is not None and q.council_id != council_id:
            raise NotFound(_("Question introuvable."), field="question_id")
        on = answered_on or local_today(ctx.now())
        if on > local_today(ctx.now()):
            raise InvalidInput(_("La date de réponse ne peut pas être dans le futur."), field="answered_on",
                               code="date-future")
        updated = await st.update_question(rules.answer(q, reponse, on), version)
        await record(ctx, actor, "reunion.question.reponse", None, council_id=q.council_id,
                     subject_type="reunion_question", subject_id=question_id,
                     details={"delai_jours": updated.answer_delay_days})
    return updated


async def readdress_question(
    ctx: AppContext, actor: Actor, question_id: int, destinataire: str, version: int
) -> Question:
    st = store(ctx)
    async with ctx.db.transaction():
        q = await st.get_question(question_id)
        updated = await st.update_question(replace(q, addressee=rules.parse_addressee(destinataire)), version)
        await record(ctx, actor, "reunion.question.destinataire", None, council_id=q.council_id,
                     subject_type="reunion_question", subject_id=question_id,
                     details={"destinataire": updated.addressee.value})
    return updated


async def list_questions(ctx: AppContext, council_id: int, status: str | None = None) -> list[Question]:
    await council_settings(council_id)
    wanted = None
    if status:
        try:
            wanted = QuestionStatus(status)
        except ValueError:
            raise InvalidInput(_("Statut inconnu (ouverte ou repondue)."), field="status") from None
    return await store(ctx).questions(council_id, wanted)


@dataclass(frozen=True)
class QuestionCounts:
    """For the indicators: questions raised and answered in [start, end], and the
    median answer delay (None, not 0, when nothing was answered)."""

    raised: int
    answered: int
    median_delay_days: float | None


async def question_counts(ctx: AppContext, council_id: int, start: date, end: date) -> QuestionCounts:
    qs = await store(ctx).questions(council_id)
    raised = [q for q in qs if start <= q.raised_on <= end]
    answered = [q for q in qs if q.answered_on is not None and start <= q.answered_on <= end]
    delays = [q.answer_delay_days for q in answered if q.answer_delay_days is not None]
    return QuestionCounts(len(raised), len(answered), statistics.median(delays) if delays else None)
