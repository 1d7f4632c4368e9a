"""A large CSV register is parsed in two parts at once.

Parsing (normalisation in pure Python) and storing both hold the interpreter lock, so a
million-row import used one core of the two these machines have. For a large CSV file
imported into SQLite (PostgreSQL stores rows in its own process already),
the import now starts a helper process (``python -m service.registre.halves``) on the
last part of the file (``HELPER_SHARE``): it parses those rows with the same code and
mapping and writes them, as stored rows, to a private SQLite file. Meanwhile this
process parses the whole file (deduplication needs every entry) and stores the rows
before the cut; it then moves the staged rows into the register with one statement,
inside the import's transaction, while the deduplication runs.

The helper is only an accelerator, never a second opinion: the split falls on a row
boundary found by the file's own CSV reading; and if anything goes differently in the
helper — a rejected row, an unreadable byte, a crash, staged rows that differ from this
process's own reading (lines, and every value of a sample) — its work is thrown away
and the import stores its own rows. Rows, line numbers, rejections and messages are
therefore exactly those of one pass.

The staged file holds personal data: it lives in ``var/tmp`` (mode 700) for the length
of the import and is deleted whether the import succeeds or not.
"""

from __future__ import annotations

import codecs
import contextlib
import itertools
import json
import logging
import os
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from domain.registre.entries import Entry
from domain.registre.mapping import Mapping
from service.registre.reader import Table, csv_rows_from, read_table
from service.registre.rows import PERSON_COLUMNS, person_rows, pool_keys
from service.registre.uploads import remove_stale

__all__ = ["HELPER_SHARE", "STAGED_COLUMNS", "Helper", "Split", "Staged", "plan_split"]

log = logging.getLogger("conseil.registre")

# Encodings where "\n" is one byte that no other character contains: a part can start
# at any line. (UTF-16 cannot be cut that way; it is parsed in one pass.)
_SPLITTABLE = frozenset({"utf-8", "utf-8-sig", "cp1252", "iso8859-1", "iso8859-15", "ascii"})
_CHUNK = 1 << 20
# Columns the move takes from the staged rows: all but the council and source, which
# it supplies (the helper does not know the source's id).
STAGED_COLUMNS = PERSON_COLUMNS[2:]
_TABLE = "lignes"
# The helper's part of the file. It parses and stages those rows while this process
# parses the whole file (it needs every entry to deduplicate) and stores the rest:
# measured on 1M rows, the two finish together around 60 %.
HELPER_SHARE = 0.6
# Rows parsed before they are written in one go: the helper never holds its whole part
# (measured on 1M rows: writing every 1024 rows slowed the import by a fifth).
_BATCH = 100_000
_REJECTIONS = 3  # helper exit status: a row was rejected (the import stores its own rows)


@dataclass(frozen=True)
class Split:
    offset: int  # byte where the helper's part starts (the start of a row)
    first_line: int  # its physical line number


def plan_split(path: Path, table: Table, min_bytes: int) -> Split | None:
    """Where to cut ``path`` in two, or None when it is not worth it or not possible:
    a spreadsheet, a file under ``min_bytes`` (negative: never), an encoding a part
    cannot start in, or lone carriage returns (old Mac line ends, which the CSV reader
    counts as lines)."""
    if table.format != "csv" or min_bytes < 0 or table.delimiter is None:
        return None
    if codecs.lookup(table.encoding or "ascii").name not in _SPLITTABLE:
        return None
    size = path.stat().st_size
    if size < max(min_bytes, 2):
        return None
    with path.open("rb") as fh:
        quotes = carriage = crlf = 0
        last = b""
        while chunk := fh.read(_CHUNK):
            quotes += chunk.count(b'"')
            carriage += chunk.count(b"\r")
            crlf += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")
            last = chunk[-1:]
        if carriage != crlf:
            return None
        middle_line = _lines_before(fh, int(size * (1 - HELPER_SHARE))) + 1
        if quotes:
            # A quoted cell may hold line breaks: find the first row starting after the
            # middle line with the CSV reader itself (a read without normalisation).
            start = 0
            with contextlib.closing(_reopen(path, table)) as again:
                for line, _cells in again.rows:
                    if line > middle_line:
                        start = line
                        break
        else:
            start = middle_line + 1  # without quotes a row is one line
        if start <= table.header_line + 1 or not start:
            return None
        offset = _offset_of_line(fh, start)
    if offset is None or offset >= size:
        return None
    return Split(offset, start)


def _reopen(path: Path, table: Table) -> Table:
    return read_table(path, encoding=table.encoding, delimiter=table.delimiter,
                      max_bytes=path.stat().st_size)


