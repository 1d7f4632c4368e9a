"""Households: people at the same normalised address share an opaque key.

The usual rule is one person per household in the draw. The key must let the draw and
the préfecture's re-check group people without revealing where anyone lives, so it is
SHA-256 over a secret per-council salt followed by the normalised address, truncated to
16 hex digits (64 bits: a collision among a million households has a probability around
3·10⁻⁸). Without the salt, nobody can test "does 12 rue X give this key?" over the
handful of addresses of a neighbourhood. (Salt-prefixed SHA-256 rather than HMAC: the
truncation already rules out length extension, and the salted state is hashed once and
copied per address, about three times faster than ``hmac.digest`` here.)

A household is a household, not a building (:func:`household_keys`):

- when the source gives its own household identifier (a landlord's lease reference,
  a household number: ``Entry.foyer_source``), the people of that source sharing that
  identifier; scoped to the source, so the same number in two landlords' files never
  joins two households. It outranks the address: a landlord knows who shares a lease,
  the address only guesses;
- otherwise, when the flat is known, the same address and flat (number + suffix + street +
  postcode + building + flat): two flats of one building are two households;
- otherwise the same address and the same family name: the name the person goes by,
  the married (usage) name when there is one, else the birth name — so a wife listed
  as MARTIN épouse DUPONT and her husband DUPONT are one household. Grouping a whole
  building without a flat number set aside half the people of a social-housing tower
  (1,502 of 3,065 on the sample files), biasing the draw against those who live there.

Each person's key depends on their own row only, so a file imported in several batches
(or in two processes) gives the same keys as in one.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.errors import InvalidInput
from domain.i18n import _
from domain.registre.entries import Entry
from domain.registre.normalise import Address

if TYPE_CHECKING:
    from hashlib import _Hash

__all__ = [
    "HOUSEHOLD_RULE", "MIN_SALT_BYTES", "HouseholdFigures", "Households", "assign_households",
    "household_key", "household_keys", "merged_household", "set_aside",
]

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


def household_key(adresse: Address, salt: bytes | str, nom: str = "") -> str:
    """Opaque household key of one address (never the address itself); ``nom`` is the
    family-name key that tells households apart at an address without a flat number."""
    return _key(_home(adresse.cle, nom) if not adresse.logement else adresse.cle, _salted(salt))


HOUSEHOLD_RULE = _(
    "Un foyer, ce sont les personnes qu'un même fichier rattache au même identifiant de "
    "foyer (référence du bail, numéro de ménage) quand ce fichier en donne un ; sinon, les "
    "personnes qui ont la même adresse et le même logement quand le numéro de logement est "
    "connu ; sinon, la même adresse et le même nom de famille (le nom d'usage s'il y en a "
    "un, sinon le nom de naissance). Pour chaque foyer, seule la personne la mieux classée "
    "est retenue ; les autres membres du foyer sont écartés du classement."
)


def _home(address_key: str, nom: str) -> str:
    return f"{address_key}\x1f{nom}" if nom else address_key


# Separates the source's scope from its household identifier; never in a normalised
# address key (``_home`` uses \x1f), so an identifier never hashes as an address.
_SOURCE_SCOPE = "\x1e"


def _source_home(source: str, identifiant: str) -> str:
    return f"{_SOURCE_SCOPE}{source}{_SOURCE_SCOPE}{identifiant}"


def household_keys(entries: Sequence[Entry], salt: bytes | str, source: str | None = None
                   ) -> list[str]:
    """The household key of each entry, in order (see the module's rule); hashes once
    per distinct home. ``source`` scopes the source's household identifiers when the
    entries' own label is not the source's stored identity (rows being imported)."""
    salted = _salted(salt)
    by_home: dict[str, str] = {}
    keys: list[str] = []
    append = keys.append
    for e in entries:
        if e.foyer_source:
            home = _source_home(e.source if source is None else source,
                                " ".join(e.foyer_source.split()).upper())
        else:
            a = e.adresse
            home = a.cle if a.logement else _home(a.cle, e.cle_nom_usage or e.cle_nom_naissance)
        key = by_home.get(home)
        if key is None:
            key = by_home[home] = _key(home, salted)
        append(key)
    return keys


def merged_household(rows: Sequence[Entry]) -> Entry | None:
    """Of the rows found to be one person (the most trusted first), the one whose
    source names the person's household, or None. An electoral list has no household
    identifier: when a landlord's row merges into the list's row, the landlord's
    household still holds for the person."""
    return next((e for e in rows if e.foyer_source), None)


@dataclass(frozen=True)
class HouseholdFigures:
    """What "one person per household" does to a list of people."""

    people: int
    households: int
    by_source_id: int  # households decided by a source's own identifier

    @property
    def set_aside(self) -> int:
        """People left out: everyone after the first of each household."""
        return self.people - self.households


def set_aside(keys: Sequence[str], source_keys: Collection[str] = ()) -> HouseholdFigures:
    """Figures of the rule over people given by their household keys; ``source_keys``
    are the keys that come from a source's household identifier. An empty key groups
    nobody."""
    grouped = {k for k in keys if k}
    alone = sum(1 for k in keys if not k)
    return HouseholdFigures(len(keys), len(grouped) + alone,
                            sum(1 for k in grouped if k in source_keys))


@dataclass(frozen=True)
class Households:
    keys: tuple[str, ...]  # one per entry, in the order given
    sizes: dict[str, int]  # people per household key

    @property
    def count(self) -> int:
        return len(self.sizes)


def assign_households(entries: Sequence[Entry], salt: bytes | str) -> Households:
    """Household key of each entry, with the households' sizes."""
    keys = household_keys(entries, salt)
    return Households(tuple(keys), dict(Counter(keys)))
