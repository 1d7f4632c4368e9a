"""The organisation store's single-council read is written out in SQL (it runs on most
requests); it must give exactly the row the query builder gives for the list."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World

pytestmark = pytest.mark.anyio


async def test_one_council_is_the_same_row_as_in_the_list(ctx: Any, world: World) -> None:
    from service.organisation.store import OrganisationStore, ScopeIds
    from service.organisation.tables import Council

    store = OrganisationStore(ctx.db)
    cid = world.ids["council_a"]
    # Settings and an archive date set, so every column type is compared (JSON, times).
    await Council.update({Council.settings: {"age_minimum": 17, "suppleants_convoques": True},
                          Council.archived_at: ctx.now()}).where(Council.id == cid)
    listed = {c.id: c for c in await store.councils(include_archived=True)}
    for council_id in (cid, world.ids["council_b"]):
        one = await store.council(council_id)
        assert one == listed[council_id]
    one = await store.council(cid)
    assert one is not None and one.settings["age_minimum"] == 17 and one.archived_at is not None
    assert one.qpvs and one.territory_name and one.departement
    assert await store.council(999999) is None
    assert await store.council_scope(cid) == ScopeIds(one.territory, one.departement, cid)
    assert await store.council_scope(999999) is None
