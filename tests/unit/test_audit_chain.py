from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from domain.audit import GENESIS, ChainedEvent, chain_hash, digest, verify_chain

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _chain(n: int) -> list[ChainedEvent]:
    events, prev = [], GENESIS
    for i in range(1, n + 1):
        ev = ChainedEvent(i, T0 + timedelta(minutes=i), 1, "a@b.fr", "x.action", "conseil", str(i), 1, None,
                          {"k": i}, digest({"i": i}), prev)
        h = chain_hash(prev, ev)
        events.append(replace(ev, hash=h))
        prev = h
    return events


def test_intact_chain_verifies() -> None:
    ev = _chain(5)
    r = verify_chain(ev, 5, ev[-1].hash)
    assert r.ok and r.checked == 5


def test_edited_row_is_named() -> None:
    ev = _chain(5)
    ev[2] = replace(ev[2], actor_label="intrus@b.fr")
    r = verify_chain(ev, 5, ev[-1].hash)
    assert not r.ok and r.first_broken_seq == 3 and "modifié" in r.message


def test_deleted_row_in_the_middle_is_named() -> None:
    ev = _chain(5)
    del ev[1]
    r = verify_chain(ev, 5, ev[-1].hash)
    assert not r.ok and r.first_broken_seq == 2


def test_deleted_tail_is_caught_by_the_head() -> None:
    ev = _chain(5)
    r = verify_chain(ev[:4], 5, ev[-1].hash)
    assert not r.ok and r.first_broken_seq == 5


def test_inserted_row_is_named() -> None:
    ev = _chain(3)
    forged = replace(ev[1], subject_id="faux")
    forged = replace(forged, hash=chain_hash(forged.prev_hash, forged))
    r = verify_chain([ev[0], forged, ev[1], ev[2]], 3, ev[-1].hash)
    assert not r.ok and r.first_broken_seq == 2


def test_digest_is_canonical() -> None:
    assert digest({"a": 1, "b": [1, 2]}) == digest({"b": [1, 2], "a": 1})
    assert digest({"a": 1}) != digest({"a": 2})


def _sealed(events: list[ChainedEvent], key: bytes, start: int) -> list[ChainedEvent]:
    """Events from index ``start`` on sealed, as after an upgrade from an unsealed journal."""
    from domain.audit import chain_mac

    out, prev = [], GENESIS
    for i, ev in enumerate(events):
        if i < start:
            out.append(replace(ev, mac=""))
            continue
        mac = chain_mac(key, prev, ev.hash)
        out.append(replace(ev, mac=mac))
        prev = mac
    return out


def test_events_before_sealing_are_accepted_and_still_protected() -> None:
    from domain.audit import verify_macs

    key = b"k" * 32
    ev = _sealed(_chain(6), key, 3)
    r = verify_macs(ev, key, ev[-1].mac)
    assert r.ok and r.checked == 6 and "antérieurs au scellement" in r.message
    # Rewriting an unsealed event and every later plain hash breaks the first seal.
    forged, prev = [], GENESIS
    for i, e in enumerate(ev):
        e = replace(e, prev_hash=prev, actor_label="intrus" if i == 1 else e.actor_label)
        h = chain_hash(prev, replace(e, hash=""))
        forged.append(replace(e, hash=h))
        prev = h
    assert verify_chain(forged, 6, forged[-1].hash).ok
    bad = verify_macs(forged, key, forged[-1].mac)
    assert not bad.ok and bad.first_broken_seq == 4
