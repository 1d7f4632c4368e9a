"""QR codes drawn straight onto the canvas, with reportlab only (no extra dependency).

reportlab's ``qrencoder`` is correct but slow: ~11 ms a code, nearly all of it spent
building the matrix nine times (once per mask to score it, once for the winner) in
lists of booleans, and recomputing the Reed–Solomon generator for every code; its
widget then draws each run of modules through the path API, which formats four floats
per rectangle in Python. For a batch of 1,000 letters that alone was over 11 s. This
module keeps reportlab's tables and function-pattern code (finder, timing, alignment,
format and version information, the zigzag data order) but:

* builds each version's function patterns, data placement and mask bits once (cached);
* represents a whole symbol as one Python integer, so applying a mask is one XOR and
  the ISO/IEC 18004 penalty rules are a few whole-symbol shifts and ANDs;
* caches Reed–Solomon generator products per degree;
* draws in module units under one ``cm`` (whole numbers, one fill per code).

A code then costs well under a millisecond to encode and draw. The matrix is
module-for-module identical to ``qrencoder.QRCode.makeImpl(False, mask)`` for the
chosen mask, and the mask is the one the ISO penalty prefers (tests check both).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any, Literal

from reportlab.graphics.barcode import qrencoder as _rl
from reportlab.pdfgen.canvas import Canvas

from domain.i18n import _

Level = Literal["L", "M", "Q", "H"]
_LEVEL_CODE = {
    "L": _rl.QRErrorCorrectLevel.L,
    "M": _rl.QRErrorCorrectLevel.M,
    "Q": _rl.QRErrorCorrectLevel.Q,
    "H": _rl.QRErrorCorrectLevel.H,
}
_EXP: list[int] = _rl.EXP_TABLE
_LOG: list[int] = _rl.LOG_TABLE
# types-reportlab leaves these helpers (and QRCode.dataPosIterator) unannotated: their types, as reportlab uses them.
_get_rs_blocks: Callable[[int, int], list[Any]] = _rl.QRRSBlock.getRSBlocks
_get_mask: Callable[[int], Callable[[int, int], bool]] = _rl.QRUtil.getMask


@dataclass(frozen=True)
class QrMatrix:
    """A finished symbol: ``rows[r][c] == "1"`` where a module is dark (no quiet zone)."""

    version: int
    level: Level
    mask: int
    rows: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.rows)

    def is_dark(self, row: int, col: int) -> bool:
        return self.rows[row][col] == "1"


class QrDataTooLong(ValueError):
    pass


# ---------------------------------------------------------------------------
# Data codewords


class _BitBuffer:
    """Duck-types ``qrencoder.QRBitBuffer.put`` with one integer instead of a bit list."""

    __slots__ = ("length", "value")

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def put(self, num: int, length: int) -> None:
        self.value = (self.value << length) | (num & ((1 << length) - 1))
        self.length += length


def _segment(data: str) -> Any:
    # Numeric, then alphanumeric, then UTF-8 bytes: the densest mode that fits.
    for mode in (_rl.QRNumber, _rl.QRAlphaNum, _rl.QR8bitByte):
        try:
            return mode(data)
        except ValueError:
            continue
    raise AssertionError("QR8bitByte accepts every string")


@cache
def _rs_blocks(version: int, level_code: int) -> tuple[tuple[int, int], ...]:
    """(total codewords, data codewords) for each block."""
    return tuple(
        (b.totalCount, b.dataCount) for b in _get_rs_blocks(version, level_code)
    )


@cache
def _generator_logs(degree: int) -> tuple[int, ...]:
    """log(α) coefficients of ∏(x − α^i), i < degree, leading 1 omitted."""
    poly = [1]
    for i in range(degree):
        nxt = [0] * (len(poly) + 1)
        for j, coef in enumerate(poly):
            nxt[j] ^= coef
            if coef:
                nxt[j + 1] ^= _EXP[(_LOG[coef] + i) % 255]
        poly = nxt
    return tuple(_LOG[c] for c in poly[1:])


@cache
def _generator_products(degree: int) -> tuple[tuple[int, ...], ...]:
    """For each byte value f, the generator's coefficients multiplied by f in GF(256)."""
    gen = _generator_logs(degree)
    table = [(0,) * degree]
    for f in range(1, 256):
        lf = _LOG[f]
        table.append(tuple(_EXP[(g + lf) % 255] for g in gen))
    return tuple(table)


def _ec_codewords(data: list[int], degree: int) -> list[int]:
    """Reed–Solomon remainder (polynomial long division, one table row per byte)."""
    products = _generator_products(degree)
    rem = [0] * degree
    for byte in data:
        row = products[byte ^ rem[0]]
        rem = [a ^ b for a, b in zip(rem[1:], row, strict=False)]
        rem.append(row[-1])
    return rem


def _choose_version(segment: Any, level_code: int) -> int:
    for version in range(1, 41):
        capacity = sum(d for _, d in _rs_blocks(version, level_code)) * 8
        needed = 4 + segment.getLengthBits(version) + segment.bitlength
        if needed <= capacity:
            return version
    raise QrDataTooLong(_("{n} caractères : trop long pour un code QR.").format(n=len(segment)))


