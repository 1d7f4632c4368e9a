"""Read an uploaded register (CSV, XLSX, ODS, XLS) into a header and numbered rows.

What arrives in practice: electoral-list extracts in Windows-1252 with ``;`` and CRLF,
landlords' exports in UTF-8 with a BOM and ``,``, Excel "Unicode text" in UTF-16 with
tabs, and hand-typed spreadsheets where a postcode is the number ``37990.0`` and a birth
date is a date cell. Everything comes out as strings with the file's own 1-based line
numbers, so every rejection can say "ligne 412".

CSV is streamed (an iterator over a text wrapper over the file): a 100 MB extract is
never held as a list of rows. Spreadsheets are parsed whole by calamine, which is fine
because their size is bounded by ``max_bytes`` and the format's own row limit.

Every failure is a French ``InvalidInput`` raised *before* parsing when the file is of
the wrong kind or too large.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from domain.errors import InvalidInput, TooLarge
from domain.i18n import _
from service.registre.encodings import (
    decode_error,
    detect_encoding,
    first_bad_line,
    utf16_without_bom,
)
from service.registre.sheet_limits import check_spreadsheet, damaged

__all__ = ["DEFAULT_MAX_BYTES", "Table", "read_table"]

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
_SAMPLE_BYTES = 64 * 1024
_DETECTION_BYTES = 256 * 1024
_CHUNK = 1024 * 1024
_SHEET_TIMEOUT = 600
log = logging.getLogger("conseil.registre")
DELIMITERS = ";,\t|"
_DELIMITER_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre"}

CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
SHEET_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".ods", ".xls"})

_MAGIC_REFUSED: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "image PNG"),
    (b"\xff\xd8\xff", "image JPEG"),
    (b"GIF8", "image GIF"),
    (b"\x1f\x8b", "archive gzip"),
    (b"7z\xbc\xaf", "archive 7-Zip"),
    (b"Rar!", "archive RAR"),
    (b"{\\rtf", "document RTF"),
    (b"MZ", "programme Windows"),
    (b"\x7fELF", "programme"),
)
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass
class Table:
    """A file's header and its data rows as ``(line, cells)``; close it when done."""

    header: list[str]
    header_line: int
    rows: Iterator[tuple[int, list[str]]]
    format: str  # "csv", "xlsx", "ods" or "xls"
    encoding: str | None = None
    delimiter: str | None = None
    _closer: IO[Any] | None = field(default=None, repr=False)

    @property
    def delimiter_name(self) -> str | None:
        """The delimiter in words, for the import page ("point-virgule")."""
        return _DELIMITER_NAMES.get(self.delimiter or "")

    def close(self) -> None:
        if self._closer is not None:
            self._closer.close()
            self._closer = None

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def read_table(
    source: str | os.PathLike[str] | bytes,
    *,
    filename: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sheet: str | int | None = None,
) -> Table:
    """Open ``source`` (a path, or the uploaded bytes) as a :class:`Table`.

    ``filename`` (the uploaded name) is checked against the content; ``encoding`` and
    ``delimiter`` override detection for CSV; ``sheet`` picks a spreadsheet sheet by
    name or 0-based index (default: the first sheet holding data).
    """
    if isinstance(source, bytes | bytearray):
        size = len(source)
        name = filename or ""
        data = bytes(source)
        opener: Callable[[], IO[bytes]] = lambda: io.BytesIO(data)  # noqa: E731
    else:
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError:
            raise InvalidInput(_("Fichier introuvable : %(nom)s") % {"nom": path.name},
                               code="fichier-introuvable", field="fichier") from None
        name = filename or path.name
        opener = lambda: path.open("rb")  # noqa: E731

    if size > max_bytes:
        raise TooLarge(
            _("Fichier trop volumineux : %(taille)s (maximum %(max)s).")
            % {"taille": _megabytes(size), "max": _megabytes(max_bytes)},
            code="fichier-trop-volumineux", field="fichier")
    if size == 0:
        raise InvalidInput(_("Le fichier est vide."), code="fichier-vide", field="fichier")

    extension = Path(name).suffix.lower()
    if extension and extension not in CSV_EXTENSIONS | SHEET_EXTENSIONS:
        raise InvalidInput(
            _("Type de fichier non pris en charge (%(extension)s) : déposez un fichier CSV, "
              "XLSX, ODS ou XLS.") % {"extension": extension},
            code="type-fichier", field="fichier")

    stream: IO[bytes] = opener()
    try:
        head = stream.read(_SAMPLE_BYTES)
        kind = _kind(head, stream, extension)
        _check_extension(extension, kind)
        stream.seek(0)
        if kind == "csv":
            return _read_csv(stream, head, encoding, delimiter)
    except BaseException:
        stream.close()
        raise
    stream.close()
    if isinstance(source, bytes | bytearray):
        return _read_sheet(None, bytes(source), kind, sheet)
    return _read_sheet(Path(source), None, kind, sheet)


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} Mo".replace(".", ",")


