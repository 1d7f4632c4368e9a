"""Who a pool key stands for: the bridge from pseudonymous pools to personal data.

A pool member points at a *subject*: a register person (``"resident"``, owned by the
registers feature) or an application (``"candidature"``, owned by the applications
feature). The draw, the letters and the composition need a few facts about those people
(name as written, postal address, sex, birth year for the online reply's second factor)
without knowing which table they live in: each owner declares, in its Feature, a loader
and, where it keeps retention state, a hook told when people are selected by a draw (the
retention purge spares them). A subject type nobody declares is an error, never an
empty answer: a rule fed by an empty loader would silently stop applying.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from domain.adresse_postale import AdressePostale
from service.feature import SubjectOwner


@dataclass(frozen=True)
class Subject:
    subject_type: str
    subject_id: int
    civilite: str = ""  # "Madame" / "Monsieur" / "" — as used on a letter
    prenom: str = ""  # as written in the source, for letters
    nom: str = ""
    sexe: str = ""  # "F" / "M" / ""
    birth_year: int | None = None
    address: AdressePostale = field(default_factory=AdressePostale)
    email: str = ""
    telephone: str = ""
    purged: bool = False  # personal data removed by the retention purge

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.prenom, self.nom) if p) or "—"


SubjectLoader = Callable[[Sequence[int]], Awaitable[dict[int, Subject]]]
SelectionHook = Callable[[Sequence[int], datetime], Awaitable[None]]

# Loaders installed in place of the declared owner's (tests install fakes here).
_LOADERS: dict[str, SubjectLoader] = {}
_SELECTION_HOOKS: dict[str, SelectionHook] = {}


def subject_loader(subject_type: str) -> Callable[[SubjectLoader], SubjectLoader]:
    """Install ``fn`` as the loader of ``subject_type`` in place of the declared owner's."""
    def deco(fn: SubjectLoader) -> SubjectLoader:
        _LOADERS[subject_type] = fn
        return fn

    return deco


def _resolve(ref: str) -> Any:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def _owner(subject_type: str) -> SubjectOwner:
    from service.features import subject_owners

    owner = subject_owners().get(subject_type)
    if owner is None:
        raise LookupError(f"no declared feature owns the subject type {subject_type!r}")
    return owner


def _loader(subject_type: str) -> SubjectLoader:
    installed = _LOADERS.get(subject_type)
    return installed if installed is not None else cast(SubjectLoader, _resolve(_owner(subject_type).loader))


def _hook(subject_type: str) -> SelectionHook | None:
    if subject_type in _SELECTION_HOOKS:
        return _SELECTION_HOOKS[subject_type]
    ref = _owner(subject_type).selection_hook
    return cast(SelectionHook, _resolve(ref)) if ref else None


async def load_subjects(subject_type: str, ids: Sequence[int]) -> dict[int, Subject]:
    """Subjects by id; ids unknown to the owner (or purged rows it no longer has) are
    simply absent."""
    if not ids:
        return {}
    return await _loader(subject_type)(list(ids))


async def mark_selected(subject_type: str, ids: Sequence[int], at: datetime) -> None:
    """Tell the owner these people were selected (invited) by a draw. Must be called
    inside the caller's transaction."""
    hook = _hook(subject_type)
    if hook is not None and ids:
        await hook(list(ids), at)
