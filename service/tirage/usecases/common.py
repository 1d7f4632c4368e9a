"""What every draw use case shares: the unit of work, loading a stored draw into the
domain's ``Draw``, the ranking blob, the reply codes and the audit event.

Every rule lives in ``domain.draw`` (protocol, plan, ceremony state machine, rounds,
record); a use case loads a draw through the ``DrawStore``, applies one domain
transition, and stores what changed with an audit event in the same transaction.

Storage choices, for speed: the ranking (up to a million keys) is one zlib blob of the
keys of each stratum in rank order followed by the skipped keys, with the list lengths in
``ranked_counts``; rows exist only for invited people and seats.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import zlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

from domain.access import Role
from domain.draw import ceremony as cer
from domain.draw import protocol as proto
from domain.draw import rounds as rnd
from domain.draw.rounds import Reply
from domain.errors import InvalidState
from domain.i18n import _
from service import audit
from service.audit import Actor
from service.db.engine import Database
from service.organisation import subjects
from service.organisation.subjects import Subject
from service.tirage.store import DrawRow, DrawStore, InvitationRow, PoolStore, RoundRow

DEFAULT_REPLY_DAYS: Final = 21
# Reply codes: 10 characters of Crockford's base 32 (no I, L, O, U), 50 bits.
CODE_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH: Final = 10
REPLY_LABELS: Final = {r.value: r.label for r in Reply}

# --------------------------------------------------------------------------------------
# The unit of work
# --------------------------------------------------------------------------------------


class AuditTrail:
    """Writes the draw's audit events into the hash-chained trail (service/audit.py)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, *, actor: Actor, action: str, subject_type: str, subject_id: int, at: datetime,
                     territory_id: int | None, council_id: int | None, details: dict[str, Any]) -> None:
        await audit.record(self.db, actor=actor, action=action, subject_type=subject_type, subject_id=subject_id,
                           at=at, territory_id=territory_id, council_id=council_id, details=details)

    async def head(self) -> dict[str, Any]:
        return await audit.current_head()


class SubjectDirectory:
    """The people pool keys stand for, through their owners' loaders (service/usecases/subjects.py)."""

    async def load(self, subject_type: str, ids: Sequence[int]) -> dict[int, Subject]:
        return await subjects.load_subjects(subject_type, ids)

    async def mark_selected(self, subject_type: str, ids: Sequence[int], at: datetime) -> None:
        await subjects.mark_selected(subject_type, ids, at)


@dataclass
class DrawUnitOfWork:
    """The stores and recorders a draw use case works with. The real one by default;
    the unit tests pass one made of in-memory fakes (tests/unit/test_tirage_usecases.py)."""

    draws: DrawStore
    pools: PoolStore
    audit: AuditTrail
    subjects: SubjectDirectory

    @classmethod
    def of(cls, db: Database | None = None) -> DrawUnitOfWork:
        draws = DrawStore(db)
        return cls(draws, PoolStore(draws.db), AuditTrail(draws.db), SubjectDirectory())

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        async with self.draws.transaction():
            yield


def unit_of_work(uow: DrawUnitOfWork | None, db: Database | None = None) -> DrawUnitOfWork:
    return uow if uow is not None else DrawUnitOfWork.of(db)


# --------------------------------------------------------------------------------------
# Ranking blob
# --------------------------------------------------------------------------------------


def encode_ranking(ranking: proto.Ranking) -> tuple[bytes, dict[str, int]]:
    """One zlib blob: the keys of each stratum (sorted labels) in rank order, then the
    skipped keys, joined by LF. Keys are ASCII (§2)."""
    keys: list[str] = []
    counts: dict[str, int] = {}
    for stratum in sorted(ranking.ranked):
        lst = ranking.ranked[stratum]
        counts[stratum] = len(lst)
        keys.extend(lst)
    keys.extend(ranking.skipped)
    return zlib.compress("\n".join(keys).encode("ascii"), 1), counts


def decode_ranking(blob: bytes, counts: Mapping[str, int], skipped: int) -> proto.Ranking:
    text = zlib.decompress(blob).decode("ascii")
    keys = text.split("\n") if text else []
    ranked: dict[str, tuple[str, ...]] = {}
    pos = 0
    for stratum in sorted(counts):
        n = int(counts[stratum])
        ranked[stratum] = tuple(keys[pos : pos + n])
        pos += n
    if len(keys) != pos + skipped:
        raise InvalidState(_("Le classement enregistré est incohérent."), code="classement-incoherent")
    return proto.Ranking(ranked=MappingProxyType(ranked), skipped=tuple(keys[pos:]))


