"""The council's perimeter and exclusion list (its latest imported files of each kind),
as the domain's objects. Public: the applications and composition features use them."""

from __future__ import annotations

from datetime import date

from domain.registre import Exclusion, ExclusionList, Perimeter, PerimeterRule
from domain.registre.perimeter import Cote
from service.registre.store import RegisterStore
from service.registre.usecases.common import store_or_default


async def council_perimeter(council_id: int, store: RegisterStore | None = None
                            ) -> Perimeter | None:
    """The council's perimeter (its latest perimeter file), or None when none was
    imported. Used by the applications feature to check volunteers' addresses."""
    content = await store_or_default(store).latest_list(council_id, "perimetre")
    if not content:
        return None
    return Perimeter(
        PerimeterRule(r["voie"], r["numero_min"], r["numero_max"], Cote(r["cote"]),
                      r.get("code_postal", ""), r.get("line"))
        for r in content)


async def exclusion_list(council_id: int, store: RegisterStore | None = None
                         ) -> ExclusionList:
    """The council's exclusion list (elected officials, State representatives, agents
    of the politique de la ville); empty when none was imported. Used by eligibility
    and by the composition feature's check of sitting members."""
    content = await store_or_default(store).latest_list(council_id, "exclusions") or []
    return ExclusionList(
        Exclusion(x["nom"], x["prenoms"], date.fromisoformat(x["date_naissance"]), x["motif"],
                  x.get("line"), x.get("nom_usage", ""))
        for x in content)
