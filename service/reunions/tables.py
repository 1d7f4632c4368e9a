"""Tables of the meetings feature (réunions): meetings, agenda items, attachments,
members' proposals, attendance, decisions, minutes and residents' questions.

Members are referred to by the id of their ``membre`` row (an integer, not a foreign key:
the feature reaches the composition only through its use cases and its own store).
Attachments are kept in the database, so any worker can serve them (DESIGN.md §6).
"""

from __future__ import annotations

from piccolo.columns import Boolean, Bytea, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.organisation.tables import Council


class Reunion(Table, tablename="reunion"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    council = ForeignKey(references=Council, index=True)
    titre = Varchar(length=200)
    debut = Timestamptz()
    fin = Timestamptz()
    lieu = Varchar(length=300, default="")
    kind = Varchar(length=30, default="pleniere")
    publique = Boolean(default=False)
    status = Varchar(length=30, default="prevue")
    reportee_au = Timestamptz(null=True, default=None)
    # The postponed meeting this one replaces (status reportée), if any.
    report_de = Integer(null=True, default=None)
    second_convocation_of = Integer(null=True, default=None)
    urgence_motif = Text(default="")
    # Calendar date (Paris) the convocations went out: questions raised before it are on
    # the agenda.
    convoquee_le = Date(null=True, default=None)
    # Attendance closed: quorum figures as computed then.
    quorum_membres = Integer(null=True, default=None)
    quorum_requis = Integer(null=True, default=None)
    quorum_presents = Integer(null=True, default=None)
    version = Integer(default=1)
    sequence = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ReunionPoint(Table, tablename="reunion_point"):
    """One agenda item; ``parent`` is another item of the same meeting (sub-item)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    reunion = ForeignKey(references=Reunion, index=True)
    parent = Integer(null=True, default=None)
    position = Integer(default=1)
    titre = Varchar(length=200)
    rapporteur = Varchar(length=200, default="")
    duree_minutes = Integer(null=True, default=None)
    # "" ordinary, "questions" (residents' questions pending), "adoption_compte_rendu".
    kind = Varchar(length=30, default="")
    ref_id = Integer(null=True, default=None)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class ReunionPieceJointe(Table, tablename="reunion_piece_jointe"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    reunion = ForeignKey(references=Reunion, index=True)
    point = Integer(null=True, default=None)
    filename = Varchar(length=200)
    content_type = Varchar(length=100)
    size = Integer(default=0)
    sha256 = Varchar(length=64, default="")
    data = Bytea()
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ReunionProposition(Table, tablename="reunion_proposition"):
    """An agenda item proposed by a member: proposee → acceptee (an item) | refusee."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    reunion = ForeignKey(references=Reunion, index=True)
    membre = Integer(null=True, default=None)
    account = Integer(null=True, default=None)
    titre = Varchar(length=200)
    texte = Text(default="")
    status = Varchar(length=20, default="proposee")
    reponse = Text(default="")
    point = Integer(null=True, default=None)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)


class ReunionPresence(Table, tablename="reunion_presence"):
    """Attendance of one member at one meeting; ``porteur`` holds their proxy."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    reunion = ForeignKey(references=Reunion, index=True)
    membre = Integer(index=True)
    presence = Varchar(length=20)
    porteur = Integer(null=True, default=None)
    # "<reunion>:<membre>": one row per member and meeting on both engines.
    cle = Varchar(length=40, unique=True)
    recorded_at = Timestamptz(default=TimestamptzNow())


class ReunionDecision(Table, tablename="reunion_decision"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    reunion = ForeignKey(references=Reunion, index=True)
    point = Integer(index=True)
    texte = Text(default="")
    consensus = Boolean(default=False)
    pour = Integer(default=0)
    contre = Integer(default=0)
    abstention = Integer(default=0)
    voix_president = Varchar(length=20, default="")
    adopte = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class ReunionCompteRendu(Table, tablename="reunion_compte_rendu"):
    """One version of a meeting's minutes."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    reunion = ForeignKey(references=Reunion, index=True)
    numero_version = Integer(default=1)
    state = Varchar(length=20, default="brouillon")
    texte = Text(default="")
    adopte_en_reunion = Integer(null=True, default=None)
    adopte_le = Date(null=True, default=None)
    publie_le = Date(null=True, default=None)
    correction_motif = Text(default="")
    cle = Varchar(length=40, unique=True)  # "<reunion>:<numero_version>"
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ReunionQuestion(Table, tablename="reunion_question"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    council = ForeignKey(references=Council, index=True)
    raised_on = Date()
    channel = Varchar(length=20)
    texte = Text()
    destinataire = Varchar(length=20)
    status = Varchar(length=20, default="ouverte")
    reponse = Text(default="")
    answered_on = Date(null=True, default=None)
    reunion = Integer(null=True, default=None)
    auteur = Varchar(length=200, default="")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


TABLES: list[type[Table]] = [
    Reunion,
    ReunionPoint,
    ReunionPieceJointe,
    ReunionProposition,
    ReunionPresence,
    ReunionDecision,
    ReunionCompteRendu,
    ReunionQuestion,
]
