"""Property test of the address formatter (moved out of unit: hypothesis is slow)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.adresse_postale import (
    LONGUEUR_MAX,
    AdressePostale,
    formater_adresse,
)

# --- whatever the input ------------------------------------------------------------------

NORMALISEE = re.compile(r"^[A-Z0-9]+( [A-Z0-9]+)*$")

texte = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFF), max_size=60
)


@settings(max_examples=120, deadline=None)
@given(
    civilite=texte,
    prenom=texte,
    nom=texte,
    c2=texte,
    c3=texte,
    numero=texte,
    voie=texte,
    lieu_dit=texte,
    cp=st.one_of(st.from_regex(r"\A[0-9]{5}\Z"), texte),
    commune=texte,
)
def test_any_input_gives_a_valid_block_or_reasons(
    civilite: str,
    prenom: str,
    nom: str,
    c2: str,
    c3: str,
    numero: str,
    voie: str,
    lieu_dit: str,
    cp: str,
    commune: str,
) -> None:
    bloc = formater_adresse(
        AdressePostale(
            civilite=civilite,
            prenom=prenom,
            nom=nom,
            complement_destinataire=c2,
            complement_lieu=c3,
            numero=numero,
            voie=voie,
            lieu_dit=lieu_dit,
            code_postal=cp,
            commune=commune,
        )
    )
    if bloc.ok:
        assert 2 <= len(bloc.lines) <= 6
        assert all(0 < len(line) <= LONGUEUR_MAX for line in bloc.lines)
        roles = [lg.role for lg in bloc.lignes]
        assert roles == sorted(roles) and roles[-1] == 6
        for lg in bloc.lignes:
            if lg.role >= 4:
                assert NORMALISEE.match(lg.texte), lg.texte
        assert re.match(r"^\d{5} ", bloc.lines[-1])
    else:
        assert bloc.reasons and bloc.lines == ()
