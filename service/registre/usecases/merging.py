"""One person, one row: deduplication of an import against the council's register, and
what it decides written to the stored rows (inside the import's transaction)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio

from domain.registre import Entry, deduplicate
from domain.registre.dedup import DedupReport
from domain.registre.households import household_keys, merged_household
from service.context import AppContext
from service.registre.records import NewPair
from service.registre.rows import person_rows, pool_keys
from service.registre.store import RegisterStore
from service.registre.usecases.common import MAX_ERRORS_LISTED, NEW, REGISTER_KINDS, TRUST, ref


@dataclass
class Existing:
    """The council's stored rows as entries, with what each row says today."""

    entries: list[Entry]
    kinds: dict[str, str]  # source label → kind
    ids: dict[str, int]  # ref → row id
    doublon: dict[str, str]  # ref → doublon_de as stored
    sexe: dict[str, str]
    bureau: dict[str, str]
    foyer: dict[str, str]


async def existing_rows(store: RegisterStore, council_id: int) -> Existing:
    kinds = await store.register_source_kinds(council_id, REGISTER_KINDS)
    if not kinds:
        return Existing([], {}, {}, {}, {}, {}, {})
    entries, metas = await store.rows.load_entries(council_id, kept_only=False)
    return Existing(
        entries, kinds,
        {m.ref: m.id for m in metas},
        {m.ref: m.doublon_de for m in metas},
        {m.ref: m.sexe for m in metas},
        {m.ref: m.bureau_vote for m in metas},
        {m.ref: m.foyer for m in metas},
    )


def everyone(existing: Existing, new_entries: list[Entry], kind: str) -> list[Entry]:
    """The council's rows in deduplication order: most trusted source first."""
    if not existing.entries:
        return new_entries
    trust_new = TRUST[kind]
    return sorted(
        [*existing.entries, *new_entries],
        key=lambda e: (TRUST[existing.kinds.get(e.source, "autre")]
                       if e.source != NEW else trust_new,
                       int(e.source) if e.source != NEW else 1 << 60, e.line))


@dataclass
class Decisions:
    """What deduplication (and earlier decisions on ambiguous pairs) says of rows, by
    reference: the row standing for each absorbed one, and the sex, polling station and
    household a person's row takes from the rows merged into it."""

    doublon: dict[str, str]
    sexe: dict[str, str]
    bureau: dict[str, str]
    foyer: dict[str, str]

    def by_line(self, source_id: int) -> tuple[dict[int, str], ...]:
        """The decisions about the rows of ``source_id``, by line number."""
        prefix = f"{source_id}:"

        def of(values: dict[str, str]) -> dict[int, str]:
            return {int(r[len(prefix):]): v for r, v in values.items() if r.startswith(prefix)}

        return of(self.doublon), of(self.sexe), of(self.bureau), of(self.foyer)

    def columns(self) -> dict[str, dict[str, str]]:
        return {"doublon_de": self.doublon, "sexe": self.sexe, "bureau_vote": self.bureau,
                "foyer": self.foyer}


async def decisions_of(store: RegisterStore, council_id: int, source_id: int,
                       report: DedupReport, salt: str) -> Decisions:
    doublon: dict[str, str] = {}
    merged_sexe: dict[str, str] = {}
    merged_bureau: dict[str, str] = {}
    merged_foyer: dict[str, str] = {}
    for m in report.merges:
        head_ref = ref(m.entries[0], source_id)
        for e in m.entries[1:]:
            doublon[ref(e, source_id)] = head_ref
        own = m.entries[0]
        if m.kept.sexe is not own.sexe:
            merged_sexe[head_ref] = m.kept.sexe.value if m.kept.sexe else ""
        if m.kept.bureau_vote != own.bureau_vote:
            merged_bureau[head_ref] = m.kept.bureau_vote
        # The household a source names (a landlord's lease) outlives the merge into the
        # electoral list's row, which has none.
        carrier = merged_household(m.entries)
        if carrier is not None and carrier is not own:
            scope = ref(carrier, source_id).partition(":")[0]
            merged_foyer[head_ref] = household_keys([carrier], salt, source=scope)[0]

    # A person's earlier decision that two rows are one person outlives the recomputation.
    for a, b in await store.same_person_refs(council_id):
        head = doublon.get(a, a)
        if b not in doublon and head != b:
            doublon[b] = head
    return Decisions(doublon, merged_sexe, merged_bureau, merged_foyer)


async def store_people(ctx: AppContext, store: RegisterStore, council_id: int, source_id: int,
                       kind: str, entries: list[Entry]) -> tuple[int, dict[str, Any]]:
    """Write the rows of an import and what deduplication decides; (rows of this file
    found again, the council's figures after the import)."""
    existing = await existing_rows(store, council_id)
    salt = await store.salt(council_id)
    rows = store.rows
    all_rows = everyone(existing, entries, kind)
    if existing.entries:
        # A later source: deduplicate first, then write each row as decided (many of
        # its rows may be people already known).
        report = await anyio.to_thread.run_sync(deduplicate, all_rows)
        decisions = await decisions_of(store, council_id, source_id, report, salt)
        await rows.insert(person_rows(council_id, source_id, entries, salt,
                                      pool_keys(len(entries)), *decisions.by_line(source_id)))
    else:
        # Write the rows first, deduplicate meanwhile (SQLite writes its pages without
        # holding the interpreter lock, PostgreSQL in its own process), then mark by id
        # the rows it absorbed.
        first_id = await rows.next_id()
        new_rows = person_rows(council_id, source_id, entries, salt, pool_keys(len(entries)))
        report = await _alongside(functools.partial(deduplicate, all_rows),
                                  lambda: rows.insert(new_rows))
        decisions = await decisions_of(store, council_id, source_id, report, salt)
        await _update_new_rows(store, source_id, first_id, entries, decisions.columns())

    await restate(store, existing, decisions)
    new_pairs = await store_pairs(ctx, store, council_id, source_id, report.ambiguous)
    await store.recount(council_id)
    return _figures(existing, entries, source_id, report, decisions, new_pairs)


