"""The organisation's store: the only code that queries territories, QPV and councils
(DESIGN.md §2). Typed methods return frozen dataclasses."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.access import Visibility
from service.db.engine import Database
from service.db.versioned import versioned_update
from service.organisation.tables import Council, CouncilQpv, Qpv, Territory


@dataclass(frozen=True)
class TerritoryRow:
    id: int
    name: str
    name_key: str
    kind: str
    siren: str
    departement: str
    communes: list[dict[str, Any]]
    archived_at: datetime | None
    created_at: datetime
    version: int


@dataclass(frozen=True)
class QpvRow:
    id: int
    territory: int
    code: str
    name: str
    communes: list[dict[str, Any]]
    archived_at: datetime | None
    created_at: datetime
    version: int
    territory_name: str = ""


@dataclass(frozen=True)
class QpvRef:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class CouncilRow:
    id: int
    territory: int
    territory_name: str
    departement: str
    name: str
    name_key: str
    regime: str
    settings: dict[str, Any]
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    qpvs: tuple[QpvRef, ...] = field(default=())


@dataclass(frozen=True)
class CouncilSettings:
    """A council's territory and settings: what the features after it read of it."""

    id: int
    territory: int
    settings: dict[str, Any]


@dataclass(frozen=True)
class CouncilSummary:
    """A council without its QPV (one query for a whole territory)."""

    id: int
    name: str
    territory: int
    regime: str
    created_at: datetime
    archived_at: datetime | None


@dataclass(frozen=True)
class ScopeIds:
    """Where a territory, QPV or council sits: its territory, département and council."""

    territory_id: int
    departement: str
    council_id: int | None = None


# The three archivable kinds, by the names the audit trail uses.
ARCHIVABLE: dict[str, Any] = {"territoire": Territory, "qpv": Qpv, "conseil": Council}


def _territory(row: dict[str, Any]) -> TerritoryRow:
    return TerritoryRow(
        id=row["id"], name=row["name"], name_key=row["name_key"], kind=row["kind"], siren=row["siren"],
        departement=row["departement"], communes=list(row["communes"] or []), archived_at=row["archived_at"],
        created_at=row["created_at"], version=row["version"])


def _qpv(row: dict[str, Any]) -> QpvRow:
    return QpvRow(
        id=row["id"], territory=row["territory"], code=row["code"], name=row["name"],
        communes=list(row["communes"] or []), archived_at=row["archived_at"], created_at=row["created_at"],
        version=row["version"], territory_name=row.get("territory_name") or "")


def _council(row: dict[str, Any], qpvs: Sequence[QpvRef]) -> CouncilRow:
    return CouncilRow(
        id=row["id"], territory=row["territory"], territory_name=row["territory_name"], departement=row["departement"],
        name=row["name"], name_key=row["name_key"], regime=row["regime"], settings=dict(row["settings"] or {}),
        archived_at=row["archived_at"], created_at=row["created_at"], updated_at=row["updated_at"],
        version=row["version"], qpvs=tuple(sorted(qpvs, key=lambda q: q.code)))


def _within(vis: Visibility | None, territory_col: Any, dept_col: Any, council_col: Any | None) -> Any | None:
    """A where-clause limiting rows to ``vis``; None = everything."""
    if vis is None or vis.everything:
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


