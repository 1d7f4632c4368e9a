"""The mail outbox (service/outbox/tables.py), written by hand in the generated style."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Bytea, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T09:11:45:462189"
VERSION = "1.38.0"
DESCRIPTION = "courriel_sortant"

TABLE = "courriel_sortant"
CLASS = "OutboxMail"

# (name, column class, extra params)
COLUMNS = [
    ("kind", Varchar, {"length": 60, "default": ""}),
    ("reference", Varchar, {"length": 200, "default": "", "index": True}),
    ("council_id", Integer, {"default": None, "null": True, "index": True}),
    ("territory_id", Integer, {"default": None, "null": True}),
    ("recipient", Varchar, {"length": 320, "default": ""}),
    ("subject", Text, {"default": ""}),
    ("body", Text, {"default": ""}),
    ("attachments", JSON, {"default": "[]"}),
    ("message", Bytea, {"default": b""}),
    ("message_id", Varchar, {"length": 255, "default": ""}),
    ("state", Varchar, {"length": 20, "default": "en_attente", "index": True}),
    ("attempts", Integer, {"default": 0}),
    ("next_attempt_at", Timestamptz, {"default": TimestamptzNow(), "index": True}),
    ("claimed_by", Varchar, {"length": 120, "default": ""}),
    ("lease_until", Timestamptz, {"default": None, "null": True}),
    ("last_error", Text, {"default": ""}),
    ("sent_at", Timestamptz, {"default": None, "null": True}),
    ("sha256", Varchar, {"length": 64, "default": ""}),
    ("created_at", Timestamptz, {"default": TimestamptzNow()}),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="conseil", description=DESCRIPTION)
    manager.add_table(class_name=CLASS, tablename=TABLE, schema=None, columns=None)
    for name, column_class, extra in COLUMNS:
        params = {
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
            **extra,
        }
        manager.add_column(
            table_class_name=CLASS,
            tablename=TABLE,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
