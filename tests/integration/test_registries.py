"""Registries the features fill by decorator (scope resolvers, CLI commands) refuse a
second, different entry under a known name instead of replacing the first in silence."""

from __future__ import annotations

from typing import Any

import pytest


def test_a_second_scope_resolver_for_a_parameter_is_refused(monkeypatch: Any) -> None:
    from service.http import auth

    monkeypatch.setattr(auth, "_RESOLVERS", {})

    async def by_council(value: int) -> Any:
        return None

    auth.scope_resolver("council_id")(by_council)
    auth.scope_resolver("council_id")(by_council)  # the same function again: accepted

    async def other(value: int) -> Any:
        return None

    with pytest.raises(RuntimeError, match="council_id"):
        auth.scope_resolver("council_id")(other)
    assert auth._RESOLVERS["council_id"] is by_council


def test_a_second_command_under_a_name_is_refused(monkeypatch: Any) -> None:
    from service import cli

    monkeypatch.setattr(cli, "COMMANDS", {})

    async def purge(ctx: Any, args: Any) -> int:
        return 0

    cli.register("purge", "aide", lambda p: None)(purge)

    async def purge_again(ctx: Any, args: Any) -> int:
        return 1

    with pytest.raises(RuntimeError, match="purge"):
        cli.register("purge", "autre aide", lambda p: None)(purge_again)
    assert cli.COMMANDS["purge"][1] is purge
