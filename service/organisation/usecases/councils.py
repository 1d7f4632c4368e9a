"""Councils: create, read, update (name, QPV, regime, settings) — each write audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.access import Action, Principal, visible_territories
from domain.errors import Conflict, InvalidInput, NotFound
from domain.i18n import _
from domain.organisation import CouncilSettings, build_settings, check_name, check_regime, normalise_key
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.organisation.store import CouncilRow, OrganisationStore
from service.organisation.usecases.territories import get_territory


def _store(ctx: AppContext | None, store: OrganisationStore | None) -> OrganisationStore:
    return store or OrganisationStore(None if ctx is None else ctx.db)


async def list_councils(principal: Principal, territory_id: int | None = None, include_archived: bool = False,
                        store: OrganisationStore | None = None) -> list[CouncilRow]:
    vis = visible_territories(principal, Action.READ_COUNCIL)
    return await _store(None, store).councils(vis, territory_id=territory_id, include_archived=include_archived)


async def get_council(council_id: int, store: OrganisationStore | None = None) -> CouncilRow:
    row = await _store(None, store).council(council_id)
    if row is None:
        raise NotFound(_("Conseil citoyen introuvable."))
    return row


async def council_name(council_id: int, store: OrganisationStore | None = None) -> str:
    """The council's name, or "" for an unknown council."""
    return await _store(None, store).council_name(council_id)


@dataclass(frozen=True)
class CouncilInput:
    name: str
    qpv_ids: tuple[int, ...]
    regime: str = "2024"
    settings: dict[str, Any] | None = None


def _name_key(territory_id: int, name: str) -> str:
    return f"{territory_id}:{normalise_key(name)}"


def _duplicate_council() -> Conflict:
    return Conflict(_("Un conseil citoyen porte déjà ce nom dans ce territoire."), field="name", code="doublon")


async def _check_qpvs(store: OrganisationStore, territory_id: int, qpv_ids: tuple[int, ...]) -> list[int]:
    ids = sorted(set(qpv_ids))
    if not ids:
        raise InvalidInput(_("Choisissez au moins un quartier prioritaire."), field="qpv_ids", code="champ-obligatoire")
    found = await store.qpv_territories(ids)
    for qid in ids:
        if qid not in found:
            raise InvalidInput(_("Quartier n° {id} introuvable.").format(id=qid), field="qpv_ids")
        if found[qid] != territory_id:
            raise InvalidInput(_("Le quartier n° {id} n'appartient pas à ce territoire.").format(id=qid), field="qpv_ids")
    return ids


async def create_council(ctx: AppContext, actor: Actor, territory_id: int, data: CouncilInput,
                         store: OrganisationStore | None = None) -> CouncilRow:
    store = _store(ctx, store)
    name = check_name(data.name)
    regime = check_regime(data.regime)
    settings = build_settings(data.settings or {})
    key = _name_key(territory_id, name)
    now = ctx.now()
    async with ctx.db.transaction():
        await get_territory(territory_id, store)
        qpv_ids = await _check_qpvs(store, territory_id, data.qpv_ids)
        if await store.council_id_by_key(key) is not None:
            raise _duplicate_council()
        council_id = await store.insert_council(
            territory_id, {"name": name, "name_key": key, "regime": regime, "settings": settings.as_dict()}, now)
        await store.set_council_qpvs(council_id, qpv_ids)
        after = {"name": name, "regime": regime, "settings": settings.as_dict(), "qpv_ids": qpv_ids}
        await audit.record(ctx.db, actor=actor, action="conseil.creation", subject_type="conseil", subject_id=council_id,
                           at=now, territory_id=territory_id, council_id=council_id, after=after)
    return await get_council(council_id, store)


@dataclass(frozen=True)
class CouncilUpdate:
    version: int
    name: str | None = None
    qpv_ids: tuple[int, ...] | None = None
    regime: str | None = None
    settings: dict[str, Any] | None = None


async def _changed_values(store: OrganisationStore, before: CouncilRow, data: CouncilUpdate) -> dict[str, Any]:
    """The columns ``data`` changes, checked (name unique in the territory, known regime,
    settings within their bounds)."""
    values: dict[str, Any] = {}
    if data.name is not None:
        name = check_name(data.name)
        key = _name_key(before.territory, name)
        if await store.council_id_by_key(key, other_than=before.id) is not None:
            raise _duplicate_council()
        values.update(name=name, name_key=key)
    if data.regime is not None:
        values["regime"] = check_regime(data.regime)
    if data.settings is not None:
        values["settings"] = build_settings(data.settings, CouncilSettings(**before.settings)).as_dict()
    return values


async def update_council(ctx: AppContext, actor: Actor, council_id: int, data: CouncilUpdate,
                         store: OrganisationStore | None = None) -> CouncilRow:
    store = _store(ctx, store)
    now = ctx.now()
    async with ctx.db.transaction():
        before = await get_council(council_id, store)
        if before.archived_at is not None:
            raise Conflict(_("Ce conseil est archivé : il ne peut plus être modifié."), code="archive")
        values: dict[str, Any] = {"updated_at": now, **await _changed_values(store, before, data)}
        qpv_ids = None if data.qpv_ids is None else await _check_qpvs(store, before.territory, data.qpv_ids)
        await store.update_council(council_id, data.version, values)
        if qpv_ids is not None:
            await store.set_council_qpvs(council_id, qpv_ids)
        after = {k: v for k, v in values.items() if k not in ("updated_at", "name_key")}
        if qpv_ids is not None:
            after["qpv_ids"] = qpv_ids
        await audit.record(ctx.db, actor=actor, action="conseil.modification", subject_type="conseil",
                           subject_id=council_id, at=now, territory_id=before.territory, council_id=council_id,
                           before={k: _before_value(before, k) for k in after}, after=after,
                           details={"champs": sorted(after)})
    return await get_council(council_id, store)


def _before_value(before: CouncilRow, key: str) -> Any:
    # "qpv_ids" was never a column of the row read before: it digests as null, as it did.
    return None if key == "qpv_ids" else getattr(before, key, None)
