"""Read a spreadsheet in a child process under a memory limit.

``python -m service.registre.sheet_child SOURCE KIND SHEET OUT`` reads the sheet with
calamine and writes to OUT one JSON line of status, then one JSON line ``[line, cells]``
per row holding something (cells as the text a person sees, see :func:`cell_text`).
calamine allocates a sheet's whole grid at once and aborts the process when it cannot:
here that kills a child whose address space is capped (``RLIMIT_AS``), and the service
answers that the file is too large instead of going down.

Imports are kept to the standard library, ``domain`` and calamine: the child starts in
a tenth of a second.
"""

from __future__ import annotations

import json
import resource
import sys
from datetime import date, datetime, time, timedelta
from typing import IO, Any

from domain.errors import InvalidInput
from domain.i18n import _

MEMORY_LIMIT = 2 * 1024 * 1024 * 1024
CPU_SECONDS = 300


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person typed or sees."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, float):
        # Numbers typed in a cell come back as floats: postcode 37990 is 37990.0.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d} {value:%H:%M}"
    if isinstance(value, date):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _refuse(code: str, detail: str, field: str = "fichier") -> InvalidInput:
    return InvalidInput(detail, code=code, field=field)


def write_rows(source: str, kind: str, sheet: str | int | None, out: IO[str]) -> None:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        workbook = CalamineWorkbook.from_path(source)
    except PasswordError:
        raise _refuse("tableur-protege", _("Le tableur est protégé par un mot de passe : "
                                           "enregistrez-en une copie sans mot de passe.")
                      ) from None
    except (CalamineError, ValueError, OSError) as exc:
        raise _refuse("tableur-endommage",
                      _("Fichier tableur endommagé (%(type)s) : il ne peut pas être lu "
                        "(%(erreur)s). Enregistrez-le à nouveau depuis le tableur ou "
                        "exportez-le en CSV.") % {"type": kind, "erreur": str(exc)[:200]}
                      ) from None
    names = list(workbook.sheet_names)
    if isinstance(sheet, str):
        if sheet not in names:
            raise _refuse("feuille-introuvable",
                          _("Feuille « %(feuille)s » introuvable (feuilles : %(feuilles)s).")
                          % {"feuille": sheet, "feuilles": ", ".join(names)}, "feuille")
        indexes = [names.index(sheet)]
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise _refuse("feuille-introuvable",
                          _("Feuille n° %(n)d introuvable (%(total)d feuilles).")
                          % {"n": sheet + 1, "total": len(names)}, "feuille")
        indexes = [sheet]
    else:
        indexes = list(range(len(names)))

    for i in indexes:
        try:
            raw_rows = workbook.get_sheet_by_index(i).iter_rows()
            # iter_rows starts at the sheet's first row even when it is empty, so the
            # position is the line number a person sees in the spreadsheet.
            wrote = False
            for n, raw in enumerate(raw_rows, 1):
                cells = [cell_text(v) for v in raw]
                if any(c.strip() for c in cells):
                    if not wrote:
                        out.write(json.dumps({"ok": True, "sheet": names[i]}) + "\n")
                        wrote = True
                    out.write(json.dumps([n, cells], ensure_ascii=False) + "\n")
        except (CalamineError, ValueError) as exc:
            raise _refuse("tableur-endommage",
                          _("Feuille illisible : %(erreur)s") % {"erreur": str(exc)[:200]},
                          "feuille") from None
        if wrote:
            return
    raise _refuse("fichier-vide", _("Le tableur ne contient aucune donnée."))


def main(argv: list[str]) -> int:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    source, kind, sheet_arg, out_path = argv
    sheet: str | int | None = json.loads(sheet_arg)
    with open(out_path, "w", encoding="utf-8") as out:
        try:
            write_rows(source, kind, sheet, out)
        except InvalidInput as exc:
            out.seek(0)
            out.truncate()
            error: dict[str, Any] = {"code": exc.code, "detail": exc.detail, "field": exc.field}
            out.write(json.dumps({"ok": False, "error": error}) + "\n")
        except MemoryError:
            return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
