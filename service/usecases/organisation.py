"""Territories, QPV and councils: create, read, update, archive — each write audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.access import Action, Principal, ResourceScope, visible_territories
from domain.errors import Conflict, InvalidInput, NotFound
from domain.i18n import _
from domain.organisation import (
    build_settings,
    check_communes,
    check_name,
    check_regime,
    check_siren,
    normalise_departement,
    normalise_key,
    parse_qpv_code,
)
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.db.tables import Council, CouncilQpv, Qpv, Territory
from service.db.versioned import versioned_update

# --- reading -------------------------------------------------------------------------


def _visible_filter(principal: Principal, action: Action, territory_col: Any, dept_col: Any, council_col: Any | None) -> Any | None:
    """A where-clause limiting rows to what ``principal`` may see; None = everything."""
    vis = visible_territories(principal, action)
    if vis.everything:
        return None
    clauses = []
    if vis.territory_ids:
        clauses.append(territory_col.is_in([int(t) for t in vis.territory_ids]))
    if vis.departements:
        clauses.append(dept_col.is_in(list(vis.departements)))
    if vis.council_ids and council_col is not None:
        clauses.append(council_col.is_in([int(c) for c in vis.council_ids]))
    if not clauses:
        return territory_col == -1
    where = clauses[0]
    for c in clauses[1:]:
        where = where | c
    return where


async def list_territories(principal: Principal, include_archived: bool = False) -> list[dict[str, Any]]:
    q = Territory.select().order_by(Territory.name).output(load_json=True)
    where = _visible_filter(principal, Action.READ_TERRITORY, Territory.id, Territory.departement, None)
    if where is not None:
        q = q.where(where)
    if not include_archived:
        q = q.where(Territory.archived_at.is_null())
    return list(await q)


async def get_territory(territory_id: int) -> dict[str, Any]:
    row = await Territory.select().where(Territory.id == territory_id).output(load_json=True).first()
    if not row:
        raise NotFound(_("Territoire introuvable."))
    return dict(row)


async def list_qpvs(principal: Principal, territory_id: int | None = None) -> list[dict[str, Any]]:
    q = Qpv.select(*Qpv.all_columns(), Qpv.territory.name.as_alias("territory_name")).order_by(Qpv.code).output(load_json=True)
    where = _visible_filter(principal, Action.READ_TERRITORY, Qpv.territory, Qpv.territory.departement, None)
    if where is not None:
        q = q.where(where)
    if territory_id is not None:
        q = q.where(Qpv.territory == territory_id)
    return list(await q)


async def get_qpv(qpv_id: int) -> dict[str, Any]:
    row = await Qpv.select().where(Qpv.id == qpv_id).output(load_json=True).first()
    if not row:
        raise NotFound(_("Quartier prioritaire introuvable."))
    return dict(row)


async def list_councils(principal: Principal, territory_id: int | None = None, include_archived: bool = False) -> list[dict[str, Any]]:
    q = Council.select(
        *Council.all_columns(),
        Council.territory.name.as_alias("territory_name"),
        Council.territory.departement.as_alias("departement"),
    ).order_by(Council.name).output(load_json=True)
    where = _visible_filter(principal, Action.READ_COUNCIL, Council.territory, Council.territory.departement, Council.id)
    if where is not None:
        q = q.where(where)
    if territory_id is not None:
        q = q.where(Council.territory == territory_id)
    if not include_archived:
        q = q.where(Council.archived_at.is_null())
    rows = list(await q)
    await _attach_qpvs(rows)
    return rows


async def _attach_qpvs(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    links = await CouncilQpv.select(
        CouncilQpv.council, CouncilQpv.qpv, CouncilQpv.qpv.code, CouncilQpv.qpv.name
    ).where(CouncilQpv.council.is_in([r["id"] for r in rows]))
    by_council: dict[int, list[dict[str, Any]]] = {}
    for link in links:
        by_council.setdefault(link["council"], []).append(
            {"id": link["qpv"], "code": link["qpv.code"], "name": link["qpv.name"]}
        )
    for r in rows:
        r["qpvs"] = sorted(by_council.get(r["id"], []), key=lambda q: q["code"])


async def get_council(council_id: int) -> dict[str, Any]:
    row = await Council.select(
        *Council.all_columns(),
        Council.territory.name.as_alias("territory_name"),
        Council.territory.departement.as_alias("departement"),
    ).where(Council.id == council_id).output(load_json=True).first()
    if not row:
        raise NotFound(_("Conseil citoyen introuvable."))
    rows = [dict(row)]
    await _attach_qpvs(rows)
    return rows[0]


# --- writing -------------------------------------------------------------------------


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


async def create_territory(ctx: AppContext, actor: Actor, data: TerritoryInput) -> dict[str, Any]:
    values = _territory_values(data)
    now = ctx.now()
    async with ctx.db.transaction():
        if await Territory.exists().where(Territory.name_key == values["name_key"]):
            raise Conflict(_("Un territoire porte déjà ce nom."), field="name", code="doublon")
        row = (await Territory.insert(Territory(**values, created_at=now)).returning(Territory.id))[0]
        await audit.record(ctx.db, actor=actor, action="territoire.creation", subject_type="territoire",
                           subject_id=row["id"], at=now, territory_id=row["id"], after=values)
    return await get_territory(row["id"])


async def update_territory(ctx: AppContext, actor: Actor, territory_id: int, data: TerritoryInput, version: int) -> dict[str, Any]:
    values = _territory_values(data)
    now = ctx.now()
    async with ctx.db.transaction():
        before = await get_territory(territory_id)
        clash = await Territory.exists().where((Territory.name_key == values["name_key"]) & (Territory.id != territory_id))
        if clash:
            raise Conflict(_("Un territoire porte déjà ce nom."), field="name", code="doublon")
        await versioned_update(Territory, territory_id, version, values)
        await audit.record(ctx.db, actor=actor, action="territoire.modification", subject_type="territoire",
                           subject_id=territory_id, at=now, territory_id=territory_id, before=before, after=values)
    return await get_territory(territory_id)


async def archive(ctx: AppContext, actor: Actor, kind: str, row_id: int) -> None:
    table = {"territoire": Territory, "qpv": Qpv, "conseil": Council}[kind]
    now = ctx.now()
    async with ctx.db.transaction():
        row = await table.select(table.id, table.archived_at).where(table.id == row_id).first()
        if not row:
            raise NotFound(_("Élément introuvable."))
        if row["archived_at"] is not None:
            raise Conflict(_("Cet élément est déjà archivé."), code="deja-archive")
        await table.update({table.archived_at: now}).where(table.id == row_id)
        scope = await _scope_ids(kind, row_id)
        await audit.record(ctx.db, actor=actor, action=f"{kind}.archivage", subject_type=kind, subject_id=row_id,
                           at=now, territory_id=scope[0], council_id=scope[1])


async def restore(ctx: AppContext, actor: Actor, kind: str, row_id: int) -> None:
    """Bring back an archived territory, QPV or council (administrators: the routes say
    who may); audited as ``<kind>.restauration``."""
    table = {"territoire": Territory, "qpv": Qpv, "conseil": Council}[kind]
    now = ctx.now()
    async with ctx.db.transaction():
        row = await table.select(table.id, table.archived_at).where(table.id == row_id).first()
        if not row:
            raise NotFound(_("Élément introuvable."))
        if row["archived_at"] is None:
            raise Conflict(_("Cet élément n'est pas archivé."), code="non-archive")
        await table.update({table.archived_at: None}).where(table.id == row_id)
        scope = await _scope_ids(kind, row_id)
        await audit.record(ctx.db, actor=actor, action=f"{kind}.restauration", subject_type=kind, subject_id=row_id,
                           at=now, territory_id=scope[0], council_id=scope[1],
                           details={"archive_le": row["archived_at"].isoformat()})


async def _scope_ids(kind: str, row_id: int) -> tuple[int | None, int | None]:
    if kind == "territoire":
        return row_id, None
    if kind == "qpv":
        r = await Qpv.select(Qpv.territory).where(Qpv.id == row_id).first()
        return (r["territory"] if r else None), None
    r = await Council.select(Council.territory).where(Council.id == row_id).first()
    return (r["territory"] if r else None), row_id


@dataclass(frozen=True)
class QpvInput:
    code: str
    name: str
    communes: tuple[dict[str, Any], ...] = ()


async def create_qpv(ctx: AppContext, actor: Actor, territory_id: int, data: QpvInput) -> dict[str, Any]:
    code, _dept = parse_qpv_code(data.code)
    values = {"code": code, "name": check_name(data.name), "communes": check_communes(list(data.communes))}
    now = ctx.now()
    async with ctx.db.transaction():
        await get_territory(territory_id)
        if await Qpv.exists().where(Qpv.code == code):
            raise Conflict(_("Le quartier {code} est déjà enregistré.").format(code=code), field="code", code="doublon")
        row = (await Qpv.insert(Qpv(territory=territory_id, created_at=now, **values)).returning(Qpv.id))[0]
        await audit.record(ctx.db, actor=actor, action="qpv.creation", subject_type="qpv", subject_id=row["id"],
                           at=now, territory_id=territory_id, after=values)
    return await get_qpv(row["id"])


async def update_qpv(ctx: AppContext, actor: Actor, qpv_id: int, data: QpvInput, version: int) -> dict[str, Any]:
    code, _dept = parse_qpv_code(data.code)
    values = {"code": code, "name": check_name(data.name), "communes": check_communes(list(data.communes))}
    now = ctx.now()
    async with ctx.db.transaction():
        before = await get_qpv(qpv_id)
        if await Qpv.exists().where((Qpv.code == code) & (Qpv.id != qpv_id)):
            raise Conflict(_("Le quartier {code} est déjà enregistré.").format(code=code), field="code", code="doublon")
        await versioned_update(Qpv, qpv_id, version, values)
        await audit.record(ctx.db, actor=actor, action="qpv.modification", subject_type="qpv", subject_id=qpv_id,
                           at=now, territory_id=before["territory"], before=before, after=values)
    return await get_qpv(qpv_id)


@dataclass(frozen=True)
class CouncilInput:
    name: str
    qpv_ids: tuple[int, ...]
    regime: str = "2024"
    settings: dict[str, Any] | None = None


async def _check_qpvs(territory_id: int, qpv_ids: tuple[int, ...]) -> list[int]:
    ids = sorted(set(qpv_ids))
    if not ids:
        raise InvalidInput(_("Choisissez au moins un quartier prioritaire."), field="qpv_ids", code="champ-obligatoire")
    rows = await Qpv.select(Qpv.id, Qpv.territory).where(Qpv.id.is_in(ids))
    found = {r["id"]: r["territory"] for r in rows}
    for qid in ids:
        if qid not in found:
            raise InvalidInput(_("Quartier n° {id} introuvable.").format(id=qid), field="qpv_ids")
        if found[qid] != territory_id:
            raise InvalidInput(_("Le quartier n° {id} n'appartient pas à ce territoire.").format(id=qid), field="qpv_ids")
    return ids


async def create_council(ctx: AppContext, actor: Actor, territory_id: int, data: CouncilInput) -> dict[str, Any]:
    name = check_name(data.name)
    regime = check_regime(data.regime)
    settings = build_settings(data.settings or {})
    key = f"{territory_id}:{normalise_key(name)}"
    now = ctx.now()
    async with ctx.db.transaction():
        await get_territory(territory_id)
        qpv_ids = await _check_qpvs(territory_id, data.qpv_ids)
        if await Council.exists().where(Council.name_key == key):
            raise Conflict(_("Un conseil citoyen porte déjà ce nom dans ce territoire."), field="name", code="doublon")
        row = (await Council.insert(Council(territory=territory_id, name=name, name_key=key, regime=regime,
                                            settings=settings.as_dict(), created_at=now, updated_at=now)).returning(Council.id))[0]
        await CouncilQpv.insert(*[CouncilQpv(council=row["id"], qpv=q, link_key=f"{row['id']}:{q}") for q in qpv_ids])
        after = {"name": name, "regime": regime, "settings": settings.as_dict(), "qpv_ids": qpv_ids}
        await audit.record(ctx.db, actor=actor, action="conseil.creation", subject_type="conseil", subject_id=row["id"],
                           at=now, territory_id=territory_id, council_id=row["id"], after=after)
    return await get_council(row["id"])


@dataclass(frozen=True)
class CouncilUpdate:
    version: int
    name: str | None = None
    qpv_ids: tuple[int, ...] | None = None
    regime: str | None = None
    settings: dict[str, Any] | None = None


async def update_council(ctx: AppContext, actor: Actor, council_id: int, data: CouncilUpdate) -> dict[str, Any]:
    now = ctx.now()
    async with ctx.db.transaction():
        before = await get_council(council_id)
        if before["archived_at"] is not None:
            raise Conflict(_("Ce conseil est archivé : il ne peut plus être modifié."), code="archive")
        territory_id = before["territory"]
        values: dict[str, Any] = {"updated_at": now}
        if data.name is not None:
            name = check_name(data.name)
            key = f"{territory_id}:{normalise_key(name)}"
            if await Council.exists().where((Council.name_key == key) & (Council.id != council_id)):
                raise Conflict(_("Un conseil citoyen porte déjà ce nom dans ce territoire."), field="name", code="doublon")
            values.update(name=name, name_key=key)
        if data.regime is not None:
            values["regime"] = check_regime(data.regime)
        if data.settings is not None:
            from domain.organisation import CouncilSettings

            values["settings"] = build_settings(data.settings, CouncilSettings(**before["settings"])).as_dict()
        qpv_ids = None
        if data.qpv_ids is not None:
            qpv_ids = await _check_qpvs(territory_id, data.qpv_ids)
        await versioned_update(Council, council_id, data.version, values)
        if qpv_ids is not None:
            await CouncilQpv.delete().where(CouncilQpv.council == council_id)
            await CouncilQpv.insert(*[CouncilQpv(council=council_id, qpv=q, link_key=f"{council_id}:{q}") for q in qpv_ids])
        after = {k: v for k, v in values.items() if k not in ("updated_at", "name_key")}
        if qpv_ids is not None:
            after["qpv_ids"] = qpv_ids
        await audit.record(ctx.db, actor=actor, action="conseil.modification", subject_type="conseil",
                           subject_id=council_id, at=now, territory_id=territory_id, council_id=council_id,
                           before={k: before.get(k) for k in after}, after=after,
                           details={"champs": sorted(after)})
    return await get_council(council_id)


def scope_of_council(row: dict[str, Any]) -> ResourceScope:
    return ResourceScope(str(row["territory"]), row.get("departement"), str(row["id"]))
