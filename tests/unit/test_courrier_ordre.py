"""Mail-room order of letters (domain.adresse_postale.cle_tri_postal)."""

from __future__ import annotations

from domain.adresse_postale import AdressePostale, cle_tri_postal, formater_adresse


def _key(**fields: str) -> tuple[object, ...]:
    return cle_tri_postal(formater_adresse(AdressePostale(nom="Dupont", commune="Tours", **fields)))


def test_postcode_then_street_then_number_numerically() -> None:
    addresses = [
        {"numero": "10", "voie": "rue des Lilas", "code_postal": "37000"},
        {"numero": "2", "voie": "rue des Lilas", "code_postal": "37000"},
        {"numero": "1", "voie": "allée des Roses", "code_postal": "37100"},
        {"numero": "12", "voie": "avenue Foch", "code_postal": "37000"},
        {"voie": "12 bis rue des Lilas", "code_postal": "37000"},
        {"numero": "12", "voie": "rue des Lilas", "code_postal": "37000"},
    ]
    ordered = sorted(addresses, key=lambda a: _key(**a))
    assert [(a.get("numero", ""), a["voie"]) for a in ordered] == [
        ("12", "avenue Foch"),
        ("2", "rue des Lilas"),
        ("10", "rue des Lilas"),
        ("12", "rue des Lilas"),
        ("", "12 bis rue des Lilas"),
        ("1", "allée des Roses"),
    ]


def test_number_written_in_the_street_or_apart_sorts_the_same() -> None:
    assert (
        _key(voie="12 bis rue des Lilas", code_postal="37000")[:5]
        == _key(numero="12 B", voie="rue des Lilas", code_postal="37000")[:5]
    )
    assert _key(numero="7", voie="rue A", code_postal="37000")[3] == 7


def test_unprintable_blocks_sort_last() -> None:
    broken = cle_tri_postal(formater_adresse(AdressePostale(nom="X")))
    assert broken > _key(numero="1", voie="rue A", code_postal="98000")
