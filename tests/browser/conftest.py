"""A real service (uvicorn subprocess) on the test database, driven by Debian's Chromium."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"
PUBLIC_BASE_URL = "http://conseil-citoyen.valmont-sur-loire.test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not shutil.which("chromium") and not os.path.exists(CHROMIUM):
        if os.environ.get("CONSEIL_REQUIRE_BROWSER"):
            pytest.fail("Chromium (paquet Debian « chromium ») est requis pour les tests navigateur")
        pytest.skip("Chromium absent : installez le paquet Debian « chromium »")
    return CHROMIUM if os.path.exists(CHROMIUM) else str(shutil.which("chromium"))


@pytest.fixture(scope="session")
def live_server(test_settings: Any) -> Iterator[str]:
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=test_settings.database_url, CONSEIL_VAR_DIR=str(test_settings.var_dir),
               SECRET_KEY=test_settings.secret_key, HOST="127.0.0.1", PORT=str(port), LOG_LEVEL="WARNING",
               # The address documents carry (letters, QR codes, invitations): never a
               # loopback one, which the journey test checks in the letters' text.
               PUBLIC_BASE_URL=PUBLIC_BASE_URL)
    env.pop("ALLOW_LOOPBACK_LINKS", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "service.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        env=env, cwd=str(Path(__file__).resolve().parents[2]),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/sante", timeout=1)
            break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("le service de test n'a pas démarré")
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def page(chromium_path: str, live_server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context(base_url=live_server, locale="fr-FR")
        pg = context.new_page()
        try:
            yield pg
        finally:
            context.close()
            browser.close()


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def seed(
    settings: Any,
    extra: Callable[[Any, dict[str, int]], Awaitable[Any]] | None = None,
    *,
    with_council: bool = True,
    with_admin: bool = True,
    territory: str = "Valmont Métropole",
) -> Any:
    """Empty the test database and lay down what every browser test starts from: the
    admin account, territory (dept 37), QPV QN03701M « Les Tilleuls » and, unless told
    otherwise, the « Conseil des Tilleuls ». `extra(ctx, ids)` adds what one test needs
    (ids: territory, qpv, council); its result is returned, else the council id."""
    from service import audit
    from service.audit import Actor
    from service.context import AppContext
    from service.db.engine import bind_engine, make_engine
    from service.usecases import accounts as acc
    from service.usecases import organisation as org
    from tests.conftest import PASSWORD, _truncate

    db = bind_engine(make_engine(settings))
    await db.start()
    try:
        await _truncate(db)
        await audit.ensure_head()
        ctx = AppContext(settings=settings, db=db, cheap_hashing=True)
        if with_admin:
            await acc.create_admin(ctx, "admin@test.fr", "Camille Admin", PASSWORD)
        system = Actor.system()
        t = await org.create_territory(ctx, system, org.TerritoryInput(name=territory, departement="37"))
        q = await org.create_qpv(ctx, system, t["id"], org.QpvInput(code="QN03701M", name="Les Tilleuls"))
        ids = {"territory": int(t["id"]), "qpv": int(q["id"])}
        if with_council:
            c = await org.create_council(
                ctx, system, t["id"], org.CouncilInput(name="Conseil des Tilleuls", qpv_ids=(q["id"],))
            )
            ids["council"] = int(c["id"])
        if extra is not None:
            return await extra(ctx, ids)
        return ids.get("council")
    finally:
        await db.stop()


def login(page: Any, email: str = "admin@test.fr") -> None:
    from tests.conftest import PASSWORD

    page.goto("/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/")
