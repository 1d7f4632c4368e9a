"""The published draw record (§8 of ``spec/draw-protocol.md``).

Two variants of the same object:

* **public** — served to anyone: ``ranked`` holds, per stratum, only the keys of people
  invited so far (a prefix exactly as deep as the invitations);
* **audit** — served with the pool file to auditors: ``ranked`` holds the full lists.

Both carry exactly the members §8 names, nothing else, so the two variants and every
implementation speak the same language. Before the entropy is entered (state
``committed``) the record is already published, with ``entropy``, ``entropy_entered_at``
and ``seed`` set to ``null``, empty ``ranked`` lists and no rounds.
"""

from __future__ import annotations

import json
from typing import Any

from domain.draw.ceremony import Draw
from domain.draw.protocol import PROTOCOL, RECORD_MEMBERS
from domain.draw.rounds import invited_depths
from domain.errors import InvalidState
from domain.i18n import _


def build_record(draw: Draw, *, audit: bool = False) -> dict[str, Any]:
    """The §8 record of a committed (or later) draw; ``audit`` gives the full lists."""
    if draw.commitment is None or draw.committed_at is None:
        raise InvalidState(
            _("Le registre n'existe qu'une fois le tirage engagé."),
            code="non-engage",
            extra={"status": draw.status.value},
        )
    strata = sorted(draw.strata_counts)
    ranked: dict[str, list[str]]
    if draw.ranking is None:
        ranked = {s: [] for s in strata}
    elif audit:
        ranked = {s: list(draw.ranking.ranked[s]) for s in strata}
    else:
        depths = invited_depths(draw.ranking.ranked, draw.rounds)
        ranked = {s: list(draw.ranking.ranked[s][: depths[s]]) for s in strata}
    entropy = draw.entropy
    record: dict[str, Any] = {
        "protocol": PROTOCOL,
        "draw_id": draw.draw_id,
        "council": {"name": draw.council.name, "qpv": list(draw.council.qpv_codes)},
        "pool_digest": draw.pool_digest,
        "pool_size": draw.pool_size,
        "strata_counts": {s: draw.strata_counts[s] for s in strata},
        "plan": draw.plan.as_json(),
        "commitment": draw.commitment,
        "committed_at": draw.committed_at.isoformat(),
        "entropy": entropy.text if entropy else None,
        "entropy_entered_at": entropy.entered_at.isoformat() if entropy else None,
        "seed": draw.seed.hex() if draw.seed is not None else None,
        "ranked": ranked,
        "rounds": [
            {"round": r.number, "invited": r.counts(), "at": r.at.isoformat()} for r in draw.rounds
        ],
    }
    assert tuple(record) == RECORD_MEMBERS
    return record


def public_record(draw: Draw) -> dict[str, Any]:
    """The record anyone may read: ranked keys of invited people only."""
    return build_record(draw, audit=False)


def audit_record(draw: Draw) -> dict[str, Any]:
    """The record for auditors, with the full ranked lists."""
    return build_record(draw, audit=True)


def record_json(record: dict[str, Any]) -> bytes:
    """The record as UTF-8 JSON text (non-ASCII written as itself, one member a line)."""
    return (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
