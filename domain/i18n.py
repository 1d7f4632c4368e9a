"""Message catalogue hook for the domain.

French is the source language: every message a person reads is written in French and
wrapped in ``_()`` so that ``pybabel extract`` collects it into ``locales/messages.pot``.
The service installs a translation at start-up (``set_translations``); by default the
French source text is returned unchanged.
"""

from __future__ import annotations

import gettext

_translations: gettext.NullTranslations = gettext.NullTranslations()


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
