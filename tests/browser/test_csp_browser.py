"""Issue 14, item 5: pages and Swagger UI work in Chromium under the CSP (no violation)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import login, run, seed

pytestmark = pytest.mark.browser


@pytest.fixture
def council(test_settings: Any) -> int:
    return int(run(seed(test_settings)))


def test_swagger_ui_and_pages_run_under_the_csp(council: int, page: Any) -> None:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto("/schema")
    page.wait_for_selector(".opblock", timeout=20000)
    assert page.locator(".opblock").count() >= 5  # Swagger UI renders the first tags, more on scrolling
    login(page)
    page.goto(f"/conseils/{council}")
    assert page.evaluate("document.querySelector('script[src=\"/static/app.js\"]') !== null")
    assert violations == [], violations
