"""Importing one file into a council: a register (all-or-nothing unless ``keep_valid``),
a perimeter or an exclusion list. Parsing runs in a worker thread so that a million-row
import does not freeze the event loop; every write happens in one transaction (a failed
import leaves the database as it was)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from domain.errors import Conflict, FieldError, InvalidInput
from domain.i18n import _, ngettext
from domain.registre import (
    Entry,
    ExclusionList,
    Mapping,
    Perimeter,
    parse_exclusions,
    parse_numbered_rows,
    parse_perimeter,
)
from domain.registre.entries import Rejection
from domain.registre.normalise import format_date
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.organisation.store import OrganisationStore
from service.registre.reader import Table
from service.registre.store import RegisterStore
from service.registre.uploads import file_digest
from service.registre.usecases.common import (
    LIST_KINDS,
    MAX_ERRORS_LISTED,
    NEW,
    REGISTER_KINDS,
    ImportOptions,
    Progress,
    check_kind,
    looks_like_list,
    store_or_default,
)
from service.registre.usecases.mapping import open_table, resolve_mapping
from service.registre.usecases.merging import store_people
from service.registre.usecases.sources import get_source

log = logging.getLogger("conseil.registre")


@dataclass
class _Parsed:
    table_format: str
    encoding: str | None
    delimiter: str | None
    header: list[str]
    kind: str
    mapping: Mapping | None
    entries: list[Entry]
    rejections: list[Rejection]
    rows_read: int
    contenu: list[dict[str, Any]]

    @property
    def imported(self) -> int:
        return len(self.entries) if self.kind in REGISTER_KINDS else len(self.contenu)


def _rejection_errors(rejections: Sequence[Rejection]) -> list[FieldError]:
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
    store: RegisterStore | None = None,
) -> dict[str, Any]:
    """Import one file into a council. Returns the import report."""
    store = store if store is not None else RegisterStore(ctx.db)
    opts = options or ImportOptions()
    kind = check_kind(opts.kind)
    await store.council(council_id)
    sha256: str = digest if digest else await anyio.to_thread.run_sync(file_digest, path)
    await _refuse_reimport(store, council_id, sha256)
    table = await anyio.to_thread.run_sync(
        lambda: open_table(path, file_name, opts.encoding, opts.delimiter,
                           ctx.settings.upload_max_bytes))
    try:
        list_kind = kind if kind in LIST_KINDS else (
            None if kind else looks_like_list(table.header))
        if list_kind:
            parsed = await anyio.to_thread.run_sync(_parse_list, table, list_kind)
        else:
            found_kind, mapping = await resolve_mapping(store, council_id, table.header, kind,
                                                        opts.mapping, opts.mapping_name)
            parsed = await anyio.to_thread.run_sync(
                _parse_register, table, found_kind, mapping, progress)
        table.close()
        _check_parsed(parsed, opts.keep_valid)
        if progress:
            progress("enregistrement", parsed.rows_read)
        source_id = await _store(ctx, store, actor, council_id, file_name, sha256, parsed)
    finally:
        table.close()
    if progress:
        progress("termine", parsed.rows_read)
    return await get_source(council_id, source_id, store=store)


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


async def _refuse_reimport(store: RegisterStore, council_id: int, digest: str) -> None:
    before = await store.imported_before(council_id, digest)
    if before is not None:
        raise Conflict(
            _("Ce fichier a déjà été importé dans ce conseil le %(date)s (import n° %(id)d) : "
              "personne n'a été ajouté une seconde fois.")
            % {"date": format_date(before.created_at.date()), "id": before.id},
            code="deja-importe", field="fichier", extra={"import_id": before.id})


async def already_imported(council_id: int, digest: str, store: RegisterStore | None = None
                           ) -> str | None:
    """The French notice to show on the preview of a file already imported in this
    council (the import would be refused), or None."""
    try:
        await _refuse_reimport(store_or_default(store), council_id, digest)
    except Conflict as exc:
        return exc.detail
    return None


def _parse_list(table: Table, kind: str) -> _Parsed:
    rows = [cells for _n, cells in table.rows]
    first = table.header_line + 1
    if kind == "perimetre":
        contenu = _perimeter_content(parse_perimeter(table.header, rows, first))
    else:
        contenu = _exclusions_content(parse_exclusions(table.header, rows, first))
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

    entries, rejections = parse_numbered_rows(counting(), mapping, NEW)
    return _Parsed(table.format, table.encoding, table.delimiter, table.header, kind, mapping,
                   entries, rejections, counted, [])


async def _store(ctx: AppContext, store: RegisterStore, actor: Actor, council_id: int,
                 file_name: str, digest: str, parsed: _Parsed) -> int:
    now = ctx.now()
    async with ctx.db.transaction():
        await OrganisationStore(ctx.db).lock_council(council_id)
        await _refuse_reimport(store, council_id, digest)
        council = await store.council(council_id)
        rejets = [
            {"line": r.line, "fields": list(r.fields), "codes": [e.code for e in r.errors],
             "message": r.message, "values": list(r.values)}
            for r in parsed.rejections
        ]
        source_id = await store.add_source(
            council=council_id, kind=parsed.kind, file_name=file_name[:255],
            format=parsed.table_format, encoding=parsed.encoding or "",
            delimiter=parsed.delimiter or "", digest=digest,
            digest_key=f"{council_id}:{digest}",
            mapping_name=parsed.mapping.name if parsed.mapping else "",
            mapping=parsed.mapping.to_dict() if parsed.mapping else {},
            header=parsed.header, rows_read=parsed.rows_read, imported=parsed.imported,
            rejected=len(parsed.rejections),
            status="partiel" if parsed.rejections else "importe",
            rejets=rejets, contenu=parsed.contenu, created_by=actor.id, created_at=now)
        merged = 0
        if parsed.kind in REGISTER_KINDS:
            merged, rapport = await store_people(ctx, store, council_id, source_id,
                                                 parsed.kind, parsed.entries)
            await store.set_source_report(source_id, merged, rapport)
        await audit.record(
            ctx.db, actor=actor, action=f"registre.import.{parsed.kind}",
            subject_type="registre_source", subject_id=source_id, at=now,
            territory_id=council.territory, council_id=council_id,
            details={"lignes_lues": parsed.rows_read, "importees": parsed.imported,
                     "rejetees": len(parsed.rejections), "doublons": merged,
                     "empreinte": digest},
        )
    log.info("import registre conseil=%s source=%s type=%s lignes=%s rejets=%s",
             council_id, source_id, parsed.kind, parsed.rows_read, len(parsed.rejections))
    return source_id
