"""Who a pool key stands for: the bridge from pseudonymous pools to personal data.

A pool member points at a *subject*: a register person (``"resident"``, owned by the
registers feature) or an application (``"candidature"``, owned by the applications
feature). The draw, the letters and the composition need a few facts about those people
(name as written, postal address, sex, birth year for the online reply's second factor)
without knowing which table they live in: each owner registers a loader here, and,
where it keeps retention state, a hook told when people are selected by a draw (the
retention purge spares them).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.adresse_postale import AdressePostale


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

_LOADERS: dict[str, SubjectLoader] = {}
_SELECTION_HOOKS: dict[str, SelectionHook] = {}


def subject_loader(subject_type: str) -> Callable[[SubjectLoader], SubjectLoader]:
    def deco(fn: SubjectLoader) -> SubjectLoader:
        _LOADERS[subject_type] = fn
        return fn

    return deco


def selection_hook(subject_type: str) -> Callable[[SelectionHook], SelectionHook]:
    def deco(fn: SelectionHook) -> SelectionHook:
        _SELECTION_HOOKS[subject_type] = fn
        return fn

    return deco


async def load_subjects(subject_type: str, ids: Sequence[int]) -> dict[int, Subject]:
    """Subjects by id; ids unknown to the owner (or purged rows it no longer has) are
    simply absent. An unregistered type yields nothing rather than failing, so a feature
    can be exercised alone in tests."""
    loader = _LOADERS.get(subject_type)
    if loader is None or not ids:
        return {}
    return await loader(list(ids))


async def mark_selected(subject_type: str, ids: Sequence[int], at: datetime) -> None:
    """Tell the owner these people were selected (invited) by a draw. Must be called
    inside the caller's transaction."""
    hook = _SELECTION_HOOKS.get(subject_type)
    if hook is not None and ids:
        await hook(list(ids), at)
