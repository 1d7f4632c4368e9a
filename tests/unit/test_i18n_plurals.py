"""Plurals of the French source text: 0 and 1 take the singular (CLDR), on pages as in documents."""

from __future__ import annotations

from domain.i18n import ngettext


def test_zero_and_one_are_singular_in_french() -> None:
    assert ngettext("%(num)d pouvoir", "%(num)d pouvoirs", 0) == "%(num)d pouvoir"
    assert ngettext("%(num)d pouvoir", "%(num)d pouvoirs", 1) == "%(num)d pouvoir"
    assert ngettext("%(num)d pouvoir", "%(num)d pouvoirs", 2) == "%(num)d pouvoirs"
