"""The confirmations pages show after an action (``?ok=<key>``): declared by the features,
one namespace, every key a page redirects with has its text, and the text in the
catalogue."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import World, web_login

pytestmark = pytest.mark.anyio

SERVICE = Path(__file__).resolve().parents[2] / "service"
# ``?ok=key`` in a redirect, or the key handed to the draw's and the minutes' action helpers.
_KEY_IN_URL = re.compile(r"[?&]ok=([a-z][a-z-]*)")
_KEY_IN_HELPER = re.compile(r"(?:self\._act|self\._minutes_action)\([^\n]*?\"([a-z][a-z-]*)\"")


def _keys_used() -> dict[str, str]:
    used: dict[str, str] = {}
    for path in SERVICE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in (_KEY_IN_URL, _KEY_IN_HELPER):
            for key in pattern.findall(text):
                used.setdefault(key, str(path.relative_to(SERVICE.parent)))
    return used


def test_every_key_a_page_redirects_with_has_a_message() -> None:
    from service.features import flash_messages

    used = _keys_used()
    assert len(used) > 40  # the scan finds the redirects (it would pass vacuously otherwise)
    missing = {k: where for k, where in used.items() if k not in flash_messages()}
    assert not missing, f"confirmations without a text: {missing}"


def test_a_key_declared_by_two_features_is_refused(monkeypatch: Any) -> None:
    from service import features
    from service.feature import Feature

    twins = [Feature("a", flash_messages={"depart-enregistre": "Départ enregistré."}),
             Feature("b", flash_messages={"depart-enregistre": "Le siège revient au suppléant."})]
    monkeypatch.setattr(features, "declared", lambda: twins)
    features.flash_messages.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="depart-enregistre"):
            features.flash_messages()
    finally:
        features.flash_messages.cache_clear()


async def test_each_page_shows_its_own_feature_text(client: Any, world: World) -> None:
    await web_login(client, world.emails["lead_a"])
    council = world.ids["council_a"]
    # Two features once used the same key for a departure: the composition page showed
    # the draw's « le siège revient au premier suppléant de la strate ».
    page = await client.get(f"/conseils/{council}/composition?ok=depart-enregistre")
    assert "Départ enregistré." in page.text and "premier suppléant de la strate" not in page.text
    page = await client.get("/compte?ok=mot-de-passe-change")
    assert "Vos autres sessions ont été fermées." in page.text
    page = await client.get("/compte?ok=cle-inconnue")
    assert page.status_code == 200 and 'class="alerte succes"' not in page.text
