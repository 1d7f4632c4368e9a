"""Log in, see the dashboard, create a council — in a real Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, run, seed
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(test_settings: Any) -> None:
    run(seed(test_settings, with_council=False))


def test_login_dashboard_and_create_council(seeded: None, page: Any) -> None:
    page.goto("/")
    assert page.url.endswith("/connexion")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_label("Adresse électronique").fill("admin@test.fr")
    page.get_by_label("Mot de passe").fill("mauvais mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    assert "incorrect" in page.locator("#resume-erreurs").inner_text()

    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Tableau de bord").is_visible()
    assert "Aucun conseil citoyen" in page.content()

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Territoires").click()
    page.get_by_role("link", name="Valmont Métropole").click()
    # Submitting without a QPV gets a French form error, nothing is created.
    page.get_by_label("Nom du conseil").fill("Conseil citoyen des Tilleuls")
    page.get_by_role("button", name="Créer le conseil").click()
    assert "au moins un quartier" in page.content(), page.inner_text("main")
    page.get_by_label("QN03701M — Les Tilleuls").check()
    page.get_by_label("2014 — loi Lamy initiale", exact=False).check()
    page.get_by_role("button", name="Créer le conseil").click()
    page.wait_for_url("**/conseils/*")
    assert page.get_by_role("heading", name="Conseil citoyen des Tilleuls").is_visible()
    assert "Conseil citoyen créé." in page.content()
    assert "régime 2014" in page.content()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "conseil.png"), full_page=True)

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Tableau de bord").click()
    assert page.get_by_role("link", name="Conseil citoyen des Tilleuls").is_visible()


def test_skip_link_and_keyboard_login(seeded: None, page: Any) -> None:
    page.goto("/connexion")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Aller au contenu" in focused
    page.get_by_label("Adresse électronique").focus()
    page.keyboard.type("admin@test.fr")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Tableau de bord").is_visible()
