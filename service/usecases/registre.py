"""Resident registers: preview, import, deduplication across sources, eligibility, pools,
search, ambiguous pairs, retention purge.

The domain pipeline (``domain/registre``) does every decision; this module reads files,
keeps what the domain decided in the ``registre_*`` tables (``tables_registre.py``) and
hands eligible people to the shared pools. Parsing and deduplication run in a worker
thread so that a million-row import does not freeze the event loop; every write of an
import happens in one transaction (a failed import leaves the database as it was).

Logs and audit events hold counts only, never a name or an address.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import anyio

from domain.access import ResourceScope  # noqa: F401  (re-exported for type hints)
from domain.errors import Conflict, FieldError, InvalidInput, InvalidState, NotFound
from domain.i18n import _, ngettext
from domain.registre import (
    PRESETS,
    Address,
    EligibilitySettings,
    Entry,
    Exclusion,
    ExclusionList,
    Mapping,
    MemberIdentity,
    Perimeter,
    PerimeterRule,
    Sexe,
    deduplicate,
    detect_mapping,
    evaluate,
    parse_exclusions,
    parse_numbered_rows,
    parse_perimeter,
)
from domain.registre.eligibility import age_at
from domain.registre.entries import paused_gc
from domain.registre.mapping import CANONICAL_FIELDS, field_label, header_key
from domain.registre.normalise import (
    fast_frozen_constructor,
    format_date,
    normalise_texte,
    premier_prenom,
)
from domain.registre.perimeter import Cote
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.db.bulk import bulk_insert
from service.db.tables import AppState, Council
from service.db.tables_registre import (
    RegisterAmbiguousPair,
    RegisterImportTask,
    RegisterMapping,
    RegisterPerson,
    RegisterSource,
)
from service.documents.csv_export import CsvExport
from service.registre.reader import Table, read_table
from service.registre.rows import PERSON_COLUMNS, person_rows, pool_keys
from service.registre.uploads import file_digest
from service.usecases.pools import PoolItem, create_pool
from service.usecases.subjects import Subject, selection_hook, subject_loader

log = logging.getLogger("conseil.registre")

REGISTER_KINDS = ("liste", "bailleur", "autre")
LIST_KINDS = ("perimetre", "exclusions")
KINDS = (*REGISTER_KINDS, *LIST_KINDS)
KIND_LABELS = {
    "liste": "extrait de liste électorale",
    "bailleur": "fichier de locataires d'un bailleur",
    "autre": "tableur (correspondance personnalisée)",
    "perimetre": "périmètre du quartier",
    "exclusions": "liste d'exclusion",
}
_PRESET_OF_KIND = {"liste": "liste_electorale", "bailleur": "bailleur"}
_KIND_OF_PRESET = {v: k for k, v in _PRESET_OF_KIND.items()}
# Order of trust for deduplication: the electoral list's row stands for the person.
_TRUST = {"liste": 0, "autre": 1, "bailleur": 2}
_NEW = "nouveau"  # source label of the rows being imported, before their source has an id

DECISIONS = ("meme-personne", "personnes-distinctes")
STRATIFICATIONS = ("sexe", "sexe-bureau", "sexe-age")
DEFAULT_AGE_BANDS = (30, 45, 60)
MAX_ERRORS_LISTED = 1000

Progress = Callable[[str, int], None]

# --------------------------------------------------------------------------- helpers


async def _council(council_id: int) -> dict[str, Any]:
    row = await Council.select(Council.id, Council.territory, Council.settings).where(
        Council.id == council_id).output(load_json=True).first()
    if row is None:
        raise NotFound(_("Conseil citoyen introuvable."))
    return dict(row)


def _setting(council: dict[str, Any], key: str, default: int) -> int:
    try:
        return int((council.get("settings") or {}).get(key, default))
    except (TypeError, ValueError):
        return default


async def _lock_council(ctx: AppContext, council_id: int) -> None:
    """Serialise register writes of one council (SQLite's IMMEDIATE transaction already
    holds the database's write lock)."""
    if not ctx.db.is_sqlite:
        await Council.raw("SELECT id FROM conseil WHERE id = {} FOR UPDATE", council_id)


async def _salt(council_id: int) -> str:
    """The council's secret household salt, created on first use (inside the caller's
    transaction)."""
    key = f"registre.sel.{council_id}"
    row = await AppState.select(AppState.value).where(AppState.key == key).first()
    if row is not None:
        return str(row["value"])
    value = secrets.token_hex(24)
    await AppState.insert(AppState(key=key, value=value))
    return value


def _kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


def _check_kind(kind: str | None) -> str | None:
    if kind in (None, ""):
        return None
    if kind not in KINDS:
        raise InvalidInput(
            _("Type de fichier inconnu : « %(type)s » (attendu : %(types)s).")
            % {"type": kind, "types": ", ".join(KINDS)}, field="type", code="type-inconnu")
    return kind


def _looks_like_list(header: Sequence[str]) -> str | None:
    keys = {header_key(h) for h in header}
    if "VOIE" in keys and keys & {"NUMEROMIN", "COTE", "NUMEROMAX", "PARITE"}:
        return "perimetre"
    if keys & {"MOTIF", "FONCTION", "MANDAT", "QUALITE"} and keys & {"NOM"}:
        return "exclusions"
    return None


async def saved_mappings(council_id: int) -> list[dict[str, Any]]:
    rows = await RegisterMapping.select(
        RegisterMapping.id, RegisterMapping.name, RegisterMapping.mapping,
        RegisterMapping.created_at,
    ).where(RegisterMapping.council == council_id).order_by(RegisterMapping.name).output(
        load_json=True)
    return [dict(r) for r in rows]


async def _resolve_mapping(
    council_id: int,
    header: Sequence[str],
    kind: str | None,
    mapping: dict[str, str] | None,
    mapping_name: str | None,
) -> tuple[str, Mapping]:
    """(kind, bound mapping) for a register header: an explicit mapping, a saved one by
    name, the presets, then every saved mapping of the council; else the presets' error
    listing the expected columns."""
    if mapping:
        return kind or "autre", Mapping.from_dict(mapping, header, name="personnalise")
    if mapping_name:
        row = await RegisterMapping.select(RegisterMapping.mapping).where(
            (RegisterMapping.council == council_id) & (RegisterMapping.name == mapping_name)
        ).output(load_json=True).first()
        if row is None:
            raise InvalidInput(_("Correspondance enregistrée introuvable : « %(nom)s ».")
                               % {"nom": mapping_name}, field="correspondance",
                               code="correspondance-inconnue")
        return kind or "autre", Mapping.from_dict(row["mapping"], header, name=mapping_name)
    presets = PRESETS
    if kind in _PRESET_OF_KIND:
        presets = {_PRESET_OF_KIND[kind]: PRESETS[_PRESET_OF_KIND[kind]]}
    try:
        bound = detect_mapping(header, presets)
        return kind or _KIND_OF_PRESET.get(bound.name, "autre"), bound
    except InvalidInput as refused:
        for saved in await saved_mappings(council_id):
            try:
                return kind or "autre", Mapping.from_dict(saved["mapping"], header,
                                                          name=saved["name"])
            except InvalidInput:
                continue
        raise refused


def _open(path: Path, file_name: str, encoding: str | None, delimiter: str | None,
          max_bytes: int) -> Table:
    return read_table(path, filename=file_name, encoding=encoding or None,
                      delimiter=delimiter or None, max_bytes=max_bytes)


# --------------------------------------------------------------------------- preview


@dataclass(frozen=True)
class ImportOptions:
    kind: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    mapping: dict[str, str] | None = None
    mapping_name: str | None = None
    keep_valid: bool = False


async def preview(
    ctx: AppContext, council_id: int, path: Path, file_name: str,
    options: ImportOptions | None = None, rows: int = 10,
) -> dict[str, Any]:
    """The first rows, the detected encoding/delimiter and mapping. Nothing is stored.

    A header no preset recognises is not an error here: the preview shows the rows and
    the reason, so the user can map the columns by hand.
    """
    opts = options or ImportOptions()
    kind = _check_kind(opts.kind)
    await _council(council_id)

    def read() -> tuple[Table, list[tuple[int, list[str]]]]:
        table = _open(path, file_name, opts.encoding, opts.delimiter, ctx.settings.upload_max_bytes)
        first: list[tuple[int, list[str]]] = []
        for item in table.rows:
            first.append(item)
            if len(first) >= rows:
                break
        table.close()
        return table, first

    table, first = await anyio.to_thread.run_sync(read)
    out: dict[str, Any] = {
        "file_name": file_name,
        "format": table.format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "delimiter_name": table.delimiter_name,
        "header": table.header,
        "header_line": table.header_line,
        "rows": [{"line": n, "cells": cells} for n, cells in first],
        "kind": kind,
        "mapping": {},
        "mapping_name": None,
        "unknown_columns": [],
        "ignored_columns": [],
        "mapping_error": None,
        "fields": [{"name": f, "label": field_label(f)} for f in CANONICAL_FIELDS],
        "saved_mappings": [m["name"] for m in await saved_mappings(council_id)],
    }
    list_kind = kind if kind in LIST_KINDS else (None if kind else _looks_like_list(table.header))
    if list_kind:
        out["kind"] = list_kind
        return out
    try:
        found_kind, mapping = await _resolve_mapping(council_id, table.header, kind,
                                                     opts.mapping, opts.mapping_name)
    except InvalidInput as exc:
        out["mapping_error"] = {"code": exc.code, "detail": exc.detail,
                                "errors": [e.as_dict() for e in exc.errors], **exc.extra}
        return out
    out.update(kind=found_kind, mapping=mapping.to_dict(), mapping_name=mapping.name,
               unknown_columns=list(mapping.unknown_columns),
               ignored_columns=list(mapping.ignored_columns))
    return out


# ----------------------------------------------------------------------------- import


@dataclass
class _Parsed:
    table_format: str
    encoding: str | None
    delimiter: str | None
    header: list[str]
    kind: str
    mapping: Mapping | None
    entries: list[Entry]
    rejections: list[Any]
    rows_read: int
    contenu: list[dict[str, Any]]


def _rejection_errors(rejections: Sequence[Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    for r in rejections:
        for e in r.errors:
            errors.append(FieldError(e.field, e.message, line=r.line, code=e.code))
            if len(errors) >= MAX_ERRORS_LISTED:
                return errors
    return errors


def _perimeter_content(perimeter: Perimeter) -> list[dict[str, Any]]:
    return [{"voie": r.voie, "numero_min": r.numero_min, "numero_max": r.numero_max,
             "cote": r.cote.value, "code_postal": r.code_postal, "line": r.line}
            for r in perimeter.rules]


def _exclusions_content(exclusions: ExclusionList) -> list[dict[str, Any]]:
    return [{"nom": x.nom, "nom_usage": x.nom_usage, "prenoms": x.prenoms,
             "date_naissance": x.date_naissance.isoformat(), "motif": x.motif, "line": x.line}
            for x in exclusions.exclusions]


async def import_file(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    path: Path,
    file_name: str,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
    digest: str | None = None,
) -> dict[str, Any]:
    """Import one file into a council: a register (all-or-nothing unless
    ``keep_valid``), a perimeter or an exclusion list. Returns the import report."""
    opts = options or ImportOptions()
    kind = _check_kind(opts.kind)
    await _council(council_id)
    digest = digest or await anyio.to_thread.run_sync(file_digest, path)
    await _refuse_reimport(council_id, digest)
    table = await anyio.to_thread.run_sync(
        lambda: _open(path, file_name, opts.encoding, opts.delimiter,
                      ctx.settings.upload_max_bytes))
    try:
        list_kind = kind if kind in LIST_KINDS else (
            None if kind else _looks_like_list(table.header))
        if list_kind:
            parsed = await anyio.to_thread.run_sync(_parse_list, table, list_kind)
        else:
            found_kind, mapping = await _resolve_mapping(council_id, table.header, kind,
                                                         opts.mapping, opts.mapping_name)
            parsed = await anyio.to_thread.run_sync(
                _parse_register, table, found_kind, mapping, progress)
        table.close()
        _check_parsed(parsed, opts.keep_valid)
        if progress:
            progress("enregistrement", parsed.rows_read)
        source_id = await _store(ctx, actor, council_id, file_name, digest, parsed)
    finally:
        table.close()
    if progress:
        progress("termine", parsed.rows_read)
    return await get_source(council_id, source_id)


def _check_parsed(parsed: _Parsed, keep_valid: bool) -> None:
    """Refuse a register with rejected rows (unless ``keep_valid``) or no valid row;
    ``parsed`` must hold the whole file."""
    if parsed.rejections and not keep_valid:
        n = len(parsed.rejections)
        raise InvalidInput(
            ngettext("%(n)d ligne rejetée sur %(total)d : rien n'a été importé. Corrigez le "
                     "fichier, ou importez en conservant les lignes valides.",
                     "%(n)d lignes rejetées sur %(total)d : rien n'a été importé. Corrigez le "
                     "fichier, ou importez en conservant les lignes valides.", n)
            % {"n": n, "total": parsed.rows_read},
            code="lignes-rejetees", field="fichier", line=parsed.rejections[0].line,
            errors=_rejection_errors(parsed.rejections),
            extra={"lignes_rejetees": n, "lignes_lues": parsed.rows_read})
    if parsed.kind in REGISTER_KINDS and not parsed.entries:
        raise InvalidInput(_("Aucune ligne valide dans ce fichier : rien n'a été importé."),
                           code="aucune-ligne", field="fichier")


async def _refuse_reimport(council_id: int, digest: str) -> None:
    row = await RegisterSource.select(RegisterSource.id, RegisterSource.created_at,
                                      RegisterSource.file_name).where(
        RegisterSource.digest_key == f"{council_id}:{digest}").first()
    if row is not None:
        raise Conflict(
            _("Ce fichier a déjà été importé dans ce conseil le %(date)s (import n° %(id)d) : "
              "personne n'a été ajouté une seconde fois.")
            % {"date": format_date(row["created_at"].date()), "id": row["id"]},
            code="deja-importe", field="fichier", extra={"import_id": row["id"]})


def _parse_list(table: Table, kind: str) -> _Parsed:
    rows = [cells for _n, cells in table.rows]
    first = table.header_line + 1
    if kind == "perimetre":
        perimeter = parse_perimeter(table.header, rows, first)
        contenu = _perimeter_content(perimeter)
    else:
        exclusions = parse_exclusions(table.header, rows, first)
        contenu = _exclusions_content(exclusions)
    return _Parsed(table.format, table.encoding, table.delimiter, table.header, kind, None,
                   [], [], len(rows), contenu)


def _parse_register(table: Table, kind: str, mapping: Mapping,
                    progress: Progress | None) -> _Parsed:
    counted = 0

    def counting() -> Iterator[tuple[int, list[str]]]:
        nonlocal counted
        n = 0
        for item in table.rows:
            n += 1
            if progress is not None and not n % 20000:
                progress("lecture", n)
            yield item
        counted = n
        if progress is not None:
            progress("lecture", n)

    entries, rejections = parse_numbered_rows(counting(), mapping, _NEW)
    return _Parsed(table.format, table.encoding, table.delimiter, table.header, kind, mapping,
                   entries, rejections, counted, [])


def _ref(e: Entry, source_id: int) -> str:
    return f"{source_id if e.source == _NEW else e.source}:{e.line}"


@dataclass
class _Existing:
    entries: list[Entry]
    kinds: dict[str, str]  # source label → kind
    ids: dict[str, int]  # ref → row id
    doublon: dict[str, str]  # ref → doublon_de as stored
    sexe: dict[str, str]
    bureau: dict[str, str]


# Columns read back to rebuild entries, in this order (raw tuples: a million Piccolo
# dictionaries would cost seconds and gigabytes).
_ROW_COLUMNS = (
    "id", "source", "line", "doublon_de", "nom_naissance", "nom_usage", "prenoms",
    "cle_nom_naissance", "cle_nom_usage", "cle_prenoms", "sexe", "date_naissance", "numero",
    "suffixe", "voie", "voie_cle", "complement", "residence", "batiment", "logement",
    "code_postal", "commune", "bureau_vote", "cle_vivier", "foyer",
)


class _RowMeta(NamedTuple):
    """What the service needs of a stored row besides the entry itself."""

    id: int
    ref: str
    doublon_de: str
    sexe: str
    bureau_vote: str
    cle_vivier: str
    foyer: str


_FETCH_BATCH = 20_000


async def _fetch_batches(ctx: AppContext, council_id: int, kept_only: bool
                         ) -> AsyncIterator[list[Any]]:
    """The council's stored rows as tuples (``_ROW_COLUMNS``), a batch at a time (a
    million rows are never all held as tuples), inside the caller's transaction."""
    cols = ", ".join(f'"{c}"' for c in _ROW_COLUMNS)
    where = '"council" = {} AND "purged_at" IS NULL'
    if kept_only:
        where += " AND \"doublon_de\" = ''"
    sql = f'SELECT {cols} FROM "registre_personne" WHERE {where} ORDER BY "id"'  # noqa: S608
    tx = ctx.db.engine.current_transaction.get()
    if tx is None:
        raise RuntimeError("rows are read back inside db.transaction()")
    if ctx.db.is_sqlite:
        cursor = await tx.connection.execute(sql.format("?"), (council_id,))
        cursor.row_factory = None
        try:
            while batch := list(await cursor.fetchmany(_FETCH_BATCH)):
                yield batch
        finally:
            await cursor.close()
        return
    pg_cursor = await tx.connection.cursor(sql.format("$1"), council_id)
    while batch := list(await pg_cursor.fetch(_FETCH_BATCH)):
        yield batch


async def _load_entries(ctx: AppContext, council_id: int, kept_only: bool
                        ) -> tuple[list[Entry], list[_RowMeta]]:
    builder = _EntryBuilder()
    async for batch in _fetch_batches(ctx, council_id, kept_only):
        builder.add(batch)
    return builder.entries, builder.metas


def _address_keys(numero: int | None, suffixe: str, _voie: str, voie_cle: str,
                  _complement: str, _residence: str, batiment: str, logement: str,
                  code_postal: str, _commune: str) -> tuple[str, str]:
    """(cle_rue, cle) exactly as ``normalise.parse_address`` builds them."""
    num_key = f"{numero}{suffixe}" if numero is not None else ""
    cle_rue = f"{num_key}|{voie_cle}|{code_postal}"
    return cle_rue, f"{cle_rue}|{batiment}|{logement}"


_new_entry = fast_frozen_constructor(Entry)
_new_address = fast_frozen_constructor(Address)
_SEXES: dict[str, Sexe | None] = {"": None, "F": Sexe.FEMININ, "M": Sexe.MASCULIN}


class _EntryBuilder:
    """Entries rebuilt from stored rows (no parsing: the keys were stored), sharing one
    ``Address`` per distinct address as an import does."""

    def __init__(self) -> None:
        self.addresses: dict[tuple[Any, ...], Address] = {}
        self.dates: dict[str, date | None] = {"": None}
        self.entries: list[Entry] = []
        self.metas: list[_RowMeta] = []

    def add(self, rows: Iterable[Sequence[Any]]) -> None:
        addresses, dates = self.addresses, self.dates
        append_entry, append_meta = self.entries.append, self.metas.append
        with paused_gc():
            for r in rows:
                (rid, source, line, dbl, nn, nu, pr, knn, knu, kpr, sexe, raw_date, numero,
                 suffixe, voie, voie_cle, complement, residence, batiment, logement, cp,
                 commune, bureau, cle_vivier, foyer) = r
                akey = (numero, suffixe, voie, voie_cle, complement, residence, batiment,
                        logement, cp, commune)
                adresse = addresses.get(akey)
                if adresse is None:
                    adresse = addresses[akey] = _new_address(*akey, *_address_keys(*akey))
                d = dates.get(raw_date, date.min)
                if d is date.min:
                    d = dates[raw_date] = date.fromisoformat(raw_date)
                label = str(source)
                append_entry(_new_entry(label, line, nn, nu, pr, _SEXES[sexe], d, adresse,
                                        bureau, knn, knu, kpr))
                append_meta(_RowMeta(rid, f"{label}:{line}", dbl, sexe, bureau, cle_vivier,
                                     foyer))


async def _existing(ctx: AppContext, council_id: int) -> _Existing:
    sources = await RegisterSource.select(RegisterSource.id, RegisterSource.kind).where(
        (RegisterSource.council == council_id) & RegisterSource.kind.is_in(list(REGISTER_KINDS)))
    kinds = {str(s["id"]): s["kind"] for s in sources}
    if not kinds:
        return _Existing([], {}, {}, {}, {}, {})
    entries, metas = await _load_entries(ctx, council_id, kept_only=False)
    return _Existing(
        entries, kinds,
        {m.ref: m.id for m in metas},
        {m.ref: m.doublon_de for m in metas},
        {m.ref: m.sexe for m in metas},
        {m.ref: m.bureau_vote for m in metas},
    )


async def _store(ctx: AppContext, actor: Actor, council_id: int, file_name: str, digest: str,
                 parsed: _Parsed) -> int:
    now = ctx.now()
    async with ctx.db.transaction():
        await _lock_council(ctx, council_id)
        await _refuse_reimport(council_id, digest)
        council = await _council(council_id)
        rejets = [
            {"line": r.line, "fields": list(r.fields), "codes": [e.code for e in r.errors],
             "message": r.message, "values": list(r.values)}
            for r in parsed.rejections
        ]
        row = (await RegisterSource.insert(RegisterSource(
            council=council_id, kind=parsed.kind, file_name=file_name[:255],
            format=parsed.table_format, encoding=parsed.encoding or "",
            delimiter=parsed.delimiter or "", digest=digest,
            digest_key=f"{council_id}:{digest}",
            mapping_name=parsed.mapping.name if parsed.mapping else "",
            mapping=parsed.mapping.to_dict() if parsed.mapping else {},
            header=parsed.header, rows_read=parsed.rows_read,
            imported=len(parsed.entries) if parsed.kind in REGISTER_KINDS else len(parsed.contenu),
            rejected=len(parsed.rejections),
            status="partiel" if parsed.rejections else "importe",
            rejets=rejets, contenu=parsed.contenu, created_by=actor.id, created_at=now,
        )).returning(RegisterSource.id))[0]
        source_id = int(row["id"])
        rapport: dict[str, Any] = {}
        merged = 0
        if parsed.kind in REGISTER_KINDS:
            merged, rapport = await _store_people(ctx, council_id, source_id, parsed)
            await RegisterSource.update({RegisterSource.merged: merged,
                                         RegisterSource.rapport: rapport}).where(
                RegisterSource.id == source_id)
        await audit.record(
            ctx.db, actor=actor, action=f"registre.import.{parsed.kind}",
            subject_type="registre_source", subject_id=source_id, at=now,
            territory_id=int(council["territory"]), council_id=council_id,
            details={"lignes_lues": parsed.rows_read, "importees": len(parsed.entries)
                     if parsed.kind in REGISTER_KINDS else len(parsed.contenu),
                     "rejetees": len(parsed.rejections), "doublons": merged,
                     "empreinte": digest},
        )
    log.info("import registre conseil=%s source=%s type=%s lignes=%s rejets=%s",
             council_id, source_id, parsed.kind, parsed.rows_read, len(parsed.rejections))
    return source_id


def _everyone(existing: _Existing, new_entries: list[Entry], kind: str) -> list[Entry]:
    """The council's rows in deduplication order: most trusted source first."""
    if not existing.entries:
        return new_entries
    trust_new = _TRUST[kind]
    return sorted(
        [*existing.entries, *new_entries],
        key=lambda e: (_TRUST[existing.kinds.get(e.source, "autre")]
                       if e.source != _NEW else trust_new,
                       int(e.source) if e.source != _NEW else 1 << 60, e.line))


@dataclass
class _Decisions:
    """What deduplication (and earlier decisions on ambiguous pairs) says of rows, by
    reference: the row standing for each absorbed one, and the sex and polling station
    a person's row takes from the rows merged into it."""

    doublon: dict[str, str]
    sexe: dict[str, str]
    bureau: dict[str, str]

    def by_line(self, source_id: int) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
        """The decisions about the rows of ``source_id``, by line number."""
        prefix = f"{source_id}:"

        def of(values: dict[str, str]) -> dict[int, str]:
            return {int(ref[len(prefix):]): v for ref, v in values.items()
                    if ref.startswith(prefix)}

        return of(self.doublon), of(self.sexe), of(self.bureau)


async def _decisions(council_id: int, source_id: int, report: Any) -> _Decisions:
    doublon: dict[str, str] = {}
    merged_sexe: dict[str, str] = {}
    merged_bureau: dict[str, str] = {}
    for m in report.merges:
        head_ref = _ref(m.entries[0], source_id)
        for e in m.entries[1:]:
            doublon[_ref(e, source_id)] = head_ref
        own = m.entries[0]
        if m.kept.sexe is not own.sexe:
            merged_sexe[head_ref] = m.kept.sexe.value if m.kept.sexe else ""
        if m.kept.bureau_vote != own.bureau_vote:
            merged_bureau[head_ref] = m.kept.bureau_vote

    # A person's earlier decision that two rows are one person outlives the recomputation.
    decided = await RegisterAmbiguousPair.select(
        RegisterAmbiguousPair.ref_a, RegisterAmbiguousPair.ref_b).where(
        (RegisterAmbiguousPair.council == council_id)
        & (RegisterAmbiguousPair.decision == "meme-personne"))
    for d in decided:
        a, b = d["ref_a"], d["ref_b"]
        head = doublon.get(a, a)
        if b not in doublon and head != b:
            doublon[b] = head
    return _Decisions(doublon, merged_sexe, merged_bureau)


async def _store_people(ctx: AppContext, council_id: int, source_id: int,
                        parsed: _Parsed) -> tuple[int, dict[str, Any]]:
    existing = await _existing(ctx, council_id)
    salt = await _salt(council_id)
    table = RegisterPerson._meta.tablename
    entries = parsed.entries
    everyone = _everyone(existing, entries, parsed.kind)
    if existing.entries:
        # A later source: deduplicate first, then write each row as decided (many of
        # its rows may be people already known).
        report = await anyio.to_thread.run_sync(deduplicate, everyone)
        decisions = await _decisions(council_id, source_id, report)
        await bulk_insert(ctx.db, table, PERSON_COLUMNS, person_rows(
            council_id, source_id, entries, salt, pool_keys(len(entries)),
            *decisions.by_line(source_id)))
    else:
        # Write the rows first, deduplicate meanwhile (SQLite writes its pages without
        # holding the interpreter lock, PostgreSQL in its own process), then mark by id
        # the rows it absorbed.
        first_id = await _next_sqlite_id(table) if ctx.db.is_sqlite else 0
        rows = person_rows(council_id, source_id, entries, salt, pool_keys(len(entries)))
        report = await _alongside(functools.partial(deduplicate, everyone),
                                  lambda: bulk_insert(ctx.db, table, PERSON_COLUMNS, rows))
        decisions = await _decisions(council_id, source_id, report)
        await _update_new_rows(ctx, table, source_id, first_id, entries, {
            "doublon_de": decisions.doublon, "sexe": decisions.sexe,
            "bureau_vote": decisions.bureau})
    doublon = decisions.doublon

    await _restate(ctx, existing, decisions)

    new_pairs = await _store_pairs(ctx, council_id, source_id, report.ambiguous)
    # People of this file found again (in an earlier file, or twice in this one): the
    # merge groups holding one of its rows. Counting the rows this file lost instead
    # gave 361 when the landlord's file came second and 0 when it came first (the
    # electoral list's rows win, so the landlord's rows were absorbed after the fact).
    merged_here = sum(1 for m in report.merges if any(e.source == _NEW for e in m.entries))
    lignes = len(existing.entries) + len(parsed.entries)
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


async def _restate(ctx: AppContext, existing: _Existing, decisions: _Decisions) -> None:
    """Write the new standing of rows already stored (a better source arrived, or the
    row that stood for them was purged): the row they merge into, and the sex and
    polling station a person's row takes from the rows merged into it."""
    doublon = decisions.doublon
    changes = [(doublon.get(ref, ""), row_id) for ref, row_id in existing.ids.items()
               if existing.doublon[ref] != doublon.get(ref, "")]
    if changes:
        await _executemany(ctx, 'UPDATE "registre_personne" SET "doublon_de" = {} WHERE "id" = {}',
                           changes)
    fix_sexe = [(v, existing.ids[ref]) for ref, v in decisions.sexe.items()
                if ref in existing.ids and existing.sexe[ref] != v]
    if fix_sexe:
        await _executemany(ctx, 'UPDATE "registre_personne" SET "sexe" = {} WHERE "id" = {}',
                           fix_sexe)
    fix_bureau = [(v, existing.ids[ref]) for ref, v in decisions.bureau.items()
                  if ref in existing.ids and existing.bureau[ref] != v]
    if fix_bureau:
        await _executemany(
            ctx, 'UPDATE "registre_personne" SET "bureau_vote" = {} WHERE "id" = {}', fix_bureau)


async def _next_sqlite_id(table: str) -> int:
    """The id SQLite gives the next inserted row: max(id) + 1 (INTEGER PRIMARY KEY
    without AUTOINCREMENT); the rows of one insert in one write transaction follow."""
    # ``table`` is our own table name, never input.
    sql = f'SELECT COALESCE(MAX("id"), 0) + 1 AS n FROM "{table}"'  # noqa: S608
    rows = await RegisterPerson.raw(sql)
    return int(rows[0]["n"])


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


async def _update_new_rows(ctx: AppContext, table: str, source_id: int, first_id: int,
                           entries: Sequence[Entry], values: dict[str, dict[str, str]]
                           ) -> None:
    """Write what was decided about rows of this import already stored (see
    _store_people): ``values`` gives, per column, the new value by row reference.

    On SQLite the rows of the import got consecutive ids from ``first_id``; on
    PostgreSQL (ids from a sequence other councils' imports share) they are looked up.
    """
    prefix = f"{source_id}:"
    wanted = {int(ref[len(prefix):]) for column_values in values.values()
              for ref in column_values if ref.startswith(prefix)}
    if not wanted:
        return
    if ctx.db.is_sqlite:
        last = await _next_sqlite_id(table) - 1
        if last != first_id + len(entries) - 1:  # never seen; refuse rather than mislabel
            raise RuntimeError("identifiants de lignes non contigus")
        ids = {e.line: first_id + i for i, e in enumerate(entries) if e.line in wanted}
    else:
        found = await RegisterPerson.raw(
            'SELECT "id", "line" FROM "registre_personne" WHERE "source" = {} '
            'AND "line" = ANY({})', source_id, sorted(wanted))
        ids = {r["line"]: r["id"] for r in found}
    for column, column_values in values.items():
        updates = [(v, ids[int(ref[len(prefix):])]) for ref, v in column_values.items()
                   if ref.startswith(prefix)]
        if updates:
            await _executemany(
                ctx, f'UPDATE "{table}" SET "{column}" = {{}} WHERE "id" = {{}}',  # noqa: S608
                updates)


async def _executemany(ctx: AppContext, sql: str, rows: list[tuple[Any, ...]]) -> None:
    tx = ctx.db.engine.current_transaction.get()
    assert tx is not None
    if ctx.db.is_sqlite:
        await tx.connection.executemany(sql.format("?", "?"), rows)
    else:
        await tx.connection.executemany(sql.format("$1", "$2"), rows)


async def _store_pairs(ctx: AppContext, council_id: int, source_id: int,
                       pairs: Sequence[Any]) -> int:
    if not pairs:
        return 0
    existing = {r["pair_key"] for r in await RegisterAmbiguousPair.select(
        RegisterAmbiguousPair.pair_key).where(RegisterAmbiguousPair.council == council_id)}
    now = ctx.now()
    fresh = []
    for p in pairs:
        a, b = _ref(p.a, source_id), _ref(p.b, source_id)
        key = f"{council_id}:{a}:{b}"
        if key in existing:
            continue
        existing.add(key)
        fresh.append(RegisterAmbiguousPair(council=council_id, ref_a=a, ref_b=b, pair_key=key,
                                           code=p.code, message=p.message, created_at=now))
    if fresh:
        await RegisterAmbiguousPair.insert(*fresh)
    return len(fresh)


# ---------------------------------------------------------------------- reading back


_SOURCE_INFO = (
    RegisterSource.id, RegisterSource.council, RegisterSource.kind, RegisterSource.file_name,
    RegisterSource.format, RegisterSource.encoding, RegisterSource.delimiter,
    RegisterSource.digest, RegisterSource.mapping_name, RegisterSource.mapping,
    RegisterSource.rows_read, RegisterSource.imported, RegisterSource.rejected,
    RegisterSource.merged, RegisterSource.status, RegisterSource.rapport,
    RegisterSource.created_by, RegisterSource.created_at, RegisterSource.purged_at,
)


async def list_sources(council_id: int) -> list[dict[str, Any]]:
    rows = await RegisterSource.select(*_SOURCE_INFO).where(
        RegisterSource.council == council_id).order_by(RegisterSource.id, ascending=False
                                                      ).output(load_json=True)
    return [dict(r, kind_label=_kind_label(r["kind"])) for r in rows]


async def get_source(council_id: int, source_id: int, with_rejections: int = 200
                     ) -> dict[str, Any]:
    row = await RegisterSource.select(*_SOURCE_INFO, RegisterSource.rejets).where(
        (RegisterSource.id == source_id) & (RegisterSource.council == council_id)
    ).output(load_json=True).first()
    if row is None:
        raise NotFound(_("Import introuvable."))
    out = dict(row)
    rejets = out.pop("rejets") or []
    # Lines, fields and reasons only; the rejected values are in the CSV download.
    out["rejets"] = [{k: r[k] for k in ("line", "fields", "codes", "message")}
                     for r in rejets[:with_rejections]]
    out["kind_label"] = _kind_label(out["kind"])
    return out


async def rejected_rows_csv(council_id: int, source_id: int) -> bytes:
    """The rejected rows as the file had them, with their line and reason, as a CSV the
    lead opens in a spreadsheet (UTF-8 with BOM, ``;``)."""
    row = await RegisterSource.select(RegisterSource.header, RegisterSource.rejets).where(
        (RegisterSource.id == source_id) & (RegisterSource.council == council_id)
    ).output(load_json=True).first()
    if row is None:
        raise NotFound(_("Import introuvable."))
    w = CsvExport()
    w.row([_("ligne"), _("champ"), _("motif"), *(row["header"] or [])])
    for r in row["rejets"] or []:
        w.row([r["line"], ", ".join(r["fields"]), r["message"], *r["values"]])
    return w.to_bytes()


async def register_overview(council_id: int) -> dict[str, Any]:
    # The three counts in one pass over the council's rows (a page reads this: three
    # passes cost 3 × 0.35 s on a million-row register, issue 14 `http.load.import`).
    counts = (await RegisterPerson.raw(
        "SELECT COUNT(*) AS lignes, "
        "COALESCE(SUM(CASE WHEN doublon_de = '' THEN 1 ELSE 0 END), 0) AS personnes, "
        "COALESCE(SUM(CASE WHEN doublon_de = '' AND eligibilite = 'eligible' THEN 1 ELSE 0 END), 0)"
        " AS eligibles FROM registre_personne WHERE council = {} AND purged_at IS NULL",
        council_id))[0]
    rows, people, eligible = (int(counts[k]) for k in ("lignes", "personnes", "eligibles"))
    pairs = await RegisterAmbiguousPair.count().where(
        (RegisterAmbiguousPair.council == council_id) & (RegisterAmbiguousPair.decision == ""))
    return {"lignes": rows, "personnes": people, "eligibles": eligible,
            "paires_a_decider": pairs, "perimetre": await council_perimeter(council_id) is not None,
            "exclusions": len((await _exclusion_list(council_id)).exclusions)}


async def search_people(council_id: int, q: str = "", page: int = 1, per_page: int = 50
                        ) -> dict[str, Any]:
    """Register rows by name (prefix of the birth or usage name, accents ignored)."""
    page = max(1, page)
    per_page = max(1, min(per_page, 200))
    where = (RegisterPerson.council == council_id) & RegisterPerson.purged_at.is_null()
    key = normalise_texte(q).replace(" ", "")
    if key:
        pattern = key.replace("%", "").replace("_", "") + "%"
        where = where & (RegisterPerson.cle_nom_naissance.like(pattern)
                         | RegisterPerson.cle_nom_usage.like(pattern))
    total = await RegisterPerson.count().where(where)
    rows = await RegisterPerson.select(
        RegisterPerson.id, RegisterPerson.source, RegisterPerson.line,
        RegisterPerson.nom_naissance, RegisterPerson.nom_usage, RegisterPerson.prenoms,
        RegisterPerson.sexe, RegisterPerson.date_naissance, RegisterPerson.numero,
        RegisterPerson.suffixe, RegisterPerson.voie, RegisterPerson.complement,
        RegisterPerson.code_postal, RegisterPerson.commune, RegisterPerson.bureau_vote,
        RegisterPerson.doublon_de, RegisterPerson.eligibilite, RegisterPerson.motifs,
        RegisterPerson.selected_at,
    ).where(where).order_by(RegisterPerson.cle_nom_usage).order_by(
        RegisterPerson.cle_nom_naissance).order_by(RegisterPerson.cle_prenoms).order_by(
        RegisterPerson.id).limit(per_page).offset((page - 1) * per_page)
    return {"total": total, "page": page, "per_page": per_page,
            "pages": max(1, -(-total // per_page)), "q": q,
            "items": [_person_view(r) for r in rows]}


def _numero(numero: int | None, suffixe: str) -> str:
    """« 12 bis », « 12B », or "" without a number."""
    if numero is None:
        return ""
    return f"{numero} {suffixe.lower()}" if len(suffixe) > 1 else f"{numero}{suffixe}"


def _refs_filter(refs: Iterable[str]) -> Any:
    """Rows designated by "<source>:<line>" references (a handful: ambiguous pairs)."""
    where = None
    for ref in refs:
        source, _sep, line = ref.partition(":")
        clause = (RegisterPerson.source == int(source)) & (RegisterPerson.line == int(line))
        where = clause if where is None else where | clause
    return where if where is not None else (RegisterPerson.id == -1)


def _person_view(r: dict[str, Any]) -> dict[str, Any]:
    numero = _numero(r.get("numero"), r["suffixe"])
    return {
        **r,
        "ref": f"{r['source']}:{r['line']}",
        "nom": r["nom_usage"] or r["nom_naissance"],
        "date_naissance_fr": format_date(date.fromisoformat(r["date_naissance"]))
        if r["date_naissance"] else "",
        "adresse": " ".join(p for p in (numero, r["voie"]) if p),
    }


# -------------------------------------------------------------------- ambiguous pairs


async def list_pairs(council_id: int, open_only: bool = False) -> list[dict[str, Any]]:
    q = RegisterAmbiguousPair.select().where(RegisterAmbiguousPair.council == council_id)
    if open_only:
        q = q.where(RegisterAmbiguousPair.decision == "")
    pairs = [dict(p) for p in await q.order_by(RegisterAmbiguousPair.id)]
    refs = {p["ref_a"] for p in pairs} | {p["ref_b"] for p in pairs}
    people: dict[str, dict[str, Any]] = {}
    if refs:
        rows = await RegisterPerson.select(
            RegisterPerson.id, RegisterPerson.source, RegisterPerson.line,
            RegisterPerson.nom_naissance, RegisterPerson.nom_usage, RegisterPerson.prenoms,
            RegisterPerson.sexe, RegisterPerson.date_naissance, RegisterPerson.numero,
            RegisterPerson.suffixe, RegisterPerson.voie, RegisterPerson.complement,
            RegisterPerson.code_postal, RegisterPerson.commune, RegisterPerson.bureau_vote,
            RegisterPerson.doublon_de, RegisterPerson.eligibilite, RegisterPerson.motifs,
            RegisterPerson.selected_at,
        ).where((RegisterPerson.council == council_id) & _refs_filter(refs))
        people = {f"{r['source']}:{r['line']}": _person_view(r) for r in rows}
    for p in pairs:
        p["a"], p["b"] = people.get(p["ref_a"]), people.get(p["ref_b"])
    return [p for p in pairs if p["a"] and p["b"]]


async def decide_pair(ctx: AppContext, actor: Actor, council_id: int, pair_id: int,
                      decision: str) -> dict[str, Any]:
    """Record a person's decision; "meme-personne" merges the second row into the first."""
    if decision not in DECISIONS:
        raise InvalidInput(_("Décision inconnue : « %(d)s » (attendu : %(liste)s).")
                           % {"d": decision, "liste": ", ".join(DECISIONS)}, field="decision")
    from service.usecases.registre_pairs import check_decision

    now = ctx.now()
    async with ctx.db.transaction():
        council = await _council(council_id)
        pair = await RegisterAmbiguousPair.select().where(
            (RegisterAmbiguousPair.id == pair_id) & (RegisterAmbiguousPair.council == council_id)
        ).first()
        if pair is None:
            raise NotFound(_("Paire introuvable."))
        if pair["decision"]:
            raise InvalidState(_("Cette paire a déjà été tranchée."), code="deja-decidee")
        await check_decision(council_id, pair, decision)
        await apply_pair_decision(council_id, pair, decision, actor.id, now)
        await audit.record(ctx.db, actor=actor, action="registre.paire.decision",
                           subject_type="registre_paire", subject_id=pair_id, at=now,
                           territory_id=int(council["territory"]), council_id=council_id,
                           details={"decision": decision})
    return {"id": pair_id, "decision": decision}


async def apply_pair_decision(council_id: int, pair: dict[str, Any], decision: str,
                              actor_id: int | None, now: datetime) -> None:
    """Record a decision on a pair inside the caller's transaction; "meme-personne"
    merges the second row (and rows merged into it) into the first's person."""
    await RegisterAmbiguousPair.update({
        RegisterAmbiguousPair.decision: decision, RegisterAmbiguousPair.decided_by: actor_id,
        RegisterAmbiguousPair.decided_at: now}).where(RegisterAmbiguousPair.id == pair["id"])
    if decision == "meme-personne":
        a = await RegisterPerson.select(RegisterPerson.doublon_de).where(
            (RegisterPerson.council == council_id) & _refs_filter([pair["ref_a"]])
        ).first()
        head = (a or {}).get("doublon_de") or pair["ref_a"]
        await RegisterPerson.update({RegisterPerson.doublon_de: head}).where(
            (RegisterPerson.council == council_id)
            & (_refs_filter([pair["ref_b"]])
               | (RegisterPerson.doublon_de == pair["ref_b"])))


# ------------------------------------------------------------------ saved mappings


async def save_mapping(ctx: AppContext, actor: Actor, council_id: int, name: str,
                       mapping: dict[str, str]) -> dict[str, Any]:
    name = " ".join(name.split())[:100]
    if not name:
        raise InvalidInput(_("Donnez un nom à la correspondance."), field="nom",
                           code="champ-obligatoire")
    unknown = [f for f in mapping if f not in CANONICAL_FIELDS]
    if unknown:
        raise InvalidInput(_("Champ inconnu : « %(champ)s ».") % {"champ": unknown[0]},
                           field=unknown[0], code="champ-inconnu")
    clean = {f: t.strip() for f, t in mapping.items() if t and t.strip()}
    if not clean:
        raise InvalidInput(_("La correspondance est vide."), field="correspondance")
    key = f"{council_id}:{normalise_texte(name)}"
    now = ctx.now()
    async with ctx.db.transaction():
        council = await _council(council_id)
        found = await RegisterMapping.select(RegisterMapping.id).where(
            RegisterMapping.name_key == key).first()
        if found:
            await RegisterMapping.update({RegisterMapping.mapping: clean,
                                          RegisterMapping.name: name}).where(
                RegisterMapping.id == found["id"])
            mapping_id = found["id"]
        else:
            mapping_id = (await RegisterMapping.insert(RegisterMapping(
                council=council_id, name=name, name_key=key, mapping=clean,
                created_by=actor.id, created_at=now)).returning(RegisterMapping.id))[0]["id"]
        await audit.record(ctx.db, actor=actor, action="registre.correspondance",
                           subject_type="registre_correspondance", subject_id=mapping_id, at=now,
                           territory_id=int(council["territory"]), council_id=council_id,
                           details={"champs": sorted(clean)})
    return {"id": mapping_id, "name": name, "mapping": clean}


# ---------------------------------------------------------------- perimeter, exclusions


async def _latest_list(council_id: int, kind: str) -> list[dict[str, Any]] | None:
    row = await RegisterSource.select(RegisterSource.contenu).where(
        (RegisterSource.council == council_id) & (RegisterSource.kind == kind)
        & RegisterSource.purged_at.is_null()
    ).order_by(RegisterSource.id, ascending=False).output(load_json=True).first()
    return None if row is None else list(row["contenu"] or [])


async def council_perimeter(council_id: int) -> Perimeter | None:
    """The council's perimeter (its latest perimeter file), or None when none was
    imported. Used by the applications feature to check volunteers' addresses."""
    content = await _latest_list(council_id, "perimetre")
    if not content:
        return None
    return Perimeter(
        PerimeterRule(r["voie"], r["numero_min"], r["numero_max"], Cote(r["cote"]),
                      r.get("code_postal", ""), r.get("line"))
        for r in content)


async def _exclusion_list(council_id: int) -> ExclusionList:
    content = await _latest_list(council_id, "exclusions") or []
    return ExclusionList(
        Exclusion(x["nom"], x["prenoms"], date.fromisoformat(x["date_naissance"]), x["motif"],
                  x.get("line"), x.get("nom_usage", ""))
        for x in content)


# -------------------------------------------------------------------------- eligibility


async def _sitting_members(council_id: int) -> set[MemberIdentity]:
    """How the council's sitting members drawn from its register are recognised in it
    (by every surname, first first name and birth date), to leave them out of a new
    pool with the reason ``deja-membre``: a re-imported register gives them new rows."""
    from service.usecases.composition import sitting_subjects

    ids = [i for kind, i in await sitting_subjects(council_id) if kind == "resident"]
    if not ids:
        return set()
    rows = await RegisterPerson.select(
        RegisterPerson.cle_nom_naissance, RegisterPerson.cle_nom_usage,
        RegisterPerson.cle_prenoms, RegisterPerson.date_naissance,
    ).where((RegisterPerson.council == council_id) & RegisterPerson.id.is_in(ids))
    members: set[MemberIdentity] = set()
    for r in rows:
        if not r["date_naissance"]:
            continue
        born = date.fromisoformat(str(r["date_naissance"])[:10])
        first = premier_prenom(r["cle_prenoms"])
        for nom in {r["cle_nom_naissance"], r["cle_nom_usage"]} - {""}:
            members.add(MemberIdentity(nom, first, born))
    return members


async def _kept_entries(ctx: AppContext, council_id: int
                       ) -> tuple[list[Entry], list[_RowMeta]]:
    return await _load_entries(ctx, council_id, kept_only=True)


async def _evaluate(ctx: AppContext, actor: Actor, council_id: int, reference_date: date,
                    accept_unknown_birth_date: bool
                    ) -> tuple[dict[str, Any], list[Entry], list[_RowMeta]]:
    council = await _council(council_id)
    perimeter = await council_perimeter(council_id)
    if perimeter is None:
        raise InvalidState(
            _("Importez d'abord le périmètre du quartier : sans lui, personne ne peut être "
              "déclaré éligible."), code="perimetre-absent")
    members = await _sitting_members(council_id)
    settings = EligibilitySettings(
        perimeter=perimeter, exclusions=await _exclusion_list(council_id),
        members=frozenset(members), minimum_age=_setting(council, "age_minimum", 16),
        accept_unknown_birth_date=accept_unknown_birth_date)
    entries, rows = await _kept_entries(ctx, council_id)
    if not entries:
        raise InvalidState(_("Le registre de ce conseil est vide : importez d'abord un "
                             "registre."), code="registre-vide")
    report = await anyio.to_thread.run_sync(evaluate, entries, settings, reference_date)
    eligible_ids = {id(e) for e in report.eligible}
    reasons = {id(i.entry): ",".join(i.codes) for i in report.ineligible}
    ineligible = [(reasons[id(e)], r.id) for e, r in zip(entries, rows, strict=True)
                  if id(e) not in eligible_ids]
    await RegisterPerson.update({RegisterPerson.eligibilite: "eligible",
                                 RegisterPerson.motifs: ""}).where(
        (RegisterPerson.council == council_id) & (RegisterPerson.doublon_de == "")
        & RegisterPerson.purged_at.is_null())
    await RegisterPerson.update({RegisterPerson.eligibilite: "",
                                 RegisterPerson.motifs: ""}).where(
        (RegisterPerson.council == council_id) & (RegisterPerson.doublon_de != ""))
    if ineligible:
        await _executemany(
            ctx, 'UPDATE "registre_personne" SET "eligibilite" = \'ineligible\', "motifs" = {} '
                 'WHERE "id" = {}', ineligible)
    eligible_rows = [r for e, r in zip(entries, rows, strict=True) if id(e) in eligible_ids]
    households = len({r.foyer for r in eligible_rows})
    summary = {
        "reference_date": reference_date.isoformat(),
        "minimum_age": settings.minimum_age,
        "personnes": len(entries),
        "eligibles": len(report.eligible),
        "ineligibles": len(report.ineligible),
        "foyers": households,
        "motifs": [{"code": c, "message": m, "count": n} for c, m, n in report.summary()],
    }
    await audit.record(ctx.db, actor=actor, action="registre.eligibilite",
                       subject_type="conseil", subject_id=council_id, at=ctx.now(),
                       territory_id=int(council["territory"]), council_id=council_id,
                       details={"date_reference": summary["reference_date"],
                                "eligibles": summary["eligibles"],
                                "ineligibles": summary["ineligibles"],
                                "motifs": {m["code"]: m["count"] for m in summary["motifs"]}})
    kept = [e for e in entries if id(e) in eligible_ids]
    return summary, kept, eligible_rows


async def evaluate_eligibility(ctx: AppContext, actor: Actor, council_id: int,
                               reference_date: date, accept_unknown_birth_date: bool = False
                               ) -> dict[str, Any]:
    """Apply the eligibility rules at ``reference_date`` to every person of the council's
    register, store each one's status and reasons, and return the summary per reason."""
    async with ctx.db.transaction():
        await _lock_council(ctx, council_id)
        summary, _kept, _rows = await _evaluate(ctx, actor, council_id, reference_date,
                                                accept_unknown_birth_date)
    return summary


def _stratification(raw: str | dict[str, Any] | None) -> dict[str, Any]:
    if raw is None or raw == "":
        return {"mode": "sexe"}
    spec = {"mode": raw} if isinstance(raw, str) else dict(raw)
    mode = spec.get("mode", "sexe")
    if mode not in STRATIFICATIONS:
        raise InvalidInput(_("Stratification inconnue : « %(m)s » (attendu : %(liste)s).")
                           % {"m": mode, "liste": ", ".join(STRATIFICATIONS)},
                           field="stratification", code="stratification-inconnue")
    out: dict[str, Any] = {"mode": mode}
    if mode == "sexe-age":
        bands = spec.get("tranches") or list(DEFAULT_AGE_BANDS)
        try:
            bands = sorted({int(b) for b in bands})
        except (TypeError, ValueError):
            raise InvalidInput(_("Tranches d'âge invalides : des nombres entiers sont attendus."),
                               field="tranches") from None
        out["tranches"] = bands
    return out


def _age_band(age: int, bands: Sequence[int], minimum: int) -> str:
    low = minimum
    for b in bands:
        if age < b:
            return f"{low}-{b - 1}" if b - 1 >= low else f"{low}-"
        low = max(low, b)
    return f"{low}+"


def _stratum(entry: Entry, spec: dict[str, Any], reference: date, minimum: int) -> str:
    sexe = entry.sexe.value if entry.sexe is not None else "?"
    mode = spec["mode"]
    if mode == "sexe-bureau":
        bureau = " ".join(entry.bureau_vote.split()) or "sans-bureau"
        return f"{sexe}/{bureau}"
    if mode == "sexe-age":
        if entry.date_naissance is None:
            return f"{sexe}/age-inconnu"
        age = age_at(entry.date_naissance, reference)
        return f"{sexe}/{_age_band(age, spec['tranches'], minimum)}"
    return sexe


async def build_pool(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    reference_date: date,
    stratification: str | dict[str, Any] | None = "sexe",
    *,
    label: str = "",
    accept_unknown_birth_date: bool = False,
) -> dict[str, Any]:
    """Evaluate eligibility at ``reference_date`` and freeze the eligible people into a
    pool (``pools.create_pool``): strata by sex, or sex × polling station
    (``"sexe-bureau"``), or sex × age band (``{"mode": "sexe-age", "tranches": [30, 45,
    60]}``); household keys from the register. Returns the pool's description plus the
    eligibility summary under ``"eligibilite"``."""
    spec = _stratification(stratification)
    async with ctx.db.transaction():
        await _lock_council(ctx, council_id)
        summary, kept, rows = await _evaluate(ctx, actor, council_id, reference_date,
                                              accept_unknown_birth_date)
        minimum = summary["minimum_age"]
        items = [PoolItem(r.cle_vivier, _stratum(e, spec, reference_date, minimum), r.foyer,
                          "resident", r.id) for e, r in zip(kept, rows, strict=True)]
        pool = await create_pool(
            ctx, actor, council_id, items, kind="residents",
            label=label or _("Registre au %(date)s") % {"date": format_date(reference_date)},
            reference_date=reference_date.isoformat(), stratification=spec)
    pool["eligibilite"] = summary
    return pool


# ---------------------------------------------------------------- subjects (letters)


@subject_loader("resident")
async def load_residents(ids: Sequence[int]) -> dict[int, Subject]:
    """Register people by row id, as letters address them (purged rows are absent)."""
    out: dict[int, Subject] = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = list(ids[chunk_start:chunk_start + 500])
        rows = await RegisterPerson.select(
            RegisterPerson.id, RegisterPerson.nom_naissance, RegisterPerson.nom_usage,
            RegisterPerson.prenoms, RegisterPerson.sexe, RegisterPerson.date_naissance,
            RegisterPerson.numero, RegisterPerson.suffixe, RegisterPerson.voie,
            RegisterPerson.complement, RegisterPerson.code_postal, RegisterPerson.commune,
        ).where(RegisterPerson.id.is_in(chunk) & RegisterPerson.purged_at.is_null())
        for r in rows:
            out[r["id"]] = _subject(r)
    return out


def _subject(r: dict[str, Any]) -> Subject:
    from domain.adresse_postale import AdressePostale

    civilite = {"F": "Madame", "M": "Monsieur"}.get(r["sexe"], "")
    prenom = (r["prenoms"].split() or [""])[0]
    nom = r["nom_usage"] or r["nom_naissance"]
    numero = _numero(r["numero"], r["suffixe"])
    return Subject(
        subject_type="resident", subject_id=r["id"], civilite=civilite, prenom=prenom, nom=nom,
        sexe=r["sexe"],
        birth_year=int(r["date_naissance"][:4]) if r["date_naissance"] else None,
        address=AdressePostale(civilite=civilite, prenom=prenom, nom=nom,
                               complement_lieu=r["complement"], numero=numero, voie=r["voie"],
                               code_postal=r["code_postal"], commune=r["commune"]),
    )


@selection_hook("resident")
async def residents_selected(ids: Sequence[int], at: datetime) -> None:
    """People invited by a draw: the retention purge spares them from now on."""
    for chunk_start in range(0, len(ids), 500):
        chunk = list(ids[chunk_start:chunk_start + 500])
        await RegisterPerson.update({RegisterPerson.selected_at: at}).where(
            RegisterPerson.id.is_in(chunk) & RegisterPerson.selected_at.is_null())


# ---------------------------------------------------------------------------- purge


async def purge(ctx: AppContext, actor: Actor, council_id: int | None = None,
                dry_run: bool = False) -> list[dict[str, Any]]:
    """Remove the personal data of people never selected, once the council's retention
    period (``conservation_jours``) has passed since their file was imported.

    Rows are deleted (selected people are kept), the rejected rows kept for download and
    purged exclusion lists are emptied; pools are untouched, so past draws stay
    verifiable. One audit event per council with counts only. Returns one summary per
    council that had something to purge.
    """
    now = ctx.now()
    q = Council.select(Council.id, Council.territory, Council.settings).output(load_json=True)
    if council_id is not None:
        q = q.where(Council.id == council_id)
    results = []
    for council in await q:
        days = _setting(council, "conservation_jours", 183)
        cutoff = now - timedelta(days=days)
        result = await _purge_council(ctx, actor, council, cutoff, dry_run)
        if result is not None:
            results.append(result)
    return results


async def _purge_council(ctx: AppContext, actor: Actor, council: dict[str, Any],
                         cutoff: datetime, dry_run: bool) -> dict[str, Any] | None:
    cid = int(council["id"])
    async with ctx.db.transaction():
        sources = await RegisterSource.select(RegisterSource.id, RegisterSource.kind).where(
            (RegisterSource.council == cid) & RegisterSource.purged_at.is_null()
            & (RegisterSource.created_at <= cutoff))
        if not sources:
            return None
        ids = [s["id"] for s in sources]
        doomed = (RegisterPerson.source.is_in(ids) & RegisterPerson.selected_at.is_null())
        deleted = await RegisterPerson.count().where(doomed)
        spared = await RegisterPerson.count().where(
            RegisterPerson.source.is_in(ids) & RegisterPerson.selected_at.is_not_null())
        result = {"council_id": cid, "sources": len(ids), "personnes_supprimees": deleted,
                  "personnes_conservees": spared, "dry_run": dry_run,
                  "date_limite": cutoff.isoformat()}
        if dry_run:
            return result
        now = ctx.now()
        await RegisterPerson.delete().where(doomed)
        for s in sources:
            await RegisterSource.update({
                RegisterSource.purged_at: now, RegisterSource.status: "purge",
                RegisterSource.rejets: [], RegisterSource.digest_key: f"purge:{s['id']}",
                **({RegisterSource.contenu: []} if s["kind"] == "exclusions" else {}),
            }).where(RegisterSource.id == s["id"])
            pattern = f"{s['id']}:%"
            await RegisterAmbiguousPair.delete().where(
                (RegisterAmbiguousPair.council == cid)
                & (RegisterAmbiguousPair.ref_a.like(pattern)
                   | RegisterAmbiguousPair.ref_b.like(pattern)))
        # The rows left (later imports, people selected) are deduplicated again: those
        # merged into a purged row are one person, not one each.
        existing = await _existing(ctx, cid)
        if existing.entries:
            report = await anyio.to_thread.run_sync(
                deduplicate, _everyone(existing, [], "autre"))
            await _restate(ctx, existing, await _decisions(cid, 0, report))
        await RegisterImportTask.delete().where(
            (RegisterImportTask.council == cid) & (RegisterImportTask.created_at <= cutoff))
        await audit.record(ctx.db, actor=actor, action="registre.purge", subject_type="conseil",
                           subject_id=cid, at=now, territory_id=int(council["territory"]),
                           council_id=cid,
                           details={k: v for k, v in result.items()
                                    if k in ("sources", "personnes_supprimees",
                                             "personnes_conservees", "date_limite")})
    log.info("purge registre conseil=%s sources=%s supprimees=%s conservees=%s", cid,
             len(ids), deleted, spared)
    return result


# ---------------------------------------------------------------- import tasks (pages)


async def start_task(ctx: AppContext, actor: Actor, council_id: int, kind: str | None,
                     file_name: str) -> int:
    now = ctx.now()
    row = (await RegisterImportTask.insert(RegisterImportTask(
        council=council_id, kind=kind or "", file_name=file_name[:255], status="en-cours",
        stage="lecture", created_by=actor.id, created_at=now, updated_at=now,
    )).returning(RegisterImportTask.id))[0]
    return int(row["id"])


async def update_task(ctx: AppContext, task_id: int, **values: Any) -> None:
    values["updated_at"] = ctx.now()
    await RegisterImportTask.update(values).where(RegisterImportTask.id == task_id)


# A task silent for this long died with its worker (restart, crash): say so rather than
# letting the page refresh forever. Reading a file reports progress every second.
TASK_STALE_AFTER = timedelta(minutes=30)


async def get_task(council_id: int, task_id: int, now: datetime | None = None
                   ) -> dict[str, Any]:
    row = await RegisterImportTask.select().where(
        (RegisterImportTask.id == task_id) & (RegisterImportTask.council == council_id)
    ).output(load_json=True).first()
    if row is None:
        raise NotFound(_("Import introuvable."))
    task = dict(row)
    if (now is not None and task["status"] == "en-cours"
            and task["updated_at"] < now - TASK_STALE_AFTER):
        task.update(status="echec", error={"code": "import-interrompu", "detail": _(
            "L'import a été interrompu (redémarrage du service ?) : rien n'a été importé, "
            "déposez le fichier à nouveau.")})
    return task


async def run_import_task(ctx: AppContext, actor: Actor, council_id: int, task_id: int,
                          path: Path, file_name: str, options: ImportOptions,
                          digest: str | None = None,
                          on_done: Callable[[], None] | None = None) -> None:
    """Run an import for the pages, keeping its progress in ``registre_tache`` so the
    status page (any worker) can show it. Progress is written while the file is read
    (outside the import's transaction); the result or the error at the end."""
    state = {"stage": "lecture", "rows": 0, "written": ("", -1)}

    def progress(stage: str, rows: int) -> None:
        state["stage"], state["rows"] = stage, rows

    async def reporter() -> None:
        while state["stage"] == "lecture":
            await anyio.sleep(1)
            current = (state["stage"], state["rows"])
            if current != state["written"] and state["stage"] == "lecture":
                state["written"] = current
                try:
                    await update_task(ctx, task_id, stage="lecture", rows_done=state["rows"])
                except Exception:  # progress is best effort; the import goes on
                    return

    report: dict[str, Any] | None = None
    failure: Exception | None = None
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(reporter)
            try:
                report = await import_file(ctx, actor, council_id, path, file_name, options,
                                           progress=progress, digest=digest)
            except Exception as exc:  # kept out of the task group's ExceptionGroup
                failure = exc
            finally:
                state["stage"] = "fin"
                tg.cancel_scope.cancel()
        if failure is not None:
            raise failure
        assert report is not None
        await update_task(ctx, task_id, status="termine", stage="termine",
                          rows_done=report["rows_read"], source=report["id"])
    except Exception as exc:
        from domain.errors import DomainError

        if isinstance(exc, DomainError):
            error = {"code": exc.code, "detail": exc.detail, "line": exc.line,
                     "errors": [e.as_dict() for e in exc.errors[:200]],
                     "total": len(exc.errors)}
        else:
            log.error("import registre en échec : %s", type(exc).__name__)
            error = {"code": "erreur-interne",
                     "detail": _("Erreur inattendue : rien n'a été importé.")}
        await update_task(ctx, task_id, status="echec", stage="echec", error=error)
    finally:
        if on_done is not None:
            on_done()


async def eligibility_evaluated(council_id: int) -> int:
    """How many people of the council's register have an eligibility status (0: the
    rules were never applied since the last import)."""
    return int(await RegisterPerson.count().where(
        (RegisterPerson.council == council_id) & RegisterPerson.purged_at.is_null()
        & (RegisterPerson.doublon_de == "") & (RegisterPerson.eligibilite != "")))


async def already_imported(council_id: int, digest: str) -> str | None:
    """The French notice to show on the preview of a file already imported in this
    council (the import would be refused), or None."""
    try:
        await _refuse_reimport(council_id, digest)
    except Conflict as exc:
        return exc.detail
    return None
