"""The composition judged live (every rule, passing ones included), its history and the
parity timeline: what the pages, the API and the préfecture's report show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from domain.composition import (
    College,
    Member,
    MemberStatus,
    OnePersonOneCollege,
    ParityPoint,
    Seat,
    Sex,
    evaluate_composition,
    parity_timeline,
)
from domain.i18n import _
from domain.rules import RuleResult
from service.composition.rows import CompositionStorePort, HistoryRow, MemberRow
from service.composition.usecases.common import local_today, reader, rule_settings
from service.context import AppContext
from service.organisation.store import CouncilRow


@dataclass(frozen=True)
class CompositionView:
    council: CouncilRow
    members: list[MemberRow]
    results: list[RuleResult]
    today: date

    def sitting(self, college: str) -> list[MemberRow]:
        return [
            m
            for m in self.members
            if m.college == college and m.status == "actif" and m.seat == "titulaire"
        ]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for c in College:
            sitting = self.sitting(c.value)
            out[c.value] = {
                "F": sum(1 for m in sitting if m.sexe == "F"),
                "M": sum(1 for m in sitting if m.sexe == "M"),
                "total": len(sitting),
            }
        return out


async def council_row(council_id: int, *, store: CompositionStorePort | None = None) -> CouncilRow:
    """The council (organisation's row) for the pages and documents."""
    return await reader(store).council(council_id)


async def composition(
    ctx: AppContext, council_id: int, *, store: CompositionStorePort | None = None
) -> CompositionView:
    s = reader(store)
    council = await s.council(council_id)
    rows = await s.list_members(council_id)
    today = local_today(ctx.now())
    excluded = await _excluded_predicate(s, council_id, rows)
    results = evaluate_composition(
        [r.to_member() for r in rows], rule_settings(council), today, excluded=excluded
    )
    results.append(OnePersonOneCollege().check(r.person_seat() for r in rows))
    return CompositionView(council, rows, results, today)


async def _excluded_predicate(
    store: CompositionStorePort, council_id: int, rows: list[MemberRow]
) -> Callable[[Member], bool] | None:
    """Who is on the council's imported exclusion list (elected officials, State
    representatives, agents of the politique de la ville — spec rule 5), matched by the
    list itself (``ExclusionList.find_person``) with the birth date of the member's
    application when known. None when no list is imported."""
    exclusions = await store.exclusion_list(council_id)
    if not len(exclusions):
        return None
    volunteers = {
        r.subject_id: r.id for r in rows if r.subject_type == "candidature" and r.subject_id
    }
    structures = {
        r.subject_id: r.id for r in rows if r.subject_type == "structure" and r.subject_id
    }
    by_volunteer, by_structure = await store.applicants_born(list(volunteers), list(structures))
    born = {str(volunteers[k]): d for k, d in by_volunteer.items()}
    born.update({str(structures[k]): d for k, d in by_structure.items()})
    by_id = {str(r.id): r for r in rows}

    def hit(m: Member) -> bool:
        row = by_id.get(m.id)
        return row is not None and (
            exclusions.find_person(row.nom, row.prenom, born.get(m.id)) is not None
        )

    return hit


async def history(
    council_id: int, limit: int = 500, *, store: CompositionStorePort | None = None
) -> list[HistoryRow]:
    rows = await reader(store).history(council_id, limit)
    return [replace(r, etat=state_label(r.snapshot)) for r in rows]


def state_label(snap: dict[str, Any]) -> str:
    """« Collège des habitants, titulaire, femme, actif (depuis 2026-06-01) » for the history."""
    parts = []
    labels: tuple[tuple[Callable[[str], Any], str], ...] = (
        (College, "college"),
        (Seat, "seat"),
        (Sex, "sexe"),
        (MemberStatus, "status"),
    )
    for cls, key in labels:
        try:
            label = cls(str(snap.get(key))).label
        except ValueError:
            continue
        parts.append(label if key == "college" else label.lower())
    text = ", ".join(parts)
    if snap.get("status_since") and snap.get("status") != "actif":
        text += " " + _("(depuis le {d})").format(d=snap["status_since"])
    return text


async def timeline(
    ctx: AppContext, council_id: int, *, store: CompositionStorePort | None = None
) -> tuple[list[ParityPoint], date, date]:
    rows = await reader(store).list_members(council_id)
    titulaires = [r for r in rows if r.seat == "titulaire"]
    today = local_today(ctx.now())
    if not titulaires:
        return [], today, today
    start = min(r.mandate_start for r in titulaires)
    end = max(max(r.mandate_end for r in titulaires), start)
    return parity_timeline([r.to_member() for r in rows], start, end), start, end
