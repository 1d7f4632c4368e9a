"""Who the invited people of a draw are, for the project lead only: names next to the
pool keys, the contact details a resident gave when answering online (each in its own
field), and a search by name or by the code printed on the letter.

The auditor and the public never reach this: their pages and files carry keys only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from domain.organisation import normalise_key
from service.context import AppContext
from service.organisation import subjects
from service.tirage.usecases.common import DrawUnitOfWork, normalise_code, reply_code, unit_of_work

__all__ = ["ReplyContact", "invited_people", "merge_contact"]


@dataclass(frozen=True)
class ReplyContact:
    """The contact details given with an online reply, each in its own field."""

    telephone: str = ""
    email: str = ""
    disponibilites: str = ""
    autre: str = ""  # free text (API clients, replies stored before the fields existed)

    @property
    def empty(self) -> bool:
        return not (self.telephone or self.email or self.disponibilites or self.autre)

    def to_text(self) -> str:
        """Stored form (the invitation's ``contact`` column): JSON of the non-empty fields."""
        if self.empty:
            return ""
        return json.dumps({k: v for k, v in asdict(self).items() if v}, ensure_ascii=False)

    @classmethod
    def parse(cls, text: str | None) -> ReplyContact:
        text = (text or "").strip()
        if not text:
            return cls()
        if text.startswith("{"):
            try:
                data = json.loads(text)
            except ValueError:
                data = None
            if isinstance(data, dict):
                return cls(**{k: str(data.get(k, "")) for k in
                              ("telephone", "email", "disponibilites", "autre")})
        return cls(autre=text)  # a reply stored as one line before the fields existed


def merge_contact(old: str | None, new: ReplyContact) -> str | None:
    """What to store when a resident answers again: the fields given now, the earlier
    ones kept where left blank; ``None`` (leave the column alone) when nothing is given."""
    if new.empty:
        return None
    before = ReplyContact.parse(old)
    merged = ReplyContact(**{k: getattr(new, k) or getattr(before, k)
                             for k in ("telephone", "email", "disponibilites", "autre")})
    return merged.to_text()


async def invited_people(
    ctx: AppContext, draw_id: int, reference: str, query: str = "", *, uow: DrawUnitOfWork | None = None
) -> dict[str, dict[str, Any]]:
    """Per pool key of the draw's invited people: name, letter code and contact details;
    only those matching ``query`` (part of the name, or the letter's code) when given."""
    from service.courriers.documents import display_code
    uow = unit_of_work(uow, ctx.db)
    rows = await uow.draws.invitations(draw_id)
    by_type: dict[str, list[int]] = {}
    for r in rows:
        if r.subject_id is not None:
            by_type.setdefault(r.subject_type, []).append(r.subject_id)
    loaded: Mapping[str, Mapping[int, subjects.Subject]] = {
        t: await uow.subjects.load(t, ids) for t, ids in by_type.items()}
    wanted_name = normalise_key(query) if query.strip() else ""
    wanted_code = normalise_code(query) if query.strip() else ""
    secret = ctx.settings.secret_key
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        subject = (loaded.get(r.subject_type, {}).get(r.subject_id)
                   if r.subject_id is not None else None)
        name = subject.display_name if subject and not subject.purged else ""
        code = reply_code(secret, reference, r.key)
        if query.strip():
            hit_name = bool(name) and wanted_name in normalise_key(name)
            if not (hit_name or normalise_code(code) == wanted_code):
                continue
        out[r.key] = {
            "nom": name,
            "nom_famille": subject.nom if subject else "",
            "prenom": subject.prenom if subject else "",
            "code": display_code(code),
            "contact": ReplyContact.parse(r.contact),
        }
    return out