class OrganisationStore:
    def __init__(self, db: Database | None = None) -> None:
        self.db = db

    # --- territories ------------------------------------------------------------------

    async def territories(self, vis: Visibility | None = None, *, include_archived: bool = False) -> list[TerritoryRow]:
        q = Territory.select().order_by(Territory.name).output(load_json=True)
        where = _within(vis, Territory.id, Territory.departement, None)
        if where is not None:
            q = q.where(where)
        if not include_archived:
            q = q.where(Territory.archived_at.is_null())
        return [_territory(r) for r in await q]

    async def territory(self, territory_id: int) -> TerritoryRow | None:
        row = await Territory.select().where(Territory.id == territory_id).output(load_json=True).first()
        return _territory(row) if row else None

    async def territory_id_by_key(self, name_key: str, *, other_than: int | None = None) -> int | None:
        q = Territory.select(Territory.id).where(Territory.name_key == name_key)
        if other_than is not None:
            q = q.where(Territory.id != other_than)
        row = await q.first()
        return int(row["id"]) if row else None

    async def territory_ids_in_departements(self, departements: Sequence[str]) -> list[int]:
        rows = await Territory.select(Territory.id).where(Territory.departement.is_in(list(departements)))
        return [int(r["id"]) for r in rows]

    async def territory_names(self, territory_ids: Sequence[int]) -> dict[int, str]:
        """The name of each territory found among ``territory_ids`` (one query)."""
        if not territory_ids:
            return {}
        rows = await Territory.select(Territory.id, Territory.name).where(Territory.id.is_in(sorted(set(territory_ids))))
        return {int(r["id"]): str(r["name"]) for r in rows}

    async def insert_territory(self, values: dict[str, Any], at: datetime) -> int:
        rows = await Territory.insert(Territory(**values, created_at=at)).returning(Territory.id)
        return int(rows[0]["id"])

    async def update_territory(self, territory_id: int, version: int, values: dict[str, Any]) -> None:
        await versioned_update(Territory, territory_id, version, values)

    # --- QPV --------------------------------------------------------------------------

    async def qpvs(self, vis: Visibility | None = None, *, territory_id: int | None = None) -> list[QpvRow]:
        q = Qpv.select(*Qpv.all_columns(), Qpv.territory.name.as_alias("territory_name")).order_by(Qpv.code).output(load_json=True)
        where = _within(vis, Qpv.territory, Qpv.territory.departement, None)
        if where is not None:
            q = q.where(where)
        if territory_id is not None:
            q = q.where(Qpv.territory == territory_id)
        return [_qpv(r) for r in await q]

    async def qpv(self, qpv_id: int) -> QpvRow | None:
        row = await Qpv.select().where(Qpv.id == qpv_id).output(load_json=True).first()
        return _qpv(row) if row else None

    async def qpv_id_by_code(self, code: str, *, other_than: int | None = None) -> int | None:
        q = Qpv.select(Qpv.id).where(Qpv.code == code)
        if other_than is not None:
            q = q.where(Qpv.id != other_than)
        row = await q.first()
        return int(row["id"]) if row else None

    async def qpv_territories(self, qpv_ids: Sequence[int]) -> dict[int, int]:
        """The territory of each QPV found among ``qpv_ids``."""
        rows = await Qpv.select(Qpv.id, Qpv.territory).where(Qpv.id.is_in(list(qpv_ids)))
        return {int(r["id"]): int(r["territory"]) for r in rows}

    async def insert_qpv(self, territory_id: int, values: dict[str, Any], at: datetime) -> int:
        rows = await Qpv.insert(Qpv(territory=territory_id, created_at=at, **values)).returning(Qpv.id)
        return int(rows[0]["id"])

    async def update_qpv(self, qpv_id: int, version: int, values: dict[str, Any]) -> None:
        await versioned_update(Qpv, qpv_id, version, values)

    # --- councils ---------------------------------------------------------------------

    def _council_select(self) -> Any:
        return Council.select(
            *Council.all_columns(),
            Council.territory.name.as_alias("territory_name"),
            Council.territory.departement.as_alias("departement"),
        ).output(load_json=True)

    async def councils(self, vis: Visibility | None = None, *, territory_id: int | None = None,
                       include_archived: bool = False) -> list[CouncilRow]:
        q = self._council_select().order_by(Council.name)
        where = _within(vis, Council.territory, Council.territory.departement, Council.id)
        if where is not None:
            q = q.where(where)
        if territory_id is not None:
            q = q.where(Council.territory == territory_id)
        if not include_archived:
            q = q.where(Council.archived_at.is_null())
        rows = list(await q)
        qpvs = await self._council_qpvs([r["id"] for r in rows])
        return [_council(r, qpvs.get(r["id"], [])) for r in rows]

    async def council(self, council_id: int) -> CouncilRow | None:
        # Read by most council pages and API reads: written out, the two queries skip
        # Piccolo's query builder (about 1 ms of the 5–6 ms an authenticated read costs).
        # The same row as ``councils()`` builds (tests/integration/test_organisation_store.py).
        rows = await Council.raw(
            "SELECT c.id, c.territory, t.name AS territory_name, t.departement, c.name, c.name_key, "
            "c.regime, c.settings, c.archived_at, c.created_at, c.updated_at, c.version "
            "FROM conseil c JOIN territoire t ON t.id = c.territory WHERE c.id = {}", council_id)
        if not rows:
            return None
        row = dict(rows[0])
        if isinstance(row["settings"], str):
            row["settings"] = json.loads(row["settings"])
        links = await CouncilQpv.raw(
            "SELECT l.qpv, q.code, q.name FROM conseil_qpv l JOIN qpv q ON q.id = l.qpv "
            "WHERE l.council = {}", council_id)
        return _council(row, [QpvRef(int(r["qpv"]), str(r["code"]), str(r["name"])) for r in links])

    async def _council_qpvs(self, council_ids: Sequence[int]) -> dict[int, list[QpvRef]]:
        if not council_ids:
            return {}
        links = await CouncilQpv.select(
            CouncilQpv.council, CouncilQpv.qpv, CouncilQpv.qpv.code, CouncilQpv.qpv.name
        ).where(CouncilQpv.council.is_in(list(council_ids)))
        by_council: dict[int, list[QpvRef]] = {}
        for link in links:
            by_council.setdefault(link["council"], []).append(QpvRef(link["qpv"], link["qpv.code"], link["qpv.name"]))
        return by_council

    async def council_name(self, council_id: int) -> str:
        r = await Council.select(Council.name).where(Council.id == council_id).first()
        return str(r["name"]) if r else ""

    async def council_names(self, council_ids: Sequence[int]) -> dict[int, str]:
        """The name of each council found among ``council_ids`` (one query)."""
        if not council_ids:
            return {}
        rows = await Council.select(Council.id, Council.name).where(Council.id.is_in(sorted(set(council_ids))))
        return {int(r["id"]): str(r["name"]) for r in rows}

    async def council_settings(self, council_ids: Sequence[int] | None = None) -> list[CouncilSettings]:
        """Territory and settings of the councils among ``council_ids`` (of every council
        when None), archived ones included."""
        q = Council.select(Council.id, Council.territory, Council.settings).output(load_json=True)
        if council_ids is not None:
            if not council_ids:
                return []
            q = q.where(Council.id.is_in(list(council_ids)))
        return [CouncilSettings(int(r["id"]), int(r["territory"]), dict(r["settings"] or {})) for r in await q]

    async def councils_of_territory(self, territory_id: int, *, include_archived: bool = False) -> list[CouncilSummary]:
        """The territory's councils by name, in one query."""
        q = Council.select(Council.id, Council.name, Council.territory, Council.regime, Council.created_at,
                           Council.archived_at).where(Council.territory == territory_id).order_by(Council.name)
        if not include_archived:
            q = q.where(Council.archived_at.is_null())
        return [CouncilSummary(int(r["id"]), str(r["name"]), int(r["territory"]), str(r["regime"]), r["created_at"],
                               r["archived_at"]) for r in await q]

    async def lock_council(self, council_id: int) -> None:
        """Serialise the writes of one council until the caller's transaction ends: call
        it inside that transaction (SQLite's IMMEDIATE transaction already holds the
        database's write lock)."""
        db = self.db if self.db is not None else Database(Council._meta.db)
        if not db.is_sqlite:
            await Council.raw("SELECT id FROM conseil WHERE id = {} FOR UPDATE", council_id)

    async def council_id_by_key(self, name_key: str, *, other_than: int | None = None) -> int | None:
        q = Council.select(Council.id).where(Council.name_key == name_key)
        if other_than is not None:
            q = q.where(Council.id != other_than)
        row = await q.first()
        return int(row["id"]) if row else None

    async def insert_council(self, territory_id: int, values: dict[str, Any], at: datetime) -> int:
        rows = await Council.insert(Council(territory=territory_id, created_at=at, updated_at=at, **values)).returning(Council.id)
        return int(rows[0]["id"])

    async def update_council(self, council_id: int, version: int, values: dict[str, Any]) -> None:
        await versioned_update(Council, council_id, version, values)

    async def set_council_qpvs(self, council_id: int, qpv_ids: Sequence[int]) -> None:
        await CouncilQpv.delete().where(CouncilQpv.council == council_id)
        if qpv_ids:
            await CouncilQpv.insert(*[CouncilQpv(council=council_id, qpv=q, link_key=f"{council_id}:{q}") for q in qpv_ids])

    # --- archiving and scopes ---------------------------------------------------------

    async def archived_at(self, kind: str, row_id: int) -> tuple[bool, datetime | None]:
        """(exists, archived at) of a territory, QPV or council."""
        table = ARCHIVABLE[kind]
        row = await table.select(table.id, table.archived_at).where(table.id == row_id).first()
        return (False, None) if not row else (True, row["archived_at"])

    async def set_archived_at(self, kind: str, row_id: int, at: datetime | None) -> None:
        table = ARCHIVABLE[kind]
        await table.update({table.archived_at: at}).where(table.id == row_id)

    async def territory_scope(self, territory_id: int) -> ScopeIds | None:
        row = await Territory.select(Territory.id, Territory.departement).where(Territory.id == territory_id).first()
        return ScopeIds(int(row["id"]), str(row["departement"])) if row else None

    async def qpv_scope(self, qpv_id: int) -> ScopeIds | None:
        row = await Qpv.select(Qpv.territory, Qpv.territory.departement).where(Qpv.id == qpv_id).first()
        return ScopeIds(int(row["territory"]), str(row["territory.departement"])) if row else None

    async def council_scope(self, council_id: int) -> ScopeIds | None:
        # Every council-scoped request runs this in its guard: written out, it skips the
        # query builder (about 0.5 ms of the 5–6 ms an authenticated API read costs).
        rows = await Council.raw(
            "SELECT c.territory, t.departement FROM conseil c JOIN territoire t ON t.id = c.territory "
            "WHERE c.id = {}", council_id)
        if not rows:
            return None
        return ScopeIds(int(rows[0]["territory"]), str(rows[0]["departement"]), council_id)
