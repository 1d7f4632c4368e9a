"""Accessibility (issue 13, point 13): the axe-core helper finds what it must, the public
pages have no serious or critical WCAG 2.1 AA violation, and forms work with the keyboard
alone. Every other browser test's pages are checked by the ``page`` fixture itself."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, run, seed
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def council(test_settings: Any) -> int:
    return int(run(seed(test_settings)))


def test_axe_helper_reports_serious_violations(page: Any) -> None:
    page.set_content('<html><body><main><input type="text"><img src="x.png">'
                     '<p style="color:#aaa;background:#fff">gris clair</p></main></body></html>')
    found = " ".join(axe_violations(page))
    assert "image-alt" in found and "label" in found and "color-contrast" in found


def test_public_pages_have_no_serious_violation(council: int, page: Any) -> None:
    problems = []
    for url in ("/connexion", "/tirages/verifier", "/repondre"):
        page.goto(url)
        problems += axe_violations(page)
    assert problems == []


def test_login_with_the_keyboard_alone(council: int, page: Any) -> None:
    page.goto("/connexion")
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    for _i in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "email":
            break
    page.keyboard.type("admin@test.fr")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    assert "Tableau de bord" in page.inner_text("main")
    # focus is visible on links and buttons (no outline: none without a replacement)
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
