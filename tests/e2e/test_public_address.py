"""Documents for people outside are never produced with a loopback or unset public
address (issue 13, point 1): the letters of a round and account invitations are refused
with a French explanation of PUBLIC_BASE_URL, unless ALLOW_LOOPBACK_LINKS says otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from service.public_address import (
    PublicAddressMissing,
    is_loopback_url,
    public_base_url_for_documents,
)
from service.settings import load_settings
from tests.conftest import World, bearer, web_login
from tests.letters_support import drawn_round, install_subjects

pytestmark = pytest.mark.anyio


def _settings(tmp_path: Any, **env: str) -> Any:
    return load_settings({"CONSEIL_VAR_DIR": str(tmp_path), "SECRET_KEY": "k" * 40, **env})


def test_loopback_addresses_are_recognised() -> None:
    for url in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000", "http://0.0.0.0:8000",
                "http://127.1.2.3", ""):
        assert is_loopback_url(url), url
    for url in ("https://conseil.valmont-sur-loire.fr", "http://192.168.1.20:8000"):
        assert not is_loopback_url(url), url


def test_unset_or_loopback_public_address_is_refused(tmp_path: Any) -> None:
    with pytest.raises(PublicAddressMissing) as unset:
        public_base_url_for_documents(_settings(tmp_path))
    assert "PUBLIC_BASE_URL" in unset.value.detail and "n'est pas configurée" in unset.value.detail
    with pytest.raises(PublicAddressMissing) as local:
        public_base_url_for_documents(_settings(tmp_path, PUBLIC_BASE_URL="http://localhost:8000"))
    assert "adresse locale" in local.value.detail
    # an unset address derived from a public HOST is still "unset": refused
    with pytest.raises(PublicAddressMissing):
        public_base_url_for_documents(_settings(tmp_path, HOST="conseil.example.fr"))
    ok = _settings(tmp_path, PUBLIC_BASE_URL="https://conseil.valmont-sur-loire.fr/")
    assert public_base_url_for_documents(ok) == "https://conseil.valmont-sur-loire.fr"
    dev = _settings(tmp_path, ALLOW_LOOPBACK_LINKS="1")
    assert public_base_url_for_documents(dev) == "http://127.0.0.1:8000"


def _no_public_address(ctx: Any) -> None:
    ctx.settings = ctx.settings.with_(allow_loopback_links=False, public_base_url_explicit=False)


async def test_round_letters_refused_without_public_address(client: Any, ctx: Any, world: World) -> None:
    install_subjects()
    draw = await drawn_round(ctx, world, n=12)
    cid = world.ids["council_a"]
    _no_public_address(ctx)
    await web_login(client, world.emails["lead_a"])
    base = f"/conseils/{cid}/tirages/{draw['id']}/tours/1/courriers"
    r = await client.post(base, data={"_csrf": client.cookies.get("cc_csrf")}, follow_redirects=False)
    assert r.status_code == 409
    assert "PUBLIC_BASE_URL" in r.text and "127.0.0.1" in r.text
    assert (await client.get(base + "/lettres.pdf")).status_code == 404
    api = await client.post(f"/api/v1/conseils/{cid}/tirages/{draw['id']}/tours/1/courriers",
                            headers=bearer(world, "lead_a"))
    assert api.status_code == 409, api.text
    assert api.json()["type"].endswith("adresse-publique-absente")
    assert "PUBLIC_BASE_URL" in api.json()["detail"]
    # the council page warns while the setting is missing
    page = await client.get(f"/conseils/{cid}")
    assert "PUBLIC_BASE_URL" in page.text


async def test_invitation_refused_without_public_address(client: Any, ctx: Any, world: World) -> None:
    _no_public_address(ctx)
    r = await client.post("/api/v1/invitations", headers=bearer(world, "admin"),
                          json={"email": "nouvelle@test.fr", "role": "membre", "display_name": "Nouvelle",
                                "council_id": world.ids["council_a"]})
    assert r.status_code == 409 and "PUBLIC_BASE_URL" in r.json()["detail"]
    ctx.settings = ctx.settings.with_(public_base_url="https://conseil.valmont-sur-loire.fr", public_base_url_explicit=True)
    r = await client.post("/api/v1/invitations", headers=bearer(world, "admin"),
                          json={"email": "nouvelle@test.fr", "role": "membre", "display_name": "Nouvelle",
                                "council_id": world.ids["council_a"]})
    assert r.status_code == 201, r.text
    assert r.json()["url"].startswith("https://conseil.valmont-sur-loire.fr/invitation/")
