"""Training in a real Chromium: the lead programmes a training with two sessions, a member
enrols herself, the attendance sheet is printed, attendance is tapped on the tablet page,
and the member downloads her attestation."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from tests.browser.conftest import SCREENSHOTS, axe_violations, login, run, seed, tab_to

pytestmark = pytest.mark.browser


async def _people(ctx: Any, ids: dict[str, int]) -> dict[str, int]:
    from service.audit import Actor
    from service.composition.usecases import members as composition
    from service.comptes.tables import RoleAssignment
    from service.comptes.usecases.accounts import _create_account
    from tests.conftest import PASSWORD

    async with ctx.db.transaction():
        lead = await _create_account(ctx, "cheffe@ville.fr", "Claire Cheffe", PASSWORD, ctx.now())
        await RoleAssignment.insert(RoleAssignment(account=lead, role="chef_de_projet", territory=ids["territory"]))
        member = await _create_account(ctx, "awa@exemple.fr", "Awa Diallo", PASSWORD, ctx.now())
        await RoleAssignment.insert(RoleAssignment(account=member, role="membre", council=ids["council"]))
    await composition.create_member(ctx, Actor.system(), ids["council"], composition.MemberInput(
        college="habitants", origin="volontaire", prenom="Awa", nom="Diallo", sexe="F", account_id=member,
        email="awa@exemple.fr"), override_reason="un seul membre pour ce test")
    return ids


@pytest.fixture
def ids(test_settings: Any) -> dict[str, int]:
    return dict(run(seed(test_settings, _people)))


def _pdf_text(page: Any, url: str) -> str:
    r = page.request.get(url)
    assert r.status == 200 and r.headers["content-type"] == "application/pdf"
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.body())).pages)


def _a11y(page: Any) -> None:
    """RGAA: the page as shown, in the session that sees it, has no serious axe-core violation."""
    problems = axe_violations(page)
    assert not problems, "Accessibilité (axe-core, RGAA/WCAG 2.1 AA) :\n" + "\n".join(problems)


def test_training_cycle(ids: dict[str, int], page: Any) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    login(page, "cheffe@ville.fr")
    page.goto(f"/territoires/{ids['territory']}/formations")
    page.get_by_label("Titre").fill("Prendre la parole en public")
    page.get_by_label("Objectifs").fill("Oser parler en réunion et transformer une plainte en proposition.")
    page.get_by_label("Organisme ou formateur").fill("Université du Citoyen")
    page.get_by_role("button", name="Créer la formation").click()
    page.wait_for_url("**/formations/*")
    for day in ("2027-01-16", "2027-01-23"):
        page.locator("#champ-jour").fill(day)
        page.locator("#champ-debut").fill("09:00")
        page.locator("#champ-fin").fill("17:00")
        page.get_by_label("Début de la pause de midi (journée entière)").fill("12:30")
        page.get_by_label("Fin de la pause").fill("13:30")
        page.locator("#champ-lieu").fill("Maison de quartier des Tilleuls")
        page.get_by_role("button", name="Ajouter la séance").click()
        page.wait_for_load_state()
    assert page.get_by_text("samedi 16 janvier 2027").is_visible()
    assert page.get_by_text("samedi 23 janvier 2027").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "formation-chef.png"), full_page=True)
    _a11y(page)
    training_url = page.url.split("?")[0]
    page.get_by_role("button", name="Se déconnecter").click()

    # The member enrols herself from her council's schedule.
    login(page, "awa@exemple.fr")
    page.goto(f"/conseils/{ids['council']}/formations")
    page.get_by_role("button", name="M'inscrire aux séances à venir").click()
    page.wait_for_load_state()
    assert page.get_by_role("cell", name="Inscrite").first.is_visible()
    page.screenshot(path=str(SCREENSHOTS / "formation-membre.png"), full_page=True)
    _a11y(page)
    page.get_by_role("button", name="Se déconnecter").click()

    # The lead prints the sheet and taps attendance on the first session.
    login(page, "cheffe@ville.fr")
    page.goto(training_url)
    sheet_link = page.get_by_role("link", name="Feuille d'émargement (PDF)").first.get_attribute("href")
    text = _pdf_text(page, sheet_link)
    assert "DIALLO" in text and "Matin du samedi 16 janvier 2027" in text and "Après-midi du samedi 16 janvier 2027" in text
    page.get_by_role("link", name="samedi 16 janvier 2027").click()
    page.get_by_role("link", name="Émarger sur tablette").click()
    page.set_viewport_size({"width": 1024, "height": 768})
    person = page.locator("li.carte", has_text="DIALLO Awa")
    # The tablet page works with the keyboard alone: Tab reaches the button, focus shows, Enter taps.
    tab_to(page, person.locator("form", has_text="Matin").get_by_role("button", name="Présent"))
    page.keyboard.press("Enter")
    # Enter submits the form and the page comes back: wait for the pressed state itself (a
    # load-state wait can return before the navigation starts, on the page being left).
    person = page.locator("li.carte", has_text="DIALLO Awa")
    person.locator("form", has_text="Matin").get_by_role("button", name="Présent", pressed=True).wait_for()
    assert person.locator("form", has_text="Matin").get_by_role("button", name="Présent").get_attribute("aria-pressed") == "true"
    page.screenshot(path=str(SCREENSHOTS / "formation-emargement.png"), full_page=True)
    _a11y(page)
    page.get_by_role("button", name="Se déconnecter").click()

    # The member sees her hours and downloads her attestation.
    login(page, "awa@exemple.fr")
    page.goto(f"/conseils/{ids['council']}/formations")
    assert page.get_by_text("Prendre la parole en public : 3,5\u00a0h").is_visible()
    href = page.get_by_role("link", name="télécharger mon attestation (PDF)").get_attribute("href")
    text = _pdf_text(page, href)
    assert "Attestation de formation" in text and "Madame Awa Diallo" in text and "3,5" in text and "16/01/2027" in text
    page.get_by_role("button", name="Se déconnecter").click()

    # The lead's indicators page shows the training figures and the charts.
    login(page, "cheffe@ville.fr")
    page.goto(f"/conseils/{ids['council']}/indicateurs")
    page.locator("#champ-du").fill("2027-01-01")
    page.locator("#champ-au").fill("2027-12-31")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_load_state()
    row = page.get_by_role("row", name="Heures de formation par membre")
    assert "3,5\u00a0h" in row.inner_text()
    assert "\t2\t" in page.get_by_role("row", name="Séances de formation").inner_text()
    assert page.locator("svg[role=img]").count() >= 1
    assert page.get_by_role("img", name="Part des femmes parmi les titulaires").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "indicateurs-conseil.png"), full_page=True)
    _a11y(page)
