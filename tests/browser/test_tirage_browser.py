"""The draw ceremony in a real Chromium: plan, commitment, dice on the projector page,
results, then anyone checks a key's rank on the public page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, login, run, seed
from tests.tirage_support import DICE, synthetic_items

pytestmark = pytest.mark.browser


async def _with_pool(ctx: Any, ids: dict[str, int]) -> int:
    from service.audit import Actor
    from service.tirage.usecases.pools import create_pool

    await create_pool(ctx, Actor.system(), ids["council"], synthetic_items(120), label="Registre 2026")
    return ids["council"]


@pytest.fixture
def council(test_settings: Any) -> int:
    return int(run(seed(test_settings, _with_pool)))


def test_ceremony_on_the_projector_page(council: int, page: Any) -> None:
    login(page)
    page.goto(f"/conseils/{council}")
    page.get_by_role("link", name="Tirages au sort du conseil").click()
    page.get_by_role("link", name="Préparer un tirage").click()
    page.get_by_label("Sièges à pourvoir par ce tirage").fill("5")
    page.get_by_label("Courriers du premier tour par siège").fill("3")
    page.get_by_role("button", name="Préparer le tirage").click()
    assert "siège restant" in page.inner_text("#resume-erreurs")
    page.get_by_label("aux femmes").check()
    page.get_by_role("button", name="Calculer la proposition").click()
    assert page.get_by_role("heading", name="Plan proposé").is_visible()
    page.get_by_role("button", name="Préparer le tirage").click()
    page.wait_for_url("**/tirages/*?ok=tirage-prepare")
    page.get_by_role("button", name="Publier l'engagement").click()
    # the confirmation says what cannot be undone; the box must be ticked
    assert "ne peut pas être annulée" in page.inner_text("main")
    page.get_by_label("Je comprends que cette action ne peut pas être annulée.").check()
    page.get_by_role("button", name="Publier l'engagement").click()
    page.wait_for_url("**?ok=tirage-engage")
    page.get_by_role("link", name="Ouvrir la page de séance (vidéoprojecteur)").click()
    commitment = page.locator("#engagement").inner_text().strip()
    assert len(commitment) == 64
    big = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#engagement')).fontSize)")
    assert big >= 30  # readable from the back of the room
    page.get_by_label("Faces lues à voix haute", exact=False).fill("1 2 3 9")
    page.get_by_role("button", name="Tirer au sort").click()
    assert "face de dé" in page.inner_text("main")
    page.get_by_label("Faces lues à voix haute", exact=False).fill(DICE)
    page.get_by_role("button", name="Tirer au sort").click()
    page.wait_for_selector("#titre-resultats")
    first_f = page.locator(".strates ol").first.locator("li").first
    first_f.wait_for(state="visible")
    key = first_f.inner_text().strip()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.wait_for_timeout(800)
    page.screenshot(path=str(SCREENSHOTS / "tirage-seance.png"), full_page=True)
    reference = page.locator("p.grand strong").first.inner_text().strip()
    # Back on the lead's page: open round 1, record an acceptance, see the seat filled.
    page.get_by_role("link", name="Retour à la page du tirage").click()
    page.get_by_role("button", name="Ouvrir le premier tour").click()
    page.wait_for_url("**?ok=tour-ouvert")
    page.get_by_label("Personne invitée (clé)").select_option(key)
    page.get_by_label("Réponse", exact=True).select_option("accepte")
    page.get_by_role("button", name="Enregistrer la réponse").click()
    page.wait_for_url("**?ok=reponse-enregistree*")
    seats = page.locator("#sieges").inner_text()
    assert key in seats
    page.screenshot(path=str(SCREENSHOTS / "tirage-page-chef.png"), full_page=True)
    page.goto("/tirages/verifier")
    page.get_by_label("Référence du tirage", exact=False).fill(reference)
    page.get_by_label("Clé").fill(key)
    page.get_by_role("button", name="Vérifier").click()
    result = page.inner_text("main")
    assert "1 /" in result and key in result
