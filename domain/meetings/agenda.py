"""The agenda tree and its numbering as people print it: 1, 2, 2.1 (OpenSlides' way:
a plain class over the item tree)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from domain.errors import InvalidInput
from domain.i18n import _

MAX_DEPTH = 3
QUESTIONS_HEADING = "Questions des habitants en attente de réponse"


@dataclass(frozen=True)
class AgendaItem:
    id: int
    meeting_id: int
    parent_id: int | None
    position: int
    titre: str
    rapporteur: str = ""
    duree_minutes: int | None = None
    numero: str = ""  # computed by AgendaTree, "2.1"
    kind: str = ""  # "" (ordinary), "questions", "adoption_compte_rendu"
    ref_id: int | None = None  # what a special item refers to (the minutes adopted)
    version: int = 1


class AgendaTree:
    """Items of one meeting as a tree; siblings ordered by (position, id)."""

    def __init__(self, items: Iterable[AgendaItem]) -> None:
        self.items = {i.id: i for i in items}
        self.children: dict[int | None, list[AgendaItem]] = {}
        for item in self.items.values():
            parent = item.parent_id if item.parent_id in self.items else None
            self.children.setdefault(parent, []).append(item)
        for kids in self.children.values():
            kids.sort(key=lambda i: (i.position, i.id))

    def numbered(self) -> list[AgendaItem]:
        """Items in reading order, each with its number."""
        out: list[AgendaItem] = []

        def walk(parent: int | None, prefix: str) -> None:
            for n, item in enumerate(self.children.get(parent, []), start=1):
                numero = f"{prefix}{n}"
                out.append(replace(item, numero=numero))
                walk(item.id, numero + ".")

        walk(None, "")
        return out

    def depth(self, item_id: int | None) -> int:
        d = 0
        while item_id is not None:
            d += 1
            item_id = self.items[item_id].parent_id
        return d

    def descendants(self, item_id: int) -> set[int]:
        out: set[int] = set()
        stack = [item_id]
        while stack:
            for kid in self.children.get(stack.pop(), []):
                out.add(kid.id)
                stack.append(kid.id)
        return out

    def check_parent(self, parent_id: int | None, moving: int | None = None) -> None:
        if parent_id is None:
            return
        if parent_id not in self.items:
            raise InvalidInput(
                _("Le point parent n'appartient pas à l'ordre du jour de cette réunion."),
                field="parent_id", code="parent-introuvable",
            )
        if moving is not None and (parent_id == moving or parent_id in self.descendants(moving)):
            raise InvalidInput(
                _("Un point ne peut pas être placé sous lui-même ou sous l'un de ses sous-points."),
                field="parent_id", code="parent-circulaire",
            )
        below = 1 + (self._height(moving) if moving is not None else 0)
        if self.depth(parent_id) + below > MAX_DEPTH:
            raise InvalidInput(
                _("L'ordre du jour compte au plus {n} niveaux (ex. 2.1.3).").format(n=MAX_DEPTH),
                field="parent_id", code="niveau-trop-profond",
            )

    def _height(self, item_id: int) -> int:
        kids = self.children.get(item_id, [])
        return 0 if not kids else 1 + max(self._height(k.id) for k in kids)

    def next_position(self, parent_id: int | None) -> int:
        kids = self.children.get(parent_id, [])
        return (max(k.position for k in kids) + 1) if kids else 1

    def move(self, item_id: int, parent_id: int | None, index: int) -> dict[int, tuple[int | None, int]]:
        """New (parent, position) of every item whose place changes when ``item_id`` goes
        to place ``index`` (0-based) among ``parent_id``'s children. Positions are
        renumbered 1..n on both sibling lists, so nothing is lost or doubled."""
        if item_id not in self.items:
            raise InvalidInput(_("Point de l'ordre du jour introuvable."), field="id", code="point-introuvable")
        self.check_parent(parent_id, moving=item_id)
        old_parent = self.items[item_id].parent_id
        old_siblings = [k.id for k in self.children.get(old_parent, []) if k.id != item_id]
        new_siblings = old_siblings if old_parent == parent_id else [
            k.id for k in self.children.get(parent_id, [])
        ]
        index = max(0, min(index, len(new_siblings)))
        new_siblings = [*new_siblings[:index], item_id, *new_siblings[index:]]
        changes: dict[int, tuple[int | None, int]] = {}
        lists = [(parent_id, new_siblings)]
        if old_parent != parent_id:
            lists.append((old_parent, old_siblings))
        for parent, ids in lists:
            for pos, iid in enumerate(ids, start=1):
                item = self.items[iid]
                if (item.parent_id, item.position) != (parent, pos):
                    changes[iid] = (parent, pos)
        # Every item still placed exactly once.
        after = {i: changes.get(i, (it.parent_id, it.position)) for i, it in self.items.items()}
        assert len(after) == len(self.items)
        return changes


def check_duration(minutes: int | None) -> int | None:
    if minutes is None:
        return None
    if not 0 < minutes <= 600:
        raise InvalidInput(
            _("La durée prévue doit être comprise entre 1 et 600 minutes."),
            field="duree_minutes", code="duree-invalide",
        )
    return minutes