def _kind(head: bytes, stream: IO[bytes], extension: str = "") -> str:
    """What the content is, from its first bytes (never from its name; the name only
    helps say what is wrong with a broken file)."""
    if head.startswith(_ZIP_MAGIC):
        stream.seek(0)
        try:
            with zipfile.ZipFile(stream) as z:
                names = set(z.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                mimetype = z.read("mimetype").strip() if "mimetype" in names else b""
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, KeyError,
                ValueError, NotImplementedError, RuntimeError):
            # A ZIP whose directory cannot be read: a truncated or damaged file.
            if extension in SHEET_EXTENSIONS or not extension:
                raise damaged() from None
            names, mimetype = set(), b""
        if mimetype == _ODS_MIMETYPE:
            return "ods"
        other = _other_document(names, mimetype)
        if other is None and extension in SHEET_EXTENSIONS:
            raise damaged(_("classeur introuvable dans l'archive"))
        raise InvalidInput(
            _("Ce fichier est %(quoi)s : il n'est pas un tableur. Déposez un fichier CSV, "
              "XLSX ou ODS.") % {"quoi": other or _("une archive ZIP")},
            code="type-fichier", field="fichier")
    if head.startswith(_OLE_MAGIC):
        return "xls"
    for magic, label in _MAGIC_REFUSED:
        if head.startswith(magic):
            raise InvalidInput(
                _("Ce fichier est de type %(type)s, pas un registre : déposez un fichier CSV, "
                  "XLSX ou ODS.") % {"type": label},
                code="type-fichier", field="fichier")
    if (b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
            and utf16_without_bom(head) is None):
        raise InvalidInput(
            _("Ce fichier est binaire, pas un fichier texte CSV ni un tableur."),
            code="type-fichier", field="fichier")
    return "csv"


def _other_document(names: set[str], mimetype: bytes) -> str | None:
    """What an office archive that is not a spreadsheet is, in words (or None)."""
    if "word/document.xml" in names or mimetype.startswith(
            b"application/vnd.oasis.opendocument.text"):
        return _("un document texte")
    if any(n.startswith("ppt/") for n in names) or mimetype.startswith(
            b"application/vnd.oasis.opendocument.presentation"):
        return _("une présentation")
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        return _("un document OpenDocument")
    return None


def _check_extension(extension: str, kind: str) -> None:
    # An extension that contradicts the content is usually the wrong file picked in
    # the upload dialog: better to say so than to read it as something else.
    if not extension:
        return
    if kind == "csv" and extension in SHEET_EXTENSIONS:
        raise InvalidInput(
            _("Le fichier porte l'extension %(extension)s mais son contenu est du texte : "
              "renommez-le en .csv ou enregistrez-le depuis le tableur.")
            % {"extension": extension},
            code="type-fichier", field="fichier")
    if kind != "csv" and extension in CSV_EXTENSIONS:
        raise InvalidInput(
            _("Le fichier porte l'extension %(extension)s mais c'est un tableur (%(type)s) : "
              "renommez-le en .%(type)s.") % {"extension": extension, "type": kind},
            code="type-fichier", field="fichier")


# ------------------------------------------------------------------------------- CSV


def _detect_delimiter(sample: str) -> str:
    sample = sample[: sample.rfind("\n") + 1] or sample
    try:
        found = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = ""
    first = next((line for line in sample.splitlines() if line.strip()), "")
    if found and first.count(found) > 0:
        return found
    # The Sniffer gives up on tiny or irregular files: fall back on the delimiter the
    # header line uses most.
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _read_csv(
    stream: IO[bytes], head: bytes, encoding: str | None, delimiter: str | None
) -> Table:
    if encoding is None:
        encoding = detect_encoding(head, stream)
    else:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InvalidInput(_("Encodage inconnu : %(encodage)s") % {"encodage": encoding},
                               code="encodage-inconnu", field="encodage") from None
        if encoding.replace("_", "-").lower() in ("utf-8", "utf8") and head.startswith(
                codecs.BOM_UTF8):
            encoding = "utf-8-sig"
    if delimiter is not None and len(delimiter) != 1:
        raise InvalidInput(_("Le séparateur doit être un seul caractère."),
                           code="separateur-invalide", field="separateur")
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    try:
        sample = text.read(_SAMPLE_BYTES)
    except UnicodeDecodeError:
        raise decode_error(encoding, first_bad_line(stream, encoding)) from None
    sep = delimiter
    lines_skipped = 0
    first_line = sample.split("\n", 1)[0].strip().strip("\ufeff")
    if first_line.lower().startswith("sep=") and len(first_line) == 5:
        # Excel's "sep=;" first line names the delimiter and is not the header.
        sep = sep or first_line[4]
        lines_skipped = 1
    if sep is None:
        sep = _detect_delimiter(sample)
    text.seek(0)
    for _skipped in range(lines_skipped):
        text.readline()

    rows = _numbered_csv_rows(_csv_reader(text, sep), encoding, lines_skipped, stream)
    header_line, header = next(rows, (0, []))
    while header and not "".join(header).strip():  # ";;;;" lines above the titles
        header_line, header = next(rows, (0, []))
    if not header:
        raise InvalidInput(_("Le fichier ne contient aucune ligne."), code="fichier-vide",
                           field="fichier")
    header = [h.strip().lstrip("\ufeff").strip() for h in header]
    return Table(header, header_line, rows, "csv", encoding, sep, _closer=stream)


