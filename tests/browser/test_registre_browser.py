"""Upload an electoral list, check the preview, import it and read the report — in a
real Chromium against a real server (the import runs after the response; the task page
refreshes itself until it is done)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, login, run, seed
from tests.conftest import SHARED

pytestmark = pytest.mark.browser

SAMPLE = SHARED / "data" / "registre-exemple" / "liste_electorale.csv"


@pytest.fixture
def council_id(test_settings: Any) -> int:
    # Seeded before the page fixture starts Playwright's own event loop.
    return int(run(seed(test_settings, territory="Valmont")))


def test_upload_preview_import_report(council_id: int, page: Any) -> None:
    login(page)
    page.goto(f"/conseils/{council_id}")
    page.get_by_role("link", name="Registre : imports et recherche").click()
    page.get_by_label("Fichier (CSV, XLSX ou ODS)").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Envoyer et voir l'aperçu").click()
    page.wait_for_url("**/apercu/**")
    content = page.content()
    assert "cp1252" in content and "point-virgule" in content
    assert page.get_by_label("nom de naissance").input_value() == "NomdeNaissance"
    # The preview keeps every column: the last one is reachable by scrolling its box,
    # the table is not squeezed or clipped (issue 13, point 12).
    box = page.locator(".defilement")
    widths = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert widths[0] > widths[1]  # wider than its box: it scrolls
    last = page.locator(".defilement thead th").last
    assert last.inner_text() == "BureauVote"
    box.evaluate("b => b.scrollLeft = b.scrollWidth")
    assert last.bounding_box()["x"] + last.bounding_box()["width"] <= box.bounding_box()["x"] + box.bounding_box()["width"] + 1
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "registre-apercu.png"), full_page=True)
    page.get_by_role("button", name="Importer", exact=True).click()
    # The task page refreshes itself, then moves on to the report by itself.
    page.wait_for_url("**/imports/**", timeout=60_000)
    assert "Import terminé" in page.inner_text("main")
    report = page.locator("dl.reglages").inner_text()
    assert "Lignes lues\n3\u202f000" in report and "Lignes rejetées\n0" in report  # « 3 000 »
    page.screenshot(path=str(SCREENSHOTS / "registre-rapport.png"), full_page=True)
