"""Generated and mutated spreadsheets fed to the register reader (hypothesis): it either
reads a table or refuses with a French ``InvalidInput``; it never raises anything else
and never takes this process down (issue 14, item 1). Bounded to a few seconds."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import InvalidInput
from service.registre.reader import read_table
from tests.sheets_support import ods, ods_cell, ods_row, sheet_xml, xlsx

BOUNDED = settings(max_examples=25, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8)
_cells = st.lists(
    st.tuples(st.integers(1, 100) | st.integers(1_000_000, 2_000_000),
              st.integers(1, 30) | st.integers(1, 20_000), _text), min_size=1, max_size=6)
_dimension = st.none() | st.builds(
    lambda c, r: f"A1:{_col(c)}{r}", st.integers(1, 20_000), st.integers(1, 100) | st.integers(1_000_000, 2_000_000))


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _read(data: bytes, name: str) -> None:
    try:
        with read_table(data, filename=name) as table:
            assert all(isinstance(h, str) for h in table.header)
            for n, cells in table.rows:
                assert n >= 1 and all(isinstance(c, str) for c in cells)
    except InvalidInput as refused:
        assert refused.detail and refused.code


@st.composite
def _mutated(draw: st.DrawFn, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert"]))
        at = draw(st.integers(0, len(out) - 1))
        if kind == "flip":
            out[at] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del out[at:]
            if not out:
                out = bytearray(b"PK\x03\x04")
        else:
            out[at:at] = draw(st.binary(min_size=1, max_size=16))
    return bytes(out)


@BOUNDED
@given(cells=_cells, dimension=_dimension)
def test_generated_xlsx_is_read_or_refused(cells: list[tuple[int, int, str]],
                                           dimension: str | None) -> None:
    # A header 30 columns wide: a cell a million rows down is then always refused,
    # and the rows that are read stay few (the test stays fast).
    _read(xlsx(sheet_xml([(1, 1, "Nom"), (1, 30, "Ville"), *cells], dimension)), "g.xlsx")


@BOUNDED
@given(shape=st.one_of(
    # small enough to read quickly, or declaring far more cells than allowed
    st.tuples(st.lists(st.integers(1, 20), min_size=1, max_size=3), st.integers(1, 50)),
    st.tuples(st.lists(st.integers(25, 40_000), min_size=1, max_size=3),
              st.integers(1_000_000, 3_000_000)),
    st.tuples(st.lists(st.integers(1025, 40_000), min_size=1, max_size=3), st.integers(1, 50)),
), text=_text)
def test_generated_ods_is_read_or_refused(shape: tuple[list[int], int], text: str) -> None:
    widths, repeat = shape
    rows = ods_row(ods_cell("Nom")) + "".join(
        ods_row(ods_cell(text or "x", repeat=w), repeat=repeat) for w in widths)
    _read(ods(rows), "g.ods")


_GOOD_XLSX = xlsx(sheet_xml([(1, 1, "Nom"), (1, 2, "Prénom"), (2, 1, "Durand"), (2, 2, "Paul")]))
_GOOD_ODS = ods(ods_row(ods_cell("Nom") + ods_cell("Prénom")) + ods_row(ods_cell("Durand")))


@BOUNDED
@given(data=st.one_of(_mutated(_GOOD_XLSX).map(lambda d: (d, "m.xlsx")),
                      _mutated(_GOOD_ODS).map(lambda d: (d, "m.ods"))))
def test_mutated_spreadsheets_are_read_or_refused(data: tuple[bytes, str]) -> None:
    _read(*data)
