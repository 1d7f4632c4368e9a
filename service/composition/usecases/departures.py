"""Departures and replacements (draw-protocol.md §6): a member leaves, a titulaire's
seat falls vacant, the reserve's best-ranked suppléant of the same college and stratum
is proposed, and the lead promotes them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from domain.composition import (
    ChangeGuard,
    Member,
    MemberStatus,
    Seat,
    Vacancy,
    depart,
    promote,
    propose_replacement,
)
from domain.errors import InvalidInput, InvalidState, NotFound
from domain.i18n import _
from service.audit import Actor
from service.composition.rows import CompositionStorePort, CompositionUnit, MemberRow
from service.composition.usecases.common import (
    load_member,
    local_today,
    reader,
    record_change,
    rule_settings,
    unit_for,
)
from service.context import AppContext


@dataclass(frozen=True)
class DepartureResult:
    member: MemberRow
    vacancy: bool
    proposal: MemberRow | None
    message: str


async def depart_member(
    ctx: AppContext,
    actor: Actor,
    member_id: int,
    status: str,
    on: date,
    version: int,
    override_reason: str = "",
    council_id: int | None = None,
    *,
    unit: CompositionUnit | None = None,
) -> DepartureResult:
    u = unit_for(ctx, unit)
    now = ctx.now()
    today = local_today(now)
    try:
        new_status = MemberStatus(status)
    except ValueError:
        raise InvalidInput(_("Statut inconnu."), field="status") from None
    async with u.store.transaction():
        current = await load_member(u.store, member_id, council_id)
        council = await u.store.council(current.council)
        rows = await u.store.list_members(current.council)
        departure = depart(current.to_member(), new_status, on)
        before = [r.to_member() for r in rows]
        after = [departure.member if m.id == str(member_id) else m for m in before]
        overridden = ChangeGuard(rule_settings(council)).check(
            before, after, today, override_reason
        )
        await u.store.change_status(member_id, version, new_status.value, on, now)
        left = replace(current, status=new_status.value, status_since=on)
        await record_change(
            ctx, u, actor, council, member_id, "depart", left, override_reason, overridden
        )
        # A member who came from a draw leaves the draw's seats too (same transaction), so
        # the draw's record and the composition never disagree on who holds a seat.
        draw_proposal = await _draw_departure(ctx, actor, current)
    member = await load_member(u.store, member_id)
    proposal, message = None, _("Le départ d'un suppléant ne libère pas de siège.")
    if departure.vacancy is not None:
        proposal, message = await replacement_proposal(member_id, store=u.store)
        if draw_proposal is not None:
            message = str(draw_proposal.get("message") or message)
            proposal = await _drawn_replacement(u.store, current, draw_proposal, proposal)
    return DepartureResult(member, departure.vacancy is not None, proposal, message)


async def _drawn_replacement(
    store: CompositionStorePort,
    departed: MemberRow,
    draw_proposal: dict[str, Any],
    proposal: MemberRow | None,
) -> MemberRow | None:
    """The draw's own proposal (its next key in the stratum) when that person sits."""
    key = draw_proposal.get("replacement")
    if not key or departed.draw_id is None:
        return proposal
    row = await store.member_by_draw_key(departed.council, departed.draw_id, str(key))
    return row if row is not None and row.is_active else proposal


async def _draw_departure(
    ctx: AppContext, actor: Actor, member: MemberRow
) -> dict[str, Any] | None:
    if member.draw_id is None or not member.pool_key:
        return None
    from service.tirage.usecases import replies

    try:
        result: dict[str, Any] = await replies.record_departure(
            ctx, actor, member.council, member.draw_id, member.pool_key
        )
    except (InvalidState, NotFound):
        # The draw no longer tracks this key (abandoned, replaced): the composition's own
        # order (suppléants' ranks from the draw) still gives the proposal.
        return None
    return result


def vacancy_of(d: Member) -> Vacancy:
    """The seat a departed titulaire left."""
    if d.is_active or d.seat is not Seat.TITULAIRE or d.status_since is None:
        raise InvalidState(
            _("Seul le siège d'un titulaire parti peut être pourvu."), code="pas-de-siege-vacant"
        )
    vacancy = depart(
        replace(d, status=MemberStatus.ACTIF, status_since=None), d.status, d.status_since
    ).vacancy
    assert vacancy is not None
    return vacancy


async def replacement_proposal(
    member_id: int, council_id: int | None = None, *, store: CompositionStorePort | None = None
) -> tuple[MemberRow | None, str]:
    """The suppléant proposed for a departed titulaire's seat, best rank of the same
    college, stratum (and sex among residents) first — the draw's order."""
    s = reader(store)
    current = await load_member(s, member_id, council_id)
    vacancy = vacancy_of(current.to_member())
    if await s.seat_taken(member_id):
        raise InvalidState(_("Ce siège a déjà été pourvu."), code="siege-deja-pourvu")
    rows = await s.list_members(current.council)
    proposal = propose_replacement(vacancy, [r.to_member() for r in rows])
    if proposal.candidate is None:
        return None, proposal.reason
    chosen = proposal.candidate.id
    return next(r for r in rows if str(r.id) == chosen), proposal.reason


async def promote_replacement(
    ctx: AppContext,
    actor: Actor,
    departed_id: int,
    suppleant_id: int,
    version: int,
    override_reason: str = "",
    council_id: int | None = None,
    *,
    unit: CompositionUnit | None = None,
) -> MemberRow:
    u = unit_for(ctx, unit)
    today = local_today(ctx.now())
    async with u.store.transaction():
        departed = await load_member(u.store, departed_id, council_id)
        supp = await load_member(u.store, suppleant_id, council_id)
        if supp.council != departed.council:
            raise InvalidInput(
                _("Ce suppléant n'appartient pas à ce conseil."), field="suppleant_id"
            )
        if await u.store.seat_taken(departed_id):
            raise InvalidState(_("Ce siège a déjà été pourvu."), code="siege-deja-pourvu")
        vacancy = vacancy_of(departed.to_member())
        promoted = promote(supp.to_member(), vacancy)
        council = await u.store.council(departed.council)
        rows = await u.store.list_members(departed.council)
        before = [r.to_member() for r in rows]
        after = [promoted if m.id == str(suppleant_id) else m for m in before]
        overridden = ChangeGuard(rule_settings(council)).check(
            before, after, today, override_reason
        )
        await u.store.take_seat(
            suppleant_id, version, promoted.mandate_start, departed_id, ctx.now()
        )
        seated = replace(
            supp, seat="titulaire", mandate_start=promoted.mandate_start, replaces=departed_id
        )
        await record_change(
            ctx, u, actor, council, suppleant_id, "promotion", seated, override_reason,
            overridden,
        )
    return await load_member(u.store, suppleant_id)
