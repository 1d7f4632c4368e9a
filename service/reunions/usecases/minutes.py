"""Minutes: a draft written from the agenda, attendance and decisions; adopted at a
later meeting that was held (an item of that meeting, with its vote); published within
``publication_compte_rendu_jours``; a published text is frozen and corrected by a new
version."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InvalidState
from domain.i18n import _
from domain.meetings import PARIS, Meeting, MeetingStatus, Minutes, MinutesState, Presence, publication_deadline
from domain.meetings import minutes as rules
from service.audit import Actor
from service.context import AppContext
from service.reunions.usecases import attendance as att
from service.reunions.usecases.common import council_settings, local_today, record, store


def _date_text(m: Meeting) -> str:
    from service.documents.formatting import format_date_long, format_time

    return _("{d} à {h}").format(d=format_date_long(m.on), h=format_time(m.debut.astimezone(PARIS)))


async def draft_text(ctx: AppContext, meeting_id: int) -> str:
    """The minutes' skeleton: date, place, attendance, quorum, emergency reason, one
    section per agenda item with its decisions, questions answered since the last
    meeting, signature lines."""
    st = store(ctx)
    meeting = await st.get_meeting(meeting_id)
    view = await att.attendance(ctx, meeting_id)
    names = {m.id: m.display_name for m in view.members}
    by = {p: [names.get(r.membre_id, "?") for r in view.rows.values() if r.presence is p] for p in Presence}
    lines = [
        _("Compte rendu — {t}").format(t=meeting.titre), "",
        _("Date : {d}").format(d=_date_text(meeting)),
        _("Lieu : {lieu}").format(lieu=meeting.lieu or "—"),
        _("Président(e) de séance : …"),
        _("Secrétaire de séance : …"), "",
    ]
    if meeting.urgence_motif:
        lines += [_("Convocation en urgence. Motif, exposé à l'ouverture de la séance : {m}").format(m=meeting.urgence_motif), ""]
    lines += [
        _("Présents : {n}").format(n=", ".join(sorted(by[Presence.PRESENT])) or "—"),
        _("Absents excusés : {n}").format(n=", ".join(sorted(by[Presence.ABSENT_EXCUSE])) or "—"),
        _("Absents : {n}").format(n=", ".join(sorted(by[Presence.ABSENT])) or "—"),
    ]
    proxies = [_("{a} à {b}").format(a=names.get(g, "?"), b=names.get(h, "?")) for g, h in view.proxies.items()]
    lines.append(_("Pouvoirs : {p}").format(p=", ".join(proxies) or "—"))
    if view.quorum is not None:
        lines.append(view.quorum.message)
    lines.append("")
    decisions: dict[int, list[str]] = {}
    from domain.meetings import VoteResult

    for d in await st.decisions(meeting_id):
        result = VoteResult(d.consensus, d.pour, d.contre, d.abstention, d.adopte, bool(d.voix_president) and d.pour == d.contre)
        decisions.setdefault(d.point_id, []).append((d.texte + " — " if d.texte else "") + result.message)
    for item in await st.agenda(meeting_id):
        lines.append(f"{item.numero}. {item.titre}")
        for text in decisions.get(item.id, []):
            lines.append(_("Décision : {t}").format(t=text))
        lines.append("")
    answered = [q for q in await st.questions(meeting.council_id) if q.answered_on is not None]
    previous = [m for m in await st.list_meetings(meeting.council_id) if m.debut < meeting.debut
                and m.status in (MeetingStatus.TENUE, MeetingStatus.QUORUM_NON_ATTEINT)]
    since = previous[-1].on if previous else None
    answered = [q for q in answered if q.answered_on and q.answered_on <= meeting.on and (since is None or q.answered_on > since)]
    if answered:
        lines.append(_("Questions des habitants ayant reçu une réponse depuis la dernière réunion :"))
        for q in answered:
            lines.append(f"— {q.texte} ({q.addressee.label}) : {q.reponse}")
        lines.append("")
    lines += [_("Le président de séance"), "", _("Le secrétaire de séance"), ""]
    return "\n".join(lines)


async def create_draft(ctx: AppContext, actor: Actor, meeting_id: int, texte: str | None = None) -> Minutes:
    st = store(ctx)
    async with ctx.db.transaction():
        meeting = await st.get_meeting(meeting_id)
        if meeting.status not in (MeetingStatus.TENUE, MeetingStatus.QUORUM_NON_ATTEINT):
            raise InvalidState(_("Le compte rendu s'écrit une fois la réunion tenue."),
                               code="compte-rendu-reunion-non-tenue", field="status")
        if await st.current_minutes(meeting_id) is not None:
            raise InvalidState(_("Cette réunion a déjà un compte rendu."), code="compte-rendu-existant",
                               field="reunion_id")
        body = rules.check_text(texte if texte is not None else await draft_text(ctx, meeting_id))
        m = await st.insert_minutes(Minutes(None, meeting_id, 1, MinutesState.BROUILLON, body), ctx.now())
        await record(ctx, actor, "reunion.compte_rendu.brouillon", meeting, subject_type="reunion_compte_rendu",
                     subject_id=m.id or 0, after={"texte": body})
    return m


async def _current(ctx: AppContext, meeting_id: int) -> Minutes:
    m = await store(ctx).current_minutes(meeting_id)
    if m is None:
        raise InvalidState(_("Cette réunion n'a pas encore de compte rendu."), code="compte-rendu-absent",
                           field="reunion_id")
    return m


async def edit_draft(ctx: AppContext, actor: Actor, meeting_id: int, texte: str, version: int) -> Minutes:
    st = store(ctx)
    async with ctx.db.transaction():
        current = await _current(ctx, meeting_id)
        updated = await st.update_minutes(rules.edit(current, texte), version, ctx.now())
        await record(ctx, actor, "reunion.compte_rendu.modification", await st.get_meeting(meeting_id),
                     subject_type="reunion_compte_rendu", subject_id=updated.id or 0,
                     before={"texte": current.texte}, after={"texte": updated.texte})
    return updated


async def adopt(
    ctx: AppContext, actor: Actor, meeting_id: int, at_meeting_id: int, version: int, *, consensus: bool = True,
    pour: int = 0, contre: int = 0, abstention: int = 0, voix_president: str = "",
) -> Minutes:
    """Adopted at a later meeting that was held: an item of that meeting's agenda
    (« Adoption du compte rendu … ») carries the vote."""
    st = store(ctx)
    async with ctx.db.transaction():
        current = await _current(ctx, meeting_id)
        of_meeting = await st.get_meeting(meeting_id)
        at_meeting = await st.get_meeting(at_meeting_id)
        if at_meeting.council_id != of_meeting.council_id:
            from domain.errors import InvalidInput

            raise InvalidInput(_("La réunion d'adoption doit être une réunion du même conseil."),
                               field="adopte_en_reunion_id", code="reunion-autre-conseil")
        adopted = rules.adopt(current, of_meeting, at_meeting)
        item = await st.item_of_kind(at_meeting_id, "adoption_compte_rendu", current.id)
        if item is None:
            # The held meeting's agenda is closed to ordinary edits; this item is recorded
            # by the adoption itself.
            tree_items = await st.agenda(at_meeting_id)
            top = [i for i in tree_items if i.parent_id is None]
            from domain.meetings import AgendaItem

            item_id = await st.insert_item(AgendaItem(
                id=0, meeting_id=at_meeting_id, parent_id=None,
                position=(max(i.position for i in top) + 1) if top else 1,
                titre=_("Adoption du compte rendu de la réunion du {d}").format(d=_date_text(of_meeting)),
                kind="adoption_compte_rendu", ref_id=current.id), ctx.now())
        else:
            item_id = item.id
        decision = await att.record_decision(
            ctx, actor, at_meeting_id, item_id, texte=_("Adoption du compte rendu"), consensus_=consensus,
            pour=pour, contre=contre, abstention=abstention, voix_president=voix_president)
        if not decision.adopte:
            raise InvalidState(_("Le vote n'adopte pas le compte rendu : il reste à l'état de brouillon."),
                               code="compte-rendu-non-adopte-par-vote", field="pour")
        updated = await st.update_minutes(adopted, version, ctx.now())
        await record(ctx, actor, "reunion.compte_rendu.adoption", of_meeting, subject_type="reunion_compte_rendu",
                     subject_id=updated.id or 0, details={"adopte_en_reunion": at_meeting_id})
    return updated


async def publish(ctx: AppContext, actor: Actor, meeting_id: int, version: int) -> Minutes:
    st = store(ctx)
    async with ctx.db.transaction():
        current = await _current(ctx, meeting_id)
        updated = await st.update_minutes(rules.publish(current, local_today(ctx.now())), version, ctx.now())
        await record(ctx, actor, "reunion.compte_rendu.publication", await st.get_meeting(meeting_id),
                     subject_type="reunion_compte_rendu", subject_id=updated.id or 0, after={"texte": updated.texte})
    return updated


async def correct(ctx: AppContext, actor: Actor, meeting_id: int, texte: str, motif: str, version: int) -> Minutes:
    """A new published version with its reason; the earlier one stays readable."""
    st = store(ctx)
    async with ctx.db.transaction():
        current = await _current(ctx, meeting_id)
        if current.version != version:
            from domain.errors import Conflict

            raise Conflict(_("Ce compte rendu a été modifié par quelqu'un d'autre entre-temps : rechargez la page."),
                           code="modification-concurrente", field="version")
        new = await st.insert_minutes(rules.correct(current, texte, motif, local_today(ctx.now())), ctx.now())
        await record(ctx, actor, "reunion.compte_rendu.correction", await st.get_meeting(meeting_id),
                     subject_type="reunion_compte_rendu", subject_id=new.id or 0,
                     before={"texte": current.texte}, after={"texte": new.texte},
                     details={"numero_version": new.numero_version})
    return new


async def versions(ctx: AppContext, meeting_id: int) -> list[Minutes]:
    await store(ctx).get_meeting(meeting_id)
    return await store(ctx).minutes_versions(meeting_id)


@dataclass(frozen=True)
class PublicationStatus:
    deadline: str | None  # ISO date
    warning: str | None


async def publication_status(ctx: AppContext, meeting_id: int) -> PublicationStatus:
    m = await store(ctx).current_minutes(meeting_id)
    if m is None or m.adopted_on is None:
        return PublicationStatus(None, None)
    meeting = await store(ctx).get_meeting(meeting_id)
    settings, _c = await council_settings(meeting.council_id)
    days = settings.publication_compte_rendu_jours
    return PublicationStatus(
        publication_deadline(m.adopted_on, days).isoformat(),
        rules.deadline_warning(m, local_today(ctx.now()), days),
    )
