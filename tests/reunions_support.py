"""Helpers for the meetings tests: members written straight into the composition's
table (the composition's own rules are tested elsewhere), meetings convened."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from domain.meetings import PARIS

FIRST_NAMES = ["Alice", "Bruno", "Chloé", "David", "Emma", "Farid", "Gaëlle", "Hugo", "Inès", "Jules"]


async def add_members(council_id: int, n: int, *, start: date = date(2025, 1, 1), seat: str = "titulaire",
                      account_ids: dict[int, int] | None = None) -> list[int]:
    from service.composition.tables import Membre

    ids = []
    for i in range(n):
        row: dict[str, Any] = dict(
            council=council_id, college="habitants", origin="volontaire", seat=seat,
            prenom=FIRST_NAMES[i % len(FIRST_NAMES)], nom=f"NOM{i}", sexe="F" if i % 2 else "M",
            mandate_start=start, mandate_end=start + timedelta(days=3 * 365), email=f"m{i}@exemple.fr",
            adresse_numero=str(i + 1), adresse_voie="rue des Lilas", adresse_code_postal="37000",
            adresse_commune="Tours",
        )
        if account_ids and i in account_ids:
            row["account"] = account_ids[i]
        res = await Membre.insert(Membre(**row)).returning(Membre.id)
        ids.append(int(res[0]["id"]))
    return ids


def paris(y: int, mo: int, d: int, h: int = 18, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=PARIS)
