"""The register upload form read as it arrives (``multipart/form-data`` parsed chunk by
chunk into a temporary file, never held whole in memory). Its CSRF token travels in the
query string for that reason (see ``service/http/csrf.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from domain.errors import InvalidInput
from domain.i18n import _
from service.http.common import ctx_of
from service.registre import uploads

MAX_FIELD_BYTES = 64 * 1024


class StreamedForm:
    """A multipart body parsed as it arrives: small text fields in memory, the one file
    written to a temporary file with its size checked on every chunk."""

    def __init__(self, boundary: bytes, directory: Path, max_bytes: int) -> None:
        self.fields: dict[str, str] = {}
        self.upload: uploads.Upload | None = None
        self._directory, self._max = directory, max_bytes
        self._writer: uploads.UploadWriter | None = None
        self._buffer = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._hfield = bytearray()
        self._hvalue = bytearray()
        self._name = ""
        self.parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": lambda d, s, e: self._hfield.extend(d[s:e]),
                "on_header_value": lambda d, s, e: self._hvalue.extend(d[s:e]),
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
            },
        )

    def _part_begin(self) -> None:
        self._headers, self._buffer, self._writer = {}, bytearray(), None

    def _header_end(self) -> None:
        self._headers[bytes(self._hfield).lower()] = bytes(self._hvalue)
        self._hfield, self._hvalue = bytearray(), bytearray()

    def _headers_finished(self) -> None:
        _kind, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = params.get(b"name", b"").decode("utf-8", "replace")
        filename = params.get(b"filename")
        if filename is not None:
            if self.upload is not None or self._writer is not None:
                raise InvalidInput(_("Un seul fichier à la fois."), field="fichier")
            name = uploads.check_name(filename.decode("utf-8", "replace"))
            self._writer = uploads.UploadWriter(self._directory, name, self._max)

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._writer is not None:
            self._writer.write(data[start:end])
        else:
            self._buffer.extend(data[start:end])
            if len(self._buffer) > MAX_FIELD_BYTES:
                raise InvalidInput(_("Champ de formulaire trop long."), field=self._name)

    def _part_end(self) -> None:
        if self._writer is not None:
            self.upload = self._writer.finish()
            self._writer = None
        else:
            self.fields[self._name] = self._buffer.decode("utf-8", "replace")

    def discard(self) -> None:
        if self._writer is not None:
            self._writer.discard()
        if self.upload is not None:
            self.upload.path.unlink(missing_ok=True)


async def streamed_form(request: Request[Any, Any, Any]) -> StreamedForm:
    ctx = ctx_of(request)
    limit = ctx.settings.upload_max_bytes
    uploads.check_declared_size(request.headers.get("content-length"), limit + 64 * 1024)
    _ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise InvalidInput(
            _("Formulaire d'envoi de fichier attendu."), field="fichier", code="type-fichier"
        )
    form = StreamedForm(boundary, uploads.uploads_dir(ctx.settings.var_dir), limit)
    try:
        async for chunk in request.stream():
            form.parser.write(chunk)
        form.parser.finalize()
    except BaseException:
        form.discard()
        raise
    if form.upload is None:
        raise InvalidInput(
            _("Choisissez un fichier à importer."), field="fichier", code="fichier-manquant"
        )
    return form
