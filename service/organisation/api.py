"""Territories, QPV and councils."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post
from litestar.status_codes import HTTP_201_CREATED

from domain.access import Action
from service.http.auth import allow, authenticated
from service.http.common import actor_of, ctx_of, user_of
from service.organisation import schemas as s
from service.organisation import usecases as uc


def territory_input(data: s.TerritoryCreate) -> uc.TerritoryInput:
    return uc.TerritoryInput(name=data.name, departement=data.departement, kind=data.kind, siren=data.siren,
                             communes=tuple(c.model_dump() for c in data.communes))


def qpv_input(data: s.QpvCreate) -> uc.QpvInput:
    return uc.QpvInput(code=data.code, name=data.name, communes=tuple(c.model_dump() for c in data.communes))


class TerritoryController(Controller):
    path = "/api/v1/territoires"
    tags = ["Territoires"]

    @get("/", operation_id="listTerritories", opt=authenticated(), summary="Territoires visibles")
    async def list_(self, request: Request[Any, Any, Any], archives: bool = False) -> list[s.Territory]:
        return [s.Territory.model_validate(r) for r in await uc.list_territories(user_of(request).principal, archives)]

    @post("/", operation_id="createTerritory", opt=allow(Action.CREATE_TERRITORY), status_code=HTTP_201_CREATED)
    async def create(self, request: Request[Any, Any, Any], data: s.TerritoryCreate) -> s.Territory:
        row = await uc.create_territory(ctx_of(request), actor_of(request), territory_input(data))
        return s.Territory.model_validate(row)

    @get("/{territory_id:int}", operation_id="getTerritory", opt=allow(Action.READ_TERRITORY, "territory_id"))
    async def get_(self, territory_id: int) -> s.Territory:
        return s.Territory.model_validate(await uc.get_territory(territory_id))

    @patch("/{territory_id:int}", operation_id="updateTerritory", opt=allow(Action.MANAGE_TERRITORY, "territory_id"))
    async def update(self, request: Request[Any, Any, Any], territory_id: int, data: s.TerritoryUpdate) -> s.Territory:
        row = await uc.update_territory(ctx_of(request), actor_of(request), territory_id, territory_input(data), data.version)
        return s.Territory.model_validate(row)

    @post("/{territory_id:int}/archiver", operation_id="archiveTerritory", opt=allow(Action.CREATE_TERRITORY, "territory_id"), status_code=204)
    async def archive(self, request: Request[Any, Any, Any], territory_id: int) -> None:
        await uc.archive(ctx_of(request), actor_of(request), "territoire", territory_id)

    @post("/{territory_id:int}/restaurer", operation_id="restoreTerritory", summary="Restaurer un territoire archivé",
          description="Administrateurs seulement ; inscrit au journal.",
          opt=allow(Action.CREATE_TERRITORY, "territory_id"), status_code=204)
    async def restore(self, request: Request[Any, Any, Any], territory_id: int) -> None:
        await uc.restore(ctx_of(request), actor_of(request), "territoire", territory_id)

    @get("/{territory_id:int}/qpv", operation_id="listQpvs", opt=allow(Action.READ_TERRITORY, "territory_id"))
    async def qpvs(self, request: Request[Any, Any, Any], territory_id: int) -> list[s.Qpv]:
        return [s.Qpv.model_validate(r) for r in await uc.list_qpvs(user_of(request).principal, territory_id)]

    @post("/{territory_id:int}/qpv", operation_id="createQpv", opt=allow(Action.MANAGE_TERRITORY, "territory_id"), status_code=HTTP_201_CREATED)
    async def create_qpv(self, request: Request[Any, Any, Any], territory_id: int, data: s.QpvCreate) -> s.Qpv:
        row = await uc.create_qpv(ctx_of(request), actor_of(request), territory_id, qpv_input(data))
        return s.Qpv.model_validate(row)

    @post("/{territory_id:int}/conseils", operation_id="createCouncil", opt=allow(Action.MANAGE_TERRITORY, "territory_id"), status_code=HTTP_201_CREATED)
    async def create_council(self, request: Request[Any, Any, Any], territory_id: int, data: s.CouncilCreate) -> s.Council:
        row = await uc.create_council(ctx_of(request), actor_of(request), territory_id, uc.CouncilInput(
            name=data.name, qpv_ids=tuple(data.qpv_ids), regime=data.regime, settings=data.settings))
        return s.Council.model_validate(row)


class QpvController(Controller):
    path = "/api/v1/qpv"
    tags = ["Quartiers prioritaires"]

    @get("/{qpv_id:int}", operation_id="getQpv", opt=allow(Action.READ_TERRITORY, "qpv_id"))
    async def get_(self, qpv_id: int) -> s.Qpv:
        return s.Qpv.model_validate(await uc.get_qpv(qpv_id))

    @patch("/{qpv_id:int}", operation_id="updateQpv", opt=allow(Action.MANAGE_TERRITORY, "qpv_id"))
    async def update(self, request: Request[Any, Any, Any], qpv_id: int, data: s.QpvUpdate) -> s.Qpv:
        row = await uc.update_qpv(ctx_of(request), actor_of(request), qpv_id, qpv_input(data), data.version)
        return s.Qpv.model_validate(row)

    @post("/{qpv_id:int}/archiver", operation_id="archiveQpv", opt=allow(Action.MANAGE_TERRITORY, "qpv_id"), status_code=204)
    async def archive(self, request: Request[Any, Any, Any], qpv_id: int) -> None:
        await uc.archive(ctx_of(request), actor_of(request), "qpv", qpv_id)


class CouncilController(Controller):
    path = "/api/v1/conseils"
    tags = ["Conseils citoyens"]

    @get("/", operation_id="listCouncils", opt=authenticated(), summary="Conseils visibles")
    async def list_(self, request: Request[Any, Any, Any], territoire: int | None = None, archives: bool = False) -> list[s.Council]:
        rows = await uc.list_councils(user_of(request).principal, territoire, archives)
        return [s.Council.model_validate(r) for r in rows]

    @get("/{council_id:int}", operation_id="getCouncil", opt=allow(Action.READ_COUNCIL, "council_id"))
    async def get_(self, council_id: int) -> s.Council:
        return s.Council.model_validate(await uc.get_council(council_id))

    @patch("/{council_id:int}", operation_id="updateCouncil", opt=allow(Action.MANAGE_COUNCIL, "council_id"))
    async def update(self, request: Request[Any, Any, Any], council_id: int, data: s.CouncilUpdate) -> s.Council:
        row = await uc.update_council(ctx_of(request), actor_of(request), council_id, uc.CouncilUpdate(
            version=data.version, name=data.name, qpv_ids=None if data.qpv_ids is None else tuple(data.qpv_ids),
            regime=data.regime, settings=data.settings))
        return s.Council.model_validate(row)

    @post("/{council_id:int}/archiver", operation_id="archiveCouncil", opt=allow(Action.MANAGE_COUNCIL, "council_id"), status_code=204)
    async def archive(self, request: Request[Any, Any, Any], council_id: int) -> None:
        await uc.archive(ctx_of(request), actor_of(request), "conseil", council_id)

    @post("/{council_id:int}/restaurer", operation_id="restoreCouncil", summary="Restaurer un conseil archivé",
          description="Administrateurs seulement ; inscrit au journal.",
          opt=allow(Action.CREATE_TERRITORY, "council_id"), status_code=204)
    async def restore(self, request: Request[Any, Any, Any], council_id: int) -> None:
        await uc.restore(ctx_of(request), actor_of(request), "conseil", council_id)


API_CONTROLLERS = [TerritoryController, QpvController, CouncilController]