def _lines_before(fh: IO[bytes], offset: int) -> int:
    """Line breaks in the first ``offset`` bytes."""
    fh.seek(0)
    count, left = 0, offset
    while left > 0 and (chunk := fh.read(min(_CHUNK, left))):
        count += chunk.count(b"\n")
        left -= len(chunk)
    return count


def _offset_of_line(fh: IO[bytes], line: int) -> int | None:
    """Byte where physical ``line`` (1-based) starts, or None past the end."""
    fh.seek(0)
    wanted, position = line - 1, 0
    while wanted and (chunk := fh.read(_CHUNK)):
        found = chunk.count(b"\n")
        if found < wanted:
            wanted -= found
            position += len(chunk)
            continue
        at = -1
        for _i in range(wanted):
            at = chunk.index(b"\n", at + 1)
        return position + at + 1
    return position if not wanted else None


@dataclass(frozen=True)
class Staged:
    """The rows the helper staged, in a SQLite file (table ``lignes``, in line order)."""

    path: Path

    def connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)

    @staticmethod
    def select(columns: str, schema: str = "", where: str = "1") -> str:
        """The staged rows in line order (``schema``: "name." of an attached file)."""
        return f"SELECT {columns} FROM {schema}{_TABLE} WHERE {where} ORDER BY rowid"  # noqa: S608


class Helper:
    """The helper process staging the rows after the split (see the module docstring)."""

    def __init__(self, split: Split, table: Table, mapping: Mapping, salt: str, label: str,
                 path: Path, work_dir: Path) -> None:
        work_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        remove_stale(work_dir)  # files of an import whose process was killed
        fd, staging = tempfile.mkstemp(prefix="registre-moitie-", suffix=".sqlite3",
                                       dir=work_dir)
        os.close(fd)
        self.staging = Path(staging)
        encoding = codecs.lookup(table.encoding or "ascii").name
        job = {
            "path": str(path), "offset": split.offset, "lines_before": split.first_line - 1,
            "encoding": "utf-8" if encoding == "utf-8-sig" else encoding,
            "delimiter": table.delimiter, "mapping": {
                "name": mapping.name, "header": list(mapping.header),
                "columns": mapping.columns},
            "salt": salt, "label": label, "staging": staging,
        }
        # The job (with the council's salt) goes on stdin, never in the arguments. The
        # helper's errors may quote a cell: its output is not kept, only its status.
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "service.registre.halves"], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(job).encode())
        self._proc.stdin.close()

    def wait(self) -> Staged | None:
        """Block until the helper is done: its staged rows, or None (a rejected row, an
        error: the import then stores its own rows)."""
        status = self._proc.wait()
        if status != 0:
            log.info("import registre : lignes de l'assistant non utilisées (code %s)", status)
            return None
        return Staged(self.staging)

    def close(self) -> None:
        """Stop the helper if it still runs and delete the staged file."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.staging}{suffix}")


# ------------------------------------------------------------------ the helper itself


def _stage(job: dict[str, Any]) -> int:
    """Parse the part and write its rows as they come (``_BATCH`` at a time: the helper
    never holds its entries all together). Exit status 0, or ``_REJECTIONS``."""
    from domain.registre.entries import Rejection, iter_parsed_rows, paused_gc

    m = job["mapping"]
    mapping = Mapping(name=m["name"], header=tuple(m["header"]), columns=dict(m["columns"]))
    rejections: list[Rejection] = []
    keys: set[str] = set()  # the part's pool keys, distinct
    with open(job["path"], "rb") as stream, paused_gc(), \
            contextlib.closing(sqlite3.connect(job["staging"])) as db:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        # Every stored column, the council and source as 0: the move puts the real ones.
        db.execute(f"CREATE TABLE {_TABLE} ({', '.join(PERSON_COLUMNS)})")
        insert = f"INSERT INTO {_TABLE} VALUES ({', '.join('?' * len(PERSON_COLUMNS))})"  # noqa: S608
        rows = csv_rows_from(stream, job["offset"], job["lines_before"], job["encoding"],
                             job["delimiter"])
        batch: list[Entry] = []
        for entries in itertools.chain(
                iter_parsed_rows(rows, mapping, job["label"], rejections), [[]]):
            if rejections:
                return _REJECTIONS  # the import stores its own rows
            batch.extend(entries)
            if len(batch) < _BATCH and entries:
                continue
            fresh = pool_keys(len(batch), keys)
            keys.update(fresh)
            db.executemany(insert, person_rows(0, 0, batch, job["salt"], fresh))
            batch = []
        db.commit()
    return 0


def main() -> int:
    job = json.loads(sys.stdin.buffer.read())
    try:
        return _stage(job)
    except Exception:  # the import's own reading reports the fault, if it is one
        return 1


if __name__ == "__main__":
    sys.exit(main())
