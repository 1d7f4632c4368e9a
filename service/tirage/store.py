"""The draw's stores: the only code that queries the draw's and the pools' tables.

Typed methods return frozen dataclasses; engine differences (bulk loads through the raw
driver) live here. ``DrawStore`` also hands the use cases the two facts of other features
a draw needs (the council's name and districts, the roles an account holds), read through
those features' stores, never their tables (DESIGN.md §2).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.draw.rounds import sex_of_stratum
from domain.errors import NotFound
from domain.i18n import _
from domain.indicators import RoundFact
from service.comptes.store import AccountStore
from service.db.bulk import bulk_insert
from service.db.engine import Database
from service.db.versioned import versioned_update
from service.organisation.store import OrganisationStore
from service.tirage.tables import Draw, DrawInvitation, DrawRound, DrawSeat, Pool, PoolMember

# --------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawRow:
    """One draw as stored; ``ranking`` (the compressed ranked keys) only when asked for."""

    id: int
    council_id: int
    pool_id: int
    kind: str
    reference: str
    status: str
    label: str
    params: Mapping[str, Any]
    plan: Mapping[str, Any]
    pool_digest: str
    pool_size: int
    strata_counts: Mapping[str, int]
    commitment: str
    committed_at: datetime | None
    entropy: str | None
    entropy_kind: str
    entropy_by: str
    entropy_by_id: int | None
    prepared_by: int | None
    entropy_at: datetime | None
    seed: str
    ranking_digest: str
    ranked_counts: Mapping[str, int]
    skipped_count: int
    ranked_at: datetime | None
    place: str
    present: str
    prepared_at: datetime
    abandoned_at: datetime | None
    abandoned_by: str
    abandon_reason: str
    replaces: int | None
    replaced_by: int | None
    version: int
    ranking: bytes | None = None


@dataclass(frozen=True)
class NewDraw:
    council_id: int
    pool_id: int
    kind: str
    reference: str
    label: str
    params: Mapping[str, Any]
    plan: Mapping[str, Any]
    pool_digest: str
    pool_size: int
    strata_counts: Mapping[str, int]
    place: str
    present: str
    prepared_by: int | None
    prepared_at: datetime
    replaces: int | None = None


@dataclass(frozen=True)
class RoundRow:
    number: int
    proposed: Mapping[str, int]
    invited: Mapping[str, int]
    at: datetime
    deadline: datetime | None
    created_by: str = ""


@dataclass(frozen=True)
class InvitationRow:
    id: int
    round: int
    key: str
    stratum: str
    rank: int
    subject_type: str
    subject_id: int | None
    code_digest: str
    reply: str = ""
    replied_at: datetime | None = None
    reply_via: str = ""
    contact: str = ""
    departed_at: datetime | None = None
    draw_id: int = 0


@dataclass(frozen=True)
class NewInvitation:
    round: int
    key: str
    stratum: str
    rank: int
    subject_type: str
    subject_id: int | None
    code_digest: str


@dataclass(frozen=True)
class ReplyWrite:
    key: str
    reply: str
    via: str
    at: datetime
    contact: str | None = None  # None: leave the stored contact as it is


@dataclass(frozen=True)
class SeatRow:
    stratum: str
    role: str  # titulaire / suppleant
    position: int
    key: str
    invitation_id: int


@dataclass(frozen=True)
class CouncilFacts:
    name: str
    qpv_codes: tuple[str, ...]
    territory_id: int


@dataclass(frozen=True)
class PoolRow:
    """A pool's description (not its content)."""

    id: int
    council_id: int
    kind: str
    label: str
    reference_date: str
    stratification: Mapping[str, Any]
    digest: str
    size: int
    strata_counts: Mapping[str, int]
    created_by: int | None
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """The pool as pages, the API and other features read it (``council`` as stored)."""
        return {
            "id": self.id, "council": self.council_id, "kind": self.kind, "label": self.label,
            "reference_date": self.reference_date, "stratification": dict(self.stratification),
            "digest": self.digest, "size": self.size, "strata_counts": dict(self.strata_counts),
            "created_by": self.created_by, "created_at": self.created_at,
        }


