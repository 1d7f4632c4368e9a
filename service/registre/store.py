"""The register store: the only code that queries the register tables (DESIGN.md §2).

Typed methods returning frozen dataclasses; engine differences (row locks here, bulk
rows in ``store_rows.py``) live inside.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from piccolo.columns import Column

from domain.errors import NotFound
from domain.i18n import _
from service.db.engine import Database
from service.db.tables import AppState
from service.organisation.store import OrganisationStore
from service.registre.records import (
    AddresseeRow,
    CouncilInfo,
    IdentityRow,
    ImportedBefore,
    NewPair,
    PairRow,
    PersonRow,
    RegisterCounts,
    RegisterTallyRow,
    SavedMappingRow,
    SourceDue,
    SourceRow,
    TaskRow,
)
from service.registre.store_rows import PersonRows
from service.registre.tables import (
    RegisterAmbiguousPair,
    RegisterImportTask,
    RegisterMapping,
    RegisterPerson,
    RegisterSource,
    RegisterTally,
)

__all__ = ["RegisterStore"]

Row = dict[str, Any]


_SOURCE_INFO = (
    RegisterSource.id, RegisterSource.council, RegisterSource.kind, RegisterSource.file_name,
    RegisterSource.format, RegisterSource.encoding, RegisterSource.delimiter,
    RegisterSource.digest, RegisterSource.mapping_name, RegisterSource.mapping,
    RegisterSource.rows_read, RegisterSource.imported, RegisterSource.rejected,
    RegisterSource.merged, RegisterSource.status, RegisterSource.rapport,
    RegisterSource.created_by, RegisterSource.created_at, RegisterSource.purged_at,
)

_ADDRESSEE = (
    RegisterPerson.id, RegisterPerson.nom_naissance, RegisterPerson.nom_usage,
    RegisterPerson.prenoms, RegisterPerson.sexe, RegisterPerson.date_naissance,
    RegisterPerson.numero, RegisterPerson.suffixe, RegisterPerson.voie,
    RegisterPerson.complement, RegisterPerson.code_postal, RegisterPerson.commune,
)

_PERSON_VIEW = (
    RegisterPerson.id, RegisterPerson.source, RegisterPerson.line,
    RegisterPerson.nom_naissance, RegisterPerson.nom_usage, RegisterPerson.prenoms,
    RegisterPerson.sexe, RegisterPerson.date_naissance, RegisterPerson.numero,
    RegisterPerson.suffixe, RegisterPerson.voie, RegisterPerson.complement,
    RegisterPerson.code_postal, RegisterPerson.commune, RegisterPerson.bureau_vote,
    RegisterPerson.doublon_de, RegisterPerson.eligibilite, RegisterPerson.motifs,
    RegisterPerson.selected_at,
)


def _refs_filter(refs: Iterable[str]) -> Any:
    """Rows designated by "<source>:<line>" references: one ``line IN (…)`` per source.
    (One OR per reference nested an expression per pair: past about 100 ambiguous pairs,
    a million-row register's, SQLite refused the query as too deep.)"""
    lines: dict[int, set[int]] = {}
    for ref in refs:
        source, _sep, line = ref.partition(":")
        lines.setdefault(int(source), set()).add(int(line))
    where: Any = None
    for source_id, of_source in sorted(lines.items()):
        clause = (RegisterPerson.source == source_id) & RegisterPerson.line.is_in(sorted(of_source))
        where = clause if where is None else where | clause
    return where if where is not None else (RegisterPerson.id == -1)


class RegisterStore:
    """Queries of the register tables. Without a database given, the one the tables are
    bound to (``service.db.engine.bind_engine``)."""

    def __init__(self, db: Database | None = None) -> None:
        self._db = db

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = Database(RegisterPerson._meta.db)
        return self._db

    @property
    def rows(self) -> PersonRows:
        return PersonRows(self.db)

    # ------------------------------------------------------------------ councils

    # Councils are the organisation's: read through its store.

    async def council(self, council_id: int) -> CouncilInfo:
        found = await self.councils(council_id)
        if not found:
            raise NotFound(_("Conseil citoyen introuvable."))
        return found[0]

    async def councils(self, council_id: int | None = None) -> list[CouncilInfo]:
        rows = await OrganisationStore(self.db).council_settings(
            None if council_id is None else [council_id])
        return [CouncilInfo(r.id, r.territory, r.settings) for r in rows]

    async def salt(self, council_id: int) -> str:
        """The council's secret household salt, created on first use (inside the
        caller's transaction)."""
        key = f"registre.sel.{council_id}"
        row = await AppState.select(AppState.value).where(AppState.key == key).first()
        if row is not None:
            return str(row["value"])
        value = secrets.token_hex(24)
        await AppState.insert(AppState(key=key, value=value))
        return value

    # ------------------------------------------------------------------ mappings

    async def saved_mappings(self, council_id: int) -> list[SavedMappingRow]:
        rows = await RegisterMapping.select(
            RegisterMapping.id, RegisterMapping.name, RegisterMapping.mapping,
            RegisterMapping.created_at,
        ).where(RegisterMapping.council == council_id).order_by(RegisterMapping.name).output(
            load_json=True)
        return [SavedMappingRow(int(r["id"]), r["name"], dict(r["mapping"] or {}),
                                r["created_at"]) for r in rows]

    async def mapping_named(self, council_id: int, name: str) -> dict[str, str] | None:
        row = await RegisterMapping.select(RegisterMapping.mapping).where(
            (RegisterMapping.council == council_id) & (RegisterMapping.name == name)
        ).output(load_json=True).first()
        return None if row is None else dict(row["mapping"] or {})

    async def put_mapping(self, council_id: int, name: str, key: str, mapping: dict[str, str],
                          actor_id: int | None, now: datetime) -> int:
        """Insert or replace the council's mapping of that normalised name; its id."""
        found = await RegisterMapping.select(RegisterMapping.id).where(
            RegisterMapping.name_key == key).first()
        if found:
            await RegisterMapping.update({RegisterMapping.mapping: mapping,
                                          RegisterMapping.name: name}).where(
                RegisterMapping.id == found["id"])
            return int(found["id"])
        row = (await RegisterMapping.insert(RegisterMapping(
            council=council_id, name=name, name_key=key, mapping=mapping,
            created_by=actor_id, created_at=now)).returning(RegisterMapping.id))[0]
        return int(row["id"])

    # ------------------------------------------------------------------- sources

    async def imported_before(self, council_id: int, digest: str) -> ImportedBefore | None:
        row = await RegisterSource.select(RegisterSource.id, RegisterSource.created_at).where(
            RegisterSource.digest_key == f"{council_id}:{digest}").first()
        return None if row is None else ImportedBefore(int(row["id"]), row["created_at"])

    async def add_source(self, **values: Any) -> int:
        row = (await RegisterSource.insert(RegisterSource(**values)).returning(
            RegisterSource.id))[0]
        return int(row["id"])

    async def set_source_report(self, source_id: int, merged: int, rapport: Row) -> None:
        await RegisterSource.update({RegisterSource.merged: merged,
                                     RegisterSource.rapport: rapport}).where(
            RegisterSource.id == source_id)

    async def register_source_kinds(self, council_id: int, kinds: Sequence[str]
                                    ) -> dict[str, str]:
        """Kind of each of the council's register sources, by source label (its id)."""
        sources = await RegisterSource.select(RegisterSource.id, RegisterSource.kind).where(
            (RegisterSource.council == council_id) & RegisterSource.kind.is_in(list(kinds)))
        return {str(s["id"]): str(s["kind"]) for s in sources}

    async def sources(self, council_id: int) -> list[SourceRow]:
        rows = await RegisterSource.select(*_SOURCE_INFO).where(
            RegisterSource.council == council_id).order_by(
            RegisterSource.id, ascending=False).output(load_json=True)
        return [SourceRow(**r) for r in rows]

    async def source(self, council_id: int, source_id: int) -> tuple[SourceRow, list[Row]]:
        """An import with its rejected rows; NotFound when it is not the council's."""
        row = await RegisterSource.select(*_SOURCE_INFO, RegisterSource.rejets).where(
            (RegisterSource.id == source_id) & (RegisterSource.council == council_id)
        ).output(load_json=True).first()
        if row is None:
            raise NotFound(_("Import introuvable."))
        rejets = list(row.pop("rejets") or [])
        return SourceRow(**row), rejets

    async def rejections(self, council_id: int, source_id: int) -> tuple[list[str], list[Row]]:
        """(the file's header, its rejected rows with their values)."""
        row = await RegisterSource.select(RegisterSource.header, RegisterSource.rejets).where(
            (RegisterSource.id == source_id) & (RegisterSource.council == council_id)
        ).output(load_json=True).first()
        if row is None:
            raise NotFound(_("Import introuvable."))
        return list(row["header"] or []), list(row["rejets"] or [])

    async def latest_list(self, council_id: int, kind: str) -> list[Row] | None:
        """The content of the council's latest list of that kind (perimeter,
        exclusions) not purged, or None."""
        row = await RegisterSource.select(RegisterSource.contenu).where(
            (RegisterSource.council == council_id) & (RegisterSource.kind == kind)
            & RegisterSource.purged_at.is_null()
        ).order_by(RegisterSource.id, ascending=False).output(load_json=True).first()
        return None if row is None else list(row["contenu"] or [])

    # -------------------------------------------------------------------- people

    async def counts(self, council_id: int) -> RegisterCounts:
        """The register's figures as the last change left them (``recount``)."""
        tally = await self._tally(council_id)
        pairs = await RegisterAmbiguousPair.count().where(
            (RegisterAmbiguousPair.council == council_id) & (RegisterAmbiguousPair.decision == ""))
        return RegisterCounts(tally.lignes, tally.personnes, tally.eligibles, int(pairs), tally.evalues)

    async def _tally(self, council_id: int) -> RegisterTallyRow:
        row = await RegisterTally.select(
            RegisterTally.lignes, RegisterTally.personnes, RegisterTally.eligibles,
            RegisterTally.evalues).where(RegisterTally.council == council_id).first()
        # No row: no transaction that wrote rows of this council ever committed (each
        # ends with ``recount``; the migration counted the older registers). Not counted
        # again here: during a council's first import, a count walks the million rows
        # not yet committed (0.1–0.2 s per view on PostgreSQL) to find none.
        return RegisterTallyRow(**row) if row is not None else RegisterTallyRow(0, 0, 0, 0)

    async def count_rows(self, council_id: int) -> RegisterTallyRow:
        """The figures counted from the rows: one pass over the council's rows (0.2 s
        for a million on SQLite)."""
        rows = await RegisterPerson.raw(
            "SELECT COUNT(*) AS lignes, "
            "COALESCE(SUM(CASE WHEN doublon_de = '' THEN 1 ELSE 0 END), 0) AS personnes, "
            "COALESCE(SUM(CASE WHEN doublon_de = '' AND eligibilite = 'eligible' THEN 1 ELSE 0 END), 0)"
            " AS eligibles, "
            "COALESCE(SUM(CASE WHEN doublon_de = '' AND eligibilite <> '' THEN 1 ELSE 0 END), 0)"
            " AS evalues FROM registre_personne WHERE council = {} AND purged_at IS NULL",
            council_id)
        return RegisterTallyRow(**{k: int(v) for k, v in rows[0].items()})

    async def recount(self, council_id: int) -> None:
        """Write the council's figures from its rows, inside the transaction that
        changed them: every use case that writes ``registre_personne`` ends with this,
        so the pages read four integers instead of counting a million rows."""
        tally = await self.count_rows(council_id)
        await RegisterTally.delete().where(RegisterTally.council == council_id)
        await RegisterTally.insert(RegisterTally(council=council_id, **asdict(tally)))

    async def search(self, council_id: int, name_prefix: str, page: int, per_page: int
                     ) -> tuple[int, list[PersonRow]]:
        """(total, one page of rows) whose birth or usage name key starts with
        ``name_prefix`` (every row when empty)."""
        where = (RegisterPerson.council == council_id) & RegisterPerson.purged_at.is_null()
        if name_prefix:
            pattern = name_prefix.replace("%", "").replace("_", "") + "%"
            where = where & (RegisterPerson.cle_nom_naissance.like(pattern)
                             | RegisterPerson.cle_nom_usage.like(pattern))
        # Every row: the stored figure (counting a million rows took 0.45 s per page).
        total = (await self.count_matching(where) if name_prefix
                 else (await self._tally(council_id)).lignes)
        rows = await RegisterPerson.select(*_PERSON_VIEW).where(where).order_by(
            RegisterPerson.cle_nom_usage).order_by(RegisterPerson.cle_nom_naissance).order_by(
            RegisterPerson.cle_prenoms).order_by(RegisterPerson.id).limit(per_page).offset(
            (page - 1) * per_page)
        return int(total), [PersonRow(**r) for r in rows]

    async def count_matching(self, where: Any) -> int:
        return int(await RegisterPerson.count().where(where))

    async def people_by_refs(self, council_id: int, refs: Iterable[str]) -> list[PersonRow]:
        wanted = sorted(set(refs))
        out: list[PersonRow] = []
        for start in range(0, len(wanted), 500):  # bound the query's parameters
            rows = await RegisterPerson.select(*_PERSON_VIEW).where(
                (RegisterPerson.council == council_id) & _refs_filter(wanted[start:start + 500]))
            out += [PersonRow(**r) for r in rows]
        return out

    async def doublon_of(self, council_id: int, ref: str) -> str | None:
        """The reference a row is merged into ("" when it stands for itself), None when
        the row is gone."""
        row = await RegisterPerson.select(RegisterPerson.doublon_de).where(
            (RegisterPerson.council == council_id) & _refs_filter([ref])).first()
        return None if row is None else str(row["doublon_de"])

    async def merge_into(self, council_id: int, ref: str, head: str) -> None:
        """Row ``ref`` and the rows merged into it now stand under ``head``."""
        await RegisterPerson.update({RegisterPerson.doublon_de: head}).where(
            (RegisterPerson.council == council_id)
            & (_refs_filter([ref]) | (RegisterPerson.doublon_de == ref)))

    async def identities(self, council_id: int, ids: Sequence[int]) -> list[IdentityRow]:
        """Name keys and birth date of rows by id (sitting members)."""
        rows = await RegisterPerson.select(
            RegisterPerson.cle_nom_naissance, RegisterPerson.cle_nom_usage,
            RegisterPerson.cle_prenoms, RegisterPerson.date_naissance,
        ).where((RegisterPerson.council == council_id) & RegisterPerson.id.is_in(list(ids)))
        return [IdentityRow(**r) for r in rows]

    async def source_household_keys(self, council_id: int) -> set[str]:
        """Household keys decided by a source's own household identifier."""
        rows = await RegisterPerson.select(RegisterPerson.foyer).where(
            (RegisterPerson.council == council_id) & RegisterPerson.purged_at.is_null()
            & (RegisterPerson.foyer_source != "")).distinct()
        return {str(r["foyer"]) for r in rows}

    async def reset_eligibility(self, council_id: int) -> None:
        """Every person eligible (reasons are then written for the others), absorbed
        rows without a status."""
        await RegisterPerson.update({RegisterPerson.eligibilite: "eligible",
                                     RegisterPerson.motifs: ""}).where(
            (RegisterPerson.council == council_id) & (RegisterPerson.doublon_de == "")
            & RegisterPerson.purged_at.is_null())
        await RegisterPerson.update({RegisterPerson.eligibilite: "",
                                     RegisterPerson.motifs: ""}).where(
            (RegisterPerson.council == council_id) & (RegisterPerson.doublon_de != ""))

    async def addressees(self, ids: Sequence[int]) -> list[AddresseeRow]:
        """Names and postal addresses of rows by id (purged rows are absent)."""
        out: list[AddresseeRow] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            rows = await RegisterPerson.select(*_ADDRESSEE).where(
                RegisterPerson.id.is_in(chunk) & RegisterPerson.purged_at.is_null())
            out += [AddresseeRow(**r) for r in rows]
        return out

    async def mark_selected(self, ids: Sequence[int], at: datetime) -> None:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            await RegisterPerson.update({RegisterPerson.selected_at: at}).where(
                RegisterPerson.id.is_in(chunk) & RegisterPerson.selected_at.is_null())

    # --------------------------------------------------------------------- pairs

    async def pair_keys(self, council_id: int) -> set[str]:
        return {str(r["pair_key"]) for r in await RegisterAmbiguousPair.select(
            RegisterAmbiguousPair.pair_key).where(RegisterAmbiguousPair.council == council_id)}

    async def add_pairs(self, council_id: int, pairs: Sequence[NewPair], now: datetime) -> None:
        if pairs:
            await RegisterAmbiguousPair.insert(*[RegisterAmbiguousPair(
                council=council_id, ref_a=p.ref_a, ref_b=p.ref_b, pair_key=p.pair_key,
                code=p.code, message=p.message, created_at=now) for p in pairs])

    async def pairs(self, council_id: int, open_only: bool = False) -> list[PairRow]:
        q = RegisterAmbiguousPair.select().where(RegisterAmbiguousPair.council == council_id)
        if open_only:
            q = q.where(RegisterAmbiguousPair.decision == "")
        return [PairRow(**p) for p in await q.order_by(RegisterAmbiguousPair.id)]

    async def pair(self, council_id: int, pair_id: int) -> PairRow:
        row = await RegisterAmbiguousPair.select().where(
            (RegisterAmbiguousPair.id == pair_id) & (RegisterAmbiguousPair.council == council_id)
        ).first()
        if row is None:
            raise NotFound(_("Paire introuvable."))
        return PairRow(**row)

    async def same_person_refs(self, council_id: int) -> list[tuple[str, str]]:
        """(ref_a, ref_b) of the pairs decided "même personne"."""
        decided = await RegisterAmbiguousPair.select(
            RegisterAmbiguousPair.ref_a, RegisterAmbiguousPair.ref_b).where(
            (RegisterAmbiguousPair.council == council_id)
            & (RegisterAmbiguousPair.decision == "meme-personne"))
        return [(str(d["ref_a"]), str(d["ref_b"])) for d in decided]

    async def same_person_pairs_with(self, council_id: int, pair_id: int,
                                     refs: Sequence[str]) -> list[PairRow]:
        """Other pairs decided "même personne" holding one of ``refs``."""
        rows = await RegisterAmbiguousPair.select().where(
            (RegisterAmbiguousPair.council == council_id)
            & (RegisterAmbiguousPair.decision == "meme-personne")
            & (RegisterAmbiguousPair.id != pair_id)
            & (RegisterAmbiguousPair.ref_a.is_in(list(refs))
               | RegisterAmbiguousPair.ref_b.is_in(list(refs))))
        return [PairRow(**r) for r in rows]

    async def record_decision(self, pair_id: int, decision: str, actor_id: int | None,
                              now: datetime) -> None:
        await RegisterAmbiguousPair.update({
            RegisterAmbiguousPair.decision: decision, RegisterAmbiguousPair.decided_by: actor_id,
            RegisterAmbiguousPair.decided_at: now}).where(RegisterAmbiguousPair.id == pair_id)

    # --------------------------------------------------------------------- purge

    async def sources_due(self, council_id: int, cutoff: datetime) -> list[SourceDue]:
        rows = await RegisterSource.select(RegisterSource.id, RegisterSource.kind).where(
            (RegisterSource.council == council_id) & RegisterSource.purged_at.is_null()
            & (RegisterSource.created_at <= cutoff))
        return [SourceDue(int(s["id"]), str(s["kind"])) for s in rows]

    async def count_of_sources(self, source_ids: Sequence[int], selected: bool) -> int:
        """People of these sources selected by a draw (or never selected)."""
        chosen = (RegisterPerson.selected_at.is_not_null() if selected
                  else RegisterPerson.selected_at.is_null())
        return int(await RegisterPerson.count().where(
            RegisterPerson.source.is_in(list(source_ids)) & chosen))

    async def purge_sources(self, council_id: int, sources: Sequence[SourceDue],
                            now: datetime) -> None:
        """Delete the never-selected people of these sources, empty what the sources
        kept of personal data, and forget the pairs of their rows."""
        ids = [s.id for s in sources]
        await RegisterPerson.delete().where(
            RegisterPerson.source.is_in(ids) & RegisterPerson.selected_at.is_null())
        for s in sources:
            await RegisterSource.update({
                RegisterSource.purged_at: now, RegisterSource.status: "purge",
                RegisterSource.rejets: [], RegisterSource.digest_key: f"purge:{s.id}",
                **({RegisterSource.contenu: []} if s.kind == "exclusions" else {}),
            }).where(RegisterSource.id == s.id)
            pattern = f"{s.id}:%"
            await RegisterAmbiguousPair.delete().where(
                (RegisterAmbiguousPair.council == council_id)
                & (RegisterAmbiguousPair.ref_a.like(pattern)
                   | RegisterAmbiguousPair.ref_b.like(pattern)))

    async def delete_tasks_before(self, council_id: int, cutoff: datetime) -> None:
        await RegisterImportTask.delete().where(
            (RegisterImportTask.council == council_id) & (RegisterImportTask.created_at <= cutoff))

    # --------------------------------------------------------------------- tasks

    async def add_task(self, council_id: int, kind: str, file_name: str,
                       actor_id: int | None, now: datetime) -> int:
        row = (await RegisterImportTask.insert(RegisterImportTask(
            council=council_id, kind=kind, file_name=file_name, status="en-cours",
            stage="lecture", created_by=actor_id, created_at=now, updated_at=now,
        )).returning(RegisterImportTask.id))[0]
        return int(row["id"])

    async def update_task(self, task_id: int, values: Row) -> None:
        changes: dict[Column | str, Any] = {
            RegisterImportTask._meta.get_column_by_name(k): v for k, v in values.items()}
        await RegisterImportTask.update(changes).where(RegisterImportTask.id == task_id)

    async def task(self, council_id: int, task_id: int) -> TaskRow:
        row = await RegisterImportTask.select().where(
            (RegisterImportTask.id == task_id) & (RegisterImportTask.council == council_id)
        ).output(load_json=True).first()
        if row is None:
            raise NotFound(_("Import introuvable."))
        return TaskRow(**row)
