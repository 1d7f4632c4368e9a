from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _subjects(subject_registry_guard: None) -> None:
    """Every test here starts with the real subject loaders (see tests/conftest.py)."""
