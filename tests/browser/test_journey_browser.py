"""Issue 13's journey in a real Chromium, as a project lead: the sample registers are
imported from the council page, then eligibility, pool, draw ceremony, round letters,
replies and the council's composition, each step reached from the council page. The
letters carry the public address (never a loopback one) and the lead sees names."""

from __future__ import annotations

import io
import re
import time
from typing import Any

import pytest

from tests.browser.conftest import PUBLIC_BASE_URL, SCREENSHOTS, login, run, seed
from tests.conftest import PASSWORD, SHARED
from tests.tirage_support import DICE

pytestmark = pytest.mark.browser

SAMPLES = SHARED / "data" / "registre-exemple"
LEAD = "cheffe@valmont.fr"
TIMINGS: dict[str, float] = {}


async def _with_lead(ctx: Any, ids: dict[str, int]) -> int:
    from service.comptes.tables import RoleAssignment
    from service.comptes.usecases.accounts import _create_account

    async with ctx.db.transaction():
        account = await _create_account(ctx, LEAD, "Zoé Lefèvre", PASSWORD, ctx.now())
        await RoleAssignment.insert(RoleAssignment(account=account, role="chef_de_projet", territory=ids["territory"]))
    return ids["council"]


@pytest.fixture
def council(test_settings: Any) -> int:
    return int(run(seed(test_settings, _with_lead)))


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"parcours-{name}.png"), full_page=True)


def _next_step(page: Any, council: int, expected_title: str) -> None:
    """Back on the council page, the next step is the one expected; click its button."""
    page.goto(f"/conseils/{council}")
    nxt = page.locator(".prochaine-etape")
    assert expected_title in nxt.inner_text(), nxt.inner_text()
    nxt.get_by_role("link").click()


def _import(page: Any, name: str, kind: str | None = None) -> None:
    page.get_by_label("Fichier (CSV, XLSX ou ODS)").set_input_files(str(SAMPLES / name))
    if kind:
        page.get_by_label("Type de fichier").select_option(kind)
    page.get_by_role("button", name="Envoyer et voir l'aperçu").click()
    page.wait_for_url("**/apercu/**")
    page.get_by_role("button", name="Importer", exact=True).click()
    page.wait_for_url("**/imports/**", timeout=120_000)  # the task page moves on to the report


