"""Reading a draw: the lead's view, the public record (§8) and the auditor's, a key's
rank, the seats with their subject links, and what the procès-verbal prints."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.draw import ceremony as cer
from domain.draw import protocol as proto
from domain.draw import record as rec
from domain.errors import InvalidInput, NotFound
from domain.i18n import _
from domain.verify import VerifyResult, verify
from service.comptes.usecases.accounts import genre_of_account
from service.tirage.store import InvitationRow
from service.tirage.usecases.common import (
    REPLY_LABELS,
    DrawUnitOfWork,
    LoadedDraw,
    cached_ranking,
    load,
    public_name,
    public_view,
    unit_of_work,
)


async def get_draw(draw_id: int, council_id: int | None = None, *, uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    return public_view(await unit_of_work(uow).draws.draw(draw_id, council_id))


async def list_draws(council_id: int, *, uow: DrawUnitOfWork | None = None) -> list[dict[str, Any]]:
    return [public_view(r) for r in await unit_of_work(uow).draws.draws_of_council(council_id)]


def _invitation_view(i: InvitationRow) -> dict[str, Any]:
    return {
        "id": i.id,
        "key": i.key,
        "stratum": i.stratum,
        "rank": i.rank,
        "round": i.round,
        "reply": i.reply,
        "reply_label": REPLY_LABELS.get(i.reply, _("en attente")),
        "reply_via": i.reply_via,
        "replied_at": i.replied_at,
        "departed": i.departed_at is not None,
    }


def _progress(loaded: LoadedDraw) -> list[dict[str, Any]]:
    full_lengths = {s: int(n) for s, n in loaded.row.ranked_counts.items()}
    return [
        {
            "stratum": p.stratum,
            "invited": p.invited,
            "accepted": p.accepted,
            "declined": p.declined,
            "no_reply": p.no_reply,
            "returned_npai": p.returned_npai,
            "pending": p.pending,
            "remaining": full_lengths.get(p.stratum, 0) - p.invited,
            "seats": p.seats,
            "titulaires": p.titulaires,
            "suppleants": p.suppleants,
            "empty_seats": p.empty_seats,
            # Letters out, not one answer: the next round's proposal waits for them.
            "awaiting_replies": bool(p.pending and not p.decided),
        }
        for p in cer.draw_progress(loaded.draw).values()
    ]


async def draw_state(draw_id: int, council_id: int | None = None, *, uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """Everything the lead's page shows: the draw, rounds, progress per stratum, seats."""
    loaded = await load(unit_of_work(uow), draw_id, council_id)
    draw = loaded.draw
    out = public_view(loaded.row)
    out["rounds"] = [
        {"number": r.number, "invited": dict(r.invited), "proposed": dict(r.proposed), "at": r.at, "deadline": r.deadline}
        for r in loaded.rounds
    ]
    out["invitations"] = [_invitation_view(i) for i in loaded.invitations]
    if cer.has_ranking(draw.status):
        out["progress"] = _progress(loaded)
        a = cer.seat_assignment(draw)
        out["seats"] = {
            "titulaires": {s: list(v) for s, v in a.titulaires.items()},
            "suppleants": {s: list(v) for s, v in a.suppleants.items()},
            "empty": dict(a.empty_seats),
        }
    return out


