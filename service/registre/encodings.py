"""Which encoding a register file is in, and where it stops decoding: strict UTF-8 first,
then UTF-16 without its mark, a UTF-8 file with a stray legacy line named, else the most
likely legacy encoding a French register uses."""

from __future__ import annotations

import codecs
import re
from typing import IO

from charset_normalizer import from_bytes

from domain.errors import InvalidInput
from domain.i18n import _

_DETECTION_BYTES = 256 * 1024
_CHUNK = 1024 * 1024

# Legacy encodings a French register can be in. Without this list charset-normalizer
# happily answers cp1250 for a Windows-1252 file, and "Œillets" becomes "Śillets".
# (Mac Roman and DOS cp850 were dropped from the list after charset-normalizer chose
# Mac Roman for a Windows-1252 electoral list: pass ``encoding=`` for those rare files.)
_LEGACY_ENCODINGS = ["cp1252", "latin_1", "iso8859_15"]

def utf16_without_bom(head: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when ``head`` is UTF-16 text saved without its byte-order
    mark: in Latin-script text (French included: é is E9 00) nearly every other byte is
    zero, on one side only."""
    sample = head[: 64 * 1024]
    half = len(sample) // 2
    if half < 2:
        return None
    zeros_even = sample[0::2].count(0) / half
    zeros_odd = sample[1::2].count(0) / half
    if zeros_odd > 0.7 and zeros_even < 0.02:
        return "utf-16-le"
    if zeros_even > 0.7 and zeros_odd < 0.02:
        return "utf-16-be"
    return None


# A well-formed UTF-8 sequence of two to four bytes: in a Windows-1252 file these are
# rare (« Ã© »), in a UTF-8 file they are every accented letter.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _mixed_utf8(stream: IO[bytes]) -> InvalidInput | None:
    """A UTF-8 file with a few lines in another encoding (one line pasted from an old
    export): the line named, instead of reading the whole file as Windows-1252 and
    garbling every accent of the other lines."""
    stream.seek(0)
    valid = high = 0
    while chunk := stream.read(_CHUNK):
        # A sequence cut by the chunk boundary is miscounted once: negligible here.
        found = _UTF8_MULTIBYTE.findall(chunk)
        valid += len(found)
        high += len(_HIGH_BYTE.findall(chunk)) - sum(len(f) for f in found)
    if valid < 2 or valid <= high:
        return None
    line = first_bad_line(stream, "utf-8")
    shown = _first_bad_char(stream)
    detail = _("Ligne %(ligne)d : caractère non UTF-8 (« %(car)s » en Windows-1252 ?) alors "
               "que le reste du fichier est en UTF-8 : corrigez cette ligne ou enregistrez "
               "tout le fichier en UTF-8.") % {"ligne": line or 0, "car": shown}
    return InvalidInput(detail, code="encodage-mixte", line=line, field="encodage")


def _first_bad_char(stream: IO[bytes]) -> str:
    """The first byte UTF-8 cannot decode, read as Windows-1252 (what it most likely is)."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    stream.seek(0)
    while chunk := stream.read(_CHUNK):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            return exc.object[exc.start:exc.start + 1].decode("cp1252", "replace")
    return "?"


def detect_encoding(head: bytes, stream: IO[bytes]) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = utf16_without_bom(head)
    if utf16 is not None:
        return utf16
    # Strict UTF-8 over the whole file, incrementally: cheap (hundreds of MB/s), and a
    # legacy-encoded file almost never decodes as valid UTF-8 by accident.
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    stream.seek(0)
    try:
        while chunk := stream.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _mixed_utf8(stream)
    if mixed is not None:
        raise mixed
    stream.seek(0)
    sample = stream.read(_DETECTION_BYTES)
    best = from_bytes(sample, cp_isolation=_LEGACY_ENCODINGS).best()
    found = best.encoding if best is not None else "cp1252"
    # Bytes 0x80–0x9F are control codes in Latin-1 but Œ, œ, €, ’… in Windows-1252: a
    # register holds the latter.
    if found in ("latin_1", "iso8859_15") and any(0x80 <= b <= 0x9F for b in sample):
        found = "cp1252"
    return found


def first_bad_line(stream: IO[bytes], encoding: str) -> int | None:
    """Exact line of the first byte ``encoding`` cannot decode.

    Only called once decoding has failed: the text wrapper decodes ahead of the CSV
    reader by a whole chunk, so the row being read is not where the bad byte is.
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    stream.seek(0)
    lines = 1
    while chunk := stream.read(_CHUNK):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            return lines + chunk[: max(exc.start, 0)].count(b"\n")
        lines += chunk.count(b"\n")
    return None


def decode_error(encoding: str, line: int | None) -> InvalidInput:
    detail = (
        _("Caractères illisibles à la ligne %(ligne)d avec l'encodage %(encodage)s : "
          "précisez l'encodage du fichier (UTF-8 ou Windows-1252).")
        if line else
        _("Caractères illisibles avec l'encodage %(encodage)s : précisez l'encodage du "
          "fichier (UTF-8 ou Windows-1252).")
    ) % {"ligne": line or 0, "encodage": encoding}
    return InvalidInput(
        detail,
        code="encodage-invalide", line=line, field="encodage")
