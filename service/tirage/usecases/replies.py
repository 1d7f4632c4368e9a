"""Replies of invited people and the seats they fill: the lead's entry, a CSV file, a
resident's online reply with the code of their letter; departures and replacements."""

from __future__ import annotations

import asyncio
import csv
import hmac
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from domain.draw import ceremony as cer
from domain.draw import rounds as rnd
from domain.draw.rounds import Reply
from domain.errors import Conflict, FieldError, InvalidInput, InvalidState, RuleBroken
from domain.i18n import _, ngettext
from service import attempts
from service.audit import Actor
from service.context import AppContext
from service.tirage.store import InvitationRow, ReplyWrite, SeatRow
from service.tirage.usecases.common import DrawUnitOfWork, LoadedDraw, code_digest, load, record_event, unit_of_work
from service.tirage.usecases.people import ReplyContact, merge_contact
from service.tirage.usecases.records import draw_state

# Online replies: failures allowed per code and per client in the window.
REPLY_WINDOW: Final = timedelta(hours=1)
REPLY_MAX_FAILURES_PER_CODE: Final = 5
REPLY_MAX_FAILURES_PER_CLIENT: Final = 20

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
_ONLINE_WORDS: Final = {
    "accepte": Reply.ACCEPTED,
    "accepted": Reply.ACCEPTED,
    "refuse": Reply.DECLINED,
    "declined": Reply.DECLINED,
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


@dataclass(frozen=True)
class ReplyEntry:
    key: str
    reply: Reply
    line: int | None = None
    contact: str | None = None
    correction: str = ""  # reason for correcting a letter recorded as returned (NPAI)


def seat_rows(draw: cer.Draw, invitations: Sequence[InvitationRow]) -> list[SeatRow]:
    """Titulaires and suppléants per stratum in rank order, as the domain assigns them."""
    ids = {i.key: i.id for i in invitations}
    assignment = cer.seat_assignment(draw)
    seats: list[SeatRow] = []
    for stratum in sorted(assignment.titulaires):
        for pos, key in enumerate(assignment.titulaires[stratum], start=1):
            seats.append(SeatRow(stratum, "titulaire", pos, key, ids[key]))
        for pos, key in enumerate(assignment.suppleants[stratum], start=1):
            seats.append(SeatRow(stratum, "suppleant", pos, key, ids[key]))
    return seats


async def apply_replies(ctx: AppContext, actor: Actor, uow: DrawUnitOfWork, loaded: LoadedDraw,
                        entries: Sequence[ReplyEntry], via: str) -> None:
    """Record replies and rebuild the seats, in one transaction.

    Seats are computed from the replies as read, so the write is versioned; replies are
    idempotent per person, so when another reply (the lead's, a resident's online) got in
    between, the draw is read again and the same replies applied on top, a few times."""
    tries = 8
    for attempt in range(tries):
        try:
            await _apply_replies_once(ctx, actor, uow, loaded, entries, via)
            return
        except Conflict:
            if attempt == tries - 1:
                raise
            await asyncio.sleep(0.005 * attempt)
            loaded = await load(uow, loaded.row.id)


async def _apply_replies_once(ctx: AppContext, actor: Actor, uow: DrawUnitOfWork, loaded: LoadedDraw,
                              entries: Sequence[ReplyEntry], via: str) -> None:
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
    draw_id = loaded.row.id
    async with uow.transaction():
        await uow.draws.update_draw(draw_id, loaded.row.version, {})
        await uow.draws.record_replies(draw_id, [ReplyWrite(e.key, e.reply.value, via, now, e.contact) for e in entries])
        await uow.draws.replace_seats(draw_id, seat_rows(draw, loaded.invitations))
        await record_event(uow, now, actor, loaded.row, loaded.territory_id, "tirage.reponses", {
            "via": via,
            "replies": {e.key: e.reply.value for e in entries[:200]},
            "count": len(entries),
            **({"corrections_npai": corrections} if corrections else {}),
        })


async def record_reply(ctx: AppContext, actor: Actor, council_id: int, draw_id: int, key: str, reply: str | Reply,
                       correction: str = "", *, uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """The lead records (or corrects) one invited person's reply; ``correction`` is the
    reason for correcting a letter recorded as returned (NPAI), kept in the audit trail."""
    uow = unit_of_work(uow, ctx.db)
    loaded = await load(uow, draw_id, council_id)
    r = reply if isinstance(reply, Reply) else parse_reply(reply)
    await apply_replies(ctx, actor, uow, loaded, [ReplyEntry(key.strip(), r, correction=correction)], "lead")
    return await draw_state(draw_id, uow=uow)


# --------------------------------------------------------------------------------------
# Replies in a CSV file
# --------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> list[list[str]]:
    """The file's non-empty rows: UTF-8 (or Windows-1252), delimiter sniffed."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise InvalidInput(_("Le fichier n'est pas un texte lisible (UTF-8 attendu)."), field="fichier") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    if "\t" in first and first.count("\t") > first.count(delimiter):
        delimiter = "\t"
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in r)]
    if not rows:
        raise InvalidInput(_("Le fichier est vide."), field="fichier")
    return rows


@dataclass(frozen=True)
class _Columns:
    key: int | None
    code: int | None
    reply: int

    @classmethod
    def of(cls, header_row: Sequence[str]) -> _Columns:
        header = [h.strip().lower().replace("é", "e") for h in header_row]
        key_col = next((header.index(n) for n in ("cle", "key") if n in header), None)
        code_col = header.index("code") if "code" in header else None
        reply_col = next((header.index(n) for n in ("reponse", "reply") if n in header), None)
        if reply_col is None or (key_col is None and code_col is None):
            raise InvalidInput(
                _("Ligne 1 : l'en-tête doit contenir une colonne « reponse » et une colonne « cle » ou « code »."),
                field="fichier",
                line=1,
            )
        return cls(key_col, code_col, reply_col)


def _cell(cells: Sequence[str], col: int | None) -> str:
    return cells[col].strip() if col is not None and col < len(cells) else ""


class _CsvReader:
    """Reads the lines of a replies file against the draw's invitations, collecting every
    faulty line (all lines or none are recorded)."""

    def __init__(self, columns: _Columns, invitations: Sequence[InvitationRow]) -> None:
        self.columns = columns
        self.by_key = {i.key for i in invitations}
        self.by_code = {i.code_digest: i.key for i in invitations}
        self.errors: list[FieldError] = []
        self.entries: list[ReplyEntry] = []
        self.seen: dict[str, int] = {}

    def _error(self, field: str, message: str, line_no: int) -> None:
        self.errors.append(FieldError(field, message, line_no))

    def _key(self, cells: Sequence[str], line_no: int) -> str | None:
        key = _cell(cells, self.columns.key)
        code = _cell(cells, self.columns.code)
        if not key and code:
            found = self.by_code.get(code_digest(code))
            if found is None:
                self._error("code", _("Ligne {n} : code de réponse inconnu pour ce tirage.").format(n=line_no), line_no)
                return None
            key = found
        if not key:
            self._error("cle", _("Ligne {n} : clé ou code manquant.").format(n=line_no), line_no)
            return None
        if key not in self.by_key:
            self._error("cle", _("Ligne {n} : la personne « {k} » n'a été invitée à aucun tour.").format(n=line_no, k=key), line_no)
            return None
        return key

    def read(self, cells: Sequence[str], line_no: int) -> None:
        key = self._key(cells, line_no)
        if key is None:
            return
        try:
            reply = parse_reply(_cell(cells, self.columns.reply), field_name="reponse", line=line_no)
        except InvalidInput as exc:
            self._error("reponse", _("Ligne {n} : {m}").format(n=line_no, m=exc.detail), line_no)
            return
        if key in self.seen:
            self._error("cle", _("Ligne {n} : « {k} » figure déjà ligne {p}.").format(n=line_no, k=key, p=self.seen[key]), line_no)
            return
        self.seen[key] = line_no
        self.entries.append(ReplyEntry(key, reply, line_no))

    def checked_entries(self) -> list[ReplyEntry]:
        if self.errors:
            raise InvalidInput(
                ngettext("{n} ligne en erreur ; aucune réponse n'a été enregistrée. Première erreur : {first}",
                         "{n} lignes en erreur ; aucune réponse n'a été enregistrée. Première erreur : {first}",
                         len(self.errors)).format(n=len(self.errors), first=self.errors[0].message),
                field="fichier",
                line=self.errors[0].line,
                errors=self.errors,
                code="fichier-reponses-invalide",
            )
        if not self.entries:
            raise InvalidInput(_("Le fichier ne contient aucune réponse."), field="fichier")
        return self.entries


async def import_replies_csv(ctx: AppContext, actor: Actor, council_id: int, draw_id: int, data: bytes, *,
                             uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """Replies in a CSV file: a header with ``cle`` (or ``code``, the letter's reply code)
    and ``reponse`` (accepte, refuse, sans_reponse, npai). All lines or none: every faulty
    line is reported with its number."""
    uow = unit_of_work(uow, ctx.db)
    rows = _csv_rows(data)
    columns = _Columns.of(rows[0])
    loaded = await load(uow, draw_id, council_id)
    reader = _CsvReader(columns, loaded.invitations)
    for line_no, cells in enumerate(rows[1:], start=2):
        reader.read(cells, line_no)
    entries = reader.checked_entries()
    try:
        await apply_replies(ctx, actor, uow, loaded, entries, "csv")
    except (InvalidInput, RuleBroken, InvalidState) as exc:
        if exc.line is not None:
            exc.detail = _("Ligne {n} : {m}").format(n=exc.line, m=exc.detail)
        raise
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.reply.value] = counts.get(e.reply.value, 0) + 1
    return {"recorded": len(entries), "by_reply": counts}


# --------------------------------------------------------------------------------------
# Online replies
# --------------------------------------------------------------------------------------


def _refusal(retry: int) -> str:
    m = max(1, (retry + 59) // 60)
    return ngettext("Trop d'essais infructueux. Réessayez dans {m} minute ou répondez avec le coupon du courrier.",
                    "Trop d'essais infructueux. Réessayez dans {m} minutes ou répondez avec le coupon du courrier.", m).format(m=m)


def _year(birth_year: int | str) -> int:
    try:
        return int(str(birth_year).strip())
    except ValueError:
        return -1


async def reply_online(
    ctx: AppContext,
    code: str,
    birth_year: int | str,
    answer: str,
    contact: str | ReplyContact = "",
    client_key: str = "",
    *,
    uow: DrawUnitOfWork | None = None,
) -> dict[str, Any]:
    """A resident answers online with the code of their letter and their birth year.

    Every failure says the same thing (nothing tells a guessed code from a wrong year);
    failures are counted per code and per client in the database (every worker sees
    them) and refused past the limit with ``TooManyAttempts``.
    """
    uow = unit_of_work(uow, ctx.db)
    now = ctx.now()
    digest = code_digest(code)
    keys = [f"reponse-code:{digest}", f"reponse-client:{client_key or 'inconnu'}"]
    limits = [REPLY_MAX_FAILURES_PER_CODE, REPLY_MAX_FAILURES_PER_CLIENT]
    # Counted and reserved before the code is checked, atomically (see service/attempts.py).
    reserved = await attempts.reserve(ctx, list(zip(keys, limits, strict=True)), now=now, window=REPLY_WINDOW,
                                      refusal=_refusal, until_success=False)
    generic = InvalidInput(
        _("Code ou année de naissance incorrect. Vérifiez le code imprimé sur votre courrier, ou répondez avec le coupon-réponse."),
        code="reponse-refusee",
        field="code",
    )
    year = _year(birth_year)
    r = _ONLINE_WORDS.get((answer or "").strip().lower())
    if r is None:
        await attempts.released(reserved)
        raise InvalidInput(_("Indiquez si vous acceptez ou refusez."), field="answer")
    # Each detail in its own field; answering again without retyping them keeps them.
    given = contact if isinstance(contact, ReplyContact) else ReplyContact(autre=" ".join(str(contact or "").split()))
    inv = await uow.draws.invitation_by_code(digest)
    if inv is None or inv.subject_id is None:
        raise generic
    subject = (await uow.subjects.load(inv.subject_type, [inv.subject_id])).get(inv.subject_id)
    if subject is None or subject.birth_year is None or subject.purged or not hmac.compare_digest(str(subject.birth_year), str(year)):
        raise generic
    # Both factors hold: from here messages may be specific.
    await attempts.succeeded(reserved)
    loaded = await load(uow, inv.draw_id)
    rnd_row = loaded.round(inv.round)
    cer.require_reply_awaited(loaded.draw)
    if rnd_row is not None and rnd_row.deadline is not None and now > rnd_row.deadline:
        raise InvalidState(
            _("La date limite de réponse est passée : contactez la mairie ou le chef de projet."),
            code="delai-depasse",
        )
    await apply_replies(ctx, Actor.system("réponse en ligne"), uow, loaded,
                        [ReplyEntry(inv.key, r, contact=merge_contact(inv.contact, given))], "online")
    return {
        "reference": loaded.row.reference,
        "council": loaded.draw.council.name,
        "reply": r.value,
        "reply_label": r.label,
        "deadline": rnd_row.deadline if rnd_row else None,
    }


# --------------------------------------------------------------------------------------
# Departures
# --------------------------------------------------------------------------------------


def _proposal_dict(p: rnd.ReplacementProposal) -> dict[str, Any]:
    return {
        "stratum": p.stratum,
        "leaving": p.leaving,
        "replacement": p.replacement,
        "new_round_needed": p.new_round_needed,
        "message": p.message,
    }


async def replacement_proposal(draw_id: int, key: str, council_id: int | None = None, *,
                               uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """Who would take a leaving titulaire's seat: the best-ranked suppléant of the same
    stratum, or a new round when none remains."""
    loaded = await load(unit_of_work(uow), draw_id, council_id)
    return _proposal_dict(cer.replacement_for(loaded.draw, key))


async def record_departure(ctx: AppContext, actor: Actor, council_id: int, draw_id: int, key: str, *,
                           uow: DrawUnitOfWork | None = None) -> dict[str, Any]:
    """A titulaire or suppléant leaves; seats are recomputed from the order, so the
    best-ranked suppléant takes the seat. Returns the proposal that applied."""
    uow = unit_of_work(uow, ctx.db)
    loaded = await load(uow, draw_id, council_id)
    proposal: dict[str, Any] | None = None
    assignment = cer.seat_assignment(loaded.draw)
    if assignment.stratum_of(key) is not None and any(key in v for v in assignment.titulaires.values()):
        proposal = _proposal_dict(rnd.propose_replacement(assignment, key))
    draw = cer.record_departure(loaded.draw, key)
    now = ctx.now()
    async with uow.transaction():
        await uow.draws.update_draw(draw_id, loaded.row.version, {})
        await uow.draws.record_departure(draw_id, key, now)
        await uow.draws.replace_seats(draw_id, seat_rows(draw, loaded.invitations))
        await record_event(uow, now, actor, loaded.row, loaded.territory_id, "tirage.depart",
                           {"key": key, "replacement": (proposal or {}).get("replacement")})
    return proposal or {
        "stratum": None,
        "leaving": key,
        "replacement": None,
        "new_round_needed": False,
        "message": _("« {k} » était suppléant : la réserve est recalculée.").format(k=key),
    }
