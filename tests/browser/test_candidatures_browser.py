"""The public volunteer form in a real Chromium: labels, keyboard, errors, confirmation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, login, run, seed

pytestmark = pytest.mark.browser


async def _with_call(ctx: Any, ids: dict[str, int]) -> int:
    from service.audit import Actor
    from service.candidatures.usecases import calls as cand

    today = cand.local_today(ctx.now())
    call = await cand.create_call(
        ctx,
        Actor.system(),
        ids["council"],
        cand.CallInput(
            "habitants",
            "Devenez membre du conseil citoyen",
            date(today.year, 1, 1),
            date(today.year + 1, 12, 31),
            "Le conseil citoyen réunit des habitants du quartier.",
        ),
    )
    return int(call.id)


@pytest.fixture
def call_id(test_settings: Any) -> int:
    return int(run(seed(test_settings, _with_call, with_admin=False)))


def test_public_volunteer_form(call_id: int, page: Any) -> None:
    page.goto(f"/candidater/{call_id}")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", name="Devenez membre du conseil citoyen").is_visible()
    page.get_by_label("Prénom").fill("Aïcha")
    page.locator("#champ-nom").fill("Benali")
    page.get_by_label("Femme").check()
    page.get_by_label("Date de naissance").fill("1985-04-12")
    page.get_by_label("Numéro et voie").fill("12 rue des Lilas")
    page.get_by_label("Code postal").fill("37000")
    page.get_by_label("Commune").fill("Tours")
    page.get_by_label("Adresse électronique").fill("aicha@example.fr")
    page.get_by_label("Pourquoi souhaitez-vous participer ?").fill("Pour agir dans mon quartier.")
    # Sent without the consent box: the error summary names it and links to it.
    page.get_by_role("button", name="Envoyer ma candidature").click()
    summary = page.locator("#resume-erreurs")
    assert "Votre accord est nécessaire" in summary.inner_text()
    assert page.get_by_label("Prénom").input_value() == "Aïcha"  # nothing typed is lost
    summary.get_by_role("link").first.click()
    # The consent box is reachable and checkable with the keyboard.
    consent = page.locator("#champ-consent")
    consent.focus()
    page.keyboard.press("Space")
    assert consent.is_checked()
    page.get_by_role("button", name="Envoyer ma candidature").click()
    page.wait_for_url("**/confirmation*")
    assert page.get_by_role("heading", name="Candidature enregistrée").is_visible()
    assert "sous le numéro" in page.content()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "candidature-confirmation.png"), full_page=True)
    # The same person again: a duplicate, said in French next to the name.
    page.goto(f"/candidater/{call_id}")
    page.get_by_label("Prénom").fill("Aicha")
    page.locator("#champ-nom").fill("BENALI")
    page.get_by_label("Femme").check()
    page.get_by_label("Date de naissance").fill("1985-04-12")
    page.get_by_label("Numéro et voie").fill("12 rue des Lilas")
    page.get_by_label("Code postal").fill("37000")
    page.get_by_label("Commune").fill("Tours")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.locator("#champ-consent").check()
    page.get_by_role("button", name="Envoyer ma candidature").click()
    assert "déjà été déposée" in page.content()


async def _with_members(ctx: Any, ids: dict[str, int]) -> int:
    from service.audit import Actor
    from service.composition.usecases import members as comp

    for prenom, sexe in (("Ana", "F"), ("Bob", "M"), ("Carl", "M")):
        await comp.create_member(
            ctx,
            Actor.system(),
            ids["council"],
            comp.MemberInput(
                college="habitants",
                origin="tire_au_sort_registre",
                prenom=prenom,
                nom="Martin",
                sexe=sexe,
            ),
        )
    return ids["council"]


@pytest.fixture
def composition_council(test_settings: Any) -> int:
    return int(run(seed(test_settings, _with_members)))


def test_lead_overrides_a_parity_break_in_the_browser(composition_council: int, page: Any) -> None:
    council_id = composition_council
    login(page)
    page.goto(f"/conseils/{council_id}/composition")
    assert page.get_by_role(
        "img", name="Femmes et hommes titulaires par collège au fil du mandat"
    ).is_visible()
    page.get_by_role("link", name="Ajouter un membre").click()
    page.locator("#champ-prenom").fill("Dan")
    page.locator("#champ-nom").fill("Durand")
    page.get_by_label("Homme").check()
    page.get_by_role("button", name="Enregistrer").click()
    alert = page.get_by_role("alert").first
    assert "Parité femmes-hommes" in alert.inner_text()
    assert page.locator("#champ-prenom").input_value() == "Dan"
    page.get_by_label("Motif de dérogation", exact=False).fill(
        "Remplaçante désignée au prochain conseil"
    )
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/composition?ok=membre-ajoute")
    assert "Membre ajouté." in page.content()
    assert "non respectée" in page.content()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "composition.png"), full_page=True)
    # On a phone the wide tables scroll inside their own box: the page never scrolls
    # sideways (it did on the composition, control and register pages).
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (f"/conseils/{council_id}/composition", f"/conseils/{council_id}/controle", "/journal"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
        assert page.locator("main table").count() == page.locator(".defilant > table").count(), url
    page.screenshot(path=str(SCREENSHOTS / "composition-telephone.png"), full_page=True)
