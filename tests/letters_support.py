"""Helpers for the letters tests: a drawn round whose people have varied addresses."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from tests.conftest import World
from tests.tirage_support import DICE, make_pool

BIRTH_YEAR = 1975

STREETS = ["rue des Lilas", "avenue du Général de Gaulle", "place de l'Œuvre", "allée des Érables"]


def address_for(subject_id: int) -> Any:
    """Deterministic varied addresses; a few ids are broken on purpose:
    1003 has no postcode (unreachable), 1005 has a street that cannot fit, 1007 has a
    name in a script the font lacks. Others are fine, over two postcodes."""
    from domain.adresse_postale import AdressePostale

    i = subject_id - 1000
    postcode = "37100" if i % 2 else "37000"
    if subject_id == 1003:
        return AdressePostale(numero="4", voie="rue des Lilas", commune="Tours")
    if subject_id == 1005:
        return AdressePostale(
            numero="1",
            voie="rue de l'Association Internationale des Travailleurs Réunis de Touraine",
            code_postal=postcode,
            commune="Tours",
        )
    return AdressePostale(
        numero=str(1 + (i * 7) % 40),
        voie=STREETS[i % len(STREETS)],
        complement_lieu="Résidence Les Œillets" if i % 5 == 0 else "",
        code_postal=postcode,
        commune="Tours",
    )


def install_subjects() -> None:
    from service.organisation.subjects import Subject, subject_loader

    @subject_loader("resident")
    async def _load(ids: list[int]) -> dict[int, Subject]:
        out = {}
        for i in ids:
            female = i % 2 == 0
            nom = "王" if i == 1007 else f"Nguyễn-{i}"
            out[i] = Subject(
                "resident",
                i,
                civilite="Madame" if female else "Monsieur",
                prenom="Lætitia" if female else "Zoë",
                nom=nom,
                sexe="F" if female else "M",
                birth_year=BIRTH_YEAR,
                address=address_for(i),
            )
        return out


async def drawn_round(
    ctx: Any, world: World, *, n: int = 40, seats: int = 2, kind: str = "residents"
) -> dict[str, Any]:
    """A ranked draw of council A with round 1 open; returns the draw."""
    from datetime import datetime

    from domain.draw import plan as draw_plan
    from service.audit import Actor
    from service.tirage.usecases import ceremony, records, rounds

    lead = Actor(world.ids["lead_a"], "lead.a@test.fr")
    council = world.ids["council_a"]
    pool = await make_pool(ctx, council, n, kind=kind)
    d = await ceremony.prepare_draw(ctx, lead, council, pool["id"], draw_plan.PlanInput(seats=seats))
    await ceremony.commit_draw(ctx, lead, council, d["id"])
    await ceremony.enter_entropy(ctx, lead, council, d["id"], DICE)
    await ceremony.rank_draw(ctx, lead, council, d["id"])
    await rounds.open_round(
        ctx, lead, council, d["id"], deadline=datetime(2026, 6, 1, 21, 59, tzinfo=UTC)
    )
    await save_template(ctx, world)
    return await records.get_draw(d["id"])


async def save_template(ctx: Any, world: World | None, council: int | None = None) -> None:
    """The council's wording saved once (batches refuse the unsaved example)."""
    from service.audit import Actor
    from service.courriers.documents_wording import LetterWording
    from service.courriers.usecases import templates as lu

    council = council if council is not None else world.ids["council_a"]  # type: ignore[union-attr]
    if (await lu.get_template(council)).saved:
        return
    w = LetterWording()
    values = {k: getattr(w, k) for k in LetterWording.editable_fields()}
    await lu.save_template(ctx, Actor.system("test"), council, values, version=0)
