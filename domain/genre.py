"""The grammatical gender a person asks for, and the project lead's title agreed with it
(DESIGN.md §7: « cheffe de projet » when the account says so).

An account may say « F » (feminine) or « M » (masculine), or nothing: the title then takes
the neutral double form (« cheffe ou chef de projet »), as French administrative writing
recommends instead of abbreviated forms.
"""

from __future__ import annotations

from enum import StrEnum

from domain.errors import InvalidInput
from domain.i18n import _


class Genre(StrEnum):
    FEMININ = "F"
    MASCULIN = "M"

    @property
    def label(self) -> str:
        return {Genre.FEMININ: _("au féminin (cheffe de projet)"), Genre.MASCULIN: _("au masculin (chef de projet)")}[self]


NOT_SAID_LABEL = "non précisé (cheffe ou chef de projet)"


def parse_genre(raw: str | None) -> Genre | None:
    """« F », « M », or nothing said (None or "")."""
    if raw is None or raw == "":
        return None
    try:
        return Genre(raw)
    except ValueError:
        raise InvalidInput(_("Accord inconnu : « {g} » (attendu : F, M ou rien).").format(g=raw), field="genre",
                           code="genre-inconnu") from None


def lead_title(genre: str | None, *, article: str = "", capital: bool = False) -> str:
    """The project lead's title for a person of ``genre`` (« F », « M », or None/"").

    ``article``: "" (« cheffe de projet »), "le" (« la cheffe de projet ») or "de"
    (« de la cheffe de projet », « du chef de projet »)."""
    forms = {
        "": {"F": _("cheffe de projet"), "M": _("chef de projet"), "": _("cheffe ou chef de projet")},
        "le": {"F": _("la cheffe de projet"), "M": _("le chef de projet"), "": _("la cheffe ou le chef de projet")},
        "de": {"F": _("de la cheffe de projet"), "M": _("du chef de projet"), "": _("de la cheffe ou du chef de projet")},
    }[article]
    text = forms.get(genre or "", forms[""])
    return text[:1].upper() + text[1:] if capital else text