# Decoded rankings are immutable once stored: a tiny per-process cache keyed by the blob's
# digest avoids decompressing a million keys for every public look-up. Another worker
# simply decodes again.
_RANKING_CACHE: OrderedDict[str, proto.Ranking] = OrderedDict()


def cached_ranking(row: DrawRow) -> proto.Ranking:
    digest = row.ranking_digest
    hit = _RANKING_CACHE.get(digest)
    if hit is not None:
        _RANKING_CACHE.move_to_end(digest)
        return hit
    if row.ranking is None:
        raise InvalidState(_("Le classement n'a pas encore été établi."), code="non-classe")
    return remember_ranking(digest, decode_ranking(row.ranking, row.ranked_counts, row.skipped_count))


def remember_ranking(digest: str, ranking: proto.Ranking) -> proto.Ranking:
    _RANKING_CACHE[digest] = ranking
    while len(_RANKING_CACHE) > 2:
        _RANKING_CACHE.popitem(last=False)
    return ranking


# --------------------------------------------------------------------------------------
# Reply codes
# --------------------------------------------------------------------------------------


def reply_code(secret_key: str, reference: str, key: str) -> str:
    """The code printed on a letter: derived from the service secret, the draw and the
    key, so letters regenerate identically; only its digest is stored."""
    mac = hmac.new(secret_key.encode("utf-8"), f"cc-reponse/1\n{reference}\n{key}".encode(), hashlib.sha256).digest()
    n = int.from_bytes(mac[:8], "big")
    chars = []
    for _i in range(CODE_LENGTH):
        n, r = divmod(n, 32)
        chars.append(CODE_ALPHABET[r])
    return "".join(chars[:5]) + "-" + "".join(chars[5:])


def normalise_code(code: str) -> str:
    """Upper case, separators removed, and the letters people confuse with digits read as
    those digits (Crockford: O → 0, I and L → 1)."""
    c = re.sub(r"[\s\-_.]", "", (code or "")).upper()
    return c.translate(str.maketrans("OIL", "011"))


def code_digest(code: str) -> str:
    return hashlib.sha256(("cc-reponse/1:" + normalise_code(code)).encode()).hexdigest()


# --------------------------------------------------------------------------------------
# Loading a draw into the domain
# --------------------------------------------------------------------------------------


def domain_draw(
    row: DrawRow,
    council: cer.Council,
    rounds: Sequence[RoundRow],
    invitations: Sequence[InvitationRow],
    ranking: proto.Ranking | None,
) -> cer.Draw:
    """The domain's view of a stored draw. Without the full ``ranking``, one made of the
    invited prefixes stands in: enough for replies, seats and the public record."""
    invited: dict[int, dict[str, list[str]]] = {}
    for inv in invitations:
        invited.setdefault(inv.round, {}).setdefault(inv.stratum, []).append(inv.key)
    strata = sorted(row.strata_counts)
    domain_rounds = tuple(
        rnd.Round(
            number=r.number,
            invited=MappingProxyType({s: tuple(invited.get(r.number, {}).get(s, ())) for s in strata}),
            at=r.at,
        )
        for r in rounds
    )
    status = cer.DrawStatus(row.status)
    if ranking is None and cer.has_ranking(status):
        prefixes: dict[str, list[str]] = {s: [] for s in strata}
        for dr in domain_rounds:
            for s, keys in dr.invited.items():
                prefixes[s].extend(keys)
        ranking = proto.Ranking(ranked=MappingProxyType({s: tuple(v) for s, v in prefixes.items()}), skipped=())
    entropy = None
    if row.entropy is not None:
        assert row.entropy_at is not None
        entropy = cer.EntropyEntry(
            text=row.entropy, kind=cer.EntropyKind(row.entropy_kind or "text"), entered_by=row.entropy_by,
            entered_at=row.entropy_at,
        )
    return cer.Draw(
        draw_id=row.reference,
        council=council,
        pool_digest=row.pool_digest,
        pool_size=row.pool_size,
        strata_counts=MappingProxyType(dict(sorted(row.strata_counts.items()))),
        plan=proto.parse_plan(dict(row.plan)),
        prepared_at=row.prepared_at,
        status=status,
        commitment=row.commitment or None,
        committed_at=row.committed_at,
        entropy=entropy,
        seed=bytes.fromhex(row.seed) if row.seed else None,
        ranking=ranking,
        rounds=domain_rounds,
        replies=MappingProxyType({i.key: Reply(i.reply) for i in invitations if i.reply}),
        departed=frozenset(i.key for i in invitations if i.departed_at is not None),
        abandoned_at=row.abandoned_at,
        abandon_reason=row.abandon_reason or None,
    )


