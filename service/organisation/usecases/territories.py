"""Territories and QPV: create, read, update, archive, restore — each write audited."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from domain.access import Action, Principal, visible_territories
from domain.errors import Conflict, InvalidInput, NotFound
from domain.i18n import _
from domain.organisation import check_communes, check_name, check_siren, normalise_departement, normalise_key, parse_qpv_code
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.organisation.store import OrganisationStore, QpvRow, TerritoryRow


def _store(ctx: AppContext | None, store: OrganisationStore | None) -> OrganisationStore:
    return store or OrganisationStore(None if ctx is None else ctx.db)


# --- reading -------------------------------------------------------------------------


async def list_territories(principal: Principal, include_archived: bool = False,
                           store: OrganisationStore | None = None) -> list[TerritoryRow]:
    vis = visible_territories(principal, Action.READ_TERRITORY)
    return await _store(None, store).territories(vis, include_archived=include_archived)


async def get_territory(territory_id: int, store: OrganisationStore | None = None) -> TerritoryRow:
    row = await _store(None, store).territory(territory_id)
    if row is None:
        raise NotFound(_("Territoire introuvable."))
    return row


async def list_qpvs(principal: Principal, territory_id: int | None = None,
                    store: OrganisationStore | None = None) -> list[QpvRow]:
    vis = visible_territories(principal, Action.READ_TERRITORY)
    return await _store(None, store).qpvs(vis, territory_id=territory_id)


async def get_qpv(qpv_id: int, store: OrganisationStore | None = None) -> QpvRow:
    row = await _store(None, store).qpv(qpv_id)
    if row is None:
        raise NotFound(_("Quartier prioritaire introuvable."))
    return row


# --- territories ---------------------------------------------------------------------


@dataclass(frozen=True)
class TerritoryInput:
    name: str
    departement: str
    kind: str = "epci"
    siren: str = ""
    communes: tuple[dict[str, Any], ...] = ()


def _territory_values(data: TerritoryInput) -> dict[str, Any]:
    name = check_name(data.name)
    if data.kind not in ("epci", "commune"):
        raise InvalidInput(_("Type de territoire inconnu : « {k} » (attendu : epci ou commune).").format(k=data.kind), field="kind")
    return {
        "name": name,
        "name_key": normalise_key(name),
        "departement": normalise_departement(data.departement),
        "kind": data.kind,
        "siren": check_siren(data.siren),
        "communes": check_communes(list(data.communes)),
    }


def _duplicate_territory() -> Conflict:
    return Conflict(_("Un territoire porte déjà ce nom."), field="name", code="doublon")


async def create_territory(ctx: AppContext, actor: Actor, data: TerritoryInput,
                           store: OrganisationStore | None = None) -> TerritoryRow:
    store = _store(ctx, store)
    values = _territory_values(data)
    now = ctx.now()
    async with ctx.db.transaction():
        if await store.territory_id_by_key(values["name_key"]) is not None:
            raise _duplicate_territory()
        territory_id = await store.insert_territory(values, now)
        await audit.record(ctx.db, actor=actor, action="territoire.creation", subject_type="territoire",
                           subject_id=territory_id, at=now, territory_id=territory_id, after=values)
    return await get_territory(territory_id, store)


async def update_territory(ctx: AppContext, actor: Actor, territory_id: int, data: TerritoryInput, version: int,
                           store: OrganisationStore | None = None) -> TerritoryRow:
    store = _store(ctx, store)
    values = _territory_values(data)
    now = ctx.now()
    async with ctx.db.transaction():
        before = await get_territory(territory_id, store)
        if await store.territory_id_by_key(values["name_key"], other_than=territory_id) is not None:
            raise _duplicate_territory()
        await store.update_territory(territory_id, version, values)
        await audit.record(ctx.db, actor=actor, action="territoire.modification", subject_type="territoire",
                           subject_id=territory_id, at=now, territory_id=territory_id, before=asdict(before), after=values)
    return await get_territory(territory_id, store)


# --- archiving -----------------------------------------------------------------------


async def _scope_ids(store: OrganisationStore, kind: str, row_id: int) -> tuple[int | None, int | None]:
    if kind == "territoire":
        return row_id, None
    scope = await (store.qpv_scope(row_id) if kind == "qpv" else store.council_scope(row_id))
    return (scope.territory_id if scope else None), (row_id if kind == "conseil" else None)


async def archive(ctx: AppContext, actor: Actor, kind: str, row_id: int, store: OrganisationStore | None = None) -> None:
    store = _store(ctx, store)
    now = ctx.now()
    async with ctx.db.transaction():
        exists, archived_at = await store.archived_at(kind, row_id)
        if not exists:
            raise NotFound(_("Élément introuvable."))
        if archived_at is not None:
            raise Conflict(_("Cet élément est déjà archivé."), code="deja-archive")
        await store.set_archived_at(kind, row_id, now)
        territory_id, council_id = await _scope_ids(store, kind, row_id)
        await audit.record(ctx.db, actor=actor, action=f"{kind}.archivage", subject_type=kind, subject_id=row_id,
                           at=now, territory_id=territory_id, council_id=council_id)


async def restore(ctx: AppContext, actor: Actor, kind: str, row_id: int, store: OrganisationStore | None = None) -> None:
    """Bring back an archived territory, QPV or council (administrators: the routes say
    who may); audited as ``<kind>.restauration``."""
    store = _store(ctx, store)
    now = ctx.now()
    async with ctx.db.transaction():
        exists, archived_at = await store.archived_at(kind, row_id)
        if not exists:
            raise NotFound(_("Élément introuvable."))
        if archived_at is None:
            raise Conflict(_("Cet élément n'est pas archivé."), code="non-archive")
        await store.set_archived_at(kind, row_id, None)
        territory_id, council_id = await _scope_ids(store, kind, row_id)
        await audit.record(ctx.db, actor=actor, action=f"{kind}.restauration", subject_type=kind, subject_id=row_id,
                           at=now, territory_id=territory_id, council_id=council_id,
                           details={"archive_le": archived_at.isoformat()})


# --- QPV -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QpvInput:
    code: str
    name: str
    communes: tuple[dict[str, Any], ...] = ()


def _qpv_values(data: QpvInput) -> dict[str, Any]:
    code, _dept = parse_qpv_code(data.code)
    return {"code": code, "name": check_name(data.name), "communes": check_communes(list(data.communes))}


def _duplicate_qpv(code: str) -> Conflict:
    return Conflict(_("Le quartier {code} est déjà enregistré.").format(code=code), field="code", code="doublon")


async def create_qpv(ctx: AppContext, actor: Actor, territory_id: int, data: QpvInput,
                     store: OrganisationStore | None = None) -> QpvRow:
    store = _store(ctx, store)
    values = _qpv_values(data)
    now = ctx.now()
    async with ctx.db.transaction():
        await get_territory(territory_id, store)
        if await store.qpv_id_by_code(values["code"]) is not None:
            raise _duplicate_qpv(values["code"])
        qpv_id = await store.insert_qpv(territory_id, values, now)
        await audit.record(ctx.db, actor=actor, action="qpv.creation", subject_type="qpv", subject_id=qpv_id,
                           at=now, territory_id=territory_id, after=values)
    return await get_qpv(qpv_id, store)


async def update_qpv(ctx: AppContext, actor: Actor, qpv_id: int, data: QpvInput, version: int,
                     store: OrganisationStore | None = None) -> QpvRow:
    store = _store(ctx, store)
    values = _qpv_values(data)
    now = ctx.now()
    async with ctx.db.transaction():
        before = await get_qpv(qpv_id, store)
        if await store.qpv_id_by_code(values["code"], other_than=qpv_id) is not None:
            raise _duplicate_qpv(values["code"])
        await store.update_qpv(qpv_id, version, values)
        await audit.record(ctx.db, actor=actor, action="qpv.modification", subject_type="qpv", subject_id=qpv_id,
                           at=now, territory_id=before.territory, before=_qpv_digest_view(before), after=values)
    return await get_qpv(qpv_id, store)


def _qpv_digest_view(row: QpvRow) -> dict[str, Any]:
    """The row as it was read before the store existed (no territory name), so the
    ``before`` digest of the trail stays the same."""
    view = asdict(row)
    del view["territory_name"]
    return view
