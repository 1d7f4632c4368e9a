"""What every composition use case shares: the unit (store + audit writer, the real
ones by default), the council's rule settings, loading a member, and recording a change
(member history + audit event, in the caller's transaction)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from functools import partial
from typing import Any

from domain.calls import local_today
from domain.composition import CouncilSettings, Regime
from domain.errors import NotFound
from domain.i18n import _
from service import audit
from service.audit import Actor
from service.composition.rows import CompositionStorePort, CompositionUnit, HistoryEntry, MemberRow
from service.context import AppContext
from service.organisation.store import CouncilRow

__all__ = [
    "SNAPSHOT_FIELDS",
    "load_member",
    "local_today",
    "reader",
    "record_change",
    "rule_settings",
    "snapshot",
    "unit_for",
]

# What the history and the audit may hold: no contact data.
SNAPSHOT_FIELDS = (
    "college",
    "origin",
    "seat",
    "sexe",
    "mandate_start",
    "mandate_end",
    "status",
    "status_since",
    "stratum",
    "rank",
    "draw_id",
    "replaces",
)


def unit_for(ctx: AppContext, unit: CompositionUnit | None) -> CompositionUnit:
    """``unit`` when a test passes one, else the real store and audit log on ctx.db."""
    if unit is not None:
        return unit
    from service.composition.store import CompositionStore

    return CompositionUnit(CompositionStore(ctx.db), partial(audit.record, ctx.db))


def reader(store: CompositionStorePort | None) -> CompositionStorePort:
    """``store`` when a test passes one, else the real store (reads need no transaction:
    the tables are bound to the engine when the app or the CLI starts)."""
    if store is not None:
        return store
    from service.composition.store import CompositionStore

    return CompositionStore()


def rule_settings(council: CouncilRow) -> CouncilSettings:
    s = council.settings
    return CouncilSettings(
        regime=Regime(council.regime or "2024"),
        mandate_years=int(s.get("duree_mandat_annees", 3)),
        volunteer_seats=int(s.get("sieges_volontaires", 0) or 0),
    )


async def load_member(
    store: CompositionStorePort, member_id: int, council_id: int | None = None
) -> MemberRow:
    """The member; NotFound when it does not exist or belongs to another council than
    ``council_id`` (routes are nested under the council the caller is allowed on)."""
    row = await store.get_member(member_id)
    if row is None or (council_id is not None and row.council != council_id):
        raise NotFound(_("Membre introuvable."))
    return row


def snapshot(values: Any) -> dict[str, Any]:
    """The history's and the audit's view of a record (a row or values dataclass)."""
    return {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in asdict(values).items()
        if k in SNAPSHOT_FIELDS
    }


async def record_change(
    ctx: AppContext,
    unit: CompositionUnit,
    actor: Actor,
    council: CouncilRow,
    member_id: int,
    action: str,
    values: Any,
    override_reason: str,
    overridden: list[str],
) -> None:
    now = ctx.now()
    snap = snapshot(values)
    snap.setdefault("status", "actif")
    await unit.store.add_history(
        HistoryEntry(
            membre=member_id,
            council=council.id,
            at=now,
            actor_id=actor.id,
            action=action,
            snapshot=snap,
            override_reason=override_reason if overridden else "",
            overridden_rules=overridden,
        )
    )
    details: dict[str, Any] = {
        k: snap[k] for k in ("college", "seat", "origin", "status") if k in snap
    }
    if overridden:
        details["derogation"] = {"regles": overridden, "motif": override_reason.strip()}
    await unit.audit(
        actor=actor,
        action=f"membre.{action}",
        subject_type="membre",
        subject_id=member_id,
        at=now,
        territory_id=council.territory,
        council_id=council.id,
        after=snap,
        details=details,
    )
