"""The member's acknowledgement page in a real Chromium, on a phone-sized screen: the
convocation is acknowledged with its button, a proxy is given with the keyboard, and a
proxy to oneself is refused with a French message tied to its field."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, run, seed

pytestmark = pytest.mark.browser


async def _convened(ctx: Any, ids: dict[str, int]) -> dict[int, str]:
    from domain.meetings import PARIS
    from service.audit import Actor
    from service.reunions.usecases import convocations as conv
    from service.reunions.usecases import meetings
    from tests.reunions_support import add_members

    members = await add_members(ids["council"], 3)
    start = (datetime.now(PARIS) + timedelta(days=20)).replace(hour=18, minute=30, second=0, microsecond=0)
    m = await meetings.create_meeting(ctx, Actor.system("test"), ids["council"], meetings.MeetingInput(
        titre="Séance plénière", debut=start, fin=start + timedelta(hours=2), lieu="Maison de quartier"))
    seen: list[str] = []
    real = conv.secrets.token_urlsafe

    def spy(n: int) -> str:
        seen.append(real(n))
        return seen[-1]

    conv.secrets.token_urlsafe = spy  # type: ignore[assignment]
    try:
        await conv.send_convocations(ctx, Actor.system("test"), m.id or 0)
    finally:
        conv.secrets.token_urlsafe = real  # type: ignore[assignment]
    return dict(zip(members, seen, strict=True))


@pytest.fixture
def tokens(test_settings: Any) -> dict[int, str]:
    return dict(run(seed(test_settings, _convened)))


def test_member_acknowledges_and_gives_a_proxy_on_a_phone(tokens: dict[int, str], page: Any) -> None:
    first = next(iter(tokens.values()))
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"/convocations/{first}")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Séance plénière" in page.locator("main").inner_text()
    assert "Réception accusée le" not in page.locator("main").inner_text()
    page.get_by_role("button", name="J'accuse réception de cette convocation").click()
    assert "Réception accusée le" in page.locator("main").inner_text()
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.get_by_label("Je donne pouvoir à un autre membre").focus()
    page.keyboard.press("Space")
    page.get_by_label("Membre à qui vous donnez pouvoir (si vous ne venez pas)").select_option(index=1)
    page.get_by_role("button", name="Envoyer ma réponse").click()
    assert "Votre réponse est enregistrée" in page.locator("main").inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "convocation-accuse.png"), full_page=True)

    # Giving a proxy without naming the holder: the error is on the field.
    page.get_by_label("Membre à qui vous donnez pouvoir (si vous ne venez pas)").select_option(index=0)
    page.get_by_role("button", name="Envoyer ma réponse").click()
    assert "Choisissez le membre" in page.locator("#erreur-porteur_id").inner_text()
