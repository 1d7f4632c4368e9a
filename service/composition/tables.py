"""Tables of the composition: members (one row per seat or place in the reserve, for one
mandate) and their history.

Personal data lives in ``membre`` (names of people who sit in a public body, and their
contact data). The audit trail only ever holds ids and digests.
"""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.comptes.tables import Account
from service.organisation.tables import Council


class Membre(Table, tablename="membre"):
    """One person's seat (or place in the reserve) in a council, for one mandate."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    council = ForeignKey(references=Council, index=True)
    college = Varchar(length=30)
    origin = Varchar(length=40)
    seat = Varchar(length=20, default="titulaire")
    prenom = Varchar(length=100)
    nom = Varchar(length=100)
    sexe = Varchar(length=1)
    # Normalised name + birth date (when known): used to refuse a representative of a
    # structure who is also a drawn resident of the same council.
    person_key = Varchar(length=300, default="", index=True)
    structure = Varchar(length=200, default="")
    email = Varchar(length=254, default="")
    telephone = Varchar(length=30, default="")
    contact_consent = Boolean(default=False)
    # Postal address (NF Z10-011 parts, as domain.adresse_postale.AdressePostale) for
    # convocations sent by post; set through the meetings feature.
    adresse_complement_destinataire = Varchar(length=100, default="")
    adresse_complement_lieu = Varchar(length=100, default="")
    adresse_numero = Varchar(length=20, default="")
    adresse_voie = Varchar(length=150, default="")
    adresse_lieu_dit = Varchar(length=100, default="")
    adresse_code_postal = Varchar(length=10, default="")
    adresse_commune = Varchar(length=100, default="")
    mandate_start = Date()
    mandate_end = Date()
    status = Varchar(length=20, default="actif")
    status_since = Date(null=True, default=None)
    stratum = Varchar(length=100, null=True, default=None)
    rank = Integer(null=True, default=None)
    # Where the member came from: a draw (draw id + pool key) or an application.
    draw_id = Integer(null=True, default=None)
    pool_key = Varchar(length=64, default="")
    subject_type = Varchar(length=20, default="")
    subject_id = Integer(null=True, default=None)
    replaces = Integer(null=True, default=None)  # the member whose seat this one took
    account = ForeignKey(references=Account, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class MembreHistorique(Table, tablename="membre_historique"):
    """Every state a member record went through (the parity timeline reads these)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    membre = ForeignKey(references=Membre, index=True)
    council = ForeignKey(references=Council, index=True)
    at = Timestamptz()
    actor_id = Integer(null=True, default=None)
    action = Varchar(length=40)  # creation | modification | depart | promotion
    snapshot = JSON(default={})  # the record's fields after the change (no contact data)
    override_reason = Text(default="")
    overridden_rules = JSON(default=[])


TABLES = [Membre, MembreHistorique]
