"""The council's letter template: edit page, unknown placeholders, logo upload, PDF preview."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import World, web_login

pytestmark = pytest.mark.anyio


def _png(width: int = 200, height: int = 80) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (0, 35, 149)).save(buf, "PNG")
    return buf.getvalue()


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


async def _form(client: Any, council_id: int) -> dict[str, str]:
    page = await client.get(f"/conseils/{council_id}/lettre")
    assert page.status_code == 200
    import re

    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    from service.courriers.documents_wording import LetterWording

    example = LetterWording()
    return {
        **{k: getattr(example, k) for k in LetterWording.editable_fields()},
        "_csrf": client.cookies.get("cc_csrf"),
        "version": version.group(1),
    }


async def test_lead_edits_previews_and_saves_the_letter(client: Any, world: World) -> None:
    await web_login(client, world.emails["lead_a"])
    cid = world.ids["council_a"]
    page = await client.get(f"/conseils/{cid}/lettre")
    assert "{code_reponse}" in page.text and "Champs disponibles" in page.text
    # The council page links to it.
    assert f"/conseils/{cid}/lettre" in (await client.get(f"/conseils/{cid}")).text

    base = await _form(client, cid)
    corps = (
        "{civilite},\n\nVotre code : {code_reponse}. Réponse avant le {date_limite}. "
        "Coût : 0 € — œuvre « commune »."
    )
    r = await client.post(
        f"/conseils/{cid}/lettre", data={**base, "corps": corps, "action": "apercu"}
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = _text(r.content)
    assert "Votre code : 7KQ2M-9XDA4" in text
    assert "lundi 1er juin 2026" in text
    assert "0 €" in text and "œuvre" in text and "« commune »" in text
    assert "Conseil A" in text  # the council's own name in the letterhead
    assert b"/Subtype /Image" not in r.content  # no logo yet
    r = await client.post(
        f"/conseils/{cid}/lettre",
        data={**base, "action": "apercu"},
        files={"logo": ("logo.png", _png(), "image/png")},
    )
    assert r.status_code == 200 and b"/Subtype /Image" in r.content  # unsaved logo previewed
    # Preview did not save.
    assert (await _form(client, cid))["version"] == "0"

    r = await client.post(
        f"/conseils/{cid}/lettre",
        data={**base, "corps": corps, "signataire": "Zoé Œrtel", "action": "enregistrer"},
        files={"logo": ("logo.png", _png(), "image/png")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    saved = await client.get(f"/conseils/{cid}/lettre/apercu.pdf")
    assert saved.status_code == 200
    text = _text(saved.content)
    assert "Zoé Œrtel" in text and "Votre code : 7KQ2M-9XDA4" in text
    assert b"/Subtype /Image" in saved.content  # the logo is in the letterhead
    assert (await _form(client, cid))["version"] == "1"
    assert "Retirer le logo actuel" in (await client.get(f"/conseils/{cid}/lettre")).text


async def test_unknown_placeholder_is_refused_with_a_clear_error(client: Any, world: World) -> None:
    await web_login(client, world.emails["lead_a"])
    cid = world.ids["council_a"]
    base = await _form(client, cid)
    r = await client.post(
        f"/conseils/{cid}/lettre",
        data={**base, "corps": "Bonjour {prenon} {nom}", "action": "enregistrer"},
    )
    assert r.status_code == 422
    assert "{prenon}" in r.text and "champs inconnus" in r.text
    assert 'aria-invalid="true"' in r.text
    r = await client.post(
        f"/conseils/{cid}/lettre", data={**base, "objet": "Objet {nom", "action": "apercu"}
    )
    assert r.status_code == 422 and "accolade seule" in r.text
    r = await client.post(
        f"/conseils/{cid}/lettre", data={**base, "signataire": "{nom}", "action": "enregistrer"}
    )
    assert r.status_code == 422
    assert (await _form(client, cid))["version"] == "0"


async def test_bad_logos_are_refused(client: Any, world: World) -> None:
    await web_login(client, world.emails["lead_a"])
    cid = world.ids["council_a"]
    base = await _form(client, cid)
    for name, data, kind in [
        ("logo.gif", b"GIF89a" + b"\x00" * 40, "image/gif"),
        ("faux.png", b"\x89PNG\r\n\x1a\n" + b"pas une image", "image/png"),
        ("enorme.png", b"\x89PNG" + b"\x00" * (600 * 1024), "image/png"),
    ]:
        r = await client.post(
            f"/conseils/{cid}/lettre",
            data={**base, "action": "enregistrer"},
            files={"logo": (name, data, kind)},
        )
        assert r.status_code == 422, name
        assert "logo" in r.text.lower()
    assert (await _form(client, cid))["version"] == "0"


async def test_stale_version_is_a_conflict(client: Any, world: World) -> None:
    await web_login(client, world.emails["lead_a"])
    cid = world.ids["council_a"]
    base = await _form(client, cid)
    r = await client.post(
        f"/conseils/{cid}/lettre", data={**base, "action": "enregistrer"}, follow_redirects=False
    )
    assert r.status_code == 303
    r = await client.post(
        f"/conseils/{cid}/lettre", data={**base, "lieu": "Tours", "action": "enregistrer"}
    )
    assert r.status_code == 409 and "modifié entre-temps" in r.text


async def test_other_councils_lead_and_members_cannot_edit(client: Any, world: World) -> None:
    await web_login(client, world.emails["lead_b"])
    r = await client.get(f"/conseils/{world.ids['council_a']}/lettre")
    assert r.status_code == 403


async def test_unsaved_template_shows_markers_and_cannot_be_saved_as_is(
    client: Any, world: World
) -> None:
    await web_login(client, world.emails["lead_a"])
    cid = world.ids["council_a"]
    page = await client.get(f"/conseils/{cid}/lettre")
    assert "[téléphone à compléter]" in page.text and "Territoire A" in page.text
    base = await _form(client, cid)
    marked = {**base, "telephone": "[téléphone à compléter]", "action": "enregistrer"}
    r = await client.post(f"/conseils/{cid}/lettre", data=marked)
    assert r.status_code == 422 and "est à compléter" in r.text
