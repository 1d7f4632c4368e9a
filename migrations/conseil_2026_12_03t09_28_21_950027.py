from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T09:28:21:953448"
VERSION = "1.38.0"
DESCRIPTION = "Audit trail keyed with an HMAC (issue 14, item 9)"


def _varchar(length: int) -> dict:
    return {
        "length": length,
        "default": "",
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="conseil", description=DESCRIPTION)
    manager.add_column(
        table_class_name="AuditEvent",
        tablename="journal_audit",
        column_name="mac",
        db_column_name="mac",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_varchar(64),
        schema=None,
    )
    manager.add_column(
        table_class_name="AuditHead",
        tablename="journal_audit_tete",
        column_name="last_mac",
        db_column_name="last_mac",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_varchar(64),
        schema=None,
    )
    return manager