@dataclass(frozen=True)
class NewPool:
    council_id: int
    kind: str
    label: str
    reference_date: str
    stratification: Mapping[str, Any]
    digest: str
    size: int
    strata_counts: Mapping[str, int]
    content: bytes
    created_by: int | None
    created_at: datetime


@dataclass(frozen=True)
class PoolMemberRow:
    key: str
    stratum: str
    household: str
    subject_type: str
    subject_id: int | None


# --------------------------------------------------------------------------------------
# Draws
# --------------------------------------------------------------------------------------

PARIS = ZoneInfo("Europe/Paris")

_LIGHT_COLUMNS = [c for c in Draw._meta.columns if c._meta.name != "ranking"]


def _draw(row: Mapping[str, Any]) -> DrawRow:
    blob = row.get("ranking")
    return DrawRow(
        id=int(row["id"]), council_id=int(row["council"]), pool_id=int(row["pool"]), kind=row["kind"],
        reference=row["reference"], status=row["status"], label=row["label"], params=row["params"] or {},
        plan=row["plan"] or {}, pool_digest=row["pool_digest"], pool_size=int(row["pool_size"]),
        strata_counts=row["strata_counts"] or {}, commitment=row["commitment"] or "", committed_at=row["committed_at"],
        entropy=row["entropy"], entropy_kind=row["entropy_kind"] or "", entropy_by=row["entropy_by"] or "",
        entropy_by_id=row["entropy_by_id"], prepared_by=row["prepared_by"],
        entropy_at=row["entropy_at"], seed=row["seed"] or "", ranking_digest=row["ranking_digest"] or "",
        ranked_counts=row["ranked_counts"] or {}, skipped_count=int(row["skipped_count"]), ranked_at=row["ranked_at"],
        place=row["place"], present=row["present"] or "", prepared_at=row["prepared_at"],
        abandoned_at=row["abandoned_at"], abandoned_by=row["abandoned_by"] or "",
        abandon_reason=row["abandon_reason"] or "", replaces=row["replaces"], replaced_by=row["replaced_by"],
        version=int(row["version"]), ranking=None if blob is None else bytes(blob),
    )


def _invitation(row: Mapping[str, Any]) -> InvitationRow:
    return InvitationRow(
        id=int(row["id"]), round=int(row["round"]), key=row["key"], stratum=row["stratum"], rank=int(row["rank"]),
        subject_type=row["subject_type"], subject_id=row["subject_id"], code_digest=row["code_digest"],
        reply=row["reply"] or "", replied_at=row["replied_at"], reply_via=row["reply_via"] or "",
        contact=row["contact"] or "", departed_at=row["departed_at"], draw_id=int(row["draw"]),
    )


def _round(row: Mapping[str, Any]) -> RoundRow:
    return RoundRow(
        number=int(row["number"]), proposed=row["proposed"] or {}, invited=row["invited"] or {}, at=row["at"],
        deadline=row["deadline"], created_by=row["created_by"] or "",
    )


def _default_db() -> Database:
    """The database the tables are bound to (``bind_engine``): read-only use cases are
    called without a context by pages, the CLI and other features."""
    return Database(Draw._meta.db, use_pool=False)


