"""The SMTP settings and the applications' acknowledgements going through the outbox."""

from __future__ import annotations

from typing import Any

import pytest

from service.outbox.smtp import envelope_sender, from_line, smtp_target


def test_smtp_url_parsing() -> None:
    assert smtp_target("") is None
    assert smtp_target("http://x") is None
    t = smtp_target("smtps://user%40ville:p%C3%A0ss@smtp.ville.fr")
    assert t is not None and (t.host, t.port, t.tls, t.user, t.password) == (
        "smtp.ville.fr",
        465,
        True,
        "user@ville",
        "pàss",
    )
    plain = smtp_target("smtp://relais:2525")
    assert plain is not None and (plain.port, plain.tls, plain.user) == (2525, False, "")


def test_from_header_and_envelope_sender() -> None:
    assert from_line("Conseil citoyen <conseil@ville.fr>") == b"From: Conseil citoyen <conseil@ville.fr>\r\n"
    assert envelope_sender("Conseil citoyen <conseil@ville.fr>") == "conseil@ville.fr"
    assert b"=?utf-8?" in from_line("Conseil citoyen des Rivières <c@ville.fr>")


@pytest.mark.anyio
async def test_an_application_acknowledgement_arrives_through_the_outbox(ctx: Any, world: Any) -> None:
    """The mail is written with the application; the sender delivers it to a real
    SMTP server; a rejected application writes no mail."""
    from datetime import date

    from domain.errors import DomainError
    from service.audit import Actor
    from service.candidatures.usecases import calls, residents
    from service.outbox.usecases import list_for_council, send_due, statuses
    from tests.smtp_support import smtp_server

    call = await calls.create_call(
        ctx, Actor.system("test"), world.ids["council_a"], calls.CallInput("habitants", "Appel 2026", date(2026, 3, 1), date(2026, 3, 31))
    )
    call_id = int(call.id)
    form = {
        "prenom": "Aïcha",
        "nom": "Benali",
        "email": "aicha@example.fr",
        "adresse": "3 rue des Lilas",
        "code_postal": "37000",
        "commune": "Tours",
        "birth_date": date(1990, 5, 4).isoformat(),
        "sexe": "F",
        "motivation": "Participer à la vie du quartier.",
        "disponibilites": "Le soir",
        "consent": "oui",
    }
    with pytest.raises(DomainError):
        await residents.submit_volunteer(ctx, call_id, {**form, "consent": ""})
    assert await list_for_council(ctx.db, world.ids["council_a"]) == []
    result, outbox_id = await residents.submit_volunteer(ctx, call_id, form)
    assert outbox_id is not None
    ref = f"candidature:{result.id}"
    assert (await statuses(ctx.db, [ref]))[ref].state == "en_attente"
    with smtp_server() as (rec, url):
        ctx.settings = ctx.settings.with_(smtp_url=url)
        assert (await send_due(ctx, "test")).sent == 1
    (got,) = rec.received
    assert got.rcpt_tos == ["aicha@example.fr"]
    assert f"numéro {result.id}" in got.message.get_body(("plain",)).get_content()
    assert (await statuses(ctx.db, [ref]))[ref].state == "envoye"
