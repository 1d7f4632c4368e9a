"""The stored form of imported register entries: one tuple per row, in
``PERSON_COLUMNS`` order, with its random pool key and its salted household key.

Kept apart from the use cases: building the rows needs no database.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from domain.registre.entries import Entry
from domain.registre.households import household_keys

__all__ = ["PERSON_COLUMNS", "person_rows", "pool_keys"]

# Columns written for each imported row of ``registre_personne``, in this order.
PERSON_COLUMNS = (
    "council", "source", "line", "doublon_de", "nom_naissance", "nom_usage", "prenoms",
    "cle_nom_naissance", "cle_nom_usage", "cle_prenoms", "sexe", "date_naissance", "numero",
    "suffixe", "voie", "voie_cle", "complement", "residence", "batiment", "logement",
    "code_postal", "commune", "bureau_vote", "cle_vivier", "foyer", "foyer_source",
)


def person_rows(council_id: int, source_id: int, entries: Sequence[Entry], salt: str,
                keys: Sequence[str], doublon: dict[int, str] | None = None,
                sexes: dict[int, str] | None = None, bureaux: dict[int, str] | None = None,
                merged_foyers: dict[int, str] | None = None) -> Iterator[tuple[Any, ...]]:
    """The rows to store, produced one at a time as the bulk loader consumes them: a
    million tuples never exist together (less memory, and no garbage-collector passes
    over them).

    ``keys`` are the entries' pool keys (``pool_keys``). ``doublon``, ``sexes``,
    ``bureaux`` and ``merged_foyers`` (household keys taken from a merged row, by line
    number) carry what deduplication decided when it ran before the rows are written;
    only a few rows are concerned. Household identifiers are scoped to ``source_id``.
    """
    foyers = household_keys(entries, salt, source=str(source_id))
    if merged_foyers:
        for i, e in enumerate(entries):
            if e.line in merged_foyers:
                foyers[i] = merged_foyers[e.line]
    dates: dict[date | None, str] = {None: ""}
    for i, e in enumerate(entries):
        a = e.adresse
        d = e.date_naissance
        day = dates.get(d)
        if day is None and d is not None:  # None is in ``dates`` from the start
            day = dates[d] = d.isoformat()
        line = e.line
        sexe = e.sexe
        yield (
            council_id, source_id, line, doublon.get(line, "") if doublon else "",
            e.nom_naissance, e.nom_usage, e.prenoms, e.cle_nom_naissance, e.cle_nom_usage,
            e.cle_prenoms,
            sexes[line] if sexes and line in sexes else (sexe.value if sexe else ""), day,
            a.numero, a.suffixe, a.voie, a.voie_cle, a.complement, a.residence, a.batiment,
            a.logement, a.code_postal, a.commune,
            bureaux.get(line, e.bureau_vote) if bureaux else e.bureau_vote, keys[i], foyers[i],
            e.foyer_source[:100],
        )


def pool_keys(n: int) -> list[str]:
    """``n`` distinct random pool keys, exactly of
    ``pools.new_key()``'s form (16 characters of ``[A-Za-z0-9_-]``, 96 bits from the
    system's CSPRNG), drawn in one block: 12 random bytes encode to 16 base64 characters
    without padding, so slicing one long encoding gives the same keys as ``new_key()``
    per person, 15× faster."""
    block = base64.urlsafe_b64encode(os.urandom(12 * n)).decode("ascii")
    keys = [block[i:i + 16] for i in range(0, 16 * n, 16)]
    if len(set(keys)) != n:
        # 96-bit keys: practically impossible, but never silent.
        seen: set[str] = set()
        for j, k in enumerate(keys):
            while k in seen:
                k = secrets.token_urlsafe(12)
            keys[j] = k
            seen.add(k)
    return keys
