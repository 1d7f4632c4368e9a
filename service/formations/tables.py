"""Tables of the training feature: trainings of a territory, their sessions, enrolments
and attendance (feuille d'émargement, one mark per half-day)."""

from __future__ import annotations

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.composition.tables import Membre
from service.organisation.tables import Council, Territory


class Formation(Table, tablename="formation"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    territory = ForeignKey(references=Territory, index=True)
    titre = Varchar(length=200)
    theme = Varchar(length=200, default="")
    objectifs = Text(default="")
    organisme = Varchar(length=200, default="")  # organisation or trainer
    public = Varchar(length=30, default="membres")  # domain.training.Audience
    auto_inscription = Boolean(default=True)  # members may enrol themselves
    date_debut = Date(null=True, default=None)
    date_fin = Date(null=True, default=None)
    rappel_jours = Integer(default=2)  # reminder this many days before each session (0: none)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class FormationConseil(Table, tablename="formation_conseil"):
    """The councils a training is open to."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    formation = ForeignKey(references=Formation, index=True)
    council = ForeignKey(references=Council, index=True)


class Seance(Table, tablename="formation_seance"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    formation = ForeignKey(references=Formation, index=True)
    debut = Timestamptz()
    fin = Timestamptz()
    pause_debut = Varchar(length=5, default="")  # "12:30" local time, or ""
    pause_fin = Varchar(length=5, default="")
    lieu = Varchar(length=300, default="")
    lien_visio = Varchar(length=500, default="")
    capacite = Integer(null=True, default=None)
    annulee = Boolean(default=False)
    sequence = Integer(default=0)  # iCalendar SEQUENCE, raised on every change
    version = Integer(default=1)


class Inscription(Table, tablename="formation_inscription"):
    """One person on one session: enrolled, on the waiting list (in ``id`` order) or
    cancelled. Members are linked; residents and partners are named here."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    seance = ForeignKey(references=Seance, index=True)
    membre = ForeignKey(references=Membre, null=True, default=None, index=True)
    # "membre:<id>" or "externe:<normalised e-mail or name>": unique per session.
    person_key = Varchar(length=300)
    kind = Varchar(length=20, default="titulaire")  # domain.training.ParticipantKind
    prenom = Varchar(length=100, default="")
    nom = Varchar(length=100, default="")
    sexe = Varchar(length=1, default="")
    email = Varchar(length=254, default="")
    status = Varchar(length=20, default="inscrit")  # domain.training.EnrolmentStatus
    created_at = Timestamptz(default=TimestamptzNow())
    promoted_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    reminder_sent_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class Emargement(Table, tablename="formation_emargement"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    inscription = ForeignKey(references=Inscription, index=True)
    demi_journee = Varchar(length=20)  # domain.training.HalfDayPart
    marque = Varchar(length=20)  # domain.training.Mark
    recorded_at = Timestamptz(default=TimestamptzNow())
    recorded_by = Integer(null=True, default=None)


TABLES: list[type[Table]] = [Formation, FormationConseil, Seance, Inscription, Emargement]