class DrawStore:
    def __init__(self, db: Database | None = None) -> None:
        self.db = db or _default_db()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        async with self.db.transaction():
            yield

    # --- draws ---------------------------------------------------------------------

    async def draw(self, draw_id: int, council_id: int | None = None, *, with_ranking: bool = False) -> DrawRow:
        cols = Draw._meta.columns if with_ranking else _LIGHT_COLUMNS
        row = await Draw.select(*cols).where(Draw.id == draw_id).output(load_json=True).first()
        if row is None or (council_id is not None and int(row["council"]) != int(council_id)):
            raise NotFound(_("Tirage introuvable."))
        return _draw(row)

    async def draw_by_reference(self, reference: str) -> DrawRow:
        row = await Draw.select(*_LIGHT_COLUMNS).where(Draw.reference == reference).output(load_json=True).first()
        if row is None:
            raise NotFound(_("Aucun tirage ne porte cette référence."))
        return _draw(row)

    async def draws_of_council(self, council_id: int) -> list[DrawRow]:
        rows = await Draw.select(*_LIGHT_COLUMNS).where(Draw.council == council_id).order_by(
            Draw.id, ascending=False).output(load_json=True)
        return [_draw(r) for r in rows]

    async def council_of_draw(self, draw_id: int) -> int | None:
        row = await Draw.select(Draw.council).where(Draw.id == draw_id).first()
        return None if row is None else int(row["council"])

    async def create_draw(self, new: NewDraw) -> int:
        rows = await Draw.insert(Draw(
            council=new.council_id, pool=new.pool_id, kind=new.kind, reference=new.reference, status="prepared",
            label=new.label, params=dict(new.params), plan=dict(new.plan), pool_digest=new.pool_digest,
            pool_size=new.pool_size, strata_counts=dict(new.strata_counts), place=new.place, present=new.present,
            prepared_by=new.prepared_by, prepared_at=new.prepared_at, replaces=new.replaces,
        )).returning(Draw.id)
        return int(rows[0]["id"])

    async def set_reference(self, draw_id: int, reference: str) -> None:
        await Draw.update({Draw.reference: reference}).where(Draw.id == draw_id)

    async def set_replaced_by(self, draw_id: int, replaced_by: int) -> None:
        await Draw.update({Draw.replaced_by: replaced_by}).where(Draw.id == draw_id)

    async def update_draw(self, draw_id: int, version: int, values: Mapping[str, Any], *, status: str | None = None) -> None:
        """Update the draw only if nobody changed it since it was read (optimistic
        locking), and only from ``status`` when given; else ``Conflict``."""
        await versioned_update(
            Draw, draw_id, version, dict(values),
            message=_("Ce tirage vient d'être modifié par quelqu'un d'autre : rechargez la page pour voir son état."),
            code="tirage-modifie",
            extra_where=None if status is None else Draw.status == status,
        )

    async def entropy_received(self, commitment: str, *, other_than: int) -> bool:
        """Whether another draw already received entropy under this commitment."""
        return bool(await Draw.exists().where((Draw.entropy_commitment == commitment) & (Draw.id != other_than)))

    async def commitment_used(self, commitment: str) -> bool:
        return bool(await Draw.exists().where(
            (Draw.entropy_commitment == commitment) | (Draw.commitment == commitment)))

    # --- rounds and invitations ------------------------------------------------------

    async def rounds(self, draw_id: int) -> list[RoundRow]:
        rows = await DrawRound.select().where(DrawRound.draw == draw_id).order_by(DrawRound.number).output(load_json=True)
        return [_round(r) for r in rows]

    async def add_round(self, draw_id: int, new: RoundRow) -> None:
        await DrawRound.insert(DrawRound(
            draw=draw_id, number=new.number, round_key=f"{draw_id}:{new.number}", proposed=dict(new.proposed),
            invited=dict(new.invited), at=new.at, deadline=new.deadline, created_by=new.created_by,
        ))

    async def invitations(self, draw_id: int, round_no: int | None = None) -> list[InvitationRow]:
        where: Any = DrawInvitation.draw == draw_id
        if round_no is not None:
            where = where & (DrawInvitation.round == round_no)
        rows = await DrawInvitation.select().where(where).order_by(DrawInvitation.round).order_by(
            DrawInvitation.stratum).order_by(DrawInvitation.rank)
        return [_invitation(r) for r in rows]

    async def invitation_by_code(self, code_digest: str) -> InvitationRow | None:
        row = await DrawInvitation.select().where(DrawInvitation.code_digest == code_digest).first()
        return None if row is None else _invitation(row)

    async def invited_round(self, draw_id: int, key: str) -> int | None:
        row = await DrawInvitation.select(DrawInvitation.round).where(
            (DrawInvitation.draw == draw_id) & (DrawInvitation.key == key)).first()
        return None if row is None else int(row["round"])

    async def add_invitations(self, draw_id: int, new: Sequence[NewInvitation]) -> None:
        """Up to thousands of rows at once: through the raw driver (service/db/bulk.py)."""
        await bulk_insert(
            self.db, DrawInvitation._meta.tablename,
            ["draw", "round", "key", "invitation_key", "stratum", "rank", "subject_type", "subject_id",
             "code_digest", "reply", "reply_via", "contact"],
            [(draw_id, i.round, i.key, f"{draw_id}:{i.key}", i.stratum, i.rank, i.subject_type, i.subject_id,
              i.code_digest, "", "", "") for i in new],
        )

    async def record_replies(self, draw_id: int, replies: Sequence[ReplyWrite]) -> None:
        for r in replies:
            values: dict[Any, Any] = {
                DrawInvitation.reply: r.reply, DrawInvitation.replied_at: r.at, DrawInvitation.reply_via: r.via,
            }
            if r.contact is not None:
                values[DrawInvitation.contact] = r.contact
            await DrawInvitation.update(values).where((DrawInvitation.draw == draw_id) & (DrawInvitation.key == r.key))

    async def record_departure(self, draw_id: int, key: str, at: datetime) -> None:
        await DrawInvitation.update({DrawInvitation.departed_at: at}).where(
            (DrawInvitation.draw == draw_id) & (DrawInvitation.key == key))

    # --- seats -----------------------------------------------------------------------

    async def seats(self, draw_id: int) -> list[SeatRow]:
        rows = await DrawSeat.select().where(DrawSeat.draw == draw_id).order_by(DrawSeat.stratum).order_by(
            DrawSeat.role, ascending=False).order_by(DrawSeat.position)
        return [SeatRow(r["stratum"], r["role"], int(r["position"]), r["key"], int(r["invitation"])) for r in rows]

    async def replace_seats(self, draw_id: int, seats: Sequence[SeatRow]) -> None:
        await DrawSeat.delete().where(DrawSeat.draw == draw_id)
        if seats:
            await DrawSeat.insert(*[
                DrawSeat(draw=draw_id, stratum=s.stratum, role=s.role, position=s.position, key=s.key,
                         invitation=s.invitation_id)
                for s in seats
            ])

    # --- other features' facts ---------------------------------------------------------

    async def council(self, council_id: int) -> CouncilFacts:
        c = await OrganisationStore(self.db).council(council_id)
        if c is None:
            raise NotFound(_("Conseil citoyen introuvable."))
        codes = tuple(sorted(q.code for q in c.qpvs))
        return CouncilFacts(name=c.name, qpv_codes=codes, territory_id=c.territory)

    async def roles_of(self, account_id: int) -> set[str]:
        return await AccountStore(self.db).role_names(account_id)


    # --- facts for the contrat de ville's indicators ------------------------------------

    async def round_facts(self, council_ids: Sequence[int]) -> dict[int, list[RoundFact]]:
        """Every invitation round of the residents' draws not abandoned: letters sent (one per
        invitation) and acceptances, by sex when the strata carry it. Three queries
        whatever the number of councils."""
        out: dict[int, list[RoundFact]] = {c: [] for c in council_ids}
        if not council_ids:
            return out
        draws = await Draw.select(Draw.id, Draw.council).where(
            Draw.council.is_in(list(council_ids)) & Draw.abandoned_at.is_null())
        council_of = {d["id"]: d["council"] for d in draws}
        if not council_of:
            return out
        rounds = await DrawRound.select(DrawRound.draw, DrawRound.number, DrawRound.at).where(
            DrawRound.draw.is_in(list(council_of)))
        invitations = await DrawInvitation.select(DrawInvitation.draw, DrawInvitation.round, DrawInvitation.stratum,
                                                  DrawInvitation.reply).where(DrawInvitation.draw.is_in(list(council_of)))
        tally: dict[tuple[int, int], dict[str, dict[str, int]]] = {}
        for inv in invitations:
            t = tally.setdefault((inv["draw"], inv["round"]), {"letters": {}, "accepted": {}})
            sex = sex_of_stratum(inv["stratum"])
            key = sex.value if sex else ""
            t["letters"][key] = t["letters"].get(key, 0) + 1
            if inv["reply"] == "accepted":
                t["accepted"][key] = t["accepted"].get(key, 0) + 1
        for r in rounds:
            t = tally.get((r["draw"], r["number"]), {"letters": {}, "accepted": {}})
            out[council_of[r["draw"]]].append(RoundFact(
                draw_id=r["draw"], round_no=r["number"], held_on=r["at"].astimezone(PARIS).date(),
                letters_sent=sum(t["letters"].values()), accepted=sum(t["accepted"].values()),
                letters_by_sex={k: v for k, v in t["letters"].items() if k},
                accepted_by_sex={k: v for k, v in t["accepted"].items() if k},
            ))
        for facts in out.values():
            facts.sort(key=lambda f: (f.held_on, f.draw_id, f.round_no))
        return out