def test_lead_journey_registers_to_composition(council: int, page: Any) -> None:
    t0 = time.monotonic()
    login(page, LEAD)
    page.goto(f"/conseils/{council}")
    _shot(page, "01-conseil-vide")
    # 1. Registers, from the council page's next action
    _next_step(page, council, "Registres des habitants")
    for name, kind in (("perimetre.csv", "perimetre"), ("exclusions.csv", "exclusions"),
                       ("liste_electorale.csv", None), ("bailleur.csv", None)):
        _import(page, name, kind)
        page.goto(f"/conseils/{council}/registre")
    page.goto(page.url)  # the last report offers the next step
    TIMINGS["imports"] = time.monotonic() - t0
    page.goto(f"/conseils/{council}")
    _shot(page, "02-conseil-registres")
    # 2. Eligibility
    _next_step(page, council, "Éligibilité")
    page.get_by_role("button", name="Évaluer l'éligibilité").click()
    page.get_by_role("link", name="Constituer le vivier du tirage").first.wait_for()
    _shot(page, "03-eligibilite")
    # 3. Pool, offered by the eligibility page
    page.locator(".etape-suivante").get_by_role("link", name="Constituer le vivier du tirage").click()
    page.get_by_role("button", name="Constituer le vivier").click()
    page.locator(".etape-suivante").wait_for()
    _shot(page, "04-vivier")
    # 4. Draw: prepare, publish the commitment (confirmed), dice, ranking
    page.locator(".etape-suivante").get_by_role("link", name="Préparer le tirage").click()
    page.get_by_label("Sièges à pourvoir par ce tirage").fill("6")
    page.get_by_label("Courriers du premier tour par siège").fill("2")
    page.get_by_role("button", name="Préparer le tirage").click()
    page.wait_for_url("**/tirages/*?ok=tirage-prepare")
    draw_url = page.url.split("?")[0]
    _publish_commitment(page)
    page.get_by_role("link", name="Ouvrir la page de séance (vidéoprojecteur)").click()
    page.get_by_label("Faces lues à voix haute", exact=False).fill(DICE)
    page.get_by_role("button", name="Tirer au sort").click()
    page.wait_for_selector("#titre-resultats")
    TIMINGS["tirage"] = time.monotonic() - t0
    # 5. Letters: the council page says to open the first round, then to write the letters
    _next_step(page, council, "Courriers aux habitants tirés au sort")
    page.get_by_role("button", name="Ouvrir le premier tour").click()
    page.wait_for_url("**?ok=tour-ouvert")
    _save_letter_template(page, council)
    _next_step(page, council, "Courriers aux habitants tirés au sort")
    page.get_by_role("button", name="Générer les lettres").click()
    page.get_by_role("link", name=re.compile("Télécharger les lettres")).first.wait_for(timeout=120_000)
    _shot(page, "05-lettres")
    pdf = page.request.get(page.url.split("?")[0] + "/lettres.pdf")
    assert pdf.status == 200
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "127.0.0.1" not in text and "localhost" not in text
    assert PUBLIC_BASE_URL.split("//")[1] in text.replace("\n", "")
    TIMINGS["lettres"] = time.monotonic() - t0
    # 6. Replies: accept the first invitations of the round from the draw page
    _next_step(page, council, "Réponses des habitants")
    options = page.get_by_label("Personne invitée (clé)").locator("option").all_inner_texts()
    by_stratum: dict[str, list[int]] = {}
    for i, text in enumerate(options):
        by_stratum.setdefault(text.split(" n° ")[0], []).append(i)
    assert len(by_stratum) >= 2, options[:4]
    accepted = 0
    for indexes in by_stratum.values():  # three acceptances in each stratum: parity holds
        for i in indexes[:3]:
            page.get_by_label("Personne invitée (clé)").select_option(index=i)
            page.get_by_label("Réponse", exact=True).select_option("accepte")
            page.get_by_role("button", name="Enregistrer la réponse").click()
            page.wait_for_url(re.compile(r".*ok=reponse-enregistree.*"))
            assert "Réponse enregistrée" in page.inner_text("main")
            accepted += 1
    _shot(page, "06-reponses")
    # 7. Composition: members from the draw; the lead sees their names
    _next_step(page, council, "Composition du conseil")
    page.get_by_text("Créer les membres à partir des résultats d'un tirage").click()
    page.get_by_role("button", name="Créer les membres").click()
    page.wait_for_load_state()
    _shot(page, "07-composition")
    main = page.inner_text("main")
    assert "Parité non respectée" not in main, main[:400]
    surnames = _register_surnames()
    shown = [w for w in re.findall(r"\b[A-ZÀ-Ü][A-ZÀ-Ü'-]{2,}\b", main) if w.strip() in surnames]
    assert len(shown) >= accepted // 2, main[:800]  # the lead sees the members' names
    page.goto(f"/conseils/{council}")
    assert "fait" in page.locator("#etape-composition").inner_text()
    _shot(page, "08-conseil-fin")
    TIMINGS["total"] = time.monotonic() - t0
    print("parcours (s):", {k: round(v, 1) for k, v in TIMINGS.items()}, "tirage", draw_url)


def _register_surnames() -> set[str]:
    import csv

    with (SAMPLES / "liste_electorale.csv").open(encoding="cp1252") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    names = {r["NomdeNaissance"].strip().upper() for r in rows} | {r["NomDusage"].strip().upper() for r in rows}
    with (SAMPLES / "bailleur.csv").open(encoding="utf-8-sig") as fh:
        names |= {r["Nom"].strip().upper() for r in csv.DictReader(fh)}
    return names - {""}


def _publish_commitment(page: Any) -> None:
    page.get_by_role("button", name="Publier l'engagement").click()
    assert "ne peut pas être annulée" in page.inner_text("main")
    _shot(page, "04b-confirmation-engagement")
    page.get_by_label("Je comprends que cette action ne peut pas être annulée.").check()
    page.get_by_role("button", name="Publier l'engagement").click()
    page.wait_for_url("**?ok=tirage-engage")


def _save_letter_template(page: Any, council: int) -> None:
    page.goto(f"/conseils/{council}/lettre")
    page.get_by_label("Téléphone du contact").fill("02 47 00 00 00")
    page.get_by_label("Courriel du contact").fill("conseil@valmont.fr")
    page.get_by_label("Contact pour les données personnelles").fill("dpo@valmont.fr")
    page.get_by_label("Signataire", exact=True).fill("Zoé Lefèvre")
    page.get_by_label("Fonction du signataire").fill("Cheffe de projet")
    for label in ("Collectivité", "Lieu"):
        field = page.get_by_label(label, exact=True)
        if field.count() and "compléter" in field.input_value():
            field.fill("Ville de Valmont-sur-Loire" if label == "Collectivité" else "Valmont-sur-Loire")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    assert "Modèle de lettre enregistré." in page.content(), page.inner_text("main")[:800]
