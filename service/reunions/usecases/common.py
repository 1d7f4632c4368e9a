"""What every meetings use case shares: the store, the council's settings, the audit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.meetings import PARIS, Meeting
from domain.organisation import CouncilSettings
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.organisation.store import CouncilRow
from service.reunions.store import ReunionStore


def store(ctx: AppContext) -> ReunionStore:
    return ReunionStore(ctx.db)


def local_today(now: datetime) -> date:
    return now.astimezone(PARIS).date()


async def council_settings(council_id: int) -> tuple[CouncilSettings, CouncilRow]:
    """The council's règlement settings (defaults for anything not stored) and its row."""
    from service.organisation.usecases import get_council

    council = await get_council(council_id)
    stored = council.settings
    known = CouncilSettings.__dataclass_fields__
    return CouncilSettings(**{k: v for k, v in stored.items() if k in known}), council


async def record(
    ctx: AppContext,
    actor: Actor,
    action: str,
    meeting: Meeting | None,
    *,
    council_id: int | None = None,
    subject_type: str = "reunion",
    subject_id: int | str | None = None,
    before: Any = None,
    after: Any = None,
    details: dict[str, Any] | None = None,
) -> None:
    """One audit event (inside the caller's transaction). No personal data in details."""
    cid = council_id if council_id is not None else (meeting.council_id if meeting else None)
    territory_id = None
    if cid is not None:
        from service.organisation.usecases import get_council

        territory_id = (await get_council(cid)).territory
    subject: int | str = ""
    if subject_id is not None:
        subject = subject_id
    elif meeting is not None and meeting.id is not None:
        subject = meeting.id
    await audit.record(
        ctx.db, actor=actor, action=action, subject_type=subject_type,
        subject_id=subject,
        at=ctx.now(), territory_id=territory_id, council_id=cid, before=before, after=after,
        details=details,
    )


def snapshot(meeting: Meeting) -> dict[str, Any]:
    return {
        "titre": meeting.titre, "debut": meeting.debut.isoformat(), "fin": meeting.fin.isoformat(),
        "lieu": meeting.lieu, "kind": meeting.kind.value, "publique": meeting.publique,
        "status": meeting.status.value,
    }
