"""Piccolo tables of the draw by lot (tirage au sort, cc-draw/1) and of its pools (viviers).

A pool (``Pool``) is the frozen, pseudonymous input of a draw, built from a register or
from the volunteers' applications. The ranking of a draw can hold a million keys: it is
stored as one compressed blob per draw (``Draw.ranking``) rather than a row per person,
so that ranking 1M entries stays a matter of seconds. Rows exist only for people actually
invited (``DrawInvitation``) and for the seats they hold (``DrawSeat``).
"""

from __future__ import annotations

from piccolo.columns import JSON, Bytea, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.organisation.tables import Council


class Pool(Table, tablename="vivier"):
    """A frozen cc-draw/1 pool file (protocol §2) and where it came from.

    Built from a council's register (``kind="residents"``) or from its eligible volunteers
    (``kind="volontaires"``). ``content`` is the exact pool file, so the digest published
    in a commitment can always be re-checked, even after the register was purged.
    """

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    council = ForeignKey(references=Council, index=True)
    kind = Varchar(length=20, default="residents")
    label = Varchar(length=200, default="")
    reference_date = Varchar(length=10, default="")  # ISO date the eligibility was evaluated at
    stratification = JSON(default={})  # how strata were formed, e.g. {"sexe": true, "secteur": "bureau"}
    digest = Varchar(length=64, index=True)
    size = Integer(default=0)
    strata_counts = JSON(default={})
    content = Bytea(default=b"")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class PoolMember(Table, tablename="vivier_entree"):
    """One line of a pool, plus the link back to the person it stands for.

    ``subject_type``/``subject_id`` point at a register person (``"resident"``) or an
    application (``"candidature"``); they are the only bridge from the pseudonymous pool
    to personal data, and they are never exported.
    """

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    pool = ForeignKey(references=Pool, index=True)
    key = Varchar(length=64, index=True)
    stratum = Varchar(length=100)
    household = Varchar(length=64, default="")
    subject_type = Varchar(length=20, default="resident")
    subject_id = Integer(null=True, default=None)


class Draw(Table, tablename="tirage"):
    """One draw: a pool and a plan frozen by a commitment, then one entropy, ever.

    ``version`` is bumped by every write (optimistic locking: two leads pressing "draw"
    at once, one wins). ``entropy_commitment`` is set to the commitment when the entropy
    is entered; being unique, it makes the database itself refuse a second entropy for a
    commitment, even on another draw that happens to commit to the same pool and plan.
    """

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    council = ForeignKey(references=Council, index=True)
    pool = ForeignKey(references=Pool, index=True)
    kind = Varchar(length=20, default="residents")
    reference = Varchar(length=40, unique=True)
    status = Varchar(length=20, default="prepared")
    label = Varchar(length=200, default="")
    params = JSON(default={})  # what the lead asked for (seats, odd seat, multiple…)
    plan = JSON(default={})  # the cc-draw/1 plan object, exactly as committed
    pool_digest = Varchar(length=64)
    pool_size = Integer(default=0)
    strata_counts = JSON(default={})
    commitment = Varchar(length=64, default="")
    committed_at = Timestamptz(null=True, default=None)
    entropy = Text(null=True, default=None)
    entropy_kind = Varchar(length=10, default="")
    entropy_by = Varchar(length=254, default="")
    entropy_by_id = Integer(null=True, default=None)
    entropy_at = Timestamptz(null=True, default=None)
    entropy_commitment = Varchar(length=64, null=True, default=None, unique=True)
    seed = Varchar(length=64, default="")
    ranking = Bytea(null=True, default=None)  # zlib("\n".join(keys of each stratum, then skipped))
    ranking_digest = Varchar(length=64, default="")
    ranked_counts = JSON(default={})  # {stratum: length of its ranked list}
    skipped_count = Integer(default=0)
    ranked_at = Timestamptz(null=True, default=None)
    place = Varchar(length=200, default="")  # where the public session is held
    present = Text(default="")  # people present, one a line (for the procès-verbal)
    prepared_by = Integer(null=True, default=None)
    prepared_at = Timestamptz(default=TimestamptzNow())
    abandoned_at = Timestamptz(null=True, default=None)
    abandoned_by = Varchar(length=254, default="")
    abandon_reason = Text(default="")
    replaces = Integer(null=True, default=None)  # the abandoned draw this one redoes
    replaced_by = Integer(null=True, default=None)
    version = Integer(default=1)


class DrawRound(Table, tablename="tirage_tour"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    draw = ForeignKey(references=Draw, index=True)
    number = Integer()
    round_key = Varchar(length=40, unique=True)  # "<draw id>:<number>"
    proposed = JSON(default={})  # the service's proposal per stratum
    invited = JSON(default={})  # what the lead confirmed per stratum
    at = Timestamptz()
    deadline = Timestamptz(null=True, default=None)
    created_by = Varchar(length=254, default="")


class DrawInvitation(Table, tablename="tirage_invitation"):
    """One invited person. ``code_digest`` is SHA-256 of the reply code printed on the
    letter (the code itself is derived from the service secret and never stored)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    draw = ForeignKey(references=Draw, index=True)
    round = Integer()
    key = Varchar(length=64)
    invitation_key = Varchar(length=120, unique=True)  # "<draw id>:<key>"
    stratum = Varchar(length=100)
    rank = Integer()
    subject_type = Varchar(length=20, default="")
    subject_id = Integer(null=True, default=None)
    code_digest = Varchar(length=64, unique=True)
    reply = Varchar(length=20, default="")  # accepted / declined / no_reply / returned_npai
    replied_at = Timestamptz(null=True, default=None)
    reply_via = Varchar(length=10, default="")  # lead / online / csv
    contact = Text(default="")  # how to reach them, as given in an online reply
    departed_at = Timestamptz(null=True, default=None)


class DrawSeat(Table, tablename="tirage_siege"):
    """Titulaires and suppléants per stratum in rank order; rebuilt after every reply."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    draw = ForeignKey(references=Draw, index=True)
    stratum = Varchar(length=100)
    role = Varchar(length=12)  # titulaire / suppleant
    position = Integer()
    key = Varchar(length=64)
    invitation = Integer()


TABLES = [Pool, PoolMember, Draw, DrawRound, DrawInvitation, DrawSeat]
