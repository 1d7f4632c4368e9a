"""The lead's title agreed with the account's gender (issue 13, item 9; DESIGN.md §7)."""

from __future__ import annotations

import pytest

from domain.access import Role
from domain.errors import InvalidInput
from domain.genre import Genre, lead_title, parse_genre


def test_the_leads_title_follows_the_account() -> None:
    assert lead_title("F") == "cheffe de projet"
    assert lead_title("M") == "chef de projet"
    assert lead_title(None) == "cheffe ou chef de projet"
    assert lead_title("F", article="le", capital=True) == "La cheffe de projet"
    assert lead_title("M", article="de") == "du chef de projet"
    assert lead_title("", article="de") == "de la cheffe ou du chef de projet"


def test_role_labels_of_a_person() -> None:
    assert Role.CHEF_DE_PROJET.label_for("F") == "Cheffe de projet politique de la ville"
    assert Role.CHEF_DE_PROJET.label_for("M") == "Chef de projet politique de la ville"
    assert Role.CHEF_DE_PROJET.label_for(None) == "Cheffe ou chef de projet politique de la ville"
    assert Role.ADMINISTRATEUR.label_for("F") == "Administratrice"
    assert Role.MEMBRE.label_for("F") == Role.MEMBRE.label
    # The role's own name (lists of roles, public records) is unchanged.
    assert Role.CHEF_DE_PROJET.label == "Chef de projet politique de la ville"


def test_parse_genre() -> None:
    assert parse_genre("F") is Genre.FEMININ
    assert parse_genre("") is None and parse_genre(None) is None
    with pytest.raises(InvalidInput) as err:
        parse_genre("X")
    assert err.value.field == "genre"
