"""Message catalogue hook for the domain.

French is the source language: every message a person reads is written in French and
wrapped in ``_()`` so that ``pybabel extract`` collects it into ``locales/messages.pot``.
The service installs a translation at start-up (``set_translations``); by default the
French source text is returned unchanged.
"""

from __future__ import annotations

import gettext


class FrenchSource(gettext.NullTranslations):
    """The French source text, with French plurals: 0 and 1 take the singular
    (« 0 pouvoir », « 1,5 heure »), as CLDR says; gettext's default rule (n != 1) would
    write « 0 pouvoirs »."""

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return msgid1 if abs(n) < 2 else msgid2


_translations: gettext.NullTranslations = FrenchSource()


def set_translations(translations: gettext.NullTranslations) -> None:
    global _translations
    _translations = translations


def _(message: str) -> str:
    return _translations.gettext(message)


def N_(message: str) -> str:
    """Marks a message for ``pybabel extract`` where it is declared (a module-level table,
    a feature's declaration) and returns it unchanged: it goes through ``_()`` when shown,
    in the language of that moment."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)
