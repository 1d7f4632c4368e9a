"""Households: people at the same normalised address share an opaque key.

The usual rule is one person per household in the draw. The key must let the draw and
the préfecture's re-check group people without revealing where anyone lives, so it is
SHA-256 over a secret per-council salt followed by the normalised address, truncated to
16 hex digits (64 bits: a collision among a million households has a probability around
3·10⁻⁸). Without the salt, nobody can test "does 12 rue X give this key?" over the
handful of addresses of a neighbourhood. (Salt-prefixed SHA-256 rather than HMAC: the
truncation already rules out length extension, and the salted state is hashed once and
copied per address, about three times faster than ``hmac.digest`` here.)

"Same address" is number + suffix + street + postcode, plus building and flat when the
register gives them: two flats of one building are two households. A register that
gives the building but not the flat groups the whole building; that is the most it can
say.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.errors import InvalidInput
from domain.i18n import _
from domain.registre.entries import Entry
from domain.registre.normalise import Address

if TYPE_CHECKING:
    from hashlib import _Hash

__all__ = ["MIN_SALT_BYTES", "Households", "assign_households", "household_key"]

MIN_SALT_BYTES = 16
_KEY_HEX_DIGITS = 16


def _salted(salt: bytes | str) -> _Hash:
    raw = salt.encode() if isinstance(salt, str) else bytes(salt)
    if len(raw) < MIN_SALT_BYTES:
        raise InvalidInput(
            _("sel du conseil trop court : %(n)d octets au lieu d'au moins %(min)d")
            % {"n": len(raw), "min": MIN_SALT_BYTES},
            code="sel-trop-court", field="sel")
    return hashlib.sha256(raw)


def _key(normalised: str, salted: _Hash) -> str:
    h = salted.copy()
    h.update(normalised.encode())
    return h.hexdigest()[:_KEY_HEX_DIGITS]


def household_key(adresse: Address, salt: bytes | str) -> str:
    """Opaque household key of one address (never the address itself)."""
    return _key(adresse.cle, _salted(salt))


@dataclass(frozen=True)
class Households:
    keys: tuple[str, ...]  # one per entry, in the order given
    sizes: dict[str, int]  # people per household key

    @property
    def count(self) -> int:
        return len(self.sizes)


def assign_households(entries: Sequence[Entry], salt: bytes | str) -> Households:
    """Household key of each entry; hashes once per distinct address."""
    salted = _salted(salt)
    by_address: dict[str, str] = {}
    keys: list[str] = []
    append = keys.append
    for e in entries:
        normalised = e.adresse.cle
        key = by_address.get(normalised)
        if key is None:
            key = by_address[normalised] = _key(normalised, salted)
        append(key)
    return Households(tuple(keys), dict(Counter(keys)))
