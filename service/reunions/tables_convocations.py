"""Tables of the convocations: one sending round per meeting version, one row per
meeting × member × version, and the members' personal calendar links.

Ids of meetings and members are plain integers (not foreign keys): the convocations
reach the meetings and the composition through their stores only (DESIGN.md §2), and
the migration then does not depend on the order in which features were merged.
"""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, Bytea, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class ConvocationRound(Table, tablename="reunion_convocation_envoi"):
    """One sending of a meeting's convocations (version 1, then one per change)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    reunion_id = Integer(index=True)
    council_id = Integer(index=True)
    version = Integer()
    # "reunion:version": one round per version, even with two secretaries at once.
    round_key = Varchar(length=40, unique=True)
    urgence = Boolean(default=False)
    motif = Text(default="")
    content_digest = Varchar(length=64, default="")
    """SHA-256 of what the convocation says (title, dates, place, agenda): an unchanged
    meeting convened again is the same round (idempotent)."""
    snapshot = JSON(default={})
    """What the convocation said, to tell members what changed in the next version."""
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = Integer(null=True, default=None)
    posted_at = Timestamptz(null=True, default=None)
    """When the printable batch was marked as posted (its sending date)."""


class Convocation(Table, tablename="reunion_convocation"):
    """One member's convocation to one meeting, in one version."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    reunion_id = Integer(index=True)
    council_id = Integer(index=True)
    membre_id = Integer(index=True)
    version = Integer()
    # "reunion:membre:version": a member is never convened twice to the same version.
    dedup_key = Varchar(length=60, unique=True)
    channel = Varchar(length=10)  # email | courrier
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    """E-mail handed to the outbox's sender / printed batch marked as posted."""
    sha256 = Varchar(length=64, default="")
    """SHA-256 of the PDF sent (the mail's own digest is the outbox's)."""
    pdf = Bytea(null=True, default=None)
    outbox_id = Integer(null=True, default=None)
    replaced_by = Integer(null=True, default=None)
    replaced_at = Timestamptz(null=True, default=None)
    ack_token_hash = Varchar(length=64, unique=True)
    acknowledged_at = Timestamptz(null=True, default=None)
    answer = Varchar(length=20, default="")  # "" | present | absent_excuse | pouvoir
    answered_at = Timestamptz(null=True, default=None)
    proxy_holder_id = Integer(null=True, default=None)
    changes = Text(default="")
    """What changed since the previous version, as the member reads it."""


class CalendarLink(Table, tablename="reunion_calendrier_lien"):
    """A member's secret personal calendar feed (revocable: a new one replaces it)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    membre_id = Integer(index=True)
    council_id = Integer(index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


CONVOCATION_TABLES: list[type[Table]] = [ConvocationRound, Convocation, CalendarLink]