def codewords(data: str, level: Level = "M", version: int | None = None) -> tuple[int, list[int]]:
    """(version, final interleaved codewords) — same bytes as ``QRCode.createData``."""
    level_code = _LEVEL_CODE[level]
    segment = _segment(data)
    if version is None:
        version = _choose_version(segment, level_code)
    blocks = _rs_blocks(version, level_code)
    capacity = sum(d for _, d in blocks) * 8
    buf = _BitBuffer()
    segment.write(buf, version)
    if buf.length > capacity:
        raise QrDataTooLong(_("Trop long pour un code QR de version {v}.").format(v=version))
    buf.put(0, min(4, capacity - buf.length))  # terminator
    buf.put(0, -buf.length % 8)
    raw = list(buf.value.to_bytes(buf.length // 8, "big"))
    pad = (0xEC, 0x11)
    raw.extend(pad[i % 2] for i in range(capacity // 8 - len(raw)))

    dc: list[list[int]] = []
    ec: list[list[int]] = []
    offset = 0
    for total, count in blocks:
        dc.append(raw[offset : offset + count])
        offset += count
        ec.append(_ec_codewords(dc[-1], total - count))
    out = [b[i] for i in range(max(map(len, dc))) for b in dc if i < len(b)]
    out += [b[i] for i in range(max(map(len, ec))) for b in ec if i < len(b)]
    return version, out


# ---------------------------------------------------------------------------
# Matrix


def _modules_to_int(modules: list[list[bool]]) -> int:
    return int("".join("1" if m else "0" for row in modules for m in row), 2)


@dataclass(frozen=True)
class _Layout:
    size: int
    data_modules: int
    """How many modules carry data (codeword bits, then zero remainder bits)."""
    gather: Callable[[str], tuple[str, ...]]
    """Takes the data bits (in placement order) plus one trailing "0", returns every
    cell's bit in row-major order: the zigzag placement as one C-level itemgetter."""
    mask_bits: tuple[int, ...]
    """Per mask pattern, the data cells it inverts, as an int like the symbol."""


@lru_cache(maxsize=64)
def _layout(version: int) -> _Layout:
    probe = _rl.QRCode(version, _rl.QRErrorCorrectLevel.M)
    size = probe.moduleCount = version * 4 + 17
    data_positions: Callable[[], list[tuple[int, int]]] = probe.dataPosIterator  # unannotated in the stubs
    positions = data_positions()  # (col, row) in zigzag order
    filler = len(positions)  # index of the trailing "0" in the gathered string
    source_of = [filler] * (size * size)
    for i, (col, row) in enumerate(positions):
        source_of[row * size + col] = i
    masks = []
    for m in range(8):
        fn = _get_mask(m)
        cells = bytearray(b"0" * (size * size))
        for col, row in positions:
            if fn(row, col):
                cells[row * size + col] = 0x31
        masks.append(int(cells, 2))
    return _Layout(size, len(positions), itemgetter(*source_of), tuple(masks))


@lru_cache(maxsize=256)
def _function_patterns(version: int, level_code: int, mask: int) -> int:
    """Finder, separators, timing, alignment, format and version modules, as an int."""
    q = _rl.QRCode(version, level_code)
    n = q.moduleCount = version * 4 + 17
    q.modules = [[False] * n for _ in range(n)]
    q.setupPositionProbePattern(0, 0)
    q.setupPositionProbePattern(n - 7, 0)
    q.setupPositionProbePattern(0, n - 7)
    q.setupPositionAdjustPattern()
    q.setupTimingPattern()
    q.setupTypeInfo(False, mask)
    if version >= 7:
        q.setupTypeNumber(False)
    return _modules_to_int(q.modules)


@dataclass(frozen=True)
class _Masks:
    full: int
    col_from: dict[int, int]
    """col_from[k]: every cell whose column is ≥ k."""
    row_from: dict[int, int]


@lru_cache(maxsize=64)
def _penalty_masks(size: int) -> _Masks:
    def cells(keep: Any) -> int:
        flat = bytearray(b"0" * (size * size))
        for r in range(size):
            for c in range(size):
                if keep(r, c):
                    flat[r * size + c] = 0x31
        return int(flat, 2)

    return _Masks(
        full=(1 << (size * size)) - 1,
        col_from={k: cells(lambda r, c, k=k: c >= k) for k in (1, 4, 10)},
        row_from={k: cells(lambda r, c, k=k: r >= k) for k in (1, 4, 10)},
    )


# Finder-like 1:1:3:1:1 pattern with four light modules on one side, read from the
# current cell backwards (towards the left or the top).
_FINDER_LIKE = ("10111010000", "00001011101")


def _penalty(symbol: int, size: int) -> int:
    """ISO/IEC 18004 §7.8.3 penalty score (N1=3, N2=3, N3=40, N4=10), on bits.

    The symbol is one integer, cell (r, c) at bit ``size² − 1 − (r·size + c)``, so
    ``x >> 1`` puts the left neighbour under each cell and ``x >> size`` the one above:
    every rule becomes a handful of whole-symbol shifts and ANDs.
    """
    m = _penalty_masks(size)
    full = m.full
    inverse = ~symbol & full
    score = 0
    for step, lines_from in ((1, m.col_from), (size, m.row_from)):
        # N1: runs of ≥ 5 same-coloured modules score len − 2 = (windows of 5) + 2.
        same = ~(symbol ^ (symbol >> step)) & lines_from[1]
        five = same & (same >> step) & (same >> 2 * step) & (same >> 3 * step) & lines_from[4]
        first_windows = five & ~(five >> step)
        score += five.bit_count() + 2 * first_windows.bit_count()
        # N3: finder-like patterns.
        for pattern in _FINDER_LIKE:
            hit = lines_from[10]
            for j, bit in enumerate(reversed(pattern)):
                hit &= (symbol if bit == "1" else inverse) >> (j * step)
            score += 40 * hit.bit_count()
    # N2: 2×2 blocks of one colour (bottom-right cell in row ≥ 1 and column ≥ 1).
    inner = m.col_from[1] & m.row_from[1]
    up_left = size + 1
    dark = symbol & (symbol >> 1) & (symbol >> size) & (symbol >> up_left)
    light = inverse & (inverse >> 1) & (inverse >> size) & (inverse >> up_left)
    score += 3 * ((dark | light) & inner).bit_count()
    # N4: share of dark modules away from 50 %.
    cells = size * size
    score += 10 * (abs(symbol.bit_count() * 100 // cells - 50) // 5)
    return score


@lru_cache(maxsize=1024)
def encode(data: str, level: Level = "M") -> QrMatrix:
    """Encode ``data`` (URL, reply code…) with the smallest version that holds it.

    Cached: a batch where every letter carries the same URL encodes it once.
    """
    version, words = codewords(data, level)
    layout = _layout(version)
    size = layout.size
    level_code = _LEVEL_CODE[level]
    bits = format(int.from_bytes(bytes(words), "big"), f"0{len(words) * 8}b")
    bits = bits.ljust(layout.data_modules, "0") + "0"
    data_int = int("".join(layout.gather(bits)), 2)
    mask_bits = layout.mask_bits
    best: tuple[int, int, int] | None = None
    for m in range(8):
        symbol = _function_patterns(version, level_code, m) | (data_int ^ mask_bits[m])
        score = _penalty(symbol, size)
        if best is None or score < best[0]:
            best = (score, m, symbol)
    assert best is not None
    _, mask, symbol = best
    flat_text = format(symbol, f"0{size * size}b")
    rows = tuple(flat_text[i : i + size] for i in range(0, size * size, size))
    return QrMatrix(version=version, level=level, mask=mask, rows=rows)


# ---------------------------------------------------------------------------
# Drawing

_DARK_RUN = re.compile(r"1+")


@lru_cache(maxsize=1024)
def path_operators(matrix: QrMatrix) -> str:
    """PDF operators filling the dark modules, in module units with (0, 0) bottom-left.

    One ``re`` per horizontal run of dark modules, all filled by a single ``f``: whole
    numbers only, so the stream is small and formatting it costs almost nothing
    (reportlab's path API formats four floats per rectangle in Python: it made QR
    drawing the slowest part of a letter).
    """
    size = matrix.size
    ops: list[str] = []
    for r, row in enumerate(matrix.rows):
        y = str(size - 1 - r)
        ops.extend([head + y + tail for head, tail in _row_runs(row)])
    ops.append("f")
    return "\n".join(ops)


@lru_cache(maxsize=16384)
def _row_runs(row: str) -> tuple[tuple[str, str], ...]:
    """("col ", " width 1 re") for each dark run: only the row number is left to add.

    Rows recur across codes (finder and timing rows, and the same row of the same
    version), and string concatenation is far cheaper than formatting three integers.
    """
    return tuple((f"{m.start()} ", f" {m.end() - m.start()} 1 re") for m in _DARK_RUN.finditer(row))


def draw_qr(
    canvas: Canvas,
    content: str | QrMatrix,
    x: float,
    y: float,
    size: float,
    *,
    quiet_zone: int = 4,
    level: Level = "M",
) -> QrMatrix:
    """Draw a QR code whose bottom-left corner (quiet zone included) is at (x, y).

    ``size`` is the side in points, quiet zone included (ISO asks for 4 light modules;
    the page behind it must stay white there). Returns the matrix drawn.
    """
    matrix = content if isinstance(content, QrMatrix) else encode(content, level)
    module = size / (matrix.size + 2 * quiet_zone)
    left = x + quiet_zone * module
    bottom = y + quiet_zone * module
    # Own graphics state: black fill, then scale so one unit is one module.
    canvas.addLiteral(
        f"q 0 g {module:.4f} 0 0 {module:.4f} {left:.3f} {bottom:.3f} cm\n"
        f"{path_operators(matrix)}\nQ"
    )
    return matrix
