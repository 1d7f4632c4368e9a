"""Issue 14, item 9: the audit trail cannot be rewritten end to end unnoticed."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import World, bearer

pytestmark = pytest.mark.anyio


async def _events(n: int, ctx: Any) -> None:
    from service import audit
    from service.audit import Actor

    for i in range(n):
        async with ctx.db.transaction():
            await audit.record(ctx.db, actor=Actor.system("test"), action="test.evenement", subject_type="test",
                               subject_id=i, at=ctx.now() + timedelta(seconds=i))


async def _rewrite_with_inserted_event(at_seq: int) -> None:
    """What someone holding the database (not the key) can do: insert an event, renumber
    and recompute every later plain hash, then move the head."""
    from domain.audit import GENESIS, ChainedEvent, chain_hash
    from service.audit.store import event_from_row as _from_row
    from service.audit.tables import AuditEvent, AuditHead

    rows = await AuditEvent.select().order_by(AuditEvent.seq).output(load_json=True)
    events = [_from_row(r) for r in rows]
    forged = replace(events[at_seq - 1], action="compte.creation_administrateur", subject_id="intrus")
    chain = [*events[: at_seq - 1], forged, *events[at_seq - 1 :]]
    prev = GENESIS
    rebuilt: list[ChainedEvent] = []
    for seq, ev in enumerate(chain, start=1):
        ev = replace(ev, seq=seq, prev_hash=prev, hash="")
        ev = replace(ev, hash=chain_hash(prev, ev))
        rebuilt.append(ev)
        prev = ev.hash
    await AuditEvent.delete(force=True)
    for ev in rebuilt:
        await AuditEvent.insert(AuditEvent(**ev.__dict__))
    await AuditHead.update({AuditHead.last_seq: len(rebuilt), AuditHead.last_hash: prev}).where(AuditHead.id == 1)


async def test_rewrite_end_to_end_is_detected_and_a_kept_head_proves_it(ctx: Any, world: World, tmp_path: Path, capsys: Any) -> None:
    from domain.audit import verify_chain
    from domain.audit_verify import main as verify_export_main
    from service import audit
    from service.audit import cli as _registers_audit_commands  # noqa: F401
    from service.audit.store import event_from_row as _from_row
    from service.audit.tables import AuditEvent, AuditHead
    from service.cli import COMMANDS

    await _events(5, ctx)
    verify_cmd = COMMANDS["audit verify"][1]
    export_cmd = COMMANDS["audit export"][1]
    assert await verify_cmd(ctx, argparse.Namespace()) == 0
    kept = await audit.current_head()  # printed on a draw's record or a report
    assert kept["seq"] >= 5

    await _rewrite_with_inserted_event(3)
    # The plain chain alone is consistent again: that is the attack.
    head = await AuditHead.select().first()
    rows = await AuditEvent.select().order_by(AuditEvent.seq).output(load_json=True)
    assert verify_chain([_from_row(r) for r in rows], head["last_seq"], head["last_hash"]).ok
    # The keyed chain is not.
    capsys.readouterr()
    assert await verify_cmd(ctx, argparse.Namespace()) == 1
    assert "n° 3" in capsys.readouterr().out

    out = tmp_path / "journal.json"
    assert await export_cmd(ctx, argparse.Namespace(sortie=str(out))) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["head"]["seq"] == kept["seq"] + 1
    # Anyone with the export and no key: the plain chain checks, the kept head does not.
    assert verify_export_main([str(out)]) == 0
    assert verify_export_main([str(out), "--tete", f"{kept['seq']}:{kept['hash']}"]) == 1


async def test_export_of_an_untouched_trail_holds_the_kept_head(ctx: Any, world: World, tmp_path: Path) -> None:
    from domain.audit_verify import main as verify_export_main
    from service import audit
    from service.audit import cli as _registers_audit_commands  # noqa: F401
    from service.cli import COMMANDS

    kept = await audit.current_head()
    await _events(2, ctx)
    out = tmp_path / "journal.json"
    assert await COMMANDS["audit export"][1](ctx, argparse.Namespace(sortie=str(out))) == 0
    assert verify_export_main([str(out), "--tete", f"{kept['seq']}:{kept['hash']}"]) == 0
    # Editing one event in the exported copy is caught by the plain chain.
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["events"][0]["actor_label"] = "quelqu'un d'autre"
    out.write_text(json.dumps(doc), encoding="utf-8")
    assert verify_export_main([str(out)]) == 1


async def test_verification_route_for_administrators_and_auditors_only(client: Any, world: World) -> None:
    for who, status in (("admin", 200), ("auditor_37", 200), ("lead_a", 403), ("member_a", 403), ("secretary_a", 403)):
        r = await client.get("/api/v1/journal/verification", headers=bearer(world, who))
        assert r.status_code == status, (who, r.text)
    r = await client.get("/api/v1/journal/verification", headers=bearer(world, "admin"))
    assert r.json()["ok"] is True


async def test_published_documents_carry_the_head(client: Any, ctx: Any, world: World) -> None:
    import io

    from pypdf import PdfReader

    from service import audit
    from tests.tirage_support import DICE, make_pool

    council = world.ids["council_a"]
    base = f"/api/v1/conseils/{council}/tirages"
    h = bearer(world, "lead_a")
    pool = await make_pool(ctx, council, 30)
    d = (await client.post(base + "/", json={"pool_id": pool["id"], "seats": 2, "multiple": 2}, headers=h)).json()
    assert (await client.post(f"{base}/{d['id']}/engagement", headers=h)).status_code == 200
    record = (await client.get(f"/api/v1/tirages/{d['reference']}/registre")).json()
    assert record["journal_audit"] == await audit.current_head() and record["journal_audit"]["seq"] > 0
    page = await client.get(f"/tirages/{d['reference']}")
    assert record["journal_audit"]["hash"] in page.text
    pdf = await client.get(f"/api/v1/conseils/{council}/composition/rapport.pdf", headers=bearer(world, "admin"))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert (await audit.current_head())["hash"] in text.replace("\n", "")
    _ = DICE
