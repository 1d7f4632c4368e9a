"""The letter template editor in a real Chromium: markers to complete, an unknown
placeholder refused next to its field, then saved and linked from the council page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, login, run, seed

pytestmark = pytest.mark.browser


@pytest.fixture
def council(test_settings: Any) -> int:
    return int(run(seed(test_settings)))


def test_edit_the_letter_template(council: int, page: Any) -> None:
    login(page)
    page.goto(f"/conseils/{council}")
    page.get_by_role("link", name="Modèle de la lettre et aperçu", exact=True).first.click()
    assert page.get_by_label("Téléphone du contact").input_value() == "[téléphone à compléter]"
    assert page.get_by_role("cell", name="{code_reponse}").is_visible()

    page.get_by_label("Téléphone du contact").fill("02 47 00 00 00")
    page.get_by_label("Courriel du contact").fill("conseil@valmont.fr")
    page.get_by_label("Contact pour les données personnelles").fill("dpo@valmont.fr")
    page.get_by_label("Signataire", exact=True).fill("Zoé Lefèvre")
    page.get_by_label("Fonction du signataire").fill("Cheffe de projet")
    body = page.get_by_label("Texte de la lettre")
    body.fill(body.input_value() + "\n\nÀ bientôt {prenon} !")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    summary = page.locator("#resume-erreurs")
    assert "{prenon}" in summary.inner_text()
    assert page.get_by_label("Texte de la lettre").get_attribute("aria-invalid") == "true"
    # The typed values are kept; fixing the placeholder saves.
    assert page.get_by_label("Signataire", exact=True).input_value() == "Zoé Lefèvre"
    body = page.get_by_label("Texte de la lettre")
    body.fill(body.input_value().replace("{prenon}", "{prenom}"))
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    assert "Modèle de lettre enregistré." in page.content()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "modele_lettre.png"), full_page=True)
    with page.expect_response(lambda r: r.url.endswith("/apercu.pdf")) as response:
        page.evaluate(f"fetch('/conseils/{council}/lettre/apercu.pdf')")
    assert response.value.status == 200
    assert response.value.headers["content-type"] == "application/pdf"
