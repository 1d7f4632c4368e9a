"""Request and response models of the meetings API, declared by hand (XCreate/XUpdate/X)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.meetings import AgendaItem, Meeting, Minutes, Question
from service.reunions.store import Attachment, MemberRef
from service.reunions.store_minutes import Decision, Proposal


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- meetings --------------------------------------------------------------------------


class ReunionCreate(_In):
    titre: str = Field(max_length=200)
    debut: datetime = Field(description="Début, avec fuseau horaire (ex. 2026-03-12T18:30:00+01:00)")
    fin: datetime = Field(description="Fin, après le début")
    lieu: str = Field(default="", max_length=300)
    publique: bool = False
    kind: str = Field(default="pleniere", description="pleniere, bureau, groupe_de_travail ou assemblee_publique")


class ReunionUpdate(_In):
    version: int
    titre: str | None = Field(default=None, max_length=200)
    debut: datetime | None = None
    fin: datetime | None = None
    lieu: str | None = Field(default=None, max_length=300)
    publique: bool | None = None
    kind: str | None = None


class VersionIn(_In):
    version: int


class ReportIn(_In):
    version: int
    debut: datetime
    fin: datetime


class SecondeConvocationIn(_In):
    debut: datetime
    fin: datetime
    lieu: str | None = Field(default=None, max_length=300)


class Reunion(BaseModel):
    id: int
    council_id: int
    titre: str
    debut: datetime
    fin: datetime
    lieu: str
    kind: str
    kind_label: str
    publique: bool
    status: str
    status_label: str
    reportee_au: datetime | None
    report_de: int | None
    second_convocation_of: int | None
    urgence_motif: str
    convoquee_le: date | None
    quorum_membres: int | None
    quorum_requis: int | None
    quorum_presents: int | None
    version: int
    sequence: int


def reunion_out(m: Meeting) -> Reunion:
    assert m.id is not None
    return Reunion(
        id=m.id, council_id=m.council_id, titre=m.titre, debut=m.debut, fin=m.fin, lieu=m.lieu, kind=m.kind.value,
        kind_label=m.kind.label, publique=m.publique, status=m.status.value, status_label=m.status.label,
        reportee_au=m.reportee_au, report_de=m.report_de, second_convocation_of=m.second_convocation_of,
        urgence_motif=m.urgence_motif, convoquee_le=m.convoquee_le, quorum_membres=m.quorum_membres,
        quorum_requis=m.quorum_requis, quorum_presents=m.quorum_presents, version=m.version, sequence=m.sequence,
    )


class Report(BaseModel):
    reportee: Reunion
    nouvelle: Reunion


class SecondeConvocationProposition(BaseModel):
    reunion_id: int
    date_au_plus_tot: date
    message: str


# --- agenda ------------------------------------------------------------------------------


class PointCreate(_In):
    titre: str = Field(max_length=200)
    parent_id: int | None = None
    rapporteur: str = Field(default="", max_length=200)
    duree_minutes: int | None = None
    version: int | None = Field(default=None, description="Version lue de la réunion (facultative)")


class PointUpdate(_In):
    version: int
    titre: str | None = Field(default=None, max_length=200)
    rapporteur: str | None = Field(default=None, max_length=200)
    duree_minutes: int | None = None


class PointMove(_In):
    version: int = Field(description="Version lue du point")
    parent_id: int | None = None
    index: int = Field(ge=0, description="Place parmi les points du même parent, à partir de 0")


class Point(BaseModel):
    id: int
    reunion_id: int
    parent_id: int | None
    position: int
    numero: str
    titre: str
    rapporteur: str
    duree_minutes: int | None
    kind: str
    ref_id: int | None
    version: int


def point_out(i: AgendaItem) -> Point:
    return Point(id=i.id, reunion_id=i.meeting_id, parent_id=i.parent_id, position=i.position, numero=i.numero,
                 titre=i.titre, rapporteur=i.rapporteur, duree_minutes=i.duree_minutes, kind=i.kind,
                 ref_id=i.ref_id, version=i.version)


class ReunionDetail(BaseModel):
    reunion: Reunion
    ordre_du_jour: list[Point]


class PropositionCreate(_In):
    titre: str = Field(max_length=200)
    texte: str = Field(default="", max_length=5000)


class PropositionAccept(_In):
    version: int
    parent_id: int | None = None


class PropositionRefuse(_In):
    version: int
    reponse: str = Field(max_length=5000)


class Proposition(BaseModel):
    id: int
    reunion_id: int
    membre_id: int | None
    titre: str
    texte: str
    status: str
    reponse: str
    point_id: int | None
    version: int
    created_at: datetime


def proposition_out(p: Proposal) -> Proposition:
    return Proposition(id=p.id, reunion_id=p.meeting_id, membre_id=p.membre_id, titre=p.titre, texte=p.texte,
                       status=p.status, reponse=p.reponse, point_id=p.point_id, version=p.version,
                       created_at=p.created_at)


class PieceJointe(BaseModel):
    id: int
    reunion_id: int
    point_id: int | None
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


def piece_out(a: Attachment) -> PieceJointe:
    return PieceJointe(id=a.id, reunion_id=a.meeting_id, point_id=a.point_id, filename=a.filename,
                       content_type=a.content_type, size=a.size, sha256=a.sha256, created_at=a.created_at)


# --- attendance, decisions ----------------------------------------------------------------


class PresenceIn(_In):
    presence: str = Field(description="present, absent_excuse ou absent")


class PouvoirIn(_In):
    membre_id: int = Field(description="Le membre absent qui donne pouvoir")
    porteur_id: int = Field(description="Le membre présent qui le reçoit")


class MembrePresence(BaseModel):
    membre_id: int
    nom: str
    presence: str | None
    presence_label: str | None
    pouvoir_a: int | None


class Quorum(BaseModel):
    membres: int
    requis: int
    presents: int
    atteint: bool
    seconde_convocation: bool
    message: str


class Presences(BaseModel):
    reunion: Reunion
    membres: list[MembrePresence]
    quorum: Quorum | None


class DecisionCreate(_In):
    point_id: int
    texte: str = Field(default="", max_length=20000)
    consensus: bool = False
    pour: int = Field(default=0, ge=0)
    contre: int = Field(default=0, ge=0)
    abstention: int = Field(default=0, ge=0)
    voix_president: str = Field(default="", description="Vote du président (pour, contre), en cas d'égalité")


class DecisionOut(BaseModel):
    id: int
    reunion_id: int
    point_id: int
    texte: str
    consensus: bool
    pour: int
    contre: int
    abstention: int
    voix_president: str
    adopte: bool


def decision_out(d: Decision) -> DecisionOut:
    return DecisionOut(id=d.id, reunion_id=d.meeting_id, point_id=d.point_id, texte=d.texte, consensus=d.consensus,
                       pour=d.pour, contre=d.contre, abstention=d.abstention, voix_president=d.voix_president,
                       adopte=d.adopte)


# --- minutes ----------------------------------------------------------------------------


class CompteRenduCreate(_In):
    texte: str | None = Field(default=None, description="Par défaut : trame tirée de l'ordre du jour")


class CompteRenduUpdate(_In):
    version: int
    texte: str


class CompteRenduAdoption(_In):
    version: int
    adopte_en_reunion_id: int = Field(description="La réunion ultérieure, tenue, qui adopte le compte rendu")
    consensus: bool = True
    pour: int = Field(default=0, ge=0)
    contre: int = Field(default=0, ge=0)
    abstention: int = Field(default=0, ge=0)
    voix_president: str = ""


class CompteRenduCorrection(_In):
    version: int
    texte: str
    motif: str = Field(max_length=2000)


class CompteRendu(BaseModel):
    id: int
    reunion_id: int
    numero_version: int
    state: str
    state_label: str
    texte: str
    adopte_en_reunion_id: int | None
    adopte_le: date | None
    publie_le: date | None
    correction_motif: str
    version: int


def compte_rendu_out(m: Minutes) -> CompteRendu:
    assert m.id is not None
    return CompteRendu(id=m.id, reunion_id=m.meeting_id, numero_version=m.numero_version, state=m.state.value,
                       state_label=m.state.label, texte=m.texte, adopte_en_reunion_id=m.adopted_at_meeting,
                       adopte_le=m.adopted_on, publie_le=m.published_on, correction_motif=m.correction_motif,
                       version=m.version)


class ComptesRendus(BaseModel):
    versions: list[CompteRendu]
    date_limite_publication: date | None
    avertissement: str | None


# --- questions, absences, addresses ------------------------------------------------------


class QuestionCreate(_In):
    texte: str = Field(max_length=5000)
    destinataire: str = Field(description="ville, epci, bailleur, etat ou autre")
    raised_on: date | None = Field(default=None, description="Par défaut : aujourd'hui")
    reunion_id: int | None = None


class QuestionAnswer(_In):
    version: int
    reponse: str = Field(max_length=5000)
    answered_on: date | None = None


class QuestionOut(BaseModel):
    id: int
    council_id: int
    raised_on: date
    channel: str
    texte: str
    destinataire: str
    destinataire_label: str
    status: str
    status_label: str
    reponse: str
    answered_on: date | None
    delai_reponse_jours: int | None
    reunion_id: int | None
    version: int


def question_out(q: Question) -> QuestionOut:
    assert q.id is not None
    return QuestionOut(id=q.id, council_id=q.council_id, raised_on=q.raised_on, channel=q.channel.value, texte=q.texte,
                       destinataire=q.addressee.value, destinataire_label=q.addressee.label, status=q.status.value,
                       status_label=q.status.label, reponse=q.reponse, answered_on=q.answered_on,
                       delai_reponse_jours=q.answer_delay_days, reunion_id=q.meeting_id, version=q.version)


class AbsenceProposition(BaseModel):
    membre_id: int
    nom: str
    absences: int
    seuil: int
    dates: list[date]
    message: str


class FinDeMandatIn(_In):
    version: int = Field(description="Version lue de la fiche du membre")
    on: date | None = Field(default=None, description="Premier jour sans mandat ; par défaut aujourd'hui")
    override_reason: str = Field(default="", max_length=2000)


class FinDeMandatOut(BaseModel):
    membre_id: int
    status: str
    siege_vacant: bool
    remplacant_propose_id: int | None
    message: str


class AdresseUpdate(_In):
    version: int = Field(description="Version lue de la fiche du membre")
    complement_destinataire: str = Field(default="", max_length=100)
    complement_lieu: str = Field(default="", max_length=100)
    numero: str = Field(default="", max_length=20)
    voie: str = Field(default="", max_length=150)
    lieu_dit: str = Field(default="", max_length=100)
    code_postal: str = Field(default="", max_length=10)
    commune: str = Field(default="", max_length=100)


class Adresse(BaseModel):
    membre_id: int
    complement_destinataire: str
    complement_lieu: str
    numero: str
    voie: str
    lieu_dit: str
    code_postal: str
    commune: str
    version: int


def membre_presence(m: MemberRef, presence: str | None, label: str | None, to: int | None) -> MembrePresence:
    return MembrePresence(membre_id=m.id, nom=m.display_name, presence=presence, presence_label=label, pouvoir_a=to)
