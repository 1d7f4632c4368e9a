"""What the sitting's minutes tab shows and does: the versions and their differences, the
draft, adoption, publication and a new version, through the feature's use cases
(presentation only)."""

from __future__ import annotations

import difflib
from datetime import date
from typing import Any, TypedDict

from markupsafe import escape

from domain.errors import InvalidInput, InvalidState
from domain.i18n import _
from domain.meetings import PARIS, Meeting, Minutes
from service.audit import Actor
from service.context import AppContext
from service.http.forms import optional_int
from service.reunions.usecases import meetings as um
from service.reunions.usecases import minutes as umin
from service.reunions.views import _int

# --- minutes ---------------------------------------------------------------------------


async def minutes(ctx: AppContext, meeting: Meeting) -> dict[str, Any]:
    versions = await umin.versions(ctx, meeting.id or 0)
    current = versions[-1] if versions else None
    cr = None
    diff = ""
    if current is not None:
        at = await um.get_meeting(ctx, current.adopted_at_meeting) if current.adopted_at_meeting else None
        cr = minutes_view(current, at)
        if len(versions) > 1:
            diff = diff_html(versions[-2].texte, current.texte)
    status = await umin.publication_status(ctx, meeting.id or 0)
    warning = None
    if status.warning and current is not None and current.state.value == "adopte":
        warning = {"texte": status.warning, "depassee": "dépassé" in status.warning}
    later = [m for m in await um.list_meetings(ctx, meeting.council_id)
             if m.debut > meeting.debut and m.status.value == "tenue"]
    return {
        "cr": cr, "versions": [minutes_view(v, None) for v in versions], "difference": diff, "echeance": warning,
        "pdf_cr": f"/api/v1/reunions/{meeting.id}/compte-rendu.pdf" if cr else "",
        "peut_rediger": meeting.status.value in ("tenue", "quorum_non_atteint"),
        "adoptions": [(str(m.id), f"{m.titre} — {m.debut.astimezone(PARIS):%d/%m/%Y}") for m in later],
    }


class MinutesView(TypedDict):
    """One version of the minutes as the pages show it."""

    id: int | None
    version: int
    revision: int
    etat: str
    etat_label: str
    texte: str
    adopte_le: date | None
    publie_le: date | None
    adopte_a: Meeting | None
    motif_version: str


def minutes_view(m: Minutes, at: Meeting | None) -> MinutesView:
    return {
        "id": m.id, "version": m.numero_version, "revision": m.version, "etat": m.state.value,
        "etat_label": m.state.label, "texte": m.texte, "adopte_le": m.adopted_on, "publie_le": m.published_on,
        "adopte_a": at, "motif_version": m.correction_motif,
    }


def diff_html(old: str, new: str) -> str:
    """Lines removed and added between two versions, escaped, for people to see the change."""
    out = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        if line.startswith("-"):
            out.append(f"<del>{escape(line[1:])}</del>")
        elif line.startswith("+"):
            out.append(f"<ins>{escape(line[1:])}</ins>")
    return "<br>".join(out)


async def _current_minutes(ctx: AppContext, meeting_id: int) -> Minutes:
    versions = await umin.versions(ctx, meeting_id)
    if not versions:
        raise InvalidState(_("Cette réunion n'a pas encore de compte rendu."), code="compte-rendu-absent",
                           field="reunion_id")
    return versions[-1]


async def draft_minutes(ctx: AppContext, actor: Actor, meeting_id: int, values: dict[str, str]) -> None:
    await umin.create_draft(ctx, actor, meeting_id)


async def save_minutes(ctx: AppContext, actor: Actor, meeting_id: int, values: dict[str, str]) -> None:
    await umin.edit_draft(ctx, actor, meeting_id, values.get("texte", ""), _int(values.get("version")))


async def adopt_minutes(ctx: AppContext, actor: Actor, meeting_id: int, values: dict[str, str]) -> None:
    at = optional_int(values.get("adopte_en_reunion_id", ""), "adopte_en_reunion_id", _("Réunion d'adoption"))
    if at is None:
        raise InvalidInput(_("Réunion d'adoption : choisissez la réunion qui adopte le compte rendu."),
                           field="adopte_en_reunion_id", code="champ-obligatoire")
    counts = {k: optional_int(values.get(k, ""), k, k.capitalize()) or 0 for k in ("pour", "contre", "abstention")}
    current = await _current_minutes(ctx, meeting_id)
    await umin.adopt(ctx, actor, meeting_id, at, current.version, consensus=values.get("consensus") == "oui",
                     pour=counts["pour"], contre=counts["contre"], abstention=counts["abstention"])


async def publish_minutes(ctx: AppContext, actor: Actor, meeting_id: int, values: dict[str, str]) -> None:
    current = await _current_minutes(ctx, meeting_id)
    await umin.publish(ctx, actor, meeting_id, current.version)


async def correct_minutes(ctx: AppContext, actor: Actor, meeting_id: int, values: dict[str, str]) -> None:
    current = await _current_minutes(ctx, meeting_id)
    texte = values.get("texte") or current.texte
    await umin.correct(ctx, actor, meeting_id, texte, values.get("motif", ""), current.version)
