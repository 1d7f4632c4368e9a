"""Reading the meetings' web forms: Paris local times and French messages naming the field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, Field

from domain.errors import InvalidInput
from service.http.forms import decode, for_input, local_datetime, optional_int


def test_datetime_local_input_is_paris_time_in_winter_and_summer() -> None:
    winter = local_datetime("2026-03-12T18:30", "debut", "Début")
    summer = local_datetime("2026-07-02T18:30", "debut", "Début")
    assert winter.astimezone(UTC) == datetime(2026, 3, 12, 17, 30, tzinfo=UTC)
    assert summer.astimezone(UTC) == datetime(2026, 7, 2, 16, 30, tzinfo=UTC)
    assert for_input(datetime(2026, 3, 12, 17, 30, tzinfo=UTC)) == "2026-03-12T18:30"


def test_bad_dates_and_numbers_name_their_field() -> None:
    with pytest.raises(InvalidInput) as err:
        local_datetime("12 mars", "fin", "Fin")
    assert err.value.field == "fin" and err.value.detail.startswith("Fin :")
    with pytest.raises(InvalidInput) as err:
        local_datetime("", "debut", "Début")
    assert err.value.field == "debut" and "obligatoire" in err.value.detail
    assert optional_int("", "duree_minutes", "Durée") is None
    with pytest.raises(InvalidInput) as err:
        optional_int("trente", "duree_minutes", "Durée prévue")
    assert err.value.field == "duree_minutes" and "nombre entier" in err.value.detail


class _Body(BaseModel):
    titre: str = Field(max_length=5)
    n: int


def test_decode_gives_one_french_message_per_field() -> None:
    with pytest.raises(InvalidInput) as err:
        decode(_Body, {"titre": "beaucoup trop long", "n": "x"}, {"titre": "Titre", "n": "Nombre"})
    fields = {e.field: e.message for e in err.value.errors}
    assert fields == {"titre": "Titre : Texte trop long.", "n": "Nombre : Doit être un nombre entier."}


class _PerStratum(BaseModel):
    counts: dict[str, int]


def test_decode_names_the_input_of_a_mapping_filled_one_box_per_key() -> None:
    """« counts.F » is the box the error belongs to when the form gives one input per key."""
    with pytest.raises(InvalidInput) as err:
        decode(_PerStratum, {"counts": {"F": "2", "M": "deux"}}, {"counts": "Invitations"})
    assert [(e.field, e.message) for e in err.value.errors] == [
        ("counts.M", "Invitations : Doit être un nombre entier.")
    ]
    with pytest.raises(InvalidInput) as err:
        decode(_PerStratum, {"counts": "deux"}, {"counts": "Invitations"})
    assert err.value.field == "counts"
