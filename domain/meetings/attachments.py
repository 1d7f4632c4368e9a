"""Documents attached to an agenda: the type is read from the bytes, never trusted from
the name or the declared type (PDF, ODT, PNG, JPEG), and the size is limited."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InvalidInput
from domain.i18n import _

MAX_BYTES = 10 * 1024 * 1024
ODT_MIME = "application/vnd.oasis.opendocument.text"

TYPES = {
    "pdf": ("application/pdf", ".pdf"),
    "odt": (ODT_MIME, ".odt"),
    "png": ("image/png", ".png"),
    "jpeg": ("image/jpeg", ".jpg"),
}
_EXTENSIONS = {".pdf": "pdf", ".odt": "odt", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}


def sniff(data: bytes) -> str | None:
    """The kind of file the bytes are, or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    # An OpenDocument file is a zip whose first member is "mimetype", stored uncompressed.
    if data.startswith(b"PK\x03\x04") and data[30:38] == b"mimetype" and data[38:38 + len(ODT_MIME)] == ODT_MIME.encode():
        return "odt"
    return None


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    kind: str


def check_attachment(filename: str, declared_type: str, data: bytes, max_bytes: int = MAX_BYTES) -> CheckedFile:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "document"
    if not data:
        raise InvalidInput(_("Le fichier est vide."), field="fichier", code="fichier-vide")
    if len(data) > max_bytes:
        raise InvalidInput(
            _("Le fichier dépasse la taille autorisée ({n} Mo).").format(n=max_bytes // (1024 * 1024)),
            field="fichier", code="fichier-trop-volumineux",
        )
    kind = sniff(data)
    if kind is None:
        raise InvalidInput(
            _("Type de fichier non accepté : seuls les PDF, ODT, PNG et JPEG sont acceptés."),
            field="fichier", code="type-fichier-refuse",
        )
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = _EXTENSIONS.get(ext)
    declared = (declared_type or "").split(";")[0].strip().lower()
    declared_kind = next((k for k, (mime, _e) in TYPES.items() if mime == declared), None)
    if (claimed is not None and claimed != kind) or (declared_kind is not None and declared_kind != kind) \
            or (claimed is None and ext) or (declared and declared != "application/octet-stream" and declared_kind is None):
        raise InvalidInput(
            _("Le fichier « {f} » n'est pas du type qu'il annonce : son contenu est un fichier {k}.").format(
                f=name, k=kind.upper()),
            field="fichier", code="type-fichier-incoherent",
        )
    if not ext:
        name += TYPES[kind][1]
    return CheckedFile(name[:200], TYPES[kind][0], kind)
