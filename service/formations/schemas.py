"""Request and response models of the training API (declared by hand, DESIGN.md §3.10)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from domain.training import format_hours
from service.formations.store import EnrolmentRow, SessionRow, TrainingRow
from service.formations.usecases.attendance import PersonHours, Sheet

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Day = Annotated[date, Field(ge=date(2014, 1, 1), le=date(2100, 12, 31))]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FormationCreate(_In):
    titre: str = Field(min_length=1, max_length=200, description="Titre de la formation")
    theme: str = Field("", max_length=200)
    objectifs: str = Field("", max_length=5000)
    organisme: str = Field("", max_length=200, description="Organisme ou formateur")
    public: str = Field("membres", description="membres | membres_suppleants | ouvert")
    auto_inscription: bool = Field(True, description="Les membres peuvent s'inscrire eux-mêmes")
    date_debut: Day | None = None
    date_fin: Day | None = None
    rappel_jours: int = Field(2, ge=0, le=30, description="Rappel envoyé ce nombre de jours avant chaque séance (0 : aucun)")
    conseils: list[Id] = Field(min_length=1, description="Conseils citoyens auxquels la formation est ouverte")


class FormationUpdate(FormationCreate):
    version: Id


class SeanceCreate(_In):
    debut: AwareDatetime
    fin: AwareDatetime
    pause_debut: time | None = Field(None, description="Début de la pause de midi (heure de Paris)")
    pause_fin: time | None = None
    lieu: str = Field("", max_length=300)
    lien_visio: str = Field("", max_length=500)
    capacite: int | None = Field(None, ge=1, le=10_000)


class SeanceUpdate(SeanceCreate):
    version: Id


class Version(_In):
    version: Id


class InscriptionCreate(_In):
    """Un membre (``membre_id``) ou, pour une formation ouverte, un habitant ou un partenaire."""

    membre_id: Id | None = None
    kind: str = Field("habitant", description="habitant | partenaire, quand il ne s'agit pas d'un membre")
    prenom: str = Field("", max_length=100)
    nom: str = Field("", max_length=100)
    sexe: str = Field("", pattern="^(F|M)?$")
    email: str = Field("", max_length=254)


class EmargementIn(_In):
    demi_journee: str = Field(description="matin | apres_midi")
    marque: str = Field(description="present | absent | excuse")


class Seance(BaseModel):
    id: int
    formation_id: int
    debut: datetime
    fin: datetime
    pause_debut: time | None
    pause_fin: time | None
    lieu: str
    lien_visio: str
    capacite: int | None
    annulee: bool
    sequence: int
    version: int
    inscrits: int | None = None
    en_attente: int | None = None

    @classmethod
    def of(cls, s: SessionRow, inscrits: int | None = None, en_attente: int | None = None) -> Seance:
        return cls(id=s.id, formation_id=s.formation_id, debut=s.debut, fin=s.fin, pause_debut=s.pause_debut,
                   pause_fin=s.pause_fin, lieu=s.lieu, lien_visio=s.lien_visio, capacite=s.capacite, annulee=s.annulee,
                   sequence=s.sequence, version=s.version, inscrits=inscrits, en_attente=en_attente)


class Formation(BaseModel):
    id: int
    territoire_id: int
    titre: str
    theme: str
    objectifs: str
    organisme: str
    public: str
    public_libelle: str
    auto_inscription: bool
    date_debut: date | None
    date_fin: date | None
    rappel_jours: int
    conseils: list[int]
    version: int
    seances: list[Seance] = []

    @classmethod
    def of(cls, t: TrainingRow, sessions: list[Seance] | None = None) -> Formation:
        return cls(id=t.id, territoire_id=t.territory_id, titre=t.titre, theme=t.theme, objectifs=t.objectifs,
                   organisme=t.organisme, public=t.public.value, public_libelle=t.public.label,
                   auto_inscription=t.auto_inscription, date_debut=t.date_debut, date_fin=t.date_fin,
                   rappel_jours=t.rappel_jours, conseils=list(t.council_ids), version=t.version, seances=sessions or [])


class Inscription(BaseModel):
    id: int
    seance_id: int
    membre_id: int | None
    kind: str
    prenom: str
    nom: str
    statut: str
    statut_libelle: str
    rang_attente: int | None = None
    version: int

    @classmethod
    def of(cls, e: EnrolmentRow, position: int | None = None) -> Inscription:
        return cls(id=e.id, seance_id=e.seance_id, membre_id=e.membre_id, kind=e.kind.value, prenom=e.prenom, nom=e.nom,
                   statut=e.status.value, statut_libelle=e.status.label, rang_attente=position, version=e.version)


class LigneEmargement(BaseModel):
    inscription: Inscription
    marques: dict[str, str]


class FeuilleEmargement(BaseModel):
    seance: Seance
    demi_journees: list[str]
    lignes: list[LigneEmargement]

    @classmethod
    def of(cls, sheet: Sheet) -> FeuilleEmargement:
        return cls(
            seance=Seance.of(sheet.session),
            demi_journees=[h.part.value for h in sheet.half_days],
            lignes=[LigneEmargement(inscription=Inscription.of(line.enrolment),
                                    marques={p.value: m.value for p, m in line.marks.items()}) for line in sheet.lines],
        )


class HeuresPersonne(BaseModel):
    person_key: str
    prenom: str
    nom: str
    membre_id: int | None
    heures: float
    heures_texte: str
    dates: list[date]

    @classmethod
    def of(cls, p: PersonHours) -> HeuresPersonne:
        e = p.enrolment
        return cls(person_key=e.person_key, prenom=e.prenom, nom=e.nom, membre_id=e.membre_id, heures=round(float(p.hours), 2),
                   heures_texte=format_hours(p.hours), dates=list(p.days))


class MonInscription(BaseModel):
    inscription: Inscription
    formation_id: int
    titre: str
    seance: Seance


class MesHeures(BaseModel):
    formation_id: int
    titre: str
    heures: float
    heures_texte: str
    dates: list[date]


class MesFormations(BaseModel):
    inscriptions: list[MonInscription]
    heures: list[MesHeures]


__all__ = ["format_hours"]
