"""The public ceremony of a draw: prepare, commit (§3), enter the public entropy (§4),
rank (§5), abandon; and where the session is held.

Ranking is computed outside the write transaction and stored by a versioned update, so
two leads pressing "draw" at once end with exactly one ranking (the other gets a
``Conflict``) and a crash leaves the draw as it was (resuming recomputes the identical
result).
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from domain.draw import ceremony as cer
from domain.draw import protocol as proto
from domain.draw.plan import DEFAULT_MULTIPLE, PlanInput, plan_for
from domain.errors import Conflict, InvalidInput, InvalidState, RuleBroken
from domain.i18n import _
from service.audit import Actor
from service.context import AppContext
from service.tirage.store import DrawRow, NewDraw
from service.tirage.usecases.common import (
    DrawUnitOfWork,
    acting_role,
    council_of,
    domain_draw,
    encode_ranking,
    load,
    public_view,
    record_event,
    remember_ranking,
    unit_of_work,
)
from service.tirage.usecases.plan import council_pool, frozen_pool


async def _view(uow: DrawUnitOfWork, draw_id: int) -> dict[str, Any]:
    return public_view(await uow.draws.draw(draw_id))


async def prepare_draw(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    pool_id: int,
    data: PlanInput,
    *,
    label: str = "",
    place: str = "",
    present: str = "",
    replaces: int | None = None,
    uow: DrawUnitOfWork | None = None,
) -> dict[str, Any]:
    """Prepare a draw of ``council_id`` over ``pool_id`` (any pool of the council:
    residents or volunteers). The plan is checked against the pool; nothing is committed."""
    uow = unit_of_work(uow, ctx.db)
    pool_info = await council_pool(uow, pool_id, council_id)
    if pool_info.size == 0:
        raise InvalidInput(
            _("La liste est vide : il n'y a personne à tirer au sort."),
            code="vivier-vide",
            field="pool_id",
        )
    pool = await frozen_pool(uow, pool_id, pool_info.digest)
    plan = plan_for(pool.strata_counts, data)
    council, territory_id = await council_of(uow, council_id)
    now = ctx.now()
    draw = cer.prepare("en-preparation", council, pool, plan, now)  # parity, §7, quotas vs pool
    async with uow.transaction():
        draw_id = await uow.draws.create_draw(NewDraw(
            council_id=council_id,
            pool_id=pool_id,
            kind=pool_info.kind,
            reference="tmp-" + hashlib.sha256(f"{council_id}:{pool_id}:{now.isoformat()}:{id(data)}".encode()).hexdigest()[:20],
            label=label.strip()[:200],
            params=data.as_json(),
            plan=draw.plan.as_json(),
            pool_digest=pool.digest,
            pool_size=pool.size,
            strata_counts=dict(pool.strata_counts),
            place=place.strip()[:200],
            present=present.strip(),
            prepared_by=actor.id,
            prepared_at=now,
            replaces=replaces,
        ))
        await uow.draws.set_reference(draw_id, f"CC-{now.year}-{draw_id:04d}")
        stored = await uow.draws.draw(draw_id)
        await record_event(uow, now, actor, stored, territory_id, "tirage.preparation", {
            "pool_id": pool_id,
            "pool_digest": pool.digest,
            "plan": draw.plan.as_json(),
            "kind": pool_info.kind,
        })
    return await _view(uow, draw_id)


async def commit_draw(ctx: AppContext, actor: Actor, council_id: int, draw_id: int, *,
                      uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """Freeze pool and plan: the commitment is computed and published (§3)."""
    uow = unit_of_work(uow, ctx.db)
    loaded = await load(uow, draw_id, council_id)
    row = loaded.row
    await frozen_pool(uow, row.pool_id, row.pool_digest)  # the stored bytes still hash to the digest
    now = ctx.now()
    draw = cer.commit(loaded.draw, now)
    async with uow.transaction():
        await uow.draws.update_draw(
            draw_id, row.version,
            {"status": "committed", "commitment": draw.commitment, "committed_at": now},
            status="prepared",
        )
        await record_event(uow, now, actor, row, loaded.territory_id, "tirage.engagement", {
            "commitment": draw.commitment,
            "pool_digest": row.pool_digest,
            "strata_counts": dict(row.strata_counts),
        })
    return await _view(uow, draw_id)


async def enter_entropy(ctx: AppContext, actor: Actor, council_id: int, draw_id: int, text: str, kind: str = "dice",
                        *, uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """Accept the public entropy (§4) — once per commitment, ever."""
    uow = unit_of_work(uow, ctx.db)
    try:
        ekind = cer.EntropyKind(kind)
    except ValueError:
        raise InvalidInput(_("Type d'aléa inconnu : dés (dice) ou texte (text)."), field="kind") from None
    loaded = await load(uow, draw_id, council_id)
    row = loaded.row
    cer.require_committed(loaded.draw)
    now = ctx.now()
    who = await acting_role(uow, actor)
    draw = cer.enter_entropy(loaded.draw, text, ekind, who, now)
    assert draw.seed is not None
    async with uow.transaction():
        if await uow.draws.entropy_received(row.commitment, other_than=draw_id):
            raise InvalidState(
                _("Cet engagement a déjà reçu un aléa (sur un autre tirage) : il ne peut pas en recevoir un second."),
                code="alea-deja-saisi",
            )
        try:
            await uow.draws.update_draw(
                draw_id, row.version,
                {
                    "status": "entropy_entered",
                    "entropy": text,
                    "entropy_kind": ekind.value,
                    "entropy_by": who,
                    "entropy_by_id": actor.id,
                    "entropy_at": now,
                    "entropy_commitment": row.commitment,
                    "seed": draw.seed.hex(),
                },
                status="committed",
            )
        except Conflict:
            again = await uow.draws.draw(draw_id)
            if again.entropy is not None:
                raise InvalidState(
                    _("Un aléa a déjà été saisi pour cet engagement ; il ne peut pas être remplacé."),
                    code="alea-deja-saisi",
                ) from None
            raise
        await record_event(uow, now, actor, row, loaded.territory_id, "tirage.alea", {
            "entropy": text,
            "kind": ekind.value,
            "seed": draw.seed.hex(),
            "commitment": row.commitment,
        })
    return await _view(uow, draw_id)


async def rank_draw(ctx: AppContext, actor: Actor, council_id: int, draw_id: int, *,
                    uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """Rank the frozen pool with the seed (§5) and store the whole ranking at once.

    Computed before the write transaction; stored by a versioned update that only
    succeeds from the state "entropy entered": of two concurrent calls exactly one
    stores, the other gets a ``Conflict``. Ranking is deterministic, so after a crash
    calling again gives the identical result.
    """
    uow = unit_of_work(uow, ctx.db)
    row = await uow.draws.draw(draw_id, council_id)
    cer.require_rankable(cer.DrawStatus(row.status))
    council, territory_id = await council_of(uow, row.council_id)
    pool = await frozen_pool(uow, row.pool_id, row.pool_digest)

    def compute(frozen: proto.Pool) -> tuple[cer.Draw, bytes, dict[str, int]]:
        ranked = cer.rank_draw(domain_draw(row, council, [], [], None), frozen)
        assert ranked.ranking is not None
        return (ranked, *encode_ranking(ranked.ranking))

    # Seconds of pure computation on a large pool: in a worker thread, so the event loop
    # keeps serving other requests meanwhile.
    draw, blob, counts = await asyncio.to_thread(compute, pool)
    del pool
    assert draw.ranking is not None
    digest = hashlib.sha256(blob).hexdigest()
    now = ctx.now()
    async with uow.transaction():
        try:
            await uow.draws.update_draw(
                draw_id, row.version,
                {
                    "status": "ranked",
                    "ranking": blob,
                    "ranking_digest": digest,
                    "ranked_counts": counts,
                    "skipped_count": len(draw.ranking.skipped),
                    "ranked_at": now,
                },
                status="entropy_entered",
            )
        except Conflict:
            raise Conflict(
                _("Le classement vient d'être établi par quelqu'un d'autre : rechargez la page."),
                code="deja-classe",
            ) from None
        await record_event(uow, now, actor, row, territory_id, "tirage.classement", {
            "ranking_digest": digest,
            "ranked_counts": counts,
            "skipped": len(draw.ranking.skipped),
            "ranked_sha256": {s: proto.ranked_list_digest(draw.ranking.ranked[s]) for s in sorted(counts)},
        })
    remember_ranking(digest, draw.ranking)
    return await _view(uow, draw_id)


def _redo_input(row: DrawRow) -> PlanInput:
    """The choices of an abandoned draw, to prepare it again over another pool."""
    params = row.params or {}
    return PlanInput(
        seats=int(params.get("seats", 0)),
        odd_seat=params.get("odd_seat"),
        one_per_household=bool(params.get("one_per_household", True)),
        invitations=params.get("invitations"),
        multiple=int(params.get("multiple", DEFAULT_MULTIPLE)),
        seats_by_stratum=params.get("seats_by_stratum"),
    )


async def _check_redo(uow: DrawUnitOfWork, row: DrawRow, council_id: int, redo_pool_id: int, data: PlanInput) -> None:
    """A redo commits anew: refused when it would be a new throw of a committed draw."""
    redo_pool = await council_pool(uow, redo_pool_id, council_id)
    redo_commitment = proto.commitment(redo_pool.digest, plan_for(redo_pool.strata_counts, data))
    if redo_commitment == row.commitment and row.entropy is None:
        return  # nothing was drawn under it: committing the same again is no re-roll
    if await uow.draws.commitment_used(redo_commitment):
        raise RuleBroken(
            _(
                "Même liste et même plan qu'un tirage déjà engagé : ce serait un nouveau lancer du même tirage. "
                "Préparez une nouvelle liste (nouvelles clés) ou changez le plan."
            ),
            code="engagement-deja-utilise",
            field="redo_pool_id",
        )


async def abandon_draw(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    draw_id: int,
    reason: str,
    *,
    redo_pool_id: int | None = None,
    uow: DrawUnitOfWork | None = None,
) -> dict[str, Any]:
    """Abandon a draw (it stays, with its commitment, in the trail). With ``redo_pool_id``,
    a new draw is prepared and committed with the same choices over that pool: a new
    commitment (a commitment that received entropy never receives another one, so the
    same pool with the same plan is refused before anything changes)."""
    uow = unit_of_work(uow, ctx.db)
    loaded = await load(uow, draw_id, council_id)
    row = loaded.row
    now = ctx.now()
    draw = cer.abandon(loaded.draw, reason, now)
    data: PlanInput | None = None
    if redo_pool_id is not None:
        data = _redo_input(row)
        await _check_redo(uow, row, council_id, redo_pool_id, data)
    async with uow.transaction():
        await uow.draws.update_draw(draw_id, row.version, {
            "status": "abandoned",
            "abandoned_at": now,
            "abandoned_by": await acting_role(uow, actor),
            "abandon_reason": draw.abandon_reason,
        })
        await record_event(uow, now, actor, row, loaded.territory_id, "tirage.abandon", {
            "reason": reason.strip()[:500],
            "commitment": row.commitment,
            "previous_status": row.status,
        })
    if redo_pool_id is None or data is None:
        return await _view(uow, draw_id)
    new = await prepare_draw(ctx, actor, council_id, redo_pool_id, data, label=row.label, place=row.place,
                             present=row.present, replaces=draw_id, uow=uow)
    new = await commit_draw(ctx, actor, council_id, int(new["id"]), uow=uow)
    async with uow.transaction():
        await uow.draws.set_replaced_by(draw_id, int(new["id"]))
    return await _view(uow, int(new["id"]))


async def update_session_info(ctx: AppContext, actor: Actor, council_id: int, draw_id: int, *, place: str,
                              present: str, uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """Where the public session is held and who attends (for the procès-verbal)."""
    uow = unit_of_work(uow, ctx.db)
    loaded = await load(uow, draw_id, council_id)
    async with uow.transaction():
        await uow.draws.update_draw(draw_id, loaded.row.version, {"place": place.strip()[:200], "present": present.strip()})
        await record_event(uow, ctx.now(), actor, loaded.row, loaded.territory_id, "tirage.seance", {})
    return await _view(uow, draw_id)