def _csv_reader(text: IO[str], sep: str) -> Any:
    return csv.reader(text, delimiter=sep, quotechar='"', doublequote=True, strict=False)


def _numbered_csv_rows(
    reader: Any, encoding: str, offset: int, stream: IO[bytes]
) -> Iterator[tuple[int, list[str]]]:
    """Rows with the physical line each starts on (a quoted field may span lines).

    Empty lines are skipped; rows of empty cells (";;;;") are left to the caller, which
    skips blank rows anyway: testing every cell here would cost a generator per row.
    """
    previous = 0
    try:
        for row in reader:
            start, previous = previous + 1, reader.line_num
            if row:
                yield start + offset, row
    except UnicodeDecodeError:
        raise decode_error(encoding, first_bad_line(stream, encoding)) from None
    except csv.Error as exc:
        line = previous + offset + 1
        raise InvalidInput(
            _("Ligne %(ligne)d illisible (%(erreur)s) : un guillemet n'est peut-être pas "
              "fermé.") % {"ligne": line, "erreur": exc},
            code="csv-illisible", line=line) from None


# ----------------------------------------------------------------------- spreadsheets


def _read_sheet(path: Path | None, data: bytes | None, kind: str,
                sheet: str | int | None) -> Table:
    """Bounds checked here, cells read by a child process under a memory limit."""
    with contextlib.ExitStack() as cleanup:
        if path is None:
            # Uploaded bytes: the child reads a private temporary copy.
            fd, raw = tempfile.mkstemp(prefix="tableur-", suffix="." + kind)
            cleanup.callback(os.unlink, raw)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data or b"")
            path = Path(raw)
        check_spreadsheet(path, kind)
        fd, out_raw = tempfile.mkstemp(prefix="tableur-", suffix=".jsonl")
        os.close(fd)
        cleanup.callback(Path(out_raw).unlink, missing_ok=True)
        try:
            done = subprocess.run(  # noqa: S603 (our own module, arguments we built)
                [sys.executable, "-m", "service.registre.sheet_child", str(path), kind,
                 json.dumps(sheet), out_raw],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, timeout=_SHEET_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise InvalidInput(_("La lecture du tableur a pris trop de temps : exportez-le "
                                 "en CSV puis déposez le fichier CSV."),
                               code="tableur-trop-grand", field="fichier") from None
        out = open(out_raw, encoding="utf-8")  # noqa: SIM115 (closed by the Table)
    # The output file is unlinked already: it lives while the table reads it.
    try:
        if done.returncode != 0:
            # The child died (memory limit, abort in the reader): the service goes on.
            log.warning("lecture de tableur (%s) interrompue : code de sortie %s", kind,
                        done.returncode)
        status = json.loads(out.readline() or "null") if done.returncode == 0 else None
        if not isinstance(status, dict):
            raise InvalidInput(
                _("Ce tableur demande trop de mémoire pour être lu (feuille trop grande ou "
                  "fichier endommagé) : supprimez les lignes et colonnes vides au-delà des "
                  "données, ou exportez-le en CSV."),
                code="tableur-trop-grand", field="fichier")
        if not status.get("ok"):
            error = status.get("error") or {}
            raise InvalidInput(str(error.get("detail")), code=str(error.get("code")),
                               field=error.get("field") or "fichier")
        rows = _sheet_rows(out)
        first = next(rows, None)
        if first is None:
            raise InvalidInput(_("Le tableur ne contient aucune donnée."),
                               code="fichier-vide", field="fichier")
        header_line, header = first
        while header and not header[-1].strip():
            header.pop()  # a sheet is as wide as its widest row, titles may stop earlier
        return Table([h.strip() for h in header], header_line, rows, kind, _closer=out)
    except BaseException:
        out.close()
        raise


def _sheet_rows(out: IO[str]) -> Iterator[tuple[int, list[str]]]:
    for line in out:
        n, cells = json.loads(line)
        yield n, cells
