"""CandidatureStore on both engines: calls, the public forms' counter, duplicates,
decisions, birth dates and the retention queries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import World

pytestmark = pytest.mark.anyio


def _volunteer(call: Any, key: str, prenom: str, at: Any) -> Any:
    from service.candidatures.store import NewVolunteer

    return NewVolunteer(
        appel=call.id, council=call.council, dedup_key=key, prenom=prenom, nom="Martin",
        email="", telephone="0600000000", adresse="1 rue des Lilas", complement="",
        code_postal="37000", commune="Tours", birth_date=date(1980, 1, 2), sexe="F",
        motivation="", disponibilites="", perimetre="a-verifier", submitted_at=at,
    )


async def test_store_round_trip(ctx: Any, world: World) -> None:
    from service.candidatures.store import CallValues, CandidatureStore, NewStructure

    store = CandidatureStore()
    council = world.ids["council_a"]
    now = ctx.now()
    values = CallValues("habitants", "Appel", "", date(2026, 3, 1), date(2026, 3, 31))
    call_id = await store.insert_call(council, values, None, now)
    call = await store.call(call_id)
    assert call is not None and call.council_name == "Conseil A" and call.open is None
    assert call.on(date(2026, 3, 31)).open and not call.on(date(2026, 4, 1)).open
    assert [c.id for c in await store.calls(council)] == [call_id]
    assert await store.call(call_id + 1000) is None

    # The public forms' counter, and forgetting old submissions.
    await store.record_submission("ip:x", now - timedelta(days=2), keep=timedelta(days=1))
    await store.record_submission("ip:x", now, keep=timedelta(days=1))
    assert await store.submissions_since("ip:x", now - timedelta(days=3), 10) == [now]

    vid = await store.insert_volunteer(_volunteer(call, "k1", "Ana", now))
    assert await store.volunteer_exists("k1") and not await store.volunteer_exists("k2")
    row = await store.application("habitant", vid)
    assert row is not None and row.prenom == "Ana" and row.consent and row.status == "deposee"
    await store.record_decision("habitant", vid, 1, "acceptee", "", world.ids["lead_a"], now)
    assert [v.id for v in await store.accepted_volunteers(council)] == [vid]
    assert [v.id for v in await store.volunteers(council, status="acceptee")] == [vid]
    assert await store.birth_dates("habitant", [vid]) == {vid: date(1980, 1, 2)}

    sid = await store.insert_structure(
        NewStructure(
            appel=call_id, council=council, dedup_key=f"{call_id}:siret:1", structure="Asso",
            kind="association", siret="73282932000074", rna="", activite="x", adresse="",
            code_postal="", commune="", representant_prenom="Marc", representant_nom="Durand",
            representant_sexe="M", representant_birth_date=None, email="a@b.fr", telephone="",
            submitted_at=now,
        )
    )
    assert await store.structure_exists(call_id, "autre", "73282932000074", "")
    assert not await store.structure_exists(call_id, "autre", "", "W372001234")
    assert await store.birth_dates("structure", [sid]) == {}

    assert await store.calls_closed_before(council, date(2026, 4, 1)) == [call_id]
    assert await store.unselected_volunteers_of([call_id]) == [vid]
    await store.mark_volunteers_selected([vid], now)
    assert await store.unselected_volunteers_of([call_id]) == []
    assert await store.structures_of([call_id]) == [sid]
    await store.delete_applications([vid], [sid])
    assert await store.application("habitant", vid) is None
    assert await store.application("structure", sid) is None
