"""French formatting for templates (babel)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from domain.contacts import CONTACT_PRIVACY
from domain.labels import action_label, rule_label, stratum_label, subject_label

PARIS = ZoneInfo("Europe/Paris")


def date_fr(value: Any, fmt: str = "d MMMM y") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(PARIS).date() if value.tzinfo else value.date()
    if isinstance(value, str):
        text_value: str = value
        try:
            value = date.fromisoformat(text_value)
        except ValueError:
            return text_value
    if not isinstance(value, date):
        return str(value)
    text = format_date(value, fmt, locale="fr_FR")
    # CLDR writes "1 janvier"; French usage is "1er janvier".
    if value.day == 1 and ("d " in fmt or fmt.startswith("d")):
        text = text.replace("1 ", "1er ", 1) if text.startswith("1 ") else text.replace(" 1 ", " 1er ", 1)
    return text


def datetime_fr(value: Any) -> str:
    if isinstance(value, str) and value[:4].isdigit() and "T" in value:
        try:  # an ISO 8601 moment from a stored record (the draw's public record)
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if not isinstance(value, datetime):
        return str(value or "")
    from service.documents.formatting import format_time

    local = value.astimezone(PARIS) if value.tzinfo else value
    # « 3 déc. 2026 à 17 h 28 »: times read as everywhere else (DESIGN §7), not « 17:28 ».
    text = format_datetime(local, "d MMM y", locale="fr_FR") + " à " + format_time(local)
    return "1er" + text[1:] if local.day == 1 else text  # « 1er juin », as dates say


def number_fr(value: Any) -> str:
    return format_decimal(value, locale="fr_FR")


def jour_fr(value: Any) -> str:
    """« jeudi 12 mars 2026 » (in Europe/Paris for a moment)."""
    from service.documents.formatting import format_date_long

    if isinstance(value, datetime):
        value = value.astimezone(PARIS).date() if value.tzinfo else value.date()
    if not isinstance(value, date):
        return str(value or "")
    return format_date_long(value)


def heure_fr(value: Any) -> str:
    """« 18 h 30 », « 9 h » (in Europe/Paris)."""
    from service.documents.formatting import format_time

    if not isinstance(value, datetime):
        return str(value or "")
    return format_time(value.astimezone(PARIS) if value.tzinfo else value)


FILTERS = {"date_fr": date_fr, "datetime_fr": datetime_fr, "number_fr": number_fr, "jour_fr": jour_fr,
           "heure_fr": heure_fr, "strate": stratum_label, "regle": rule_label, "action": action_label,
           "sujet": subject_label,
           # {{ member.contact_consent|contact_visible(audience) }}: domain/contacts.py's rule
           "contact_visible": lambda consented, audience: CONTACT_PRIVACY.shows(audience, bool(consented)),
           "contact_column": lambda audience: CONTACT_PRIVACY.column(audience)}
