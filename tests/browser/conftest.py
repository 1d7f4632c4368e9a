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


# RGAA / WCAG 2.1 AA: every page a browser test visits is checked with axe-core (shipped
# by axe-playwright-python, no network); serious and critical violations fail the test.
A11Y_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
A11Y_FAILING = {"serious", "critical"}


def axe_violations(page: Any) -> list[str]:
    """The serious or critical WCAG 2.1 AA violations of the page as shown now."""
    from urllib.parse import urlsplit

    from axe_playwright_python.sync_playwright import Axe

    # /schema is the vendored Swagger UI (a developers' tool, its markup is the vendor's):
    # its own findings (contrast of the version stamp, nested controls, the servers
    # select) are not the service's pages and are left to the vendor.
    if urlsplit(page.url).path.startswith("/schema"):
        return []
    # Fade-ins caught half-way would read as low contrast: check the resting state.
    page.evaluate("document.getAnimations().forEach(a => { try { a.finish(); } catch (e) {} })")
    results = Axe().run(page, options={"resultTypes": ["violations"],
                                       "runOnly": {"type": "tag", "values": A11Y_TAGS}})
    out = []
    for v in results.response["violations"]:
        if v.get("impact") in A11Y_FAILING:
            targets = [" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"]) for n in v["nodes"][:3]]
            out.append(f"{page.url} : {v['id']} ({v['impact']}) — {v['help']} — {targets}")
    return out


def tab_to(page: Any, target: Any, most: int = 120) -> None:
    """Reach `target` (a locator) with the Tab key alone from the top of the page, and check
    that the focus shows (an outline of at least 2 px, not hidden). Fails if it is never reached."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    handle = target.element_handle()
    for _i in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", handle):
            style = page.evaluate("(el) => { const s = getComputedStyle(el);"
                                  " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }", handle)
            assert style[0] != "none" and style[1] >= 2, f"focus invisible : {style}"
            return
    raise AssertionError(f"inaccessible au clavier en {most} tabulations : {target}")


def _check_visited(pg: Any, visited: list[str]) -> list[str]:
    """Open again each page visited (once per path, as the test left the data) and run axe."""
    seen: set[str] = set()
    problems: list[str] = []
    for url in visited:
        path = url.split("#")[0].split("?")[0]
        if path in seen or not path.startswith("http") or path.endswith((".pdf", ".csv", ".json", ".ics")):
            continue
        seen.add(path)
        response = pg.goto(url.split("#")[0])
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        problems += axe_violations(pg)
    return problems


@pytest.fixture
def page(chromium_path: str, live_server: str, request: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context(base_url=live_server, locale="fr-FR")
        pg = context.new_page()
        visited: list[str] = []
        context.on("page", lambda other: other.on(
            "framenavigated", lambda f: visited.append(f.url) if f.parent_frame is None else None))
        pg.on("framenavigated", lambda f: visited.append(f.url) if f.parent_frame is None else None)
        # Each screenshot shows a state the test cares about, in the session that sees it
        # (the check after the test only reaches public pages once a test has logged out):
        # axe checks it there too.
        shown: list[str] = []
        take = pg.screenshot

        def screenshot_then_check(*args: Any, **kwargs: Any) -> Any:
            out = take(*args, **kwargs)
            shown.extend(p for p in axe_violations(pg) if p not in shown)
            return out

        pg.screenshot = screenshot_then_check
        try:
            yield pg
            failed = getattr(request.node, "rep_call", None)
            if not (failed is not None and failed.failed):
                problems = shown + _check_visited(context.new_page(), visited)
                assert not problems, "Accessibilité (axe-core, RGAA/WCAG 2.1 AA) :\n" + "\n".join(problems)
        finally:
            context.close()
            browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


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
    from service.comptes import usecases as acc
    from service.context import AppContext
    from service.db.engine import bind_engine, make_engine
    from service.organisation import usecases as org
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
        q = await org.create_qpv(ctx, system, t.id, org.QpvInput(code="QN03701M", name="Les Tilleuls"))
        ids = {"territory": t.id, "qpv": q.id}
        if with_council:
            c = await org.create_council(
                ctx, system, t.id, org.CouncilInput(name="Conseil des Tilleuls", qpv_ids=(q.id,))
            )
            ids["council"] = c.id
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
