"""The draft arrêté names the département and says how the residents' college is made
(issue 13, point 12): never « drawn by lot » alone when volunteers sit in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.rules import RuleResult
from service.documents.composition_report import arrete_content


@dataclass
class _View:
    council: dict[str, Any]
    members: list[dict[str, Any]]
    results: list[RuleResult] = field(default_factory=list)
    today: date = date(2026, 12, 3)


def _member(origin: str, sexe: str = "F") -> dict[str, Any]:
    return {"college": "habitants", "status": "actif", "seat": "titulaire", "origin": origin, "nom": "Nom",
            "prenom": "Prénom", "sexe_label": sexe, "seat_label": "Titulaire", "origin_label": origin}


def _recital(content: str) -> str:
    return content.split("Considérant que le collège des habitants")[1].split(";")[0]


def test_departement_named_and_volunteers_said() -> None:
    council = {"name": "Conseil des Tilleuls", "departement": "37", "territory_name": "Valmont"}
    mixed = arrete_content(_View(council, [_member("tire_au_sort_registre"), _member("tire_au_sort_registre", "M"),
                                           _member("volontaire")]))  # type: ignore[arg-type]
    assert "PRÉFET D'INDRE-ET-LOIRE" in mixed
    recital = _recital(mixed)
    assert "2 membres tirés au sort sur les listes" in recital and "1 habitant volontaire" in recital
    drawn_only = _recital(arrete_content(_View(council, [_member("tire_au_sort_registre")])))  # type: ignore[arg-type]
    assert "volontaire" not in drawn_only and "tiré au sort sur les listes" in drawn_only
    parity = RuleResult("parite-habitants", False, "écart")
    broken = _recital(arrete_content(_View(council, [_member("volontaire")], [parity])))  # type: ignore[arg-type]
    assert "sans que la parité" in broken
    assert "PRÉFET DU NORD" in arrete_content(_View({**council, "departement": "59"}, []))  # type: ignore[arg-type]
