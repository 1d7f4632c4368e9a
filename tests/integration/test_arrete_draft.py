"""The draft arrêté names the département and says how the residents' college is made
(issue 13, point 12): never « drawn by lot » alone when volunteers sit in it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from domain.rules import RuleResult
from service.composition.documents import arrete_content
from service.composition.rows import MemberRow
from service.organisation.store import CouncilRow


@dataclass
class _View:
    council: CouncilRow
    members: list[MemberRow]
    results: list[RuleResult] = field(default_factory=list)
    today: date = date(2026, 12, 3)


def _member(origin: str, sexe: str = "F") -> MemberRow:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return MemberRow(
        id=1, council=1, college="habitants", origin=origin, seat="titulaire", prenom="Prénom", nom="Nom",
        sexe=sexe, person_key="", structure="", email="", telephone="", contact_consent=False,
        adresse_complement_destinataire="", adresse_complement_lieu="", adresse_numero="", adresse_voie="",
        adresse_lieu_dit="", adresse_code_postal="", adresse_commune="", mandate_start=date(2026, 1, 1),
        mandate_end=date(2028, 12, 31), status="actif", status_since=None, stratum=None, rank=None, draw_id=None,
        pool_key="", subject_type="", subject_id=None, replaces=None, account=None, created_at=at, updated_at=at,
        version=1)


def _recital(content: str) -> str:
    return content.split("Considérant que le collège des habitants")[1].split(";")[0]


def test_departement_named_and_volunteers_said() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    council = CouncilRow(id=1, territory=1, territory_name="Valmont", departement="37", name="Conseil des Tilleuls",
                         name_key="conseil des tilleuls", regime="2024", settings={}, archived_at=None, created_at=at,
                         updated_at=at, version=1)
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
    assert "PRÉFET DU NORD" in arrete_content(_View(replace(council, departement="59"), []))  # type: ignore[arg-type]
