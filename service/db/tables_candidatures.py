"""Tables of applications (appels à candidatures, candidatures). The composition's
tables (members and their history) are in service/composition/tables.py.

Personal data lives in ``candidature_habitant`` (applicants). The audit trail only ever
holds ids and digests.
Uniqueness over several columns is a computed key column (``dedup_key``), as Piccolo
has no composite unique constraint.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.db.tables import Council


class AppelCandidatures(Table, tablename="appel_candidatures"):
    """A call for applications of one council, for one college, open between two dates."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    council = ForeignKey(references=Council, index=True)
    college = Varchar(length=30)  # "habitants" (volunteers) | "associations_acteurs"
    title = Varchar(length=200)
    text = Text(default="")
    opens_on = Date()
    closes_on = Date()  # last day on which an application is accepted (inclusive)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class CandidatureHabitant(Table, tablename="candidature_habitant"):
    """A volunteer resident's application (personal data: never shown to auditors)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    appel = ForeignKey(references=AppelCandidatures, index=True)
    council = ForeignKey(references=Council, index=True)
    # appel id + normalised name + birth date: the same person applies once per call.
    dedup_key = Varchar(length=400, unique=True)
    prenom = Varchar(length=100)
    nom = Varchar(length=100)
    email = Varchar(length=254, default="")
    telephone = Varchar(length=30, default="")
    adresse = Varchar(length=200)
    complement = Varchar(length=200, default="")
    code_postal = Varchar(length=5)
    commune = Varchar(length=100)
    birth_date = Date()
    sexe = Varchar(length=1)
    motivation = Text(default="")
    disponibilites = Text(default="")
    consent = Boolean(default=False)
    consent_at = Timestamptz(null=True, default=None)
    # "dans-le-perimetre" | "hors-perimetre" | "a-verifier" (no perimeter imported)
    perimetre = Varchar(length=20, default="a-verifier")
    status = Varchar(length=20, default="deposee", index=True)  # deposee | acceptee | refusee
    reason = Text(default="")
    reviewed_by = Integer(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    selected_at = Timestamptz(null=True, default=None)  # drawn among volunteers
    submitted_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class CandidatureStructure(Table, tablename="candidature_structure"):
    """An association's or local actor's application."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    appel = ForeignKey(references=AppelCandidatures, index=True)
    council = ForeignKey(references=Council, index=True)
    dedup_key = Varchar(length=400, unique=True)  # appel id + SIRET/RNA (or name)
    structure = Varchar(length=200)
    kind = Varchar(length=20, default="association")  # association | acteur
    siret = Varchar(length=14, default="")
    rna = Varchar(length=10, default="")
    activite = Text(default="")
    adresse = Varchar(length=200, default="")
    code_postal = Varchar(length=5, default="")
    commune = Varchar(length=100, default="")
    representant_prenom = Varchar(length=100)
    representant_nom = Varchar(length=100)
    representant_sexe = Varchar(length=1, default="")
    representant_birth_date = Date(null=True, default=None)
    email = Varchar(length=254, default="")
    telephone = Varchar(length=30, default="")
    no_institutional_tie = Boolean(default=False)
    consent = Boolean(default=False)
    consent_at = Timestamptz(null=True, default=None)
    status = Varchar(length=20, default="deposee", index=True)
    reason = Text(default="")
    reviewed_by = Integer(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class FormulairePublicEnvoi(Table, tablename="formulaire_public_envoi"):
    """Submissions of the public forms, kept so every worker sees one rate limit."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    subject_key = Varchar(length=120, index=True)
    at = Timestamptz(default=TimestamptzNow())


TABLES = [
    AppelCandidatures,
    CandidatureHabitant,
    CandidatureStructure,
    FormulairePublicEnvoi,
]