@dataclass(frozen=True)
class LoadedDraw:
    row: DrawRow
    draw: cer.Draw
    territory_id: int
    rounds: list[RoundRow]
    invitations: list[InvitationRow]

    def round(self, number: int) -> RoundRow | None:
        return next((r for r in self.rounds if r.number == number), None)


async def council_of(uow: DrawUnitOfWork, council_id: int) -> tuple[cer.Council, int]:
    facts = await uow.draws.council(council_id)
    return cer.Council(name=facts.name, qpv_codes=facts.qpv_codes), facts.territory_id


async def load(uow: DrawUnitOfWork, draw_id: int, council_id: int | None = None, *,
               full_ranking: bool = False) -> LoadedDraw:
    row = await uow.draws.draw(draw_id, council_id, with_ranking=full_ranking)
    council, territory_id = await council_of(uow, row.council_id)
    rounds = await uow.draws.rounds(draw_id)
    invitations = await uow.draws.invitations(draw_id)
    ranking = None
    if full_ranking and cer.has_ranking(cer.DrawStatus(row.status)):
        ranking = cached_ranking(row)
    return LoadedDraw(row, domain_draw(row, council, rounds, invitations, ranking), territory_id, rounds, invitations)


async def record_event(uow: DrawUnitOfWork, at: datetime, actor: Actor, row: DrawRow, territory_id: int,
                       action: str, details: dict[str, Any]) -> None:
    await uow.audit.record(
        actor=actor, action=action, subject_type="tirage", subject_id=row.id, at=at, territory_id=territory_id,
        council_id=row.council_id, details={"reference": row.reference, **details},
    )


async def acting_role(uow: DrawUnitOfWork, actor: Actor) -> str:
    """Public draw data names the role that acted, never the account (issue 14, item 6)."""
    if actor.id is None:
        return actor.label
    held = await uow.draws.roles_of(actor.id)
    for role in (Role.CHEF_DE_PROJET, Role.ADMINISTRATEUR, Role.SECRETAIRE, Role.AUDITEUR, Role.MEMBRE):
        if role.value in held:
            return role.label
    return Role.CHEF_DE_PROJET.label


def public_name(value: str | None) -> str:
    """Rows written before roles were stored hold the account's e-mail: never show it."""
    if value and "@" in value:
        return Role.CHEF_DE_PROJET.label
    return value or ""


def public_view(row: DrawRow) -> dict[str, Any]:
    """A draw as pages, the API and the CLI show it (never the ranking blob)."""
    return {
        "id": row.id, "council": row.council_id, "pool": row.pool_id, "kind": row.kind, "reference": row.reference,
        "status": row.status, "label": row.label, "params": dict(row.params), "plan": dict(row.plan),
        "pool_digest": row.pool_digest, "pool_size": row.pool_size, "strata_counts": dict(row.strata_counts),
        "commitment": row.commitment, "committed_at": row.committed_at, "entropy": row.entropy,
        "entropy_kind": row.entropy_kind, "entropy_by": public_name(row.entropy_by), "entropy_at": row.entropy_at,
        "seed": row.seed, "ranking_digest": row.ranking_digest, "ranked_counts": dict(row.ranked_counts),
        "skipped_count": row.skipped_count, "ranked_at": row.ranked_at, "place": row.place, "present": row.present,
        "prepared_at": row.prepared_at, "abandoned_at": row.abandoned_at, "abandoned_by": public_name(row.abandoned_by),
        "abandon_reason": row.abandon_reason, "replaces": row.replaces, "replaced_by": row.replaced_by,
        "version": row.version, "status_label": cer.DrawStatus(row.status).label,
    }
