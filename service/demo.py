"""A demo territory, QPV and council so a newcomer sees a populated service."""

from __future__ import annotations

from service.audit import Actor
from service.context import AppContext
from service.db.tables import Council, Qpv, Territory
from service.usecases import organisation as org


async def load_demo(ctx: AppContext) -> str:
    actor = Actor.system("démonstration")
    t = await Territory.select(Territory.id).where(Territory.name_key == "valmont metropole").first()
    if t:
        territory_id = t["id"]
    else:
        territory_id = (await org.create_territory(ctx, actor, org.TerritoryInput(
            name="Valmont Métropole", departement="37", kind="epci", siren="200000000",
            communes=({"insee": "37990", "nom": "Valmont-sur-Loire"},))))["id"]
    q = await Qpv.select(Qpv.id).where(Qpv.code == "QN03799M").first()
    if q:
        qpv_id = q["id"]
    else:
        qpv_id = (await org.create_qpv(ctx, actor, territory_id, org.QpvInput(
            code="QN03799M", name="Les Tilleuls – Bastié", communes=({"insee": "37990", "nom": "Valmont-sur-Loire"},))))["id"]
    c = await Council.select(Council.id).where(Council.name_key == f"{territory_id}:conseil citoyen des tilleuls bastie").first()
    if not c:
        await org.create_council(ctx, actor, territory_id, org.CouncilInput(
            name="Conseil citoyen des Tilleuls-Bastié", qpv_ids=(qpv_id,), regime="2024",
            settings={"sieges_habitants": 16, "sieges_acteurs": 8}))
    return ("Démonstration prête : territoire « Valmont Métropole », quartier QN03799M, "
            "conseil « Conseil citoyen des Tilleuls-Bastié ».")
