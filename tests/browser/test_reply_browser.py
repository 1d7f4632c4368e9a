"""The residents' reply page in a real Chromium: prefilled code, keyboard-only use,
French errors tied to their fields, nothing leaked on a wrong code."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


def test_reply_page_by_keyboard_with_a_wrong_code(page: Any) -> None:
    page.goto("/repondre?code=7KQ2M-9XDA4")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_label("Code de réponse").input_value() == "7KQ2M-9XDA4"

    # Submitting empty choices: the error summary names each missing field.
    page.get_by_role("button", name="Envoyer ma réponse").click()
    summary = page.locator("#resume-erreurs")
    assert "année de naissance" in summary.inner_text()
    assert "acceptez ou refusez" in summary.inner_text()
    assert page.get_by_label("Votre année de naissance").get_attribute("aria-invalid") == "true"

    # Keyboard only: year, then the radio group, then submit.
    page.get_by_label("Votre année de naissance").focus()
    page.keyboard.type("1980")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # first radio: accept
    assert page.get_by_label("J'accepte de devenir membre du conseil citoyen").is_checked()
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    error = page.locator("#erreur-code").inner_text()
    assert "Code ou année de naissance incorrect" in error
    # The form keeps what was typed and says nothing about whose code it might be.
    assert page.get_by_label("Téléphone").input_value() == "06 12 34 56 78"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "repondre.png"), full_page=True)
