"""Piccolo tables of the resident registers (issue 3).

One row of ``registre_personne`` per imported *row* (not per person): deduplication
across the sources of a council marks the absorbed rows with the reference of the row
that stands for the person (``doublon_de``), so a later import, or a person's decision
on an ambiguous pair, can recompute who is who without losing what each source said.

Birth dates are stored as ISO text (``""`` when unknown): the same on both engines, and
what the raw bulk loaders write fastest. Addresses are stored split *and* with the keys
the domain computed, so entries are rebuilt without parsing the address again.

Personal data lives only in ``registre_personne``, in the rejected rows kept for
download (``registre_source.rejets``) and in exclusion lists (``registre_source.contenu``);
the retention purge empties those, never the pool tables.
"""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.organisation.tables import Council


class RegisterSource(Table, tablename="registre_source"):
    """One imported file: a register (``liste``, ``bailleur``), a perimeter or an
    exclusion list. Only successful imports are stored (a failed one leaves nothing)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    council = ForeignKey(references=Council, index=True)
    kind = Varchar(length=20)  # liste | bailleur | perimetre | exclusions
    file_name = Varchar(length=255, default="")
    format = Varchar(length=10, default="csv")
    encoding = Varchar(length=40, default="")
    delimiter = Varchar(length=4, default="")
    digest = Varchar(length=64)
    # council id + digest: the same file imported twice into one council is refused.
    # Rewritten on purge so that a purged file may be imported again for a new draw.
    digest_key = Varchar(length=100, unique=True)
    mapping_name = Varchar(length=100, default="")
    mapping = JSON(default={})
    header = JSON(default=[])
    rows_read = Integer(default=0)
    imported = Integer(default=0)
    rejected = Integer(default=0)
    merged = Integer(default=0)
    status = Varchar(length=20, default="importe")  # importe | partiel | purge
    # [{"line", "field", "code", "message", "values": [...]}, …] — rows not imported
    rejets = JSON(default=[])
    # council-wide figures after this import (people, merges, ambiguous pairs …)
    rapport = JSON(default={})
    # perimeter rules / exclusion list, as parsed (only for those kinds)
    contenu = JSON(default=[])
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    purged_at = Timestamptz(null=True, default=None)


class RegisterPerson(Table, tablename="registre_personne"):
    """One row of one register source (see module docstring)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker


    # Plain integers, not foreign keys: a million-row COPY would otherwise fire one
    # referential check per row on PostgreSQL. The use cases own the consistency (rows
    # are written only with the council and source of the same transaction).
    council = Integer(index=True)
    source = Integer()
    line = Integer(default=0)
    # A row is referred to as "<source id>:<line>" (Entry.reference); no column needed.
    doublon_de = Varchar(length=40, default="")  # ref of the row standing for the person
    nom_naissance = Varchar(length=200, default="")
    nom_usage = Varchar(length=200, default="")
    prenoms = Varchar(length=200, default="")
    cle_nom_naissance = Varchar(length=200, default="")
    cle_nom_usage = Varchar(length=200, default="")
    cle_prenoms = Varchar(length=200, default="")
    sexe = Varchar(length=1, default="")
    date_naissance = Varchar(length=10, default="")
    numero = Integer(null=True, default=None)
    suffixe = Varchar(length=12, default="")
    voie = Varchar(length=200, default="")
    voie_cle = Varchar(length=200, default="")
    complement = Varchar(length=300, default="")
    residence = Varchar(length=200, default="")
    batiment = Varchar(length=60, default="")
    logement = Varchar(length=60, default="")
    code_postal = Varchar(length=10, default="")
    commune = Varchar(length=200, default="")
    # The address keys (cle_rue, cle) are rebuilt from the parts above (see
    # store_rows._address_keys): two long strings less per row to store.
    bureau_vote = Varchar(length=20, default="")
    cle_vivier = Varchar(length=64, default="")  # random opaque pool key (pools.new_key)
    foyer = Varchar(length=32, default="")  # salted household key
    # The source's own household identifier (lease reference…), as the file gave it;
    # when present it decided ``foyer`` (domain/registre/households.py).
    foyer_source = Varchar(length=100, default="")
    eligibilite = Varchar(length=12, default="")  # "" (not evaluated) | eligible | ineligible
    motifs = Varchar(length=200, default="")  # reason codes, comma-separated
    selected_at = Timestamptz(null=True, default=None)
    purged_at = Timestamptz(null=True, default=None)


class RegisterTally(Table, tablename="registre_effectif"):
    """The figures of a council's register, written by every use case that changes its
    rows, in the same transaction (``RegisterStore.recount``).

    The council page and the register page show them: counting a million rows there
    cost 0.4 s per view, and more while an import ran (issue 14, ``http.load.import``).
    A council without a row here has no register row either (the migration that made
    this table counted the registers already imported)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    council = Integer(unique=True)
    lignes = Integer(default=0)  # rows not purged
    personnes = Integer(default=0)  # rows standing for a person (not absorbed)
    eligibles = Integer(default=0)  # people found eligible
    evalues = Integer(default=0)  # people with an eligibility status


class RegisterMapping(Table, tablename="registre_correspondance"):
    """A column mapping a council saved for its hand-typed files: {field: column title}."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    council = ForeignKey(references=Council, index=True)
    name = Varchar(length=100)
    name_key = Varchar(length=140, unique=True)  # council id + normalised name
    mapping = JSON(default={})
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class RegisterAmbiguousPair(Table, tablename="registre_paire_ambigue"):
    """Two rows that may be one person, for a person to decide."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    council = ForeignKey(references=Council, index=True)
    ref_a = Varchar(length=40)
    ref_b = Varchar(length=40)
    pair_key = Varchar(length=100, unique=True)  # council id + both refs
    code = Varchar(length=40, default="")
    message = Text(default="")
    decision = Varchar(length=30, default="")  # "" | meme-personne | personnes-distinctes
    decided_by = Integer(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class RegisterImportTask(Table, tablename="registre_tache"):
    """Progress of an import started from the pages (read by any worker)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    council = ForeignKey(references=Council, index=True)
    kind = Varchar(length=20, default="")
    file_name = Varchar(length=255, default="")
    status = Varchar(length=20, default="en-cours")  # en-cours | termine | echec
    stage = Varchar(length=40, default="")
    rows_done = Integer(default=0)
    source = Integer(null=True, default=None)
    error = JSON(default={})
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


REGISTRE_TABLES = [RegisterSource, RegisterPerson, RegisterTally, RegisterMapping,
                   RegisterAmbiguousPair, RegisterImportTask]
