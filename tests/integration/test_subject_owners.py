"""The people behind pool keys are reached through owners declared by the features, never
through a registry that import order may leave empty (issue 15)."""

from __future__ import annotations

import importlib

import pytest

from service.features import subject_owners
from service.organisation import subjects

pytestmark = pytest.mark.anyio


def test_each_subject_type_the_draws_use_has_one_declared_owner_that_resolves() -> None:
    owners = subject_owners()
    assert set(owners) == {"resident", "candidature"}
    for owner in owners.values():
        for ref in (owner.loader, owner.selection_hook):
            module, _, name = ref.partition(":")
            assert callable(getattr(importlib.import_module(module), name)), ref


async def test_an_undeclared_subject_type_is_an_error_not_an_empty_answer() -> None:
    with pytest.raises(LookupError):
        await subjects.load_subjects("inconnu", [1])
    with pytest.raises(LookupError):
        await subjects.mark_selected("inconnu", [1], None)  # type: ignore[arg-type]


async def test_an_installed_fake_takes_the_declared_owners_place() -> None:
    @subjects.subject_loader("resident")
    async def fake(ids: object) -> dict[int, subjects.Subject]:
        return {7: subjects.Subject("resident", 7, prenom="Awa")}

    assert (await subjects.load_subjects("resident", [7]))[7].prenom == "Awa"
