"""Issue 14, item 12: the queries one request needs share one connection (SQLite), and the
writes keep their own IMMEDIATE transactions, which still serialise concurrent writers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import aiosqlite
import pytest

from tests.conftest import PASSWORD, World, bearer, web_login

pytestmark = pytest.mark.anyio


@contextmanager
def _counting_connections() -> Iterator[list[str]]:
    """Every SQLite connection opened (Piccolo's per-query ones, transactions' and the
    request's), by path."""
    opened: list[str] = []
    real = aiosqlite.connect

    def connect(database: Any, **kw: Any) -> Any:
        opened.append(str(database))
        return real(database, **kw)

    with mock.patch.object(aiosqlite, "connect", connect):
        yield opened


def _sqlite_only(ctx: Any) -> None:
    if not ctx.db.is_sqlite:
        pytest.skip("PostgreSQL lends a pooled connection per query: nothing is bound")


async def test_an_authenticated_api_read_opens_one_connection(ctx: Any, world: World, client: Any) -> None:
    _sqlite_only(ctx)
    path = f"/api/v1/conseils/{world.ids['council_a']}"
    headers = bearer(world, "lead_a")
    assert (await client.get(path, headers=headers)).status_code == 200  # writes the token's last use
    with _counting_connections() as opened:
        r = await client.get(path, headers=headers)
    assert r.status_code == 200, r.text
    # principal (1 query) + council scope + the council + its QPVs: one connection.
    assert len(opened) == 1, opened
    # The first use in a minute also writes (outside any transaction): still one.
    ctx.clock.advance(minutes=2)
    with _counting_connections() as opened:
        assert (await client.get(path, headers=headers)).status_code == 200
    assert len(opened) == 1, opened


async def test_a_page_read_opens_one_connection(ctx: Any, world: World, client: Any) -> None:
    _sqlite_only(ctx)
    await web_login(client, world.emails["lead_a"], PASSWORD)
    assert client.cookies.get("cc_session")
    for path in ["/", f"/conseils/{world.ids['council_a']}"]:
        with _counting_connections() as opened:
            r = await client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert len(opened) == 1, (path, opened)


async def test_a_public_request_without_queries_opens_none(ctx: Any, client: Any) -> None:
    _sqlite_only(ctx)
    with _counting_connections() as opened:
        assert (await client.get("/static/favicon.svg")).status_code == 200
    assert opened == []


async def test_postgres_keeps_its_pool_path(ctx: Any) -> None:
    from service.db.request_connection import request_connection

    async with request_connection(ctx.db.engine) as holder:
        assert (holder is None) is (not ctx.db.is_sqlite)


async def test_reads_on_the_request_connection_see_what_a_transaction_committed(ctx: Any, world: World) -> None:
    """The shared connection holds no snapshot between statements: a read after a use
    case's transaction (its own connection) sees the write."""
    from service.audit import Actor
    from service.db.request_connection import request_connection
    from service.organisation import usecases as org

    async with request_connection(ctx.db.engine) as holder:
        before = len(await org.list_territories(_admin_principal(world), False))
        await org.create_territory(ctx, Actor.system("test"), org.TerritoryInput(name="Territoire C", departement="18"))
        after = len(await org.list_territories(_admin_principal(world), False))
    assert after == before + 1
    if holder is not None:
        assert holder.opened == 1 and holder.closed


def _admin_principal(world: World) -> Any:
    from domain.access import Principal, Role, RoleAssignment

    return Principal.of(str(world.ids["admin"]), [RoleAssignment(role=Role.ADMINISTRATEUR)])


async def test_concurrent_writers_in_one_request_context_serialise(ctx: Any, world: World) -> None:
    """Twelve tasks sharing one request's connection each write through a use case (its
    IMMEDIATE transaction, with the audit event) while reading and writing outside any
    transaction on the shared connection: none fails with ``database is locked``, every
    write lands once and the audit chain stays whole."""
    from service import audit
    from service.audit import Actor
    from service.db.request_connection import request_connection
    from service.http.auth import authenticate
    from service.organisation import usecases as org
    from service.organisation.tables import Territory

    actor = Actor.system("test")
    headers = {"authorization": f"Bearer {world.tokens['lead_a']}"}

    async def writer(i: int) -> int:
        user = await authenticate(headers, {}, ctx.now())  # a read (and maybe a write) outside
        assert user is not None
        row = await org.create_territory(ctx, actor, org.TerritoryInput(name=f"Territoire {i}", departement="37"))
        ctx.clock.advance(minutes=1)  # the next token read writes its last use, outside
        await org.get_territory(row.id)
        return row.id

    async with request_connection(ctx.db.engine):
        ids = await asyncio.gather(*[writer(i) for i in range(12)])
    assert len(set(ids)) == 12
    assert await Territory.count().where(Territory.id.is_in(ids)) == 12
    report = await audit.verify(ctx.db)
    assert report.ok, report


async def test_concurrent_api_writes_serialise(ctx: Any, world: World, client: Any) -> None:
    """The same through HTTP: parallel creations by the administrator all succeed."""
    from service.organisation.tables import Territory

    headers = bearer(world, "admin")
    responses = await asyncio.gather(*[
        client.post("/api/v1/territoires", json={"name": f"Territoire parallèle {i}", "departement": "37"}, headers=headers)
        for i in range(10)
    ])
    assert [r.status_code for r in responses] == [201] * 10, [r.text[:200] for r in responses if r.status_code != 201]
    assert await Territory.count().where(Territory.name.like("Territoire parallèle %")) == 10