async def public_record(reference: str, *, uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """The §8 record anyone may read (ranked keys of invited people only). A draw only
    prepared (not committed) is not public yet."""
    uow = unit_of_work(uow)
    row = await uow.draws.draw_by_reference((reference or "").strip().upper())
    if not row.commitment:
        raise NotFound(_("Aucun tirage ne porte cette référence."))
    loaded = await load(uow, row.id)
    # The audit chain's head when the record was read: whoever keeps this record can later
    # prove that the trail was not rewritten up to it (issue 14, item 9).
    return {**rec.public_record(loaded.draw), "journal_audit": await uow.audit.head()}


async def audit_record(draw_id: int, council_id: int | None = None, *, uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """The §8 record with the full ranked lists, for auditors."""
    loaded = await load(unit_of_work(uow), draw_id, council_id, full_ranking=True)
    return rec.audit_record(loaded.draw)


async def draw_pool_file(draw_id: int, council_id: int | None = None, *, uow: DrawUnitOfWork | None = None) -> bytes:
    uow = unit_of_work(uow)
    row = await uow.draws.draw(draw_id, council_id)
    found = await uow.pools.content(row.pool_id)
    assert found is not None
    return found[0]


async def reverify(draw_id: int, council_id: int | None = None, *, uow: DrawUnitOfWork | None = None) -> VerifyResult:
    """Re-run the standalone verifier (§9) on the stored record and pool file."""
    uow = unit_of_work(uow)
    record = await audit_record(draw_id, council_id, uow=uow)
    return verify(record, await draw_pool_file(draw_id, council_id, uow=uow))


async def lookup_key(reference: str, key: str, *, uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """Anyone: a key's ticket and rank in a draw (the ticket is recomputable from the
    published seed; the rank is the key's place in its stratum's list)."""
    uow = unit_of_work(uow)
    row = await uow.draws.draw_by_reference((reference or "").strip().upper())
    key = (key or "").strip()
    cer.require_ranking_published(cer.DrawStatus(row.status), row.seed, row.ranking_digest)
    if proto._KEY_RE.fullmatch(key) is None:
        raise InvalidInput(_("Une clé compte de 8 à 64 caractères parmi A-Z, a-z, 0-9, _ et -."), field="key")
    ranking = cached_ranking(await uow.draws.draw(row.id, with_ranking=True))
    ticket = proto.ticket(bytes.fromhex(row.seed), key)
    for stratum in sorted(ranking.ranked):
        lst = ranking.ranked[stratum]
        if key in lst:
            return {
                "reference": row.reference,
                "key": key,
                "ticket": ticket,
                "stratum": stratum,
                "rank": lst.index(key) + 1,
                "stratum_size": len(lst),
                "skipped": False,
                "invited_round": await uow.draws.invited_round(row.id, key),
            }
    if key in ranking.skipped:
        return {
            "reference": row.reference,
            "key": key,
            "ticket": ticket,
            "stratum": None,
            "rank": None,
            "stratum_size": None,
            "skipped": True,
            "invited_round": None,
        }
    raise NotFound(_("Cette clé ne figure pas dans la liste de ce tirage."), field="key")


# --------------------------------------------------------------------------------------
# For the letters, composition and procès-verbal features
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatHolder:
    stratum: str
    role: str  # titulaire / suppleant
    position: int  # 1 = first titulaire (or first suppléant) of the stratum
    key: str
    rank: int
    invitation_id: int
    subject_type: str
    subject_id: int | None
    contact: str = ""


@dataclass(frozen=True)
class DrawResults:
    draw_id: int
    reference: str
    council_id: int
    kind: str
    status: str
    seats: Mapping[str, int]
    titulaires: list[SeatHolder] = field(default_factory=list)
    suppleants: list[SeatHolder] = field(default_factory=list)

    @property
    def empty_seats(self) -> dict[str, int]:
        held: dict[str, int] = {}
        for t in self.titulaires:
            held[t.stratum] = held.get(t.stratum, 0) + 1
        return {s: n - held.get(s, 0) for s, n in self.seats.items()}


async def draw_results(draw_id: int, *, uow: DrawUnitOfWork | None = None) -> DrawResults:
    """Titulaires and suppléants (in rank order per stratum) with their subject links."""
    uow = unit_of_work(uow)
    row = await uow.draws.draw(draw_id)
    invs = {i.id: i for i in await uow.draws.invitations(draw_id)}
    out = DrawResults(
        draw_id=draw_id,
        reference=row.reference,
        council_id=row.council_id,
        kind=row.kind,
        status=row.status,
        seats=dict(row.plan.get("seats") or {}),
    )
    for s in await uow.draws.seats(draw_id):
        inv = invs[s.invitation_id]
        holder = SeatHolder(
            stratum=s.stratum,
            role=s.role,
            position=s.position,
            key=s.key,
            rank=inv.rank,
            invitation_id=inv.id,
            subject_type=inv.subject_type,
            subject_id=inv.subject_id,
            contact=inv.contact,
        )
        (out.titulaires if s.role == "titulaire" else out.suppleants).append(holder)
    return out


async def _invited_names(uow: DrawUnitOfWork, loaded: LoadedDraw) -> dict[str, str]:
    by_type: dict[str, list[int]] = {}
    for i in loaded.invitations:
        if i.subject_id is not None:
            by_type.setdefault(i.subject_type, []).append(i.subject_id)
    loaded_subjects = {t: await uow.subjects.load(t, ids) for t, ids in by_type.items()}
    names: dict[str, str] = {}
    for i in loaded.invitations:
        subj = loaded_subjects.get(i.subject_type, {}).get(i.subject_id) if i.subject_id else None
        if subj is not None:
            names[i.key] = subj.display_name
    return names


def _pv_summary(draw: cer.Draw, record: Mapping[str, Any]) -> list[dict[str, Any]]:
    if not cer.has_ranking(draw.status):
        return []
    seats_plan = record["plan"].get("seats") or {}
    assignment = cer.seat_assignment(draw)
    return [
        {
            "stratum": stratum,
            "seats": int(seats_plan.get(stratum, 0) or 0),
            "titulaires": len(assignment.titulaires.get(stratum, ())),
            "suppleants": len(assignment.suppleants.get(stratum, ())),
            "empty": int(assignment.empty_seats.get(stratum, 0)),
        }
        for stratum in record["strata_counts"]
    ]


async def pv_data(draw_id: int, lead_copy: bool, *, uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """Everything a procès-verbal of the draw needs. Keys only, unless ``lead_copy``
    (then the names of invited people are added; never for the public copy)."""
    uow = unit_of_work(uow)
    loaded = await load(uow, draw_id)
    row, draw = loaded.row, loaded.draw
    cer.require_commitment(draw)
    record = rec.public_record(draw)
    names = await _invited_names(uow, loaded) if lead_copy else {}
    ranked_rows = []
    inv_by_key = {i.key: i for i in loaded.invitations}
    for stratum, keys in record["ranked"].items():
        for pos, key in enumerate(keys, start=1):
            inv = inv_by_key.get(key)
            entry: dict[str, Any] = {
                "stratum": stratum,
                "rank": pos,
                "key": key,
                "round": inv.round if inv else None,
                "reply": inv.reply if inv else "",
            }
            if lead_copy:
                entry["name"] = names.get(key, "")
            ranked_rows.append(entry)
    return {
        "lead_copy": lead_copy,
        # How the lead who drew (or prepared) the draw has their title written (« La cheffe de projet »).
        "lead_genre": await genre_of_account(row.entropy_by_id or row.prepared_by),
        "summary": _pv_summary(draw, record),
        "reference": row.reference,
        "council": record["council"],
        "kind": row.kind,
        "date": row.entropy_at or row.committed_at,
        "place": row.place,
        "present": [p for p in (row.present or "").splitlines() if p.strip()],
        "pool_digest": row.pool_digest,
        "pool_size": row.pool_size,
        "strata_counts": record["strata_counts"],
        "plan": record["plan"],
        "commitment": row.commitment,
        "committed_at": row.committed_at,
        "entropy": row.entropy,
        "entropy_kind": row.entropy_kind,
        "entropy_by": public_name(row.entropy_by),
        "entropy_at": row.entropy_at,
        "seed": row.seed,
        "ranking_digest": row.ranking_digest,
        "ranked_counts": dict(row.ranked_counts),
        "skipped_count": row.skipped_count,
        "rounds": record["rounds"],
        "ranked": ranked_rows,
        "status": row.status,
        "status_label": draw.status.label,
    }
