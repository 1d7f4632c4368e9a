"""The people behind the volunteers' pool keys, for the draw's letters (subject loader),
and the mark a draw leaves on the volunteers it selected (selection hook)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.adresse_postale import AdressePostale
from service.candidatures.store import CandidatureStore
from service.organisation.subjects import Subject

STORE = CandidatureStore()


async def load_volunteers(ids: Sequence[int]) -> dict[int, Subject]:
    out: dict[int, Subject] = {}
    for r in await STORE.volunteers_by_id(ids):
        civ = "Madame" if r.sexe == "F" else "Monsieur"
        out[r.id] = Subject(
            subject_type="candidature",
            subject_id=r.id,
            civilite=civ,
            prenom=r.prenom,
            nom=r.nom,
            sexe=r.sexe,
            birth_year=r.birth_date.year if r.birth_date else None,
            address=AdressePostale(
                civilite=civ,
                prenom=r.prenom,
                nom=r.nom,
                complement_lieu=r.complement,
                voie=r.adresse,
                code_postal=r.code_postal,
                commune=r.commune,
            ),
            email=r.email,
            telephone=r.telephone,
        )
    return out


async def mark_volunteers_selected(ids: Sequence[int], at: datetime) -> None:
    await STORE.mark_volunteers_selected(ids, at)
