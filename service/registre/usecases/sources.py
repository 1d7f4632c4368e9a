"""Reading the register back: import reports, rejected rows, figures, people by name."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from domain.i18n import _
from domain.registre.normalise import format_date, normalise_texte
from service.documents.csv_export import CsvExport
from service.registre.records import PersonRow
from service.registre.store import RegisterStore
from service.registre.usecases.common import kind_label, numero, store_or_default
from service.registre.usecases.lists import council_perimeter, exclusion_list


async def list_sources(council_id: int, store: RegisterStore | None = None
                       ) -> list[dict[str, Any]]:
    rows = await store_or_default(store).sources(council_id)
    return [dict(asdict(r), kind_label=kind_label(r.kind)) for r in rows]


async def get_source(council_id: int, source_id: int, with_rejections: int = 200,
                     store: RegisterStore | None = None) -> dict[str, Any]:
    row, rejets = await store_or_default(store).source(council_id, source_id)
    out = asdict(row)
    # Lines, fields and reasons only; the rejected values are in the CSV download.
    out["rejets"] = [{k: r[k] for k in ("line", "fields", "codes", "message")}
                     for r in rejets[:with_rejections]]
    out["kind_label"] = kind_label(row.kind)
    return out


async def rejected_rows_csv(council_id: int, source_id: int,
                            store: RegisterStore | None = None) -> bytes:
    """The rejected rows as the file had them, with their line and reason, as a CSV the
    lead opens in a spreadsheet (UTF-8 with BOM, ``;``)."""
    header, rejets = await store_or_default(store).rejections(council_id, source_id)
    w = CsvExport()
    w.row([_("ligne"), _("champ"), _("motif"), *header])
    for r in rejets:
        w.row([r["line"], ", ".join(r["fields"]), r["message"], *r["values"]])
    return w.to_bytes()


async def register_overview(council_id: int, store: RegisterStore | None = None
                            ) -> dict[str, Any]:
    store = store_or_default(store)
    counts = await store.counts(council_id)
    return {"lignes": counts.lignes, "personnes": counts.personnes,
            "eligibles": counts.eligibles, "paires_a_decider": counts.paires_a_decider,
            "evalues": counts.evalues,
            "perimetre": await council_perimeter(council_id, store) is not None,
            "exclusions": len((await exclusion_list(council_id, store)).exclusions)}


async def search_people(council_id: int, q: str = "", page: int = 1, per_page: int = 50,
                        store: RegisterStore | None = None) -> dict[str, Any]:
    """Register rows by name (prefix of the birth or usage name, accents ignored)."""
    page = max(1, page)
    per_page = max(1, min(per_page, 200))
    key = normalise_texte(q).replace(" ", "")
    total, rows = await store_or_default(store).search(council_id, key, page, per_page)
    return {"total": total, "page": page, "per_page": per_page,
            "pages": max(1, -(-total // per_page)), "q": q,
            "items": [person_view(r) for r in rows]}


def person_view(r: PersonRow) -> dict[str, Any]:
    num = numero(r.numero, r.suffixe)
    return {
        **asdict(r),
        "ref": f"{r.source}:{r.line}",
        "nom": r.nom_usage or r.nom_naissance,
        "date_naissance_fr": format_date(date.fromisoformat(r.date_naissance))
        if r.date_naissance else "",
        "adresse": " ".join(p for p in (num, r.voie) if p),
    }
