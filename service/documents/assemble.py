"""One PDF from many reportlab PDFs, written as they come (bounded memory).

Why: reportlab keeps every page of a canvas in memory until ``save`` (a 10,000-letter
canvas peaks at ~230 MB and grows with the batch), but a mail room wants *one* file per
round. So letters are drawn in parts of a few hundred (:func:`render_in_batches`) and
each part is appended here as soon as it exists: its objects are renumbered and copied
byte for byte (compressed streams are never decoded), only the byte offsets and the page
object numbers are kept, and a single page tree, catalog and /Info are written at the
end. Memory stays that of one part, whatever the total.

This reads only what reportlab writes (classic xref table, no object streams, direct
/Length): it is not a general PDF merger, and refuses anything else. Fonts are subset
per part, so a glyph used by several parts is embedded once per part — a few tens of
kilobytes each.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import IO

from service.documents.render import DocumentInfo, _pdf_date

_XREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_TRAILER_ROOT = re.compile(rb"/Root (\d+) 0 R")
_TRAILER_INFO = re.compile(rb"/Info (\d+) 0 R")
_REF = re.compile(rb"(\d+) 0 R")
_OBJ_HEAD = re.compile(rb"(\d+) 0 obj\r?\n")
_STREAM = re.compile(rb">>\s*stream\r?\n")
_LENGTH = re.compile(rb"/Length (\d+)")
_KIDS = re.compile(rb"/Kids \[([^\]]*)\]")
_PAGES = re.compile(rb"/Pages (\d+) 0 R")
_PARENT = re.compile(rb"/Parent \d+ 0 R")


class NotReportlabPdf(ValueError):
    pass


def _pdf_text(text: str) -> bytes:
    """A PDF text string in UTF-16BE (any character, no escaping needed)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


