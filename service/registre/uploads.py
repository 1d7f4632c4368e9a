"""Uploaded files streamed to a temporary file, refused early when too large or of the
wrong type (never held whole in memory, never parsed when refused).

A web upload is kept under ``var/uploads/`` between the preview and the import, named
by a random token and the council it was sent to, so any worker on the machine finds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.errors import InvalidInput, NotFound, TooLarge
from domain.i18n import _
from service.registre.reader import CSV_EXTENSIONS, SHEET_EXTENSIONS

ALLOWED_EXTENSIONS = CSV_EXTENSIONS | SHEET_EXTENSIONS
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# Uploads left behind (preview never confirmed) are removed after a day.
STALE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Upload:
    path: Path
    file_name: str
    size: int
    digest: str


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} Mo".replace(".", ",")


def too_large(size: int, max_bytes: int) -> TooLarge:
    """The one refusal of an oversize upload (413), declared or found while receiving."""
    return TooLarge(
        _("Fichier trop volumineux : %(taille)s (maximum %(max)s).")
        % {"taille": _megabytes(size), "max": _megabytes(max_bytes)},
        code="fichier-trop-volumineux", field="fichier")


def check_name(file_name: str) -> str:
    """The uploaded name, reduced to its last component; refused when its extension
    says it is not a register (checked before a single byte is read)."""
    name = Path(file_name.replace("\\", "/")).name.strip()
    if not name:
        raise InvalidInput(_("Choisissez un fichier à importer."), code="fichier-manquant",
                           field="fichier")
    ext = Path(name).suffix.lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise InvalidInput(
            _("Type de fichier non pris en charge (%(extension)s) : déposez un fichier CSV, "
              "XLSX, ODS ou XLS.") % {"extension": ext or _("sans extension")},
            code="type-fichier", field="fichier")
    return name[:255]


def check_declared_size(content_length: str | int | None, max_bytes: int) -> None:
    try:
        declared = int(content_length) if content_length not in (None, "") else None
    except ValueError:
        declared = None
    if declared is not None and declared > max_bytes:
        raise too_large(declared, max_bytes)


class UploadWriter:
    """Receives chunks into a temporary file, counting and hashing as they come."""

    def __init__(self, directory: Path, file_name: str, max_bytes: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        fd, raw = tempfile.mkstemp(prefix="depot-", suffix=".part", dir=directory)
        self.fh = os.fdopen(fd, "wb")
        self.path = Path(raw)
        self.file_name = file_name
        self.max_bytes = max_bytes
        self.size = 0
        self.sha = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            self.discard()
            raise too_large(self.size, self.max_bytes)
        self.sha.update(chunk)
        self.fh.write(chunk)

    def finish(self) -> Upload:
        self.fh.close()
        if self.size == 0:
            self.discard()
            raise InvalidInput(_("Le fichier est vide."), code="fichier-vide", field="fichier")
        return Upload(self.path, self.file_name, self.size, self.sha.hexdigest())

    def discard(self) -> None:
        if not self.fh.closed:
            self.fh.close()
        self.path.unlink(missing_ok=True)


async def save_stream(
    chunks: AsyncIterator[bytes], file_name: str, directory: Path, max_bytes: int
) -> Upload:
    """Stream an upload body (the raw file) to a temporary file."""
    name = check_name(file_name)
    writer = UploadWriter(directory, name, max_bytes)
    try:
        async for chunk in chunks:
            writer.write(chunk)
    except BaseException:
        writer.discard()
        raise
    return writer.finish()


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


# --- uploads kept between the preview page and the import ------------------------------


def uploads_dir(var_dir: Path) -> Path:
    return var_dir / "uploads"


def keep(upload: Upload, var_dir: Path, council_id: int, options: dict[str, Any]) -> str:
    """Move an upload where the preview and the import will find it; return its token."""
    directory = uploads_dir(var_dir)
    remove_stale(directory)
    token = secrets.token_urlsafe(18)
    target = directory / f"{council_id}-{token}.bin"
    os.replace(upload.path, target)
    meta = {"file_name": upload.file_name, "size": upload.size, "digest": upload.digest,
            "options": options}
    (directory / f"{council_id}-{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def kept(var_dir: Path, council_id: int, token: str) -> tuple[Upload, dict[str, Any]]:
    if not _TOKEN.match(token):
        raise NotFound(_("Fichier déposé introuvable : déposez-le à nouveau."))
    directory = uploads_dir(var_dir)
    stem = f"{council_id}-{token}"
    data, meta_path = directory / f"{stem}.bin", directory / f"{stem}.json"
    if not data.exists() or not meta_path.exists():
        raise NotFound(_("Fichier déposé introuvable (expiré ?) : déposez-le à nouveau."))
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return Upload(data, meta["file_name"], meta["size"], meta["digest"]), meta.get("options", {})


def update_options(var_dir: Path, council_id: int, token: str, options: dict[str, Any]) -> None:
    meta_path = uploads_dir(var_dir) / f"{council_id}-{token}.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["options"] = options
    meta_path.write_text(json.dumps(meta), encoding="utf-8")


def forget(var_dir: Path, council_id: int, token: str) -> None:
    directory = uploads_dir(var_dir)
    for suffix in (".bin", ".json"):
        (directory / f"{council_id}-{token}{suffix}").unlink(missing_ok=True)


def remove_stale(directory: Path) -> None:
    """Delete the files of ``directory`` older than ``STALE_SECONDS``: what a stopped
    process left behind (they may hold register data)."""
    if not directory.exists():
        return
    limit = time.time() - STALE_SECONDS
    for p in directory.iterdir():
        try:
            if p.stat().st_mtime < limit:
                p.unlink(missing_ok=True)
        except OSError:
            pass
