"""Which column holds what: saved mappings, mapping resolution, the preview of a file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import anyio

from domain.errors import InvalidInput
from domain.i18n import _
from domain.registre import PRESETS, Mapping, detect_mapping
from domain.registre.mapping import CANONICAL_FIELDS, field_label
from domain.registre.normalise import normalise_texte
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.registre.reader import Table, read_table
from service.registre.store import RegisterStore
from service.registre.usecases.common import (
    KIND_OF_PRESET,
    LIST_KINDS,
    PRESET_OF_KIND,
    ImportOptions,
    check_kind,
    looks_like_list,
    store_or_default,
)


async def saved_mappings(council_id: int, store: RegisterStore | None = None
                         ) -> list[dict[str, Any]]:
    rows = await store_or_default(store).saved_mappings(council_id)
    return [asdict(r) for r in rows]


async def resolve_mapping(
    store: RegisterStore,
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
        saved = await store.mapping_named(council_id, mapping_name)
        if saved is None:
            raise InvalidInput(_("Correspondance enregistrée introuvable : « %(nom)s ».")
                               % {"nom": mapping_name}, field="correspondance",
                               code="correspondance-inconnue")
        return kind or "autre", Mapping.from_dict(saved, header, name=mapping_name)
    presets = PRESETS
    if kind in PRESET_OF_KIND:
        presets = {PRESET_OF_KIND[kind]: PRESETS[PRESET_OF_KIND[kind]]}
    try:
        bound = detect_mapping(header, presets)
        return kind or KIND_OF_PRESET.get(bound.name, "autre"), bound
    except InvalidInput as refused:
        for row in await store.saved_mappings(council_id):
            try:
                return kind or "autre", Mapping.from_dict(row.mapping, header, name=row.name)
            except InvalidInput:
                continue
        raise refused


def open_table(path: Path, file_name: str, encoding: str | None, delimiter: str | None,
               max_bytes: int) -> Table:
    return read_table(path, filename=file_name, encoding=encoding or None,
                      delimiter=delimiter or None, max_bytes=max_bytes)


async def preview(
    ctx: AppContext, council_id: int, path: Path, file_name: str,
    options: ImportOptions | None = None, rows: int = 10, store: RegisterStore | None = None,
) -> dict[str, Any]:
    """The first rows, the detected encoding/delimiter and mapping. Nothing is stored.

    A header no preset recognises is not an error here: the preview shows the rows and
    the reason, so the user can map the columns by hand.
    """
    store = store_or_default(store)
    opts = options or ImportOptions()
    kind = check_kind(opts.kind)
    await store.council(council_id)

    def read() -> tuple[Table, list[tuple[int, list[str]]]]:
        table = open_table(path, file_name, opts.encoding, opts.delimiter,
                           ctx.settings.upload_max_bytes)
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
        "saved_mappings": [m.name for m in await store.saved_mappings(council_id)],
    }
    list_kind = kind if kind in LIST_KINDS else (None if kind else looks_like_list(table.header))
    if list_kind:
        out["kind"] = list_kind
        return out
    try:
        found_kind, mapping = await resolve_mapping(store, council_id, table.header, kind,
                                                    opts.mapping, opts.mapping_name)
    except InvalidInput as exc:
        out["mapping_error"] = {"code": exc.code, "detail": exc.detail,
                                "errors": [e.as_dict() for e in exc.errors], **exc.extra}
        return out
    out.update(kind=found_kind, mapping=mapping.to_dict(), mapping_name=mapping.name,
               unknown_columns=list(mapping.unknown_columns),
               ignored_columns=list(mapping.ignored_columns))
    return out


async def save_mapping(ctx: AppContext, actor: Actor, council_id: int, name: str,
                       mapping: dict[str, str], store: RegisterStore | None = None
                       ) -> dict[str, Any]:
    store = store_or_default(store)
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
        council = await store.council(council_id)
        mapping_id = await store.put_mapping(council_id, name, key, clean, actor.id, now)
        await audit.record(ctx.db, actor=actor, action="registre.correspondance",
                           subject_type="registre_correspondance", subject_id=mapping_id, at=now,
                           territory_id=council.territory, council_id=council_id,
                           details={"champs": sorted(clean)})
    return {"id": mapping_id, "name": name, "mapping": clean}
