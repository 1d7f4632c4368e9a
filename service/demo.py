"""A demo territory, QPV and council so a newcomer sees a populated service."""

from __future__ import annotations

from service.audit import Actor
from service.context import AppContext
from service.organisation import usecases as org
from service.organisation.store import OrganisationStore

DEMO_COMMUNES = ({"insee": "37990", "nom": "Valmont-sur-Loire"},)


async def load_demo(ctx: AppContext) -> str:
    actor = Actor.system("démonstration")
    store = OrganisationStore(ctx.db)
    territory_id = await store.territory_id_by_key("valmont metropole")
    if territory_id is None:
        territory_id = (await org.create_territory(ctx, actor, org.TerritoryInput(
            name="Valmont Métropole", departement="37", kind="epci", siren="200000000", communes=DEMO_COMMUNES))).id
    qpv_id = await store.qpv_id_by_code("QN03799M")
    if qpv_id is None:
        qpv_id = (await org.create_qpv(ctx, actor, territory_id, org.QpvInput(
            code="QN03799M", name="Les Tilleuls – Bastié", communes=DEMO_COMMUNES))).id
    if await store.council_id_by_key(f"{territory_id}:conseil citoyen des tilleuls bastie") is None:
        await org.create_council(ctx, actor, territory_id, org.CouncilInput(
            name="Conseil citoyen des Tilleuls-Bastié", qpv_ids=(qpv_id,), regime="2024",
            settings={"sieges_habitants": 16, "sieges_acteurs": 8}))
    return ("Démonstration prête : territoire « Valmont Métropole », quartier QN03799M, "
            "conseil « Conseil citoyen des Tilleuls-Bastié ».")
