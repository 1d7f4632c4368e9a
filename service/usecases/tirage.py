"""The draw by lot (tirage au sort, cc-draw/1): use cases over the pure domain.

Every rule lives in ``domain.draw`` (protocol, ceremony state machine, rounds, record);
this module loads a draw from the database into the domain's ``Draw``, applies one
domain transition, and stores what changed with an audit event in the same transaction.

Storage choices, for speed: the ranking (up to a million keys) is one zlib blob of the
keys of each stratum in rank order followed by the skipped keys, with the list lengths in
``ranked_counts``; rows exist only for invited people and seats. Ranking is computed
outside the write transaction and stored by a versioned update, so two leads pressing
"draw" at once end with exactly one ranking (the other gets a ``Conflict``) and a crash
leaves the draw as it was (resuming recomputes the identical result).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import hmac
import io
import re
import zlib
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

from domain.access import ResourceScope, Role
from domain.draw import ceremony as cer
from domain.draw import protocol as proto
from domain.draw import record as rec
from domain.draw import rounds as rnd
from domain.draw.rounds import Reply, Sex
from domain.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    InvalidState,
    NotFound,
    RuleBroken,
)
from domain.i18n import _, ngettext
from domain.labels import stratum_label
from domain.verify import VerifyResult, verify
from service import attempts, audit
from service.audit import Actor
from service.auth import scope_resolver
from service.comptes.tables import RoleAssignment as RoleRow
from service.comptes.usecases.accounts import genre_of_account
from service.context import AppContext
from service.db.bulk import bulk_insert
from service.db.tables import Pool, PoolMember
from service.db.tables_tirage import Draw, DrawInvitation, DrawRound, DrawSeat
from service.db.versioned import versioned_update
from service.organisation import subjects
from service.organisation.scopes import council_scope
from service.organisation.tables import Council, CouncilQpv
from service.usecases.tirage_people import ReplyContact, merge_contact

# First-round letters per seat when the lead gives no number: acceptance observed in
# French cities is 1.4–6.5 % (spec/conseil-citoyen.md), so 20 letters a seat expect about
# one acceptance per seat at 5 %.
DEFAULT_MULTIPLE: Final = 20
DEFAULT_REPLY_DAYS: Final = 21
# Online replies: failures allowed per code and per client in the window.
REPLY_WINDOW: Final = timedelta(hours=1)
REPLY_MAX_FAILURES_PER_CODE: Final = 5
REPLY_MAX_FAILURES_PER_CLIENT: Final = 20
# Reply codes: 10 characters of Crockford's base 32 (no I, L, O, U), 50 bits.
CODE_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH: Final = 10

REPLY_LABELS: Final = {r.value: r.label for r in Reply}
_REPLY_WORDS: Final = {
    "accepte": Reply.ACCEPTED,
    "accepté": Reply.ACCEPTED,
    "acceptee": Reply.ACCEPTED,
    "acceptée": Reply.ACCEPTED,
    "oui": Reply.ACCEPTED,
    "accepted": Reply.ACCEPTED,
    "refuse": Reply.DECLINED,
    "refusé": Reply.DECLINED,
    "refusee": Reply.DECLINED,
    "refusée": Reply.DECLINED,
    "non": Reply.DECLINED,
    "declined": Reply.DECLINED,
    "sans_reponse": Reply.NO_REPLY,
    "sans réponse": Reply.NO_REPLY,
    "sans reponse": Reply.NO_REPLY,
    "no_reply": Reply.NO_REPLY,
    "npai": Reply.RETURNED_NPAI,
    "returned_npai": Reply.RETURNED_NPAI,
}


def parse_reply(value: str, *, field_name: str = "reply", line: int | None = None) -> Reply:
    word = (value or "").strip().lower()
    if word in _REPLY_WORDS:
        return _REPLY_WORDS[word]
    raise InvalidInput(
        _("Réponse inconnue « {value} » : indiquez accepte, refuse, sans_reponse ou npai.").format(value=value),
        field=field_name,
        line=line,
    )


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


def _cached_ranking(row: Mapping[str, Any]) -> proto.Ranking:
    digest = row["ranking_digest"]
    hit = _RANKING_CACHE.get(digest)
    if hit is not None:
        _RANKING_CACHE.move_to_end(digest)
        return hit
    blob = row["ranking"]
    if blob is None:
        raise InvalidState(_("Le classement n'a pas encore été établi."), code="non-classe")
    return _remember(digest, decode_ranking(bytes(blob), row["ranked_counts"], int(row["skipped_count"])))


def _remember(digest: str, ranking: proto.Ranking) -> proto.Ranking:
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
    return c.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def code_digest(code: str) -> str:
    return hashlib.sha256(("cc-reponse/1:" + normalise_code(code)).encode()).hexdigest()


# --------------------------------------------------------------------------------------
# Loading a draw into the domain
# --------------------------------------------------------------------------------------


@scope_resolver("draw_id")
async def draw_scope(draw_id: int) -> ResourceScope:
    row = await Draw.select(Draw.council).where(Draw.id == draw_id).first()
    if row is None:
        raise NotFound(_("Tirage introuvable."))
    return await council_scope(int(row["council"]))


_LIGHT_COLUMNS = [c for c in Draw._meta.columns if c._meta.name != "ranking"]


async def _row(draw_id: int, council_id: int | None = None, *, with_blob: bool = False) -> dict[str, Any]:
    cols = Draw._meta.columns if with_blob else _LIGHT_COLUMNS
    row = await Draw.select(*cols).where(Draw.id == draw_id).output(load_json=True).first()
    if row is None or (council_id is not None and int(row["council"]) != int(council_id)):
        raise NotFound(_("Tirage introuvable."))
    return dict(row)


async def _row_by_reference(reference: str) -> dict[str, Any]:
    row = await Draw.select(*_LIGHT_COLUMNS).where(Draw.reference == (reference or "").strip().upper()).output(load_json=True).first()
    if row is None:
        raise NotFound(_("Aucun tirage ne porte cette référence."))
    return dict(row)


async def _council_info(council_id: int) -> tuple[cer.Council, int]:
    c = await Council.select(Council.name, Council.territory).where(Council.id == council_id).first()
    if c is None:
        raise NotFound(_("Conseil citoyen introuvable."))
    links = await CouncilQpv.select(CouncilQpv.qpv.code).where(CouncilQpv.council == council_id)
    codes = tuple(sorted(str(r["qpv.code"]) for r in links))
    return cer.Council(name=str(c["name"]), qpv_codes=codes), int(c["territory"])


async def _invitations(draw_id: int) -> list[dict[str, Any]]:
    return list(
        await DrawInvitation.select()
        .where(DrawInvitation.draw == draw_id)
        .order_by(DrawInvitation.round)
        .order_by(DrawInvitation.stratum)
        .order_by(DrawInvitation.rank)
    )


async def _rounds(draw_id: int) -> list[dict[str, Any]]:
    return list(await DrawRound.select().where(DrawRound.draw == draw_id).order_by(DrawRound.number).output(load_json=True))


def _domain_draw(
    row: Mapping[str, Any],
    council: cer.Council,
    rounds: Sequence[Mapping[str, Any]],
    invitations: Sequence[Mapping[str, Any]],
    ranking: proto.Ranking | None,
) -> cer.Draw:
    """The domain's view of a stored draw. Without the full ``ranking``, one made of the
    invited prefixes stands in: enough for replies, seats and the public record."""
    invited: dict[int, dict[str, list[str]]] = {}
    for inv in invitations:
        invited.setdefault(int(inv["round"]), {}).setdefault(inv["stratum"], []).append(inv["key"])
    strata = sorted(row["strata_counts"])
    domain_rounds = tuple(
        rnd.Round(
            number=int(r["number"]),
            invited=MappingProxyType({s: tuple(invited.get(int(r["number"]), {}).get(s, ())) for s in strata}),
            at=r["at"],
        )
        for r in rounds
    )
    if ranking is None and row["status"] in ("ranked", "rounds"):
        prefixes: dict[str, list[str]] = {s: [] for s in strata}
        for r in domain_rounds:
            for s, keys in r.invited.items():
                prefixes[s].extend(keys)
        ranking = proto.Ranking(ranked=MappingProxyType({s: tuple(v) for s, v in prefixes.items()}), skipped=())
    entropy = None
    if row["entropy"] is not None:
        entropy = cer.EntropyEntry(
            text=row["entropy"],
            kind=cer.EntropyKind(row["entropy_kind"] or "text"),
            entered_by=row["entropy_by"],
            entered_at=row["entropy_at"],
        )
    return cer.Draw(
        draw_id=row["reference"],
        council=council,
        pool_digest=row["pool_digest"],
        pool_size=int(row["pool_size"]),
        strata_counts=MappingProxyType(dict(sorted(row["strata_counts"].items()))),
        plan=proto.parse_plan(row["plan"]),
        prepared_at=row["prepared_at"],
        status=cer.DrawStatus(row["status"]),
        commitment=row["commitment"] or None,
        committed_at=row["committed_at"],
        entropy=entropy,
        seed=bytes.fromhex(row["seed"]) if row["seed"] else None,
        ranking=ranking,
        rounds=domain_rounds,
        replies=MappingProxyType({i["key"]: Reply(i["reply"]) for i in invitations if i["reply"]}),
        departed=frozenset(i["key"] for i in invitations if i["departed_at"] is not None),
        abandoned_at=row["abandoned_at"],
        abandon_reason=row["abandon_reason"] or None,
    )


@dataclass
class _Loaded:
    row: dict[str, Any]
    draw: cer.Draw
    territory_id: int
    rounds: list[dict[str, Any]]
    invitations: list[dict[str, Any]]


async def _load(draw_id: int, council_id: int | None = None, *, full_ranking: bool = False) -> _Loaded:
    row = await _row(draw_id, council_id, with_blob=full_ranking)
    council, territory_id = await _council_info(int(row["council"]))
    rounds = await _rounds(draw_id)
    invitations = await _invitations(draw_id)
    ranking = None
    if full_ranking and row["status"] in ("ranked", "rounds"):
        ranking = _cached_ranking(row)
    return _Loaded(
        row,
        _domain_draw(row, council, rounds, invitations, ranking),
        territory_id,
        rounds,
        invitations,
    )


async def _versioned(draw_id: int, version: int, values: dict[str, Any], *, status: str | None = None) -> None:
    """Update the draw only if nobody changed it since it was read (optimistic locking)."""
    await versioned_update(
        Draw, draw_id, version, values,
        message=_("Ce tirage vient d'être modifié par quelqu'un d'autre : rechargez la page pour voir son état."),
        code="tirage-modifie",
        extra_where=None if status is None else Draw.status == status,
    )


async def _audit(
    ctx: AppContext,
    actor: Actor,
    loaded_row: Mapping[str, Any],
    territory_id: int,
    action: str,
    details: dict[str, Any],
) -> None:
    await audit.record(
        ctx.db,
        actor=actor,
        action=action,
        subject_type="tirage",
        subject_id=int(loaded_row["id"]),
        at=ctx.now(),
        territory_id=territory_id,
        council_id=int(loaded_row["council"]),
        details={"reference": loaded_row["reference"], **details},
    )


# --------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInput:
    """What the lead decides. ``seats``: seats filled from this pool (the residents' seats,
    or the volunteers' seats for a pool of volunteers); ``odd_seat`` ("F"/"M") who gets the
    odd seat; ``invitations``: first-round letters per stratum (default ``multiple`` × the
    stratum's seats, bounded by the pool); ``seats_by_stratum``: explicit seats, for pools
    whose strata are not split by sex."""

    seats: int
    odd_seat: str | None = None
    one_per_household: bool = True
    invitations: Mapping[str, int] | None = None
    multiple: int = DEFAULT_MULTIPLE
    seats_by_stratum: Mapping[str, int] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "seats": self.seats,
            "odd_seat": self.odd_seat,
            "one_per_household": self.one_per_household,
            "invitations": None if self.invitations is None else dict(self.invitations),
            "multiple": self.multiple,
            "seats_by_stratum": None if self.seats_by_stratum is None else dict(self.seats_by_stratum),
        }


def _count(value: Any, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(_("Indiquez un nombre entier positif ou nul."), field=field_name)
    return value


def plan_for(strata_counts: Mapping[str, int], data: PlanInput) -> dict[str, Any]:
    """The cc-draw/1 plan object for a pool's strata, checked against the pool.

    Seats are shared between women and men (|F − M| ≤ 1, odd seat given explicitly) and
    over each sex's sub-strata by largest remainder (§7); a stratum with fewer people than
    its seats is refused here, before anything is committed.
    """
    _count(data.seats, "seats")
    _count(data.multiple, "multiple")
    if data.seats == 0:
        raise InvalidInput(_("Indiquez au moins un siège à pourvoir."), field="seats")
    if data.seats_by_stratum is not None:
        seats = {s: _count(data.seats_by_stratum.get(s, 0), f"seats_by_stratum.{s}") for s in strata_counts}
        unknown = sorted(set(data.seats_by_stratum) - set(strata_counts))
        if unknown:
            raise InvalidInput(
                _("La strate « {s} » n'existe pas dans la liste.").format(s=unknown[0]),
                field="seats_by_stratum",
            )
        if sum(seats.values()) != data.seats:
            raise InvalidInput(
                _("Les sièges par strate ({n}) ne font pas le total annoncé ({total}).").format(n=sum(seats.values()), total=data.seats),
                field="seats_by_stratum",
            )
    else:
        odd = None
        if data.odd_seat:
            try:
                odd = Sex(str(data.odd_seat).upper())
            except ValueError:
                raise InvalidInput(
                    _("Le siège restant revient aux femmes (F) ou aux hommes (M)."),
                    field="odd_seat",
                ) from None
        try:
            seats = dict(rnd.parity_plan(data.seats, odd, strata_counts).seats_by_stratum)
        except InvalidInput as exc:
            if exc.code != "repartition-invalide":
                raise
            raise RuleBroken(
                _(
                    "Une moitié de la liste (femmes ou hommes) ne compte personne alors que des sièges lui "
                    "reviennent : impossible de respecter la parité avec cette liste."
                ),
                code="strate-insuffisante",
                field="seats",
            ) from None
    short = [s for s in sorted(seats) if strata_counts.get(s, 0) < seats[s]]
    if short:
        s = short[0]
        raise RuleBroken(
            (ngettext("La strate « {s} » compte {n} personne", "La strate « {s} » compte {n} personnes", strata_counts.get(s, 0))
             + " " + ngettext("pour {k} siège", "pour {k} sièges", seats[s])
             + _(" : impossible de pourvoir ses sièges. Réduisez le nombre de sièges ou élargissez la liste.")
             ).format(s=stratum_label(s), n=strata_counts.get(s, 0), k=seats[s]),
            code="strate-insuffisante",
            field="seats",
        )
    if data.invitations is not None:
        unknown = sorted(set(data.invitations) - set(strata_counts))
        if unknown:
            raise InvalidInput(
                _("La strate « {s} » n'existe pas dans la liste.").format(s=unknown[0]),
                field="invitations",
            )
        quotas = {s: _count(data.invitations.get(s, 0), f"invitations.{s}") for s in strata_counts}
        for s in sorted(quotas):
            if quotas[s] > strata_counts[s]:
                raise InvalidInput(
                    (ngettext("Strate « {s} » : {q} invitation",
                        "Strate « {s} » : {q} invitations", quotas[s]) + " " + ngettext("pour {n} personne dans la liste.",
                        "pour {n} personnes dans la liste.",
                        strata_counts[s])).format(s=stratum_label(s), q=quotas[s], n=strata_counts[s]),
                    field=f"invitations.{s}",
                )
            if quotas[s] < seats[s]:
                raise InvalidInput(
                    _("Strate « {s} » : le premier tour doit inviter au moins autant de personnes que de sièges ({k}).").format(s=s, k=seats[s]),
                    field=f"invitations.{s}",
                )
    else:
        quotas = {s: min(strata_counts[s], data.multiple * seats[s]) for s in strata_counts}
    return {
        "protocol": proto.PROTOCOL,
        "one_per_household": bool(data.one_per_household),
        "quotas": dict(sorted(quotas.items())),
        "seats": dict(sorted(seats.items())),
    }


async def _pool_row(pool_id: int, council_id: int) -> dict[str, Any]:
    row = (
        await Pool.select(Pool.id, Pool.council, Pool.kind, Pool.label, Pool.digest, Pool.size, Pool.strata_counts)
        .where(Pool.id == pool_id)
        .output(load_json=True)
        .first()
    )
    if row is None or int(row["council"]) != int(council_id):
        raise NotFound(_("Liste (vivier) introuvable pour ce conseil."), field="pool_id")
    return dict(row)


async def propose_plan(council_id: int, pool_id: int, data: PlanInput) -> dict[str, Any]:
    """The plan the service would commit for this pool and these choices (for the form)."""
    pool = await _pool_row(pool_id, council_id)
    return plan_for(pool["strata_counts"], data)


async def _frozen_pool(pool_id: int, expected_digest: str) -> tuple[bytes, proto.Pool]:
    """The pool file bytes, parsed, after checking they still hash to the digest."""
    row = await Pool.select(Pool.content, Pool.digest).where(Pool.id == pool_id).first()
    if row is None:
        raise NotFound(_("Liste (vivier) introuvable."))
    content = bytes(row["content"])
    digest = await asyncio.to_thread(proto.pool_digest, content)  # hashlib releases the GIL
    if digest != expected_digest or digest != row["digest"]:
        raise RuleBroken(
            _("La liste a changé depuis sa préparation (son empreinte ne correspond plus) : le tirage ne peut pas se faire sur cette liste."),
            code="liste-modifiee",
            field="pool",
        )
    return content, await asyncio.to_thread(_trusted_pool, content, digest)


def _trusted_pool(content: bytes, digest: str) -> proto.Pool:
    """The pool from bytes that hash to the digest of a file ``parse_pool`` validated when
    the pool was created: the fields are split without re-validating every line (the
    regular-expression pass costs a quarter of a 1M ranking)."""
    text = content.decode("utf-8")
    fields = text.replace("\n", "\t").split("\t")
    keys = tuple(fields[0:-1:3])
    strata = tuple(fields[1::3])
    households = tuple(fields[2::3])
    del fields
    counts = Counter(strata)
    return proto.Pool(
        keys=keys,
        strata=strata,
        households=households,
        digest=digest,
        strata_counts=MappingProxyType(dict(sorted(counts.items()))),
    )


# --------------------------------------------------------------------------------------
# The ceremony
# --------------------------------------------------------------------------------------


async def prepare_draw(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    pool_id: int,
    data: PlanInput,
    *,
    label: str = "",
    place: str = "",
    present: str = "",
    replaces: int | None = None,
) -> dict[str, Any]:
    """Prepare a draw of ``council_id`` over ``pool_id`` (any pool of the council:
    residents or volunteers). The plan is checked against the pool; nothing is committed."""
    pool_info = await _pool_row(pool_id, council_id)
    if int(pool_info["size"]) == 0:
        raise InvalidInput(
            _("La liste est vide : il n'y a personne à tirer au sort."),
            code="vivier-vide",
            field="pool_id",
        )
    _content, pool = await _frozen_pool(pool_id, pool_info["digest"])
    plan = plan_for(pool.strata_counts, data)
    council, territory_id = await _council_info(council_id)
    now = ctx.now()
    draw = cer.prepare("en-preparation", council, pool, plan, now)  # parity, §7, quotas vs pool
    async with ctx.db.transaction():
        row = (
            await Draw.insert(
                Draw(
                    council=council_id,
                    pool=pool_id,
                    kind=pool_info["kind"],
                    reference="tmp-" + hashlib.sha256(f"{council_id}:{pool_id}:{now.isoformat()}:{id(data)}".encode()).hexdigest()[:20],
                    status="prepared",
                    label=label.strip()[:200],
                    params=data.as_json(),
                    plan=draw.plan.as_json(),
                    pool_digest=pool.digest,
                    pool_size=pool.size,
                    strata_counts=dict(pool.strata_counts),
                    place=place.strip()[:200],
                    present=present.strip(),
                    prepared_by=actor.id,
                    prepared_at=now,
                    replaces=replaces,
                )
            ).returning(Draw.id)
        )[0]
        draw_id = int(row["id"])
        reference = f"CC-{now.year}-{draw_id:04d}"
        await Draw.update({Draw.reference: reference}).where(Draw.id == draw_id)
        stored = await _row(draw_id)
        await _audit(
            ctx,
            actor,
            stored,
            territory_id,
            "tirage.preparation",
            {
                "pool_id": pool_id,
                "pool_digest": pool.digest,
                "plan": draw.plan.as_json(),
                "kind": pool_info["kind"],
            },
        )
    return await get_draw(draw_id)


async def commit_draw(ctx: AppContext, actor: Actor, council_id: int, draw_id: int) -> dict[str, Any]:
    """Freeze pool and plan: the commitment is computed and published (§3)."""
    loaded = await _load(draw_id, council_id)
    row = loaded.row
    await _frozen_pool(int(row["pool"]), row["pool_digest"])  # the stored bytes still hash to the digest
    now = ctx.now()
    draw = cer.commit(loaded.draw, now)
    async with ctx.db.transaction():
        await _versioned(
            draw_id,
            int(row["version"]),
            {"status": "committed", "commitment": draw.commitment, "committed_at": now},
            status="prepared",
        )
        await _audit(
            ctx,
            actor,
            row,
            loaded.territory_id,
            "tirage.engagement",
            {
                "commitment": draw.commitment,
                "pool_digest": row["pool_digest"],
                "strata_counts": row["strata_counts"],
            },
        )
    return await get_draw(draw_id)


async def enter_entropy(ctx: AppContext, actor: Actor, council_id: int, draw_id: int, text: str, kind: str = "dice") -> dict[str, Any]:
    """Accept the public entropy (§4) — once per commitment, ever."""
    try:
        ekind = cer.EntropyKind(kind)
    except ValueError:
        raise InvalidInput(_("Type d'aléa inconnu : dés (dice) ou texte (text)."), field="kind") from None
    loaded = await _load(draw_id, council_id)
    row = loaded.row
    if loaded.draw.status is cer.DrawStatus.PREPARED:
        raise InvalidState(
            _("Le tirage n'est pas encore engagé : publiez l'engagement avant de saisir l'aléa."),
            code="non-engage",
        )
    now = ctx.now()
    who = await _acting_role(actor)
    draw = cer.enter_entropy(loaded.draw, text, ekind, who, now)
    assert draw.seed is not None
    async with ctx.db.transaction():
        if await Draw.exists().where((Draw.entropy_commitment == row["commitment"]) & (Draw.id != draw_id)):
            raise InvalidState(
                _("Cet engagement a déjà reçu un aléa (sur un autre tirage) : il ne peut pas en recevoir un second."),
                code="alea-deja-saisi",
            )
        try:
            await _versioned(
                draw_id,
                int(row["version"]),
                {
                    "status": "entropy_entered",
                    "entropy": text,
                    "entropy_kind": ekind.value,
                    "entropy_by": who,
                    "entropy_by_id": actor.id,
                    "entropy_at": now,
                    "entropy_commitment": row["commitment"],
                    "seed": draw.seed.hex(),
                },
                status="committed",
            )
        except Conflict:
            again = await _row(draw_id)
            if again["entropy"] is not None:
                raise InvalidState(
                    _("Un aléa a déjà été saisi pour cet engagement ; il ne peut pas être remplacé."),
                    code="alea-deja-saisi",
                ) from None
            raise
        await _audit(
            ctx,
            actor,
            row,
            loaded.territory_id,
            "tirage.alea",
            {
                "entropy": text,
                "kind": ekind.value,
                "seed": draw.seed.hex(),
                "commitment": row["commitment"],
            },
        )
    return await get_draw(draw_id)


async def rank_draw(ctx: AppContext, actor: Actor, council_id: int, draw_id: int) -> dict[str, Any]:
    """Rank the frozen pool with the seed (§5) and store the whole ranking at once.

    Computed before the write transaction; stored by a versioned update that only
    succeeds from the state "entropy entered": of two concurrent calls exactly one
    stores, the other gets a ``Conflict``. Ranking is deterministic, so after a crash
    calling again gives the identical result.
    """
    row = await _row(draw_id, council_id)
    status = row["status"]
    if status in ("ranked", "rounds"):
        raise Conflict(_("Le classement de ce tirage est déjà établi."), code="deja-classe")
    if status != "entropy_entered":
        if status == "abandoned":
            raise InvalidState(
                _("Ce tirage a été abandonné : aucune action n'est plus possible."),
                code="tirage-abandonne",
            )
        raise InvalidState(_("Saisissez d'abord l'aléa public : le classement en dépend."), code="alea-manquant")
    council, territory_id = await _council_info(int(row["council"]))
    _content, pool = await _frozen_pool(int(row["pool"]), row["pool_digest"])
    del _content

    def compute(frozen: proto.Pool) -> tuple[cer.Draw, bytes, dict[str, int]]:
        ranked = cer.rank_draw(_domain_draw(row, council, [], [], None), frozen)
        assert ranked.ranking is not None
        return (ranked, *encode_ranking(ranked.ranking))

    # Seconds of pure computation on a large pool: in a worker thread, so the event loop
    # keeps serving other requests meanwhile.
    draw, blob, counts = await asyncio.to_thread(compute, pool)
    del pool
    assert draw.ranking is not None
    digest = hashlib.sha256(blob).hexdigest()
    now = ctx.now()
    async with ctx.db.transaction():
        try:
            await _versioned(
                draw_id,
                int(row["version"]),
                {
                    "status": "ranked",
                    "ranking": blob,
                    "ranking_digest": digest,
                    "ranked_counts": counts,
                    "skipped_count": len(draw.ranking.skipped),
                    "ranked_at": now,
                },
                status="entropy_entered",
            )
        except Conflict:
            raise Conflict(
                _("Le classement vient d'être établi par quelqu'un d'autre : rechargez la page."),
                code="deja-classe",
            ) from None
        await _audit(
            ctx,
            actor,
            row,
            territory_id,
            "tirage.classement",
            {
                "ranking_digest": digest,
                "ranked_counts": counts,
                "skipped": len(draw.ranking.skipped),
                "ranked_sha256": {s: proto.ranked_list_digest(draw.ranking.ranked[s]) for s in sorted(counts)},
            },
        )
    _remember(digest, draw.ranking)
    return await get_draw(draw_id)


async def abandon_draw(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    draw_id: int,
    reason: str,
    *,
    redo_pool_id: int | None = None,
) -> dict[str, Any]:
    """Abandon a draw (it stays, with its commitment, in the trail). With ``redo_pool_id``,
    a new draw is prepared and committed with the same choices over that pool: a new
    commitment (a commitment that received entropy never receives another one, so the
    same pool with the same plan is refused before anything changes)."""
    loaded = await _load(draw_id, council_id)
    row = loaded.row
    now = ctx.now()
    draw = cer.abandon(loaded.draw, reason, now)
    data: PlanInput | None = None
    if redo_pool_id is not None:
        params = row["params"] or {}
        data = PlanInput(
            seats=int(params.get("seats", 0)),
            odd_seat=params.get("odd_seat"),
            one_per_household=bool(params.get("one_per_household", True)),
            invitations=params.get("invitations"),
            multiple=int(params.get("multiple", DEFAULT_MULTIPLE)),
            seats_by_stratum=params.get("seats_by_stratum"),
        )
        redo_pool = await _pool_row(redo_pool_id, council_id)
        redo_commitment = proto.commitment(redo_pool["digest"], plan_for(redo_pool["strata_counts"], data))
        if redo_commitment == row["commitment"] and row["entropy"] is None:
            pass  # nothing was drawn under it: committing the same again is no re-roll
        elif await Draw.exists().where((Draw.entropy_commitment == redo_commitment) | (Draw.commitment == redo_commitment)):
            raise RuleBroken(
                _(
                    "Même liste et même plan qu'un tirage déjà engagé : ce serait un nouveau lancer du même tirage. "
                    "Préparez une nouvelle liste (nouvelles clés) ou changez le plan."
                ),
                code="engagement-deja-utilise",
                field="redo_pool_id",
            )
    async with ctx.db.transaction():
        await _versioned(
            draw_id,
            int(row["version"]),
            {
                "status": "abandoned",
                "abandoned_at": now,
                "abandoned_by": await _acting_role(actor),
                "abandon_reason": draw.abandon_reason,
            },
        )
        await _audit(
            ctx,
            actor,
            row,
            loaded.territory_id,
            "tirage.abandon",
            {
                "reason": reason.strip()[:500],
                "commitment": row["commitment"],
                "previous_status": row["status"],
            },
        )
    if redo_pool_id is None or data is None:
        return await get_draw(draw_id)
    new = await prepare_draw(
        ctx,
        actor,
        council_id,
        redo_pool_id,
        data,
        label=row["label"],
        place=row["place"],
        present=row["present"],
        replaces=draw_id,
    )
    new = await commit_draw(ctx, actor, council_id, int(new["id"]))
    async with ctx.db.transaction():
        await Draw.update({Draw.replaced_by: int(new["id"])}).where(Draw.id == draw_id)
    return await get_draw(int(new["id"]))


async def update_session_info(ctx: AppContext, actor: Actor, council_id: int, draw_id: int, *, place: str, present: str) -> dict[str, Any]:
    """Where the public session is held and who attends (for the procès-verbal)."""
    loaded = await _load(draw_id, council_id)
    async with ctx.db.transaction():
        await _versioned(
            draw_id,
            int(loaded.row["version"]),
            {"place": place.strip()[:200], "present": present.strip()},
        )
        await _audit(ctx, actor, loaded.row, loaded.territory_id, "tirage.seance", {})
    return await get_draw(draw_id)


# --------------------------------------------------------------------------------------
# Rounds
# --------------------------------------------------------------------------------------


def _reserve(draw: cer.Draw) -> dict[str, int]:
    # Règlement default: a reserve of suppléants at least equal to the seats.
    return dict(draw.plan.seats or {})


async def propose_round(draw_id: int, council_id: int | None = None) -> dict[str, int]:
    """The next round's size per stratum: round 1 the plan's quotas; later rounds the
    parity-balanced proposal from the empty seats and the acceptance observed so far."""
    loaded = await _load(draw_id, council_id, full_ranking=True)
    draw = loaded.draw
    if draw.status not in (cer.DrawStatus.RANKED, cer.DrawStatus.ROUNDS):
        raise InvalidState(_("Le classement n'est pas encore établi."), code="non-classe")
    if not draw.rounds:
        return rnd.first_round_counts(draw.plan.quotas, draw.ranked)
    return cer.proposed_next_round(draw, reserve=_reserve(draw))


async def open_round(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    draw_id: int,
    counts: Mapping[str, int] | None = None,
    *,
    deadline: datetime | None = None,
) -> dict[str, Any]:
    """Invite the next people of each stratum (§6). Round 1 follows the plan; later rounds
    take ``counts`` (the lead's confirmation or edit of ``propose_round``)."""
    loaded = await _load(draw_id, council_id, full_ranking=True)
    row, draw = loaded.row, loaded.draw
    now = ctx.now()
    if draw.status in (cer.DrawStatus.RANKED, cer.DrawStatus.ROUNDS):
        proposal = rnd.first_round_counts(draw.plan.quotas, draw.ranked) if not draw.rounds else cer.proposed_next_round(draw, reserve=_reserve(draw))
    else:
        proposal = {}
    if counts is not None:
        counts = {str(s): n for s, n in counts.items()}
    new_draw = cer.open_round(draw, now, counts)
    new_round = new_draw.rounds[-1]
    if deadline is None:
        deadline = now + timedelta(days=DEFAULT_REPLY_DAYS)
    elif deadline.tzinfo is None or deadline <= now:
        raise InvalidInput(_("La date limite de réponse doit être postérieure à aujourd'hui."), field="deadline")
    invs = rnd.invitations((new_round,), None)
    depths = rnd.invited_depths(draw.ranked, draw.rounds)
    keys = [k for s in sorted(new_round.invited) for k in new_round.invited[s]]
    members: dict[str, dict[str, Any]] = {}
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        rows = await PoolMember.select(PoolMember.key, PoolMember.subject_type, PoolMember.subject_id).where(
            (PoolMember.pool == int(row["pool"])) & PoolMember.key.is_in(chunk)
        )
        members.update({r["key"]: r for r in rows})
    secret = ctx.settings.secret_key
    records = []
    for key in keys:
        inv = invs[key]
        m = members.get(key, {})
        records.append(
            (
                draw_id,
                new_round.number,
                key,
                f"{draw_id}:{key}",
                inv.stratum,
                depths.get(inv.stratum, 0) + inv.rank,
                m.get("subject_type") or "",
                m.get("subject_id"),
                code_digest(reply_code(secret, row["reference"], key)),
                "",
                "",
                "",
            )
        )
    counts_done = new_round.counts()
    async with ctx.db.transaction():
        await _versioned(draw_id, int(row["version"]), {"status": "rounds"})
        await DrawRound.insert(
            DrawRound(
                draw=draw_id,
                number=new_round.number,
                round_key=f"{draw_id}:{new_round.number}",
                proposed=proposal,
                invited=counts_done,
                at=now,
                deadline=deadline,
                created_by=actor.label,
            )
        )
        await bulk_insert(
            ctx.db,
            DrawInvitation._meta.tablename,
            [
                "draw",
                "round",
                "key",
                "invitation_key",
                "stratum",
                "rank",
                "subject_type",
                "subject_id",
                "code_digest",
                "reply",
                "reply_via",
                "contact",
            ],
            records,
        )
        by_type: dict[str, list[int]] = {}
        for key in keys:
            m = members.get(key, {})
            if m.get("subject_id") is not None:
                by_type.setdefault(m["subject_type"], []).append(int(m["subject_id"]))
        for subject_type, ids in by_type.items():
            await subjects.mark_selected(subject_type, ids, now)
        await _audit(
            ctx,
            actor,
            row,
            loaded.territory_id,
            "tirage.tour",
            {
                "round": new_round.number,
                "invited": counts_done,
                "proposed": proposal,
                "deadline": deadline.isoformat(),
            },
        )
    return await get_draw(draw_id)


# --------------------------------------------------------------------------------------
# Replies and seats
# --------------------------------------------------------------------------------------


async def _store_seats(draw_id: int, draw: cer.Draw, invitations: Sequence[Mapping[str, Any]]) -> None:
    ids = {i["key"]: int(i["id"]) for i in invitations}
    assignment = cer.seat_assignment(draw)
    await DrawSeat.delete().where(DrawSeat.draw == draw_id)
    seats = []
    for stratum in sorted(assignment.titulaires):
        for pos, key in enumerate(assignment.titulaires[stratum], start=1):
            seats.append(
                DrawSeat(
                    draw=draw_id,
                    stratum=stratum,
                    role="titulaire",
                    position=pos,
                    key=key,
                    invitation=ids[key],
                )
            )
        for pos, key in enumerate(assignment.suppleants[stratum], start=1):
            seats.append(
                DrawSeat(
                    draw=draw_id,
                    stratum=stratum,
                    role="suppleant",
                    position=pos,
                    key=key,
                    invitation=ids[key],
                )
            )
    if seats:
        await DrawSeat.insert(*seats)


@dataclass(frozen=True)
class ReplyEntry:
    key: str
    reply: Reply
    line: int | None = None
    contact: str | None = None
    correction: str = ""  # reason for correcting a letter recorded as returned (NPAI)


async def _apply_replies(ctx: AppContext, actor: Actor, loaded: _Loaded, entries: Sequence[ReplyEntry], via: str) -> None:
    """Record replies and rebuild the seats, in one transaction.

    Seats are computed from the replies as read, so the write is versioned; replies are
    idempotent per person, so when another reply (the lead's, a resident's online) got in
    between, the draw is read again and the same replies applied on top, a few times."""
    attempts = 8
    for attempt in range(attempts):
        try:
            await _apply_replies_once(ctx, actor, loaded, entries, via)
            return
        except Conflict:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.005 * attempt)
            loaded = await _load(int(loaded.row["id"]))


async def _apply_replies_once(ctx: AppContext, actor: Actor, loaded: _Loaded, entries: Sequence[ReplyEntry], via: str) -> None:
    draw = loaded.draw
    corrections = {
        e.key: {"avant": draw.replies[e.key].value, "apres": e.reply.value, "motif": " ".join(e.correction.split())}
        for e in entries
        if e.correction.strip() and draw.replies.get(e.key) is Reply.RETURNED_NPAI and e.reply is not Reply.RETURNED_NPAI
    }
    for e in entries:
        try:
            draw = cer.record_reply(draw, e.key, e.reply, e.correction)
        except (InvalidInput, InvalidState, RuleBroken) as exc:
            if e.line is not None:
                exc.line = e.line
            raise
    now = ctx.now()
    async with ctx.db.transaction():
        await _versioned(int(loaded.row["id"]), int(loaded.row["version"]), {})
        for e in entries:
            values: dict[Any, Any] = {
                DrawInvitation.reply: e.reply.value,
                DrawInvitation.replied_at: now,
                DrawInvitation.reply_via: via,
            }
            if e.contact is not None:
                values[DrawInvitation.contact] = e.contact
            await DrawInvitation.update(values).where((DrawInvitation.draw == int(loaded.row["id"])) & (DrawInvitation.key == e.key))
        await _store_seats(int(loaded.row["id"]), draw, loaded.invitations)
        await _audit(
            ctx,
            actor,
            loaded.row,
            loaded.territory_id,
            "tirage.reponses",
            {
                "via": via,
                "replies": {e.key: e.reply.value for e in entries[:200]},
                "count": len(entries),
                **({"corrections_npai": corrections} if corrections else {}),
            },
        )


async def record_reply(ctx: AppContext, actor: Actor, council_id: int, draw_id: int, key: str, reply: str | Reply,
                       correction: str = "") -> dict[str, Any]:
    """The lead records (or corrects) one invited person's reply; ``correction`` is the
    reason for correcting a letter recorded as returned (NPAI), kept in the audit trail."""
    loaded = await _load(draw_id, council_id)
    r = reply if isinstance(reply, Reply) else parse_reply(reply)
    await _apply_replies(ctx, actor, loaded, [ReplyEntry(key.strip(), r, correction=correction)], "lead")
    return await draw_state(draw_id)


def _sniff_rows(text: str) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    if "\t" in first and first.count("\t") > first.count(delimiter):
        delimiter = "\t"
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


async def import_replies_csv(ctx: AppContext, actor: Actor, council_id: int, draw_id: int, data: bytes) -> dict[str, Any]:
    """Replies in a CSV file: a header with ``cle`` (or ``code``, the letter's reply code)
    and ``reponse`` (accepte, refuse, sans_reponse, npai). All lines or none: every faulty
    line is reported with its number."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise InvalidInput(_("Le fichier n'est pas un texte lisible (UTF-8 attendu)."), field="fichier") from None
    rows = _sniff_rows(text.replace("\r\n", "\n").replace("\r", "\n"))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise InvalidInput(_("Le fichier est vide."), field="fichier")
    header = [h.strip().lower().replace("é", "e") for h in rows[0]]
    key_col = next((header.index(n) for n in ("cle", "key") if n in header), None)
    code_col = header.index("code") if "code" in header else None
    reply_col = next((header.index(n) for n in ("reponse", "reply") if n in header), None)
    if reply_col is None or (key_col is None and code_col is None):
        raise InvalidInput(
            _("Ligne 1 : l'en-tête doit contenir une colonne « reponse » et une colonne « cle » ou « code »."),
            field="fichier",
            line=1,
        )
    loaded = await _load(draw_id, council_id)
    by_key = {i["key"]: i for i in loaded.invitations}
    by_code = {i["code_digest"]: i for i in loaded.invitations}
    errors: list[FieldError] = []
    entries: list[ReplyEntry] = []
    seen: dict[str, int] = {}
    for line_no, cells in enumerate(rows[1:], start=2):

        def cell(col: int | None, cells: list[str] = cells) -> str:
            return cells[col].strip() if col is not None and col < len(cells) else ""

        key = cell(key_col)
        if not key and cell(code_col):
            inv = by_code.get(code_digest(cell(code_col)))
            if inv is None:
                errors.append(
                    FieldError(
                        "code",
                        _("Ligne {n} : code de réponse inconnu pour ce tirage.").format(n=line_no),
                        line_no,
                    )
                )
                continue
            key = inv["key"]
        if not key:
            errors.append(FieldError("cle", _("Ligne {n} : clé ou code manquant.").format(n=line_no), line_no))
            continue
        if key not in by_key:
            errors.append(
                FieldError(
                    "cle",
                    _("Ligne {n} : la personne « {k} » n'a été invitée à aucun tour.").format(n=line_no, k=key),
                    line_no,
                )
            )
            continue
        try:
            reply = parse_reply(cell(reply_col), field_name="reponse", line=line_no)
        except InvalidInput as exc:
            errors.append(FieldError("reponse", _("Ligne {n} : {m}").format(n=line_no, m=exc.detail), line_no))
            continue
        if key in seen:
            errors.append(
                FieldError(
                    "cle",
                    _("Ligne {n} : « {k} » figure déjà ligne {p}.").format(n=line_no, k=key, p=seen[key]),
                    line_no,
                )
            )
            continue
        seen[key] = line_no
        entries.append(ReplyEntry(key, reply, line_no))
    if errors:
        raise InvalidInput(
            ngettext("{n} ligne en erreur ; aucune réponse n'a été enregistrée. Première erreur : {first}",
                "{n} lignes en erreur ; aucune réponse n'a été enregistrée. Première erreur : {first}",
                len(errors)).format(n=len(errors), first=errors[0].message),
            field="fichier",
            line=errors[0].line,
            errors=errors,
            code="fichier-reponses-invalide",
        )
    if not entries:
        raise InvalidInput(_("Le fichier ne contient aucune réponse."), field="fichier")
    try:
        await _apply_replies(ctx, actor, loaded, entries, "csv")
    except (InvalidInput, RuleBroken, InvalidState) as exc:
        if exc.line is not None:
            exc.detail = _("Ligne {n} : {m}").format(n=exc.line, m=exc.detail)
        raise
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.reply.value] = counts.get(e.reply.value, 0) + 1
    return {"recorded": len(entries), "by_reply": counts}


async def reply_online(
    ctx: AppContext,
    code: str,
    birth_year: int | str,
    answer: str,
    contact: str | Any = "",
    client_key: str = "",
) -> dict[str, Any]:
    """A resident answers online with the code of their letter and their birth year.

    Every failure says the same thing (nothing tells a guessed code from a wrong year);
    failures are counted per code and per client in the database (every worker sees
    them) and refused past the limit with ``TooManyAttempts``.
    """
    now = ctx.now()
    digest = code_digest(code)
    keys = [f"reponse-code:{digest}", f"reponse-client:{client_key or 'inconnu'}"]
    limits = [REPLY_MAX_FAILURES_PER_CODE, REPLY_MAX_FAILURES_PER_CLIENT]

    def refusal(retry: int) -> str:
        m = max(1, (retry + 59) // 60)
        return ngettext("Trop d'essais infructueux. Réessayez dans {m} minute ou répondez avec le coupon du courrier.",
                        "Trop d'essais infructueux. Réessayez dans {m} minutes ou répondez avec le coupon du courrier.", m).format(m=m)

    # Counted and reserved before the code is checked, atomically (see service/attempts.py).
    reserved = await attempts.reserve(ctx, list(zip(keys, limits, strict=True)), now=now, window=REPLY_WINDOW, refusal=refusal, until_success=False)

    generic = InvalidInput(
        _("Code ou année de naissance incorrect. Vérifiez le code imprimé sur votre courrier, ou répondez avec le coupon-réponse."),
        code="reponse-refusee",
        field="code",
    )

    async def fail() -> None:
        raise generic

    try:
        year = int(str(birth_year).strip())
    except ValueError:
        year = -1
    try:
        r = {
            "accepte": Reply.ACCEPTED,
            "accepted": Reply.ACCEPTED,
            "refuse": Reply.DECLINED,
            "declined": Reply.DECLINED,
        }[(answer or "").strip().lower()]
    except KeyError:
        await attempts.released(reserved)
        raise InvalidInput(_("Indiquez si vous acceptez ou refusez."), field="answer") from None
    # Each detail in its own field; answering again without retyping them keeps them.
    given = contact if isinstance(contact, ReplyContact) else ReplyContact(
        autre=" ".join(str(contact or "").split()))
    inv = await DrawInvitation.select().where(DrawInvitation.code_digest == digest).first()
    if inv is None or inv["subject_id"] is None:
        await fail()
    assert inv is not None
    subject = (await subjects.load_subjects(inv["subject_type"], [int(inv["subject_id"])])).get(int(inv["subject_id"]))
    if subject is None or subject.birth_year is None or subject.purged or not hmac.compare_digest(str(subject.birth_year), str(year)):
        await fail()
    # Both factors hold: from here messages may be specific.
    await attempts.succeeded(reserved)
    loaded = await _load(int(inv["draw"]))
    rnd_row = next((x for x in loaded.rounds if int(x["number"]) == int(inv["round"])), None)
    if loaded.draw.status is cer.DrawStatus.ABANDONED:
        raise InvalidState(
            _("Ce tirage a été annulé : votre réponse n'est plus attendue."),
            code="tirage-abandonne",
        )
    if rnd_row is not None and rnd_row["deadline"] is not None and now > rnd_row["deadline"]:
        raise InvalidState(
            _("La date limite de réponse est passée : contactez la mairie ou le chef de projet."),
            code="delai-depasse",
        )
    await _apply_replies(
        ctx,
        Actor.system("réponse en ligne"),
        loaded,
        [ReplyEntry(inv["key"], r, contact=merge_contact(inv["contact"], given))],
        "online",
    )
    return {
        "reference": loaded.row["reference"],
        "council": loaded.draw.council.name,
        "reply": r.value,
        "reply_label": r.label,
        "deadline": rnd_row["deadline"] if rnd_row else None,
    }


async def close_round(ctx: AppContext, actor: Actor, council_id: int, draw_id: int, round_no: int) -> dict[str, Any]:
    """Once a round's deadline has passed, every invitation of it still without a reply
    becomes "no reply by the deadline" (a later "yes" may still be recorded)."""
    loaded = await _load(draw_id, council_id)
    r = next((x for x in loaded.rounds if int(x["number"]) == int(round_no)), None)
    if r is None:
        raise NotFound(_("Tour introuvable pour ce tirage."))
    if r["deadline"] is not None and ctx.now() <= r["deadline"]:
        raise InvalidState(
            _("La date limite de réponse de ce tour n'est pas encore passée."),
            code="delai-en-cours",
        )
    pending = [ReplyEntry(i["key"], Reply.NO_REPLY) for i in loaded.invitations if int(i["round"]) == int(round_no) and not i["reply"]]
    if pending:
        await _apply_replies(ctx, actor, loaded, pending, "lead")
    return {"round": int(round_no), "marked_no_reply": len(pending)}


async def replacement_proposal(draw_id: int, key: str, council_id: int | None = None) -> dict[str, Any]:
    """Who would take a leaving titulaire's seat: the best-ranked suppléant of the same
    stratum, or a new round when none remains."""
    loaded = await _load(draw_id, council_id)
    p = cer.replacement_for(loaded.draw, key)
    return {
        "stratum": p.stratum,
        "leaving": p.leaving,
        "replacement": p.replacement,
        "new_round_needed": p.new_round_needed,
        "message": p.message,
    }


async def record_departure(ctx: AppContext, actor: Actor, council_id: int, draw_id: int, key: str) -> dict[str, Any]:
    """A titulaire or suppléant leaves; seats are recomputed from the order, so the
    best-ranked suppléant takes the seat. Returns the proposal that applied."""
    loaded = await _load(draw_id, council_id)
    proposal: dict[str, Any] | None = None
    assignment = cer.seat_assignment(loaded.draw)
    if assignment.stratum_of(key) is not None and any(key in v for v in assignment.titulaires.values()):
        p = rnd.propose_replacement(assignment, key)
        proposal = {
            "stratum": p.stratum,
            "leaving": p.leaving,
            "replacement": p.replacement,
            "new_round_needed": p.new_round_needed,
            "message": p.message,
        }
    draw = cer.record_departure(loaded.draw, key)
    now = ctx.now()
    async with ctx.db.transaction():
        await _versioned(draw_id, int(loaded.row["version"]), {})
        await DrawInvitation.update({DrawInvitation.departed_at: now}).where((DrawInvitation.draw == draw_id) & (DrawInvitation.key == key))
        await _store_seats(draw_id, draw, loaded.invitations)
        await _audit(
            ctx,
            actor,
            loaded.row,
            loaded.territory_id,
            "tirage.depart",
            {"key": key, "replacement": (proposal or {}).get("replacement")},
        )
    return proposal or {
        "stratum": None,
        "leaving": key,
        "replacement": None,
        "new_round_needed": False,
        "message": _("« {k} » était suppléant : la réserve est recalculée.").format(k=key),
    }


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


async def _acting_role(actor: Actor) -> str:
    """Public draw data names the role that acted, never the account (issue 14, item 6)."""
    if actor.id is None:
        return actor.label
    held = {r["role"] for r in await RoleRow.select(RoleRow.role).where(RoleRow.account == actor.id)}
    for role in (Role.CHEF_DE_PROJET, Role.ADMINISTRATEUR, Role.SECRETAIRE, Role.AUDITEUR, Role.MEMBRE):
        if role.value in held:
            return role.label
    return Role.CHEF_DE_PROJET.label


def _public_name(value: str | None) -> str:
    """Rows written before roles were stored hold the account's e-mail: never show it."""
    if value and "@" in value:
        return Role.CHEF_DE_PROJET.label
    return value or ""


def _public_view(row: Mapping[str, Any]) -> dict[str, Any]:
    out = {
        k: row[k]
        for k in (
            "id",
            "council",
            "pool",
            "kind",
            "reference",
            "status",
            "label",
            "params",
            "plan",
            "pool_digest",
            "pool_size",
            "strata_counts",
            "commitment",
            "committed_at",
            "entropy",
            "entropy_kind",
            "entropy_by",
            "entropy_at",
            "seed",
            "ranking_digest",
            "ranked_counts",
            "skipped_count",
            "ranked_at",
            "place",
            "present",
            "prepared_at",
            "abandoned_at",
            "abandoned_by",
            "abandon_reason",
            "replaces",
            "replaced_by",
            "version",
        )
    } | {"status_label": cer.DrawStatus(row["status"]).label}
    out["entropy_by"] = _public_name(out["entropy_by"])
    out["abandoned_by"] = _public_name(out["abandoned_by"])
    return out


async def get_draw(draw_id: int, council_id: int | None = None) -> dict[str, Any]:
    return _public_view(await _row(draw_id, council_id))


async def list_draws(council_id: int) -> list[dict[str, Any]]:
    rows = await Draw.select(*_LIGHT_COLUMNS).where(Draw.council == council_id).order_by(Draw.id, ascending=False).output(load_json=True)
    return [_public_view(r) for r in rows]


async def draw_state(draw_id: int, council_id: int | None = None) -> dict[str, Any]:
    """Everything the lead's page shows: the draw, rounds, progress per stratum, seats."""
    loaded = await _load(draw_id, council_id)
    draw = loaded.draw
    out = _public_view(loaded.row)
    out["rounds"] = [
        {
            "number": int(r["number"]),
            "invited": r["invited"],
            "proposed": r["proposed"],
            "at": r["at"],
            "deadline": r["deadline"],
        }
        for r in loaded.rounds
    ]
    out["invitations"] = [
        {
            "id": int(i["id"]),
            "key": i["key"],
            "stratum": i["stratum"],
            "rank": int(i["rank"]),
            "round": int(i["round"]),
            "reply": i["reply"],
            "reply_label": REPLY_LABELS.get(i["reply"], _("en attente")),
            "reply_via": i["reply_via"],
            "replied_at": i["replied_at"],
            "departed": i["departed_at"] is not None,
        }
        for i in loaded.invitations
    ]
    if draw.status in (cer.DrawStatus.RANKED, cer.DrawStatus.ROUNDS):
        full_lengths = {s: int(n) for s, n in loaded.row["ranked_counts"].items()}
        prog = cer.draw_progress(draw)
        out["progress"] = [
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
            for p in prog.values()
        ]
        a = cer.seat_assignment(draw)
        out["seats"] = {
            "titulaires": {s: list(v) for s, v in a.titulaires.items()},
            "suppleants": {s: list(v) for s, v in a.suppleants.items()},
            "empty": dict(a.empty_seats),
        }
    return out


async def public_record(reference: str) -> dict[str, Any]:
    """The §8 record anyone may read (ranked keys of invited people only). A draw only
    prepared (not committed) is not public yet."""
    row = await _row_by_reference(reference)
    if not row["commitment"]:
        raise NotFound(_("Aucun tirage ne porte cette référence."))
    loaded = await _load(int(row["id"]))
    # The audit chain's head when the record was read: whoever keeps this record can later
    # prove that the trail was not rewritten up to it (issue 14, item 9).
    return {**rec.public_record(loaded.draw), "journal_audit": await audit.current_head()}


async def audit_record(draw_id: int, council_id: int | None = None) -> dict[str, Any]:
    """The §8 record with the full ranked lists, for auditors."""
    loaded = await _load(draw_id, council_id, full_ranking=True)
    return rec.audit_record(loaded.draw)


async def draw_pool_file(draw_id: int, council_id: int | None = None) -> bytes:
    row = await _row(draw_id, council_id)
    content = await Pool.select(Pool.content).where(Pool.id == int(row["pool"])).first()
    assert content is not None
    return bytes(content["content"])


async def reverify(draw_id: int, council_id: int | None = None) -> VerifyResult:
    """Re-run the standalone verifier (§9) on the stored record and pool file."""
    record = await audit_record(draw_id, council_id)
    return verify(record, await draw_pool_file(draw_id, council_id))


async def lookup_key(reference: str, key: str) -> dict[str, Any]:
    """Anyone: a key's ticket and rank in a draw (the ticket is recomputable from the
    published seed; the rank is the key's place in its stratum's list)."""
    row = await _row_by_reference(reference)
    key = (key or "").strip()
    if row["status"] not in ("ranked", "rounds", "abandoned") or not row["seed"] or row["ranking_digest"] == "":
        raise InvalidState(_("Le classement de ce tirage n'est pas encore établi."), code="non-classe")
    if proto._KEY_RE.fullmatch(key) is None:
        raise InvalidInput(_("Une clé compte de 8 à 64 caractères parmi A-Z, a-z, 0-9, _ et -."), field="key")
    full = await _row(int(row["id"]), with_blob=True)
    ranking = _cached_ranking(full)
    ticket = proto.ticket(bytes.fromhex(row["seed"]), key)
    for stratum in sorted(ranking.ranked):
        lst = ranking.ranked[stratum]
        if key in lst:
            rank_no = lst.index(key) + 1
            inv = await DrawInvitation.select(DrawInvitation.round).where((DrawInvitation.draw == int(row["id"])) & (DrawInvitation.key == key)).first()
            return {
                "reference": row["reference"],
                "key": key,
                "ticket": ticket,
                "stratum": stratum,
                "rank": rank_no,
                "stratum_size": len(lst),
                "skipped": False,
                "invited_round": inv["round"] if inv else None,
            }
    if key in ranking.skipped:
        return {
            "reference": row["reference"],
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
class Recipient:
    invitation_id: int
    key: str
    rank: int
    stratum: str
    reply_code: str
    deadline: datetime | None
    subject_type: str
    subject_id: int | None
    draw_reference: str
    round_no: int


async def round_recipients(ctx: AppContext, draw_id: int, round_no: int) -> list[Recipient]:
    """The people a round invites, in stratum then rank order, with the reply code of
    their letter (derived, identical at every call) and the round's deadline."""
    row = await _row(draw_id)
    r = await DrawRound.select().where((DrawRound.draw == draw_id) & (DrawRound.number == round_no)).first()
    if r is None:
        raise NotFound(_("Tour introuvable pour ce tirage."))
    invs = (
        await DrawInvitation.select()
        .where((DrawInvitation.draw == draw_id) & (DrawInvitation.round == round_no))
        .order_by(DrawInvitation.stratum)
        .order_by(DrawInvitation.rank)
    )
    secret = ctx.settings.secret_key
    return [
        Recipient(
            invitation_id=int(i["id"]),
            key=i["key"],
            rank=int(i["rank"]),
            stratum=i["stratum"],
            reply_code=reply_code(secret, row["reference"], i["key"]),
            deadline=r["deadline"],
            subject_type=i["subject_type"],
            subject_id=i["subject_id"],
            draw_reference=row["reference"],
            round_no=round_no,
        )
        for i in invs
    ]


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


async def draw_results(draw_id: int) -> DrawResults:
    """Titulaires and suppléants (in rank order per stratum) with their subject links."""
    row = await _row(draw_id)
    seat_rows = (
        await DrawSeat.select().where(DrawSeat.draw == draw_id).order_by(DrawSeat.stratum).order_by(DrawSeat.role, ascending=False).order_by(DrawSeat.position)
    )
    invs = {int(i["id"]): i for i in await DrawInvitation.select().where(DrawInvitation.draw == draw_id)}
    out = DrawResults(
        draw_id=draw_id,
        reference=row["reference"],
        council_id=int(row["council"]),
        kind=row["kind"],
        status=row["status"],
        seats=dict((row["plan"] or {}).get("seats") or {}),
    )
    for s in seat_rows:
        inv = invs[int(s["invitation"])]
        holder = SeatHolder(
            stratum=s["stratum"],
            role=s["role"],
            position=int(s["position"]),
            key=s["key"],
            rank=int(inv["rank"]),
            invitation_id=int(inv["id"]),
            subject_type=inv["subject_type"],
            subject_id=inv["subject_id"],
            contact=inv["contact"],
        )
        (out.titulaires if s["role"] == "titulaire" else out.suppleants).append(holder)
    return out


async def pv_data(draw_id: int, lead_copy: bool) -> dict[str, Any]:
    """Everything a procès-verbal of the draw needs. Keys only, unless ``lead_copy``
    (then the names of invited people are added; never for the public copy)."""
    loaded = await _load(draw_id)
    row, draw = loaded.row, loaded.draw
    if draw.commitment is None:
        raise InvalidState(_("Le procès-verbal n'existe qu'une fois le tirage engagé."), code="non-engage")
    record = rec.public_record(draw)
    names: dict[str, str] = {}
    if lead_copy:
        by_type: dict[str, list[int]] = {}
        for i in loaded.invitations:
            if i["subject_id"] is not None:
                by_type.setdefault(i["subject_type"], []).append(int(i["subject_id"]))
        loaded_subjects = {t: await subjects.load_subjects(t, ids) for t, ids in by_type.items()}
        for i in loaded.invitations:
            subj = loaded_subjects.get(i["subject_type"], {}).get(i["subject_id"]) if i["subject_id"] else None
            if subj is not None:
                names[i["key"]] = subj.display_name
    ranked_rows = []
    inv_by_key = {i["key"]: i for i in loaded.invitations}
    for stratum, keys in record["ranked"].items():
        for pos, key in enumerate(keys, start=1):
            inv = inv_by_key.get(key)
            entry = {
                "stratum": stratum,
                "rank": pos,
                "key": key,
                "round": inv["round"] if inv else None,
                "reply": inv["reply"] if inv else "",
            }
            if lead_copy:
                entry["name"] = names.get(key, "")
            ranked_rows.append(entry)
    summary: list[dict[str, Any]] = []
    if draw.status in (cer.DrawStatus.RANKED, cer.DrawStatus.ROUNDS):
        seats_plan = record["plan"].get("seats") or {}
        assignment = cer.seat_assignment(draw)
        for stratum in record["strata_counts"]:
            summary.append({
                "stratum": stratum,
                "seats": int(seats_plan.get(stratum, 0) or 0),
                "titulaires": len(assignment.titulaires.get(stratum, ())),
                "suppleants": len(assignment.suppleants.get(stratum, ())),
                "empty": int(assignment.empty_seats.get(stratum, 0)),
            })
    return {
        "lead_copy": lead_copy,
        # How the lead who drew (or prepared) the draw has their title written (« La cheffe de projet »).
        "lead_genre": await genre_of_account(row["entropy_by_id"] or row["prepared_by"]),
        "summary": summary,
        "reference": row["reference"],
        "council": record["council"],
        "kind": row["kind"],
        "date": row["entropy_at"] or row["committed_at"],
        "place": row["place"],
        "present": [p for p in (row["present"] or "").splitlines() if p.strip()],
        "pool_digest": row["pool_digest"],
        "pool_size": row["pool_size"],
        "strata_counts": record["strata_counts"],
        "plan": record["plan"],
        "commitment": row["commitment"],
        "committed_at": row["committed_at"],
        "entropy": row["entropy"],
        "entropy_kind": row["entropy_kind"],
        "entropy_by": _public_name(row["entropy_by"]),
        "entropy_at": row["entropy_at"],
        "seed": row["seed"],
        "ranking_digest": row["ranking_digest"],
        "ranked_counts": row["ranked_counts"],
        "skipped_count": row["skipped_count"],
        "rounds": record["rounds"],
        "ranked": ranked_rows,
        "status": row["status"],
        "status_label": draw.status.label,
    }
