"""Rounds of invitations (§6): proposing and opening the next round, closing one after
its deadline, and the people a round invites (for the letters)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.draw import ceremony as cer
from domain.draw import rounds as rnd
from domain.draw.rounds import Reply
from domain.errors import InvalidInput, InvalidState, NotFound
from domain.i18n import _
from service.audit import Actor
from service.context import AppContext
from service.tirage.store import NewInvitation, RoundRow
from service.tirage.usecases.common import (
    DEFAULT_REPLY_DAYS,
    DrawUnitOfWork,
    code_digest,
    load,
    public_view,
    record_event,
    reply_code,
    unit_of_work,
)
from service.tirage.usecases.replies import ReplyEntry, apply_replies


def _reserve(draw: cer.Draw) -> dict[str, int]:
    # Règlement default: a reserve of suppléants at least equal to the seats.
    return dict(draw.plan.seats or {})


def _proposal(draw: cer.Draw) -> dict[str, int]:
    if not draw.rounds:
        return rnd.first_round_counts(draw.plan.quotas, draw.ranked)
    return cer.proposed_next_round(draw, reserve=_reserve(draw))


async def propose_round(draw_id: int, council_id: int | None = None, *,
                        uow: DrawUnitOfWork | None = None) -> dict[str, int]:
    """The next round's size per stratum: round 1 the plan's quotas; later rounds the
    parity-balanced proposal from the empty seats and the acceptance observed so far."""
    loaded = await load(unit_of_work(uow), draw_id, council_id, full_ranking=True)
    cer.require_ranked(loaded.draw.status)
    return _proposal(loaded.draw)


async def open_round(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    draw_id: int,
    counts: Mapping[str, int] | None = None,
    *,
    deadline: datetime | None = None,
    uow: DrawUnitOfWork | None = None,
) -> dict[str, Any]:
    """Invite the next people of each stratum (§6). Round 1 follows the plan; later rounds
    take ``counts`` (the lead's confirmation or edit of ``propose_round``)."""
    uow = unit_of_work(uow, ctx.db)
    loaded = await load(uow, draw_id, council_id, full_ranking=True)
    row, draw = loaded.row, loaded.draw
    now = ctx.now()
    proposal = _proposal(draw) if cer.has_ranking(draw.status) else {}
    if counts is not None:
        counts = {str(s): n for s, n in counts.items()}
    new_draw = cer.open_round(draw, now, counts)
    new_round = new_draw.rounds[-1]
    if deadline is None:
        deadline = now + timedelta(days=DEFAULT_REPLY_DAYS)
    elif deadline.tzinfo is None or deadline <= now:
        raise InvalidInput(_("La date limite de réponse doit être postérieure à aujourd'hui."), field="deadline")
    invs = rnd.invitations((new_round,), None)
    depths = rnd.invited_depths(draw.ranked, draw.rounds)
    keys = [k for s in sorted(new_round.invited) for k in new_round.invited[s]]
    members = await uow.pools.members(row.pool_id, keys)
    secret = ctx.settings.secret_key
    records = []
    by_type: dict[str, list[int]] = {}
    for key in keys:
        inv = invs[key]
        m = members.get(key)
        subject_type = m.subject_type if m else ""
        subject_id = m.subject_id if m else None
        records.append(NewInvitation(
            round=new_round.number, key=key, stratum=inv.stratum, rank=depths.get(inv.stratum, 0) + inv.rank,
            subject_type=subject_type or "", subject_id=subject_id,
            code_digest=code_digest(reply_code(secret, row.reference, key)),
        ))
        if subject_id is not None:
            by_type.setdefault(subject_type, []).append(int(subject_id))
    counts_done = new_round.counts()
    async with uow.transaction():
        await uow.draws.update_draw(draw_id, row.version, {"status": "rounds"})
        await uow.draws.add_round(draw_id, RoundRow(
            number=new_round.number, proposed=proposal, invited=counts_done, at=now, deadline=deadline,
            created_by=actor.label,
        ))
        await uow.draws.add_invitations(draw_id, records)
        for subject_type, ids in by_type.items():
            await uow.subjects.mark_selected(subject_type, ids, now)
        await record_event(uow, now, actor, row, loaded.territory_id, "tirage.tour", {
            "round": new_round.number,
            "invited": counts_done,
            "proposed": proposal,
            "deadline": deadline.isoformat(),
        })
    return public_view(await uow.draws.draw(draw_id))


async def close_round(ctx: AppContext, actor: Actor, council_id: int, draw_id: int, round_no: int, *,
                      uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """Once a round's deadline has passed, every invitation of it still without a reply
    becomes "no reply by the deadline" (a later "yes" may still be recorded)."""
    uow = unit_of_work(uow, ctx.db)
    loaded = await load(uow, draw_id, council_id)
    r = loaded.round(int(round_no))
    if r is None:
        raise NotFound(_("Tour introuvable pour ce tirage."))
    if r.deadline is not None and ctx.now() <= r.deadline:
        raise InvalidState(
            _("La date limite de réponse de ce tour n'est pas encore passée."),
            code="delai-en-cours",
        )
    pending = [ReplyEntry(i.key, Reply.NO_REPLY) for i in loaded.invitations if i.round == int(round_no) and not i.reply]
    if pending:
        await apply_replies(ctx, actor, uow, loaded, pending, "lead")
    return {"round": int(round_no), "marked_no_reply": len(pending)}


@dataclass(frozen=True)
class Recipient:
    invitation_id: int
    key: str
    rank: int
    stratum: str
    reply_code: str
    deadline: datetime | None
    subject_type: str
    subject_id: int | None
    draw_reference: str
    round_no: int


async def round_recipients(ctx: AppContext, draw_id: int, round_no: int, *,
                           uow: DrawUnitOfWork | None = None) -> list[Recipient]:
    """The people a round invites, in stratum then rank order, with the reply code of
    their letter (derived, identical at every call) and the round's deadline."""
    uow = unit_of_work(uow, ctx.db)
    row = await uow.draws.draw(draw_id)
    r = next((x for x in await uow.draws.rounds(draw_id) if x.number == round_no), None)
    if r is None:
        raise NotFound(_("Tour introuvable pour ce tirage."))
    invs = sorted(await uow.draws.invitations(draw_id, round_no), key=lambda i: (i.stratum, i.rank))
    secret = ctx.settings.secret_key
    return [
        Recipient(
            invitation_id=i.id,
            key=i.key,
            rank=i.rank,
            stratum=i.stratum,
            reply_code=reply_code(secret, row.reference, i.key),
            deadline=r.deadline,
            subject_type=i.subject_type,
            subject_id=i.subject_id,
            draw_reference=row.reference,
            round_no=round_no,
        )
        for i in invs
    ]
