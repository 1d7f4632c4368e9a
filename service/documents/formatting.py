"""French dates, times, numbers and plurals for printed documents (babel, locale fr_FR).

Where CLDR and French administrative usage differ, usage wins:
* the first of the month is written « 1er » (CLDR gives « 1 janvier »);
* times are « 18 h 30 » / « 18 h » (CLDR gives « 18:30»), with no-break spaces so the
  hour never wraps away from its minutes.

Numbers keep babel's U+202F (narrow no-break space) as thousands separator: the
embedded DejaVu Sans has that glyph (tests check it), which Helvetica lacks. Callers
drawing with a font without it can pass ``thousands_sep=NBSP``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

LOCALE = Locale.parse("fr_FR")
NBSP = "\u00a0"
NNBSP = "\u202f"

Number = int | float | Decimal


def format_date_long(day: dt.date, *, weekday: bool = True) -> str:
    """« lundi 2 mars 2026 », « dimanche 1er mars 2026 » (``weekday=False``: « 1er mars 2026 »)."""
    month_year = format_date(day, "MMMM y", locale=LOCALE)
    day_text = "1er" if day.day == 1 else str(day.day)
    text = f"{day_text} {month_year}"
    if weekday:
        text = f"{format_date(day, 'EEEE', locale=LOCALE)} {text}"
    return text


def format_date_short(day: dt.date) -> str:
    """« 02/03/2026 »."""
    return format_date(day, "dd/MM/y", locale=LOCALE)


def format_time(moment: dt.time | dt.datetime) -> str:
    """« 18 h 30 », « 9 h 05 », « 18 h » on the hour."""
    if moment.minute == 0:
        return f"{moment.hour}{NBSP}h"
    return f"{moment.hour}{NBSP}h{NBSP}{moment.minute:02d}"


def format_datetime_long(moment: dt.datetime) -> str:
    """« mardi 10 mars 2026 à 18 h 30 »."""
    return f"{format_date_long(moment.date())} à {format_time(moment)}"


def format_number(value: Number, *, thousands_sep: str = NNBSP) -> str:
    """« 1 234 », « 1 234,5 » (French grouping and decimal comma)."""
    text = format_decimal(value, locale=LOCALE)
    return text.replace(NNBSP, thousands_sep) if thousands_sep != NNBSP else text


def format_euros(value: Number, *, thousands_sep: str = NNBSP) -> str:
    """« 1 234,50 € »."""
    text = format_currency(value, "EUR", locale=LOCALE)
    return text.replace(NNBSP, thousands_sep) if thousands_sep != NNBSP else text


def plural(count: Number, singular: str, plural_form: str, many: str | None = None) -> str:
    """The word form CLDR's French rules choose for ``count``.

    French counts 0 and 1 (and 1.5) as singular: « 0 membre », « 1,5 heure »,
    « 2 membres ». CLDR's « many » category (exact millions: « 1 000 000 de personnes »)
    uses ``many`` when given, the plural otherwise.
    """
    category = LOCALE.plural_form(count)
    if category == "one":
        return singular
    if category == "many" and many is not None:
        return many
    return plural_form


def count_of(
    count: Number,
    singular: str,
    plural_form: str,
    many: str | None = None,
    *,
    thousands_sep: str = NNBSP,
) -> str:
    """« 1 membre », « 1 234 membres » — the number, a no-break space, the right word."""
    number = format_number(count, thousands_sep=thousands_sep)
    return f"{number}{NBSP}{plural(count, singular, plural_form, many)}"


_SPACE_BEFORE_TALL = re.compile(r"[ \u00a0\u202f]*([:»])")
_SPACE_BEFORE_SHORT = re.compile(r"[ \u00a0\u202f]+([;!?])")
_SPACE_AFTER_OPENING = re.compile(r"«[ \u00a0\u202f]*")


@lru_cache(maxsize=4096)
def french_spacing(text: str) -> str:
    """No-break spaces where French typography wants them, so a line never starts
    with « : », « ; », « ? », « ! » or « » » nor ends with « « ».

    Inside guillemets and before a colon: U+00A0; before ; ! ?: the narrow U+202F, as
    the Imprimerie nationale does. Before ; ! ? only a space already typed is replaced,
    and a colon is only touched when a space or the end of the text follows it, so
    URLs (« https://…?id=1 ») and times (« 18:30 ») are left alone.
    """
    text = _SPACE_AFTER_OPENING.sub("«" + NBSP, text)
    text = _SPACE_BEFORE_SHORT.sub(NNBSP + r"\1", text)

    def tall(match: re.Match[str]) -> str:
        end = match.end()
        # A colon glued to letters and followed by no space is a URL or a time: leave it.
        if match.group(0) == ":" and (end >= len(text) or not text[end].isspace()):
            return match.group(0)
        return NBSP + match.group(1)

    return _SPACE_BEFORE_TALL.sub(tall, text)