class _Part:
    """The objects of one reportlab PDF, by number."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        m = _XREF.search(data[-64:])
        if m is None:
            raise NotReportlabPdf("no startxref")
        xref_at = int(m.group(1))
        table = data[xref_at:]
        if not table.startswith(b"xref"):
            raise NotReportlabPdf("xref stream or incremental update")
        lines = table.split(b"\n")
        _, count = lines[1].split()
        self.size = int(count)
        self.offsets: dict[int, int] = {}
        for number in range(1, self.size):
            entry = lines[2 + number]
            if entry[17:18] == b"n":
                self.offsets[number] = int(entry[:10])
        trailer = table[table.index(b"trailer") :]
        root, info = _TRAILER_ROOT.search(trailer), _TRAILER_INFO.search(trailer)
        if root is None:
            raise NotReportlabPdf("no /Root")
        self.root = int(root.group(1))
        self.info = int(info.group(1)) if info else None

    def body(self, number: int) -> tuple[bytes, bytes]:
        """(dictionary text, raw stream section incl. endstream or b"")."""
        start = self.offsets[number]
        head = _OBJ_HEAD.match(self.data, start)
        if head is None or int(head.group(1)) != number:
            raise NotReportlabPdf(f"object {number} not at its offset")
        begin = head.end()
        end = self.data.index(b"endobj", begin)
        stream = _STREAM.search(self.data, begin, end)
        if stream is None:
            return self.data[begin:end], b""
        dictionary = self.data[begin : stream.start() + 2]
        length = _LENGTH.search(dictionary)
        if length is None:
            raise NotReportlabPdf("stream without a direct /Length")
        data_end = stream.end() + int(length.group(1))
        end = self.data.index(b"endobj", data_end)
        return dictionary, self.data[stream.start() + 2 : end]

    def page_numbers(self) -> list[int]:
        catalog, _ = self.body(self.root)
        pages = _PAGES.search(catalog)
        if pages is None:
            raise NotReportlabPdf("catalog without /Pages")
        out: list[int] = []
        self._collect(int(pages.group(1)), out, set())
        return out

    def tree_nodes(self) -> set[int]:
        catalog, _ = self.body(self.root)
        pages = _PAGES.search(catalog)
        assert pages is not None
        nodes: set[int] = set()
        self._collect(int(pages.group(1)), [], nodes)
        return nodes

    def _collect(self, number: int, out: list[int], nodes: set[int]) -> None:
        dictionary, _ = self.body(number)
        kids = _KIDS.search(dictionary)
        if kids is None:  # a page
            out.append(number)
            return
        nodes.add(number)
        for ref in _REF.finditer(kids.group(1)):
            self._collect(int(ref.group(1)), out, nodes)


class PdfAssembler:
    """Append reportlab PDFs to ``out``; :meth:`close` writes the page tree and trailer.

    Object 1 is the catalog, 2 the page tree, 3 the /Info; parts follow. Deterministic:
    the same parts give the same bytes (the /ID is a digest of the content).
    """

    CATALOG, PAGES, INFO = 1, 2, 3

    def __init__(self, out: IO[bytes], info: DocumentInfo) -> None:
        self.out = out
        self.info = info
        self.offsets: dict[int, int] = {}
        self.page_refs: list[int] = []
        self.next_number = 4
        self.position = 0
        self.digest = hashlib.md5(usedforsecurity=False)
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    @property
    def page_count(self) -> int:
        return len(self.page_refs)

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.digest.update(data)
        self.position += len(data)

    def add(self, pdf: bytes) -> int:
        """Copy one PDF's pages (and what they use); returns the number of pages added."""
        part = _Part(pdf)
        pages = part.page_numbers()
        skip = part.tree_nodes() | {part.root}
        if part.info is not None:
            skip.add(part.info)
        base = self.next_number - 1
        page_set = set(pages)

        def renumber(match: re.Match[bytes]) -> bytes:
            return str(int(match.group(1)) + base).encode("ascii") + b" 0 R"

        for number in range(1, part.size):
            new = number + base
            if number in skip or number not in part.offsets:
                # Keep the numbering dense: the part's own tree, catalog and info
                # become null objects (the xref then needs no free-list).
                self.offsets[new] = self.position
                self._write(b"%d 0 obj\nnull\nendobj\n" % new)
                continue
            dictionary, stream = part.body(number)
            if number in page_set:
                dictionary = _PARENT.sub(b"/Parent 2 0 R", dictionary)
                # Protect the new parent from renumbering.
                head, _, tail = dictionary.partition(b"/Parent 2 0 R")
                dictionary = _REF.sub(renumber, head) + b"/Parent 2 0 R" + _REF.sub(renumber, tail)
            else:
                dictionary = _REF.sub(renumber, dictionary)
            self.offsets[new] = self.position
            self._write(b"%d 0 obj\n" % new + dictionary + stream + b"endobj\n")
        self.page_refs.extend(p + base for p in pages)
        self.next_number = base + part.size
        return len(pages)

    def close(self) -> None:
        info = self.info
        fields = [
            (b"/Title", _pdf_text(info.title)),
            (b"/Author", _pdf_text(info.author)),
            (b"/Subject", _pdf_text(info.subject)),
            (b"/Keywords", _pdf_text(", ".join(info.keywords))),
            (b"/Creator", _pdf_text("conseil-citoyen (reportlab)")),
            (b"/Producer", _pdf_text("conseil-citoyen (reportlab)")),
        ]
        if info.created is not None:
            date = b"(" + _pdf_date(info.created).encode("ascii") + b")"
            fields += [(b"/CreationDate", date), (b"/ModDate", date)]
        objects = {
            self.CATALOG: b"<< /Type /Catalog /Pages 2 0 R /Lang "
            + _pdf_text(info.lang)
            + b" /PageMode /UseNone >>",
            self.PAGES: b"<< /Type /Pages /Count %d /Kids [" % len(self.page_refs)
            + b" ".join(b"%d 0 R" % p for p in self.page_refs)
            + b"] >>",
            self.INFO: b"<< " + b" ".join(k + b" " + v for k, v in fields) + b" >>",
        }
        for number, body in objects.items():
            self.offsets[number] = self.position
            self._write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
        size = self.next_number
        xref_at = self.position
        lines = [b"xref\n0 %d\n" % size, b"0000000000 65535 f \n"]
        for number in range(1, size):
            offset = self.offsets.get(number)
            lines.append(
                b"%010d 00000 n \n" % offset if offset is not None else b"0000000000 65535 f \n"
            )
        self._write(b"".join(lines))
        file_id = self.digest.hexdigest().encode("ascii")
        self._write(
            b"trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R /ID [<%s><%s>] >>\n"
            % (size, file_id, file_id)
            + b"startxref\n%d\n%%%%EOF\n" % xref_at
        )


def concatenate(parts: Iterable[bytes], out: IO[bytes], info: DocumentInfo) -> int:
    """Write every part into one PDF; returns the page count."""
    assembler = PdfAssembler(out, info)
    for part in parts:
        assembler.add(part)
    assembler.close()
    return assembler.page_count
