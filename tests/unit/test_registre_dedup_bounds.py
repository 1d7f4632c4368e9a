"""The duplicate search does bounded work per block of look-alike rows (issue 14,
item 8: 16,131 identical rows took 89 s). Work is counted, not timed: each given-name
and door comparison goes through a counter that gives up past a linear budget."""

from __future__ import annotations

from datetime import date

import pytest

import domain.registre.dedup as dedup
from domain.registre.dedup import MAX_BLOCK, deduplicate
from domain.registre.entries import Entry
from domain.registre.normalise import Address, Sexe, parse_address

N = 16_000
BUDGET = 6 * N  # a few comparisons a row; the quadratic search needed ~N²/2


class _Budget(Exception):
    pass


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    seen = {"prenoms": 0, "portes": 0}
    real_names, real_door = dedup.prenoms_compatibles, Address.meme_porte

    def names(a: str, b: str) -> bool:
        seen["prenoms"] += 1
        if seen["prenoms"] > BUDGET:
            raise _Budget("prenoms")
        return real_names(a, b)

    def door(self: Address, other: Address) -> bool:
        seen["portes"] += 1
        if seen["portes"] > BUDGET:
            raise _Budget("portes")
        return real_door(self, other)

    monkeypatch.setattr(dedup, "prenoms_compatibles", names)
    monkeypatch.setattr(Address, "meme_porte", door)
    return seen


def _row(line: int, *, born: date | None = date(1970, 1, 1), rue: str = "3 rue Colbert") -> Entry:
    return Entry.build(source="liste_electorale", line=line, nom_naissance="DURAND",
                       nom_usage="DURAND" if born is None else "", prenoms="Paul",
                       sexe=Sexe.MASCULIN, date_naissance=born,
                       adresse=parse_address(rue, code_postal="37990"))


def test_16000_identical_dated_rows_are_one_person_in_linear_work(counted: dict[str, int]) -> None:
    rows = [_row(i) for i in range(2, N + 2)]
    report = deduplicate(rows)
    assert report.entries == (rows[0],) and report.duplicates_merged == N - 1
    assert report.ambiguous == ()
    assert counted["prenoms"] <= BUDGET and counted["portes"] <= BUDGET
    assert report.comparisons <= 4 * N


def test_16000_identical_undated_rows_in_linear_work(counted: dict[str, int]) -> None:
    rows = [_row(i, born=None) for i in range(2, N + 2)]
    report = deduplicate(rows)
    assert len(report.entries) == 1 and report.duplicates_merged == N - 1
    assert counted["prenoms"] <= BUDGET and counted["portes"] <= BUDGET


def test_a_block_of_namesakes_at_different_doors_is_bounded(counted: dict[str, int]) -> None:
    """Same names and birth date at 4,000 different doors: nobody is merged, and each
    row is compared with (and flagged against) at most MAX_BLOCK people, not all."""
    n = 4000
    rows = [_row(i, rue=f"{i} rue Colbert") for i in range(2, n + 2)]
    report = deduplicate(rows)
    assert len(report.entries) == n
    assert len(report.ambiguous) <= MAX_BLOCK * n
    assert report.comparisons <= 3 * MAX_BLOCK * n
    # The first rows of the block are still all compared with each other.
    first = {(p.a.line, p.b.line) for p in report.ambiguous if p.b.line <= MAX_BLOCK + 1}
    assert len(first) == MAX_BLOCK * (MAX_BLOCK - 1) // 2
