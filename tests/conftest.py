"""Shared fixtures. The database pass is chosen by CONSEIL_TEST_DB (sqlite|postgres);
each pytest run creates its own database and drops it at the end.

Service modules are imported inside fixtures so that the domain's unit tests start fast.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
# The shared specs and sample registers live beside the repository (../shared); a copy
# under tests/fixtures/shared keeps a lone clone testable (the copy is checked against
# ../shared when both exist, see tests/unit/test_shared_copy.py).
SHARED_BESIDE = REPO.parent / "shared"
SHARED_COPY = REPO / "tests" / "fixtures" / "shared"
SHARED = SHARED_BESIDE if (SHARED_BESIDE / "spec" / "draw-vectors.json").exists() else SHARED_COPY


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _engine_kind() -> str:
    return os.environ.get("CONSEIL_TEST_DB", "sqlite")


@pytest.fixture(scope="session")
def test_settings() -> Iterator[Any]:
    from service.db.pgadmin import create_scratch_database, drop_database
    from service.settings import load_settings

    tmp = Path(tempfile.mkdtemp(prefix="conseil-test-"))
    # Documents for outside refuse a loopback address; the tests' server has none other.
    env = {"CONSEIL_VAR_DIR": str(tmp), "SECRET_KEY": "cle-de-test-" + "x" * 40, "ALLOW_LOOPBACK_LINKS": "1"}
    kind = _engine_kind()
    dbname = None
    if kind == "postgres":
        admin_url = os.environ.get("TEST_POSTGRES_URL")
        if not admin_url:
            pytest.exit("CONSEIL_TEST_DB=postgres demande TEST_POSTGRES_URL", returncode=2)
        env["DATABASE_URL"], dbname = asyncio.run(create_scratch_database(admin_url, f"conseil_test_{os.getpid()}"))
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'test.sqlite3'}"
    settings = load_settings(env)
    asyncio.run(_migrate(settings))
    yield settings
    if dbname:
        asyncio.run(drop_database(os.environ["TEST_POSTGRES_URL"], dbname))


async def _migrate(settings: Any) -> None:
    from service.db.engine import bind_engine, make_engine
    from service.db.migrate import upgrade

    engine = make_engine(settings)
    db = bind_engine(engine)
    await db.start()
    try:
        await upgrade(engine)
    finally:
        await db.stop()


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def _truncate(db: Any) -> None:
    from service.db.piccolo_app import APP_CONFIG

    names = [t._meta.tablename for t in APP_CONFIG.table_classes]
    if db.is_sqlite:
        for name in names:
            await db.engine.run_ddl(f'DELETE FROM "{name}"')
        # Piccolo's Serial is INTEGER PRIMARY KEY without AUTOINCREMENT: ids restart by
        # themselves once the table is empty.
    else:
        await db.engine.run_ddl("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE")


@pytest.fixture
async def ctx(test_settings: Any, clock: FakeClock) -> AsyncIterator[Any]:
    from service import audit
    from service.context import AppContext
    from service.db.engine import bind_engine, make_engine

    db = bind_engine(make_engine(test_settings))
    db.use_pool = False
    await _truncate(db)
    await audit.ensure_head()
    context = AppContext(settings=test_settings, db=db, clock=clock, cheap_hashing=True)
    try:
        yield context
    finally:
        await db.stop()


_APPS: dict[int, Any] = {}


@pytest.fixture
async def app(ctx: Any) -> Any:
    """One app per test session (registering 600 route handlers takes about half a second),
    given each test's own context: handlers, pages and background tasks read
    ``app.state.ctx``."""
    from service.app import create_app

    cached = _APPS.get(id(ctx.settings))
    if cached is None:
        cached = _APPS[id(ctx.settings)] = create_app(ctx.settings, ctx=ctx)
    cached.state.ctx = ctx
    return cached


@pytest.fixture
async def client(app: Any) -> AsyncIterator[Any]:
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app, base_url="http://testserver.local") as c:
        yield c


PASSWORD = "mot-de-passe-de-test"


class World:
    """A small organisation: two territories (A in 37, B in 44), a QPV and a council in
    each, and one account per role. Tokens give API access as each of them."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.tokens: dict[str, str] = {}
        self.emails: dict[str, str] = {}


async def build_world(ctx: Any) -> World:
    from service.audit import Actor
    from service.comptes import usecases as acc
    from service.comptes.tables import RoleAssignment
    from service.organisation import usecases as org

    w = World()
    sysactor = Actor.system("test")
    ta = await org.create_territory(ctx, sysactor, org.TerritoryInput(name="Territoire A", departement="37"))
    tb = await org.create_territory(ctx, sysactor, org.TerritoryInput(name="Territoire B", departement="44"))
    qa = await org.create_qpv(ctx, sysactor, ta.id, org.QpvInput(code="QN03701M", name="Quartier A"))
    qb = await org.create_qpv(ctx, sysactor, tb.id, org.QpvInput(code="QN04401M", name="Quartier B"))
    ca = await org.create_council(ctx, sysactor, ta.id, org.CouncilInput(name="Conseil A", qpv_ids=(qa.id,)))
    cb = await org.create_council(ctx, sysactor, tb.id, org.CouncilInput(name="Conseil B", qpv_ids=(qb.id,)))
    w.ids.update(territory_a=ta.id, territory_b=tb.id, qpv_a=qa.id, qpv_b=qb.id, council_a=ca.id, council_b=cb.id)
    admin_id = await acc.create_admin(ctx, "admin@test.fr", "Admin", PASSWORD)
    roles = {
        "lead_a": {"role": "chef_de_projet", "territory": ta.id},
        "lead_b": {"role": "chef_de_projet", "territory": tb.id},
        "secretary_a": {"role": "secretaire", "council": ca.id},
        "member_a": {"role": "membre", "council": ca.id},
        "auditor_37": {"role": "auditeur", "departement": "37"},
    }
    w.ids["admin"] = admin_id
    w.emails["admin"] = "admin@test.fr"
    from service.comptes.usecases.accounts import _create_account

    for name, spec in roles.items():
        email = f"{name.replace('_', '.')}@test.fr"
        async with ctx.db.transaction():
            account_id = await _create_account(ctx, email, name, PASSWORD, ctx.now())
            await RoleAssignment.insert(RoleAssignment(account=account_id, **spec))
        w.ids[name] = account_id
        w.emails[name] = email
    for name in ["admin", *roles]:
        token, _info = await acc.create_api_token(ctx, sysactor, w.ids[name], f"jeton {name}")
        w.tokens[name] = token
    return w


@pytest.fixture
async def world(ctx: Any) -> World:
    return await build_world(ctx)


def bearer(world: World, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[who]}"}


async def web_login(client: Any, email: str, password: str = PASSWORD) -> Any:
    await client.get("/connexion")
    csrf = client.cookies.get("cc_csrf")
    r = await client.post("/connexion", data={"email": email, "password": password, "_csrf": csrf})
    return r


@pytest.fixture
def subject_registry_guard() -> Iterator[None]:
    """Tests may install fake subject loaders (people behind pool keys) in place of the
    declared owners'; remove them afterwards so one test's fake never leaks into another's."""
    from service.organisation import subjects

    loaders, hooks = dict(subjects._LOADERS), dict(subjects._SELECTION_HOOKS)
    try:
        yield
    finally:
        subjects._LOADERS.clear()
        subjects._LOADERS.update(loaders)
        subjects._SELECTION_HOOKS.clear()
        subjects._SELECTION_HOOKS.update(hooks)
