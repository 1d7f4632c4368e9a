"""Engine construction and transactions for both databases.

Tables are bound to the engine explicitly by ``bind_engine`` (called by ``create_app`` and
the CLI) instead of Piccolo's import-time ``engine_finder`` lookup, so one process can
point at the test database chosen at run time.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from service.db.request_connection import RequestSQLiteEngine
from service.settings import Settings


def make_engine(settings: Settings) -> Engine[Any]:
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        # WAL lets readers run while one writer holds the lock; persistent per file.
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
        # Queries outside a transaction share the request's connection when one is bound
        # (service/db/request_connection.py); transactions open their own.
        engine: Engine[Any] = RequestSQLiteEngine(path=str(path), timeout=30)
    else:
        engine = PostgresEngine(config={"dsn": _pg_dsn(settings.database_url)})
    # The audit trail's HMAC key travels with the engine (service/audit/store.py reads it): it
    # is never written to the database. Piccolo's engines take no new attributes, hence
    # the table (holding the engine keeps its id from being reused).
    _AUDIT_KEYS[id(engine)] = (engine, settings.audit_mac_key)
    return engine


_AUDIT_KEYS: dict[int, tuple[Engine[Any], bytes]] = {}


def audit_key_of(engine: Engine[Any]) -> bytes | None:
    """The audit chain's HMAC key for an engine built by ``make_engine`` (else None)."""
    entry = _AUDIT_KEYS.get(id(engine))
    return entry[1] if entry is not None and entry[0] is engine else None


def _pg_dsn(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def pg_database_name(url: str) -> str:
    return urlsplit(_pg_dsn(url)).path.lstrip("/") or "postgres"


@dataclass
class Database:
    """The unit of work handed to use cases: one engine, explicit transactions."""

    engine: Engine[Any]
    # Tests run the app's lifespan in another event loop (Litestar's test client portal);
    # asyncpg pools are bound to one loop, so tests connect per query instead.
    use_pool: bool = True

    @property
    def is_sqlite(self) -> bool:
        return isinstance(self.engine, SQLiteEngine)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        """An IMMEDIATE transaction on SQLite (DEFERRED ones fail under concurrent
        writers, see DESIGN.md §4), a normal one on PostgreSQL. Nested calls join the
        outer transaction."""
        current = self.engine.current_transaction.get()
        if current is not None:
            yield current
            return
        if isinstance(self.engine, SQLiteEngine):
            async with self.engine.transaction(
                transaction_type=TransactionType.immediate
            ) as tx:
                yield tx
        else:
            async with self.engine.transaction() as tx:
                yield tx

    async def start(self) -> None:
        if self.use_pool and isinstance(self.engine, PostgresEngine):
            await self.engine.start_connection_pool(min_size=1, max_size=10)

    async def stop(self) -> None:
        if self.use_pool and isinstance(self.engine, PostgresEngine) and self.engine.pool is not None:
            await self.engine.close_connection_pool()


def bind_engine(engine: Engine[Any]) -> Database:
    from service.db.piccolo_app import APP_CONFIG

    for table in APP_CONFIG.table_classes:
        table._meta.db = engine
    return Database(engine)
