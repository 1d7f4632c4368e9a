"""One SQLite connection for the reads of one request (issue 14, item 12).

Outside a transaction Piccolo's ``SQLiteEngine`` opens a new connection for every query
(a thread, the file, a pragma: ~1–1.7 ms each), so an authenticated page paid that for the
principal, the scope check and each of the handler's queries. ``RequestConnectionMiddleware``
binds a holder in a context variable for the duration of an HTTP request; the engine runs
every query issued *outside a transaction* on the holder's connection, opened on first use
and closed once the response is sent.

What does not change:
- a use case's transaction (``Database.transaction()``, IMMEDIATE on SQLite) still opens its
  own connection and holds the write lock only for its own duration: the request is never
  one long transaction, so there is no DEFERRED→write upgrade to fail with ``database is
  locked``;
- the shared connection stays in autocommit (``isolation_level=None``) and runs one
  statement at a time (a lock), each read to its end: it never holds a read snapshot
  between statements, so it sees what a transaction of the same request committed, and a
  statement that writes outside a transaction (a token's last use) is its own
  transaction, exactly as on a fresh connection;
- PostgreSQL keeps its pool (each query borrows a pooled connection): nothing is bound.

Tasks a request starts inherit the holder through the context; once the response is sent
the holder is closed and they fall back to a connection per query.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Any

import aiosqlite
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from piccolo.engine.sqlite import SQLiteEngine


class RequestConnection:
    """The lazily opened connection of one request, one statement at a time."""

    __slots__ = ("_conn", "_lock", "closed", "engine", "opened")

    def __init__(self, engine: RequestSQLiteEngine) -> None:
        self.engine = engine
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self.closed = False
        self.opened = 0  # connections opened (0 or 1), for tests

    async def run(self, query: str, args: list[Any]) -> list[dict[str, Any]] | None:
        """The rows of ``query``, or None when the holder is closed (the caller falls
        back to a connection of its own)."""
        async with self._lock:
            if self.closed:
                return None
            if self._conn is None:
                self._conn = await self.engine.get_connection()
                self.opened += 1
            # One hop to the connection's thread: execute and fetch to the end, so the
            # statement is reset and no read snapshot outlives it.
            rows = await self._conn.execute_fetchall(query, args)
            return list(rows)  # type: ignore[arg-type]  # rows are dicts (dict_factory)

    async def close(self) -> None:
        async with self._lock:
            self.closed = True
            conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()


_CURRENT: ContextVar[RequestConnection | None] = ContextVar("conseil_request_connection", default=None)


class RequestSQLiteEngine(SQLiteEngine):
    """``SQLiteEngine`` whose queries outside a transaction use the request's connection
    when one is bound (see the module's docstring); transactions are Piccolo's own."""

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        shared = _CURRENT.get()
        # SQLite before 3.35 needs Piccolo's own path for an insert's key (no RETURNING).
        if shared is not None and shared.engine is self and not (
            query_type == "insert" and self.get_version_sync() < 3.35
        ):
            rows = await shared.run(query, args or [])
            if rows is not None:
                return rows
        return await super()._run_in_new_connection(query, args, query_type, table)


@contextlib.asynccontextmanager
async def request_connection(engine: Any) -> AsyncIterator[RequestConnection | None]:
    """Bind one connection for the non-transactional queries run in this context (and
    the tasks it starts) on a ``RequestSQLiteEngine``; a no-op on other engines."""
    if not isinstance(engine, RequestSQLiteEngine):
        yield None
        return
    holder = RequestConnection(engine)
    token = _CURRENT.set(holder)
    try:
        yield holder
    finally:
        _CURRENT.reset(token)
        await holder.close()


class RequestConnectionMiddleware:
    """Binds the request's read connection around each HTTP request (outermost, so the
    principal lookup of ``AuthMiddleware`` uses it too) and closes it once the whole
    response is sent: background tasks run after that fall back to their own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        async with request_connection(scope["app"].state.ctx.db.engine) as holder:
            if holder is None:
                await self.app(scope, receive, send)
                return

            async def sending(message: Message) -> None:
                await send(message)
                if message["type"] == "http.response.body" and not message.get("more_body", False):
                    await holder.close()

            await self.app(scope, receive, sending)
