"""Helpers shared by the draw tests: synthetic pools and a fake subject loader."""

from __future__ import annotations

import random
from typing import Any

DICE = "3 6 1 4 4 2 5 1 6 2 3 3 5 4 1 2 6 6 5 1"


def synthetic_items(
    n: int,
    *,
    seed: int = 7,
    strata: tuple[str, ...] = ("F", "M"),
    households: bool = True,
    subject_type: str = "resident",
) -> list[Any]:
    from service.tirage.usecases.pools import PoolItem

    rng = random.Random(seed)
    keys: set[str] = set()
    alphabet = "ABCDEFGHJKMNPQRSTVWXYZ0123456789"
    while len(keys) < n:
        keys.add("".join(rng.choices(alphabet, k=12)))
    items = []
    for i, key in enumerate(sorted(keys)):
        household = f"H{i // 2:05d}" if households and i % 3 else ""
        items.append(
            PoolItem(
                key=key,
                stratum=strata[i % len(strata)],
                household=household,
                subject_type=subject_type,
                subject_id=1000 + i,
            )
        )
    return items


FAKE_BIRTH_YEAR = 1980


def install_fake_subjects() -> None:
    """A ``resident`` loader giving every id a name and the birth year 1980."""
    from domain.adresse_postale import AdressePostale
    from service.organisation.subjects import Subject, subject_loader

    @subject_loader("resident")
    async def _load(ids: list[int]) -> dict[int, Subject]:
        return {
            i: Subject(
                "resident",
                i,
                civilite="Madame",
                prenom="Prénom",
                nom=f"Nom{i}",
                sexe="F",
                birth_year=FAKE_BIRTH_YEAR,
                address=AdressePostale(),
            )
            for i in ids
        }


async def make_pool(ctx: Any, council_id: int, n: int = 60, **kw: Any) -> dict[str, Any]:
    from service.audit import Actor
    from service.tirage.usecases.pools import create_pool

    kind = kw.pop("kind", "residents")
    return await create_pool(
        ctx, Actor.system("test"), council_id, synthetic_items(n, **kw), kind=kind
    )
