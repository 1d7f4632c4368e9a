"""Business rules as named objects (DESIGN.md rule 3).

Each rule has a stable ``code`` and a French message; evaluating it gives a
``RuleResult`` that the UI, the API and the préfecture report show the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from domain.errors import RuleBroken


class Severity(StrEnum):
    BLOCKING = "bloquant"
    WARNING = "avertissement"


@dataclass(frozen=True)
class RuleResult:
    code: str
    ok: bool
    message: str
    severity: Severity = Severity.BLOCKING
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def blocks(self) -> bool:
        return not self.ok and self.severity is Severity.BLOCKING


T_contra = TypeVar("T_contra", contravariant=True)


class Rule(Protocol, Generic[T_contra]):
    code: str

    def check(self, subject: T_contra) -> RuleResult: ...


def enforce(results: list[RuleResult]) -> None:
    """Raise ``RuleBroken`` for the first blocking result, if any."""
    for r in results:
        if r.blocks:
            raise RuleBroken(r.message, code=r.code, extra={"rule": r.code, **r.details})
