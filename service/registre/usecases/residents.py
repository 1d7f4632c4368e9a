"""Register people as the letters' subjects: names and addresses by row id, and the
mark a draw leaves on the people it invites (the retention purge spares them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.adresse_postale import AdressePostale
from service.organisation.subjects import Subject
from service.registre.records import AddresseeRow
from service.registre.store import RegisterStore
from service.registre.usecases.common import numero


async def load_residents(ids: Sequence[int]) -> dict[int, Subject]:
    """Register people by row id, as letters address them (purged rows are absent)."""
    return {r.id: _subject(r) for r in await RegisterStore().addressees(ids)}


def _subject(r: AddresseeRow) -> Subject:
    civilite = {"F": "Madame", "M": "Monsieur"}.get(r.sexe, "")
    prenom = (r.prenoms.split() or [""])[0]
    nom = r.nom_usage or r.nom_naissance
    num = numero(r.numero, r.suffixe)
    return Subject(
        subject_type="resident", subject_id=r.id, civilite=civilite, prenom=prenom, nom=nom,
        sexe=r.sexe,
        birth_year=int(r.date_naissance[:4]) if r.date_naissance else None,
        address=AdressePostale(civilite=civilite, prenom=prenom, nom=nom,
                               complement_lieu=r.complement, numero=num, voie=r.voie,
                               code_postal=r.code_postal, commune=r.commune),
    )


async def residents_selected(ids: Sequence[int], at: datetime) -> None:
    """People invited by a draw: the retention purge spares them from now on."""
    await RegisterStore().mark_selected(ids, at)
