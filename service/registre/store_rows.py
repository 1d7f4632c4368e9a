"""The register store's bulk side: a million person rows written and read back.

Part of the register store (``store.py``): the only code besides it that queries the
register tables. Rows travel as raw tuples (a million Piccolo dictionaries would cost
seconds and gigabytes) and the engine differences (SQLite's consecutive ids and cursor,
PostgreSQL's COPY, server-side cursor and ``ANY``) live here, inside the caller's
transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

from domain.registre import Address, Entry, Sexe
from domain.registre.entries import paused_gc
from domain.registre.normalise import fast_frozen_constructor
from service.db.bulk import bulk_insert
from service.db.engine import Database
from service.registre.rows import PERSON_COLUMNS
from service.registre.tables import RegisterPerson

__all__ = ["PersonRows", "RowMeta"]

_TABLE = "registre_personne"

# Columns read back to rebuild entries, in this order.
_ROW_COLUMNS = (
    "id", "source", "line", "doublon_de", "nom_naissance", "nom_usage", "prenoms",
    "cle_nom_naissance", "cle_nom_usage", "cle_prenoms", "sexe", "date_naissance", "numero",
    "suffixe", "voie", "voie_cle", "complement", "residence", "batiment", "logement",
    "code_postal", "commune", "bureau_vote", "cle_vivier", "foyer", "foyer_source",
)

# Columns a decision may rewrite on stored rows (``set_column``).
_WRITABLE = frozenset({"doublon_de", "sexe", "bureau_vote", "foyer"})

_FETCH_BATCH = 20_000


class RowMeta(NamedTuple):
    """What the service needs of a stored row besides the entry itself."""

    id: int
    ref: str
    doublon_de: str
    sexe: str
    bureau_vote: str
    cle_vivier: str
    foyer: str


def _address_keys(numero: int | None, suffixe: str, _voie: str, voie_cle: str,
                  _complement: str, _residence: str, batiment: str, logement: str,
                  code_postal: str, _commune: str) -> tuple[str, str]:
    """(cle_rue, cle) exactly as ``normalise.parse_address`` builds them."""
    num_key = f"{numero}{suffixe}" if numero is not None else ""
    cle_rue = f"{num_key}|{voie_cle}|{code_postal}"
    return cle_rue, f"{cle_rue}|{batiment}|{logement}"


_new_entry = fast_frozen_constructor(Entry)
_new_address = fast_frozen_constructor(Address)
_SEXES: dict[str, Sexe | None] = {"": None, "F": Sexe.FEMININ, "M": Sexe.MASCULIN}


class _EntryBuilder:
    """Entries rebuilt from stored rows (no parsing: the keys were stored), sharing one
    ``Address`` per distinct address as an import does."""

    def __init__(self) -> None:
        self.addresses: dict[tuple[Any, ...], Address] = {}
        self.dates: dict[str, date | None] = {"": None}
        self.entries: list[Entry] = []
        self.metas: list[RowMeta] = []

    def add(self, rows: Iterable[Sequence[Any]]) -> None:
        addresses, dates = self.addresses, self.dates
        append_entry, append_meta = self.entries.append, self.metas.append
        with paused_gc():
            for r in rows:
                (rid, source, line, dbl, nn, nu, pr, knn, knu, kpr, sexe, raw_date, numero,
                 suffixe, voie, voie_cle, complement, residence, batiment, logement, cp,
                 commune, bureau, cle_vivier, foyer, foyer_source) = r
                akey = (numero, suffixe, voie, voie_cle, complement, residence, batiment,
                        logement, cp, commune)
                adresse = addresses.get(akey)
                if adresse is None:
                    adresse = addresses[akey] = _new_address(*akey, *_address_keys(*akey))
                d = dates.get(raw_date, date.min)
                if d is date.min:
                    d = dates[raw_date] = date.fromisoformat(raw_date)
                label = str(source)
                append_entry(_new_entry(label, line, nn, nu, pr, _SEXES[sexe], d, adresse,
                                        bureau, knn, knu, kpr, foyer_source or ""))
                append_meta(RowMeta(rid, f"{label}:{line}", dbl, sexe, bureau, cle_vivier,
                                    foyer))


class PersonRows:
    """Bulk reads and writes of ``registre_personne`` inside the caller's transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _connection(self) -> Any:
        tx = self.db.engine.current_transaction.get()
        if tx is None:
            raise RuntimeError("register rows are read and written inside db.transaction()")
        return tx.connection

    async def _batches(self, council_id: int, kept_only: bool) -> AsyncIterator[list[Any]]:
        """The council's stored rows as tuples (``_ROW_COLUMNS``), a batch at a time (a
        million rows are never all held as tuples)."""
        cols = ", ".join(f'"{c}"' for c in _ROW_COLUMNS)
        where = '"council" = {} AND "purged_at" IS NULL'
        if kept_only:
            where += " AND \"doublon_de\" = ''"
        sql = f'SELECT {cols} FROM "{_TABLE}" WHERE {where} ORDER BY "id"'  # noqa: S608
        connection = self._connection()
        if self.db.is_sqlite:
            cursor = await connection.execute(sql.format("?"), (council_id,))
            cursor.row_factory = None
            try:
                while batch := list(await cursor.fetchmany(_FETCH_BATCH)):
                    yield batch
            finally:
                await cursor.close()
            return
        pg_cursor = await connection.cursor(sql.format("$1"), council_id)
        while batch := list(await pg_cursor.fetch(_FETCH_BATCH)):
            yield batch

    async def load_entries(self, council_id: int, kept_only: bool
                           ) -> tuple[list[Entry], list[RowMeta]]:
        """The council's rows as domain entries (their source label is the source id),
        with what the service needs of each row."""
        builder = _EntryBuilder()
        async for batch in self._batches(council_id, kept_only):
            builder.add(batch)
        return builder.entries, builder.metas

    async def insert(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows in ``rows.PERSON_COLUMNS`` order (COPY / executemany)."""
        await bulk_insert(self.db, _TABLE, PERSON_COLUMNS, rows)

    async def next_id(self) -> int:
        """On SQLite, the id the next inserted row gets: max(id) + 1 (INTEGER PRIMARY KEY
        without AUTOINCREMENT); the rows of one insert in one write transaction follow.
        0 on PostgreSQL (ids from a sequence other councils' imports share)."""
        if not self.db.is_sqlite:
            return 0
        rows = await RegisterPerson.raw(
            f'SELECT COALESCE(MAX("id"), 0) + 1 AS n FROM "{_TABLE}"')  # noqa: S608
        return int(rows[0]["n"])

    async def ids_of_lines(self, source_id: int, first_id: int, count: int,
                           lines: Sequence[int], wanted: set[int]) -> dict[int, int]:
        """Row id by line for the ``wanted`` lines of the rows just inserted for
        ``source_id`` (``lines`` in insertion order, ``count`` rows from ``first_id``)."""
        if self.db.is_sqlite:
            last = await self.next_id() - 1
            if last != first_id + count - 1:  # never seen; refuse rather than mislabel
                raise RuntimeError("identifiants de lignes non contigus")
            return {line: first_id + i for i, line in enumerate(lines) if line in wanted}
        found = await RegisterPerson.raw(
            f'SELECT "id", "line" FROM "{_TABLE}" WHERE "source" = {{}} '  # noqa: S608
            'AND "line" = ANY({})', source_id, sorted(wanted))
        return {int(r["line"]): int(r["id"]) for r in found}

    async def set_column(self, column: str, values: list[tuple[Any, int]]) -> None:
        """``column = value`` for each ``(value, row id)``."""
        if column not in _WRITABLE:
            raise ValueError(column)
        if values:
            await self._executemany(
                f'UPDATE "{_TABLE}" SET "{column}" = {{}} WHERE "id" = {{}}',  # noqa: S608
                values)

    async def mark_ineligible(self, reasons: list[tuple[str, int]]) -> None:
        """Each ``(reason codes, row id)`` becomes ineligible with those reasons."""
        if reasons:
            await self._executemany(
                f'UPDATE "{_TABLE}" SET "eligibilite" = \'ineligible\', '  # noqa: S608
                '"motifs" = {} WHERE "id" = {}', reasons)

    async def _executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        connection = self._connection()
        if self.db.is_sqlite:
            await connection.executemany(sql.format("?", "?"), rows)
        else:
            await connection.executemany(sql.format("$1", "$2"), rows)
