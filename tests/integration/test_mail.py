"""Mail sending: only with a configured server, never failing the caller."""

from __future__ import annotations

from typing import Any

from service.mail import Mail, mail_task, send_now, smtp_target


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


def test_no_server_no_task_and_failures_are_swallowed(test_settings: Any, monkeypatch: Any) -> None:
    from service import mail

    m = Mail("a@b.fr", "Sujet", "Corps")
    assert mail_task(test_settings, m) is None
    assert send_now(test_settings, m) is False
    configured = test_settings.with_(smtp_url="smtp://127.0.0.1:1")
    assert mail_task(configured, m) is not None
    assert mail_task(configured, None) is None

    def boom(target: Any, msg: Any) -> None:
        raise ConnectionRefusedError

    monkeypatch.setattr(mail, "TRANSPORT", [boom])
    assert send_now(configured, m) is False
    sent: list[Any] = []
    monkeypatch.setattr(mail, "TRANSPORT", [lambda target, msg: sent.append(msg)])
    assert send_now(configured, m) is True
    assert sent[0]["From"] == configured.mail_from and sent[0].get_content().strip() == "Corps"
