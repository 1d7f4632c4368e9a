"""The copy of the shared specs and sample registers kept under tests/fixtures/shared
must stay identical to ../shared when the latter is present (a lone clone tests
against the copy)."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED_BESIDE, SHARED_COPY

FILES = sorted(p.relative_to(SHARED_COPY) for p in SHARED_COPY.rglob("*") if p.is_file())


def test_the_copy_holds_the_vectors_and_the_samples() -> None:
    names = {p.name for p in FILES}
    assert {"draw-vectors.json", "liste_electorale.csv", "bailleur.csv", "perimetre.csv", "exclusions.csv"} <= names


@pytest.mark.skipif(not SHARED_BESIDE.exists(), reason="../shared absent : la copie fait foi")
@pytest.mark.parametrize("rel", FILES, ids=str)
def test_copy_matches_shared(rel: object) -> None:
    assert (SHARED_COPY / str(rel)).read_bytes() == (SHARED_BESIDE / str(rel)).read_bytes()