# --------------------------------------------------------------------------------------
# Pools
# --------------------------------------------------------------------------------------

_POOL_COLUMNS = (
    Pool.id, Pool.council, Pool.kind, Pool.label, Pool.reference_date, Pool.stratification, Pool.digest,
    Pool.size, Pool.strata_counts, Pool.created_by, Pool.created_at,
)


def _pool(row: Mapping[str, Any]) -> PoolRow:
    return PoolRow(
        id=int(row["id"]), council_id=int(row["council"]), kind=row["kind"], label=row["label"],
        reference_date=row["reference_date"], stratification=row["stratification"] or {}, digest=row["digest"],
        size=int(row["size"]), strata_counts=row["strata_counts"] or {}, created_by=row["created_by"],
        created_at=row["created_at"],
    )


class PoolStore:
    def __init__(self, db: Database | None = None) -> None:
        self.db = db or _default_db()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        async with self.db.transaction():
            yield

    async def create_pool(self, new: NewPool, members: Sequence[PoolMemberRow]) -> int:
        rows = await Pool.insert(Pool(
            council=new.council_id, kind=new.kind, label=new.label, reference_date=new.reference_date,
            stratification=dict(new.stratification), digest=new.digest, size=new.size,
            strata_counts=dict(new.strata_counts), content=new.content, created_by=new.created_by,
            created_at=new.created_at,
        )).returning(Pool.id)
        pool_id = int(rows[0]["id"])
        await bulk_insert(
            self.db, PoolMember._meta.tablename,
            ["pool", "key", "stratum", "household", "subject_type", "subject_id"],
            [(pool_id, m.key, m.stratum, m.household, m.subject_type, m.subject_id) for m in members],
        )
        return pool_id

    async def pool(self, pool_id: int) -> PoolRow | None:
        row = await Pool.select(*_POOL_COLUMNS).where(Pool.id == pool_id).output(load_json=True).first()
        return None if row is None else _pool(row)

    async def pools(self, council_id: int, kind: str | None = None) -> list[PoolRow]:
        q = Pool.select(*_POOL_COLUMNS).where(Pool.council == council_id)
        if kind is not None:
            q = q.where(Pool.kind == kind)
        return [_pool(r) for r in await q.order_by(Pool.id, ascending=False).output(load_json=True)]

    async def content(self, pool_id: int) -> tuple[bytes, str] | None:
        """The exact pool file bytes and the digest stored with them."""
        row = await Pool.select(Pool.content, Pool.digest).where(Pool.id == pool_id).first()
        return None if row is None else (bytes(row["content"]), str(row["digest"]))

    async def households(self, pool_id: int) -> list[str]:
        rows = await PoolMember.select(PoolMember.household).where(PoolMember.pool == pool_id)
        return [str(r["household"]) for r in rows]

    async def members(self, pool_id: int, keys: Sequence[str]) -> dict[str, PoolMemberRow]:
        out: dict[str, PoolMemberRow] = {}
        keys = list(keys)
        for i in range(0, len(keys), 500):
            rows = await PoolMember.select(
                PoolMember.key, PoolMember.stratum, PoolMember.household, PoolMember.subject_type, PoolMember.subject_id,
            ).where((PoolMember.pool == pool_id) & PoolMember.key.is_in(keys[i : i + 500]))
            out.update({r["key"]: PoolMemberRow(r["key"], r["stratum"], r["household"], r["subject_type"],
                                                r["subject_id"]) for r in rows})
        return out
