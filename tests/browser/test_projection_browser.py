"""The ceremony's projector page (issue 13, point 10): no menu or account chrome, fits a
1920×1080 screen with no key running into the next column (ranks 10 and more included),
and follows the ceremony live: dice entered from another screen show up by themselves."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, login, run, seed
from tests.tirage_support import DICE, synthetic_items

pytestmark = pytest.mark.browser


async def _with_pool(ctx: Any, ids: dict[str, int]) -> int:
    from service.audit import Actor
    from service.tirage.usecases.pools import create_pool

    await create_pool(ctx, Actor.system(), ids["council"], synthetic_items(200), label="Registre 2026")
    return ids["council"]


@pytest.fixture
def council(test_settings: Any) -> int:
    return int(run(seed(test_settings, _with_pool)))


OVERLAPS = """() => {
  const cols = [...document.querySelectorAll('.strates .strate')];
  // the text's own box (a key wider than its column would overflow the li's box)
  const textBox = li => { const r = document.createRange(); r.selectNodeContents(li); return r.getBoundingClientRect(); };
  const boxes = cols.map(c => [...c.querySelectorAll('li')].map(textBox));
  const bad = [];
  for (let i = 0; i < cols.length; i++) {
    const own = cols[i].getBoundingClientRect();
    for (const b of boxes[i]) { if (b.right > own.right + 1 || b.left < own.left - 1) bad.push(['dehors', i]); }
    for (let x = 0; x < boxes[i].length; x++) for (let y = x + 1; y < boxes[i].length; y++) {
      const a = boxes[i][x], b = boxes[i][y];
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) bad.push(['meme-strate', i, x, y]);
    }
    for (let j = i + 1; j < cols.length; j++)
      for (const a of boxes[i]) for (const b of boxes[j])
        if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) bad.push(['chevauche', i, j]);
  }
  return {bad, items: boxes.flat().length, width: document.documentElement.scrollWidth};
}"""


def test_projector_page_fits_and_follows_live(council: int, page: Any) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    login(page)
    page.goto(f"/conseils/{council}/tirages/nouveau")
    page.get_by_label("Sièges à pourvoir par ce tirage").fill("12")
    page.get_by_label("Courriers du premier tour par siège").fill("2")
    page.get_by_role("button", name="Préparer le tirage").click()
    page.wait_for_url("**/tirages/*?ok=tirage-prepare")
    draw_url = page.url.split("?")[0]
    page.get_by_role("button", name="Publier l'engagement").click()
    page.get_by_label("Je comprends que cette action ne peut pas être annulée.").check()
    page.get_by_role("button", name="Publier l'engagement").click()
    page.wait_for_url("**?ok=tirage-engage")
    # The projector shows the ceremony page; no menu, no account, no footer.
    page.goto(draw_url + "/ceremonie")
    assert page.locator("header.entete, nav.principale, footer.pied").count() == 0
    assert "Se déconnecter" not in page.content()
    # The dice are entered from another screen (the lead's laptop)...
    laptop = page.context.new_page()
    laptop.goto(draw_url + "/ceremonie")
    laptop.get_by_label("Faces lues à voix haute", exact=False).fill(DICE)
    laptop.get_by_role("button", name="Tirer au sort").click()
    laptop.wait_for_selector("#titre-resultats")
    laptop.close()
    # ...and the projector follows by itself.
    page.wait_for_selector("#titre-resultats", timeout=15_000)
    page.wait_for_timeout(1200)  # keys appear one after the other
    result = page.evaluate(OVERLAPS)
    assert result["items"] >= 24 and result["bad"] == [], result
    wide = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 1921)"
        ".map(e => e.tagName + '.' + e.className).slice(0, 8)")
    assert result["width"] <= 1920, wide
    # everything, results included, on one 1080-pixel-high screen
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    headings = page.locator(".strates h3").all_inner_texts()
    assert headings == ["Femmes", "Hommes"], headings
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "tirage-projection-1920.png"))
    page.screenshot(path=str(SCREENSHOTS / "tirage-projection-1920-entiere.png"), full_page=True)
