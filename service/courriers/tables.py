"""Tables of the letters feature (courriers): each council's letter wording and the letter batches.

The batch's PDF is kept in the database (in chunks), not on a worker's disk, so any
worker can serve the download (DESIGN.md §6: no state another worker would need).
Batches hold names and addresses inside their PDF: only the latest batch of a round is
kept (a new generation replaces it).
"""

from __future__ import annotations

from piccolo.columns import JSON, Bytea, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.organisation.tables import Council


class LetterTemplate(Table, tablename="modele_lettre"):
    """The wording of a council's letter to residents drawn (placeholders allowed)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    council = ForeignKey(references=Council, unique=True)
    wording = JSON(default={})
    logo = Bytea(null=True, default=None)
    logo_type = Varchar(length=20, default="")
    version = Integer(default=1)
    updated_at = Timestamptz(default=TimestamptzNow())
    updated_by = Integer(null=True, default=None)


class LetterBatch(Table, tablename="lot_courrier"):
    """One generation of the letters of a draw's round (background job and result)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    council = ForeignKey(references=Council, index=True)
    draw_id = Integer(index=True)
    round_no = Integer()
    status = Varchar(length=20, default="en_attente")
    total = Integer(default=0)
    done = Integer(default=0)
    mailed = Integer(default=0)
    withheld = JSON(default=[])
    """[{invitation_id, reason code, message}] — no names: pages look them up."""
    pdf_digest = Varchar(length=64, default="")
    pdf_size = Integer(default=0)
    pages = Integer(default=0)
    csv = Bytea(null=True, default=None)
    error = Text(default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    heartbeat_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class LetterBatchChunk(Table, tablename="lot_courrier_morceau"):
    """A slice of a batch's PDF (at most a few MB), in order."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    batch = ForeignKey(references=LetterBatch, index=True)
    seq = Integer()
    data = Bytea()


TABLES: list[type] = [LetterTemplate, LetterBatch, LetterBatchChunk]