def _figures(existing: Existing, entries: list[Entry], source_id: int, report: DedupReport,
             decisions: Decisions, new_pairs: int) -> tuple[int, dict[str, Any]]:
    doublon = decisions.doublon
    # People of this file found again (in an earlier file, or twice in this one): the
    # merge groups holding one of its rows. Counting the rows this file lost instead
    # gave 361 when the landlord's file came second and 0 when it came first (the
    # electoral list's rows win, so the landlord's rows were absorbed after the fact).
    merged_here = sum(1 for m in report.merges if any(e.source == NEW for e in m.entries))
    lignes = len(existing.entries) + len(entries)
    # Rows kept without a sex (none given, none learnt from a merged row): they cannot be
    # placed in a parity stratum, so the pool will leave them out. Said per line now.
    prefix = f"{source_id}:"
    no_sex = [e.line for e in entries if e.sexe is None
              and f"{prefix}{e.line}" not in doublon
              and not decisions.sexe.get(f"{prefix}{e.line}")]
    rapport = {
        "sexe_inconnu": len(no_sex),
        "sexe_inconnu_lignes": no_sex[:MAX_ERRORS_LISTED],
        "lignes_conseil": lignes,
        "personnes": lignes - len(doublon),
        "fusions": len(report.merges),
        "lignes_fusionnees": report.duplicates_merged,
        "paires_ambigues": len(report.ambiguous),
        "nouvelles_paires": new_pairs,
    }
    return merged_here, rapport


async def restate(store: RegisterStore, existing: Existing, decisions: Decisions) -> None:
    """Write the new standing of rows already stored (a better source arrived, or the
    row that stood for them was purged): the row they merge into, and the sex, polling
    station and household a person's row takes from the rows merged into it."""
    doublon = decisions.doublon
    rows = store.rows
    await rows.set_column("doublon_de", [
        (doublon.get(r, ""), row_id) for r, row_id in existing.ids.items()
        if existing.doublon[r] != doublon.get(r, "")])
    for column, values, stored in (("sexe", decisions.sexe, existing.sexe),
                                   ("bureau_vote", decisions.bureau, existing.bureau),
                                   ("foyer", decisions.foyer, existing.foyer)):
        await rows.set_column(column, [(v, existing.ids[r]) for r, v in values.items()
                                       if r in existing.ids and stored[r] != v])


async def _alongside(fn: Callable[[], Any], coro: Callable[[], Awaitable[None]]) -> Any:
    """``fn()`` in a worker thread while ``coro()`` runs; their errors are raised as
    themselves (not wrapped in an exception group)."""
    out: dict[str, Any] = {}

    async def in_thread() -> None:
        try:
            out["value"] = await anyio.to_thread.run_sync(fn)
        except Exception as exc:
            out["thread_error"] = exc

    async with anyio.create_task_group() as tg:
        tg.start_soon(in_thread)
        try:
            await coro()
        except Exception as exc:
            out["error"] = exc
    if "error" in out:
        raise out["error"]
    if "thread_error" in out:
        raise out["thread_error"]
    return out["value"]


async def _update_new_rows(store: RegisterStore, source_id: int, first_id: int,
                           entries: Sequence[Entry], values: dict[str, dict[str, str]]
                           ) -> None:
    """Write what was decided about rows of this import already stored (see
    store_people): ``values`` gives, per column, the new value by row reference."""
    prefix = f"{source_id}:"
    wanted = {int(r[len(prefix):]) for column_values in values.values()
              for r in column_values if r.startswith(prefix)}
    if not wanted:
        return
    rows = store.rows
    ids = await rows.ids_of_lines(source_id, first_id, len(entries),
                                  [e.line for e in entries], wanted)
    for column, column_values in values.items():
        await rows.set_column(column, [(v, ids[int(r[len(prefix):])])
                                       for r, v in column_values.items()
                                       if r.startswith(prefix)])


async def store_pairs(ctx: AppContext, store: RegisterStore, council_id: int, source_id: int,
                      pairs: Sequence[Any]) -> int:
    if not pairs:
        return 0
    existing = await store.pair_keys(council_id)
    fresh = []
    for p in pairs:
        a, b = ref(p.a, source_id), ref(p.b, source_id)
        key = f"{council_id}:{a}:{b}"
        if key in existing:
            continue
        existing.add(key)
        fresh.append(NewPair(a, b, key, p.code, p.message))
    await store.add_pairs(council_id, fresh, ctx.now())
    return len(fresh)
