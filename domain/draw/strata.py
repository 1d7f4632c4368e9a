"""French labels of draw strata keys, for people: « F » → « Femmes »,
« F/sans-bureau » → « Femmes, sans bureau de vote », « M/0102 » → « Hommes, bureau de
vote 0102 », « F/30-44 » → « Femmes, 30 à 44 ans ». The keys themselves stay as the
protocol has them (files, verification); only what people read changes."""

from __future__ import annotations

import re

from domain.i18n import _

_SEX = {"F": "Femmes", "M": "Hommes", "?": "Sexe inconnu"}
_AGE = re.compile(r"^(\d+)-(\d+)$")
_AGE_FROM = re.compile(r"^(\d+)[+-]$")


def _part(part: str) -> str:
    if part == "sans-bureau":
        return _("sans bureau de vote")
    if part == "age-inconnu":
        return _("âge inconnu")
    m = _AGE.match(part)
    if m:
        return _("{a} à {b} ans").format(a=m.group(1), b=m.group(2))
    m = _AGE_FROM.match(part)
    if m:
        return _("{a} ans et plus").format(a=m.group(1))
    return _("bureau de vote {b}").format(b=part)


def stratum_label(key: str) -> str:
    """The French label of a stratum key (unknown shapes are returned as they are)."""
    sex, _sep, rest = key.partition("/")
    if sex not in _SEX:
        return key
    head = _(_SEX[sex])
    return f"{head}, {_part(rest)}" if rest else head
