"""The meeting pages' sub-navigation."""

from __future__ import annotations

from domain.i18n import _


def tabs(meeting_id: int, can_manage: bool) -> list[tuple[str, str]]:
    base = f"/reunions/{meeting_id}"
    items = [(base, _("Ordre du jour"))]
    if can_manage:
        items.append((f"{base}/convocations", _("Convocations")))
    items += [
        (f"{base}/presences", _("Émargement et quorum")),
        (f"{base}/decisions", _("Décisions")),
        (f"{base}/compte-rendu", _("Compte rendu")),
    ]
    return items

