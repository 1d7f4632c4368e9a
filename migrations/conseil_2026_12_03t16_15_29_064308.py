from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T16:15:29:064308"
VERSION = "1.38.0"
DESCRIPTION = "Registre : effectifs tenus à jour par les écritures"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="conseil", description=DESCRIPTION
    )

    manager.add_table(
        class_name="RegisterTally",
        tablename="registre_effectif",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="RegisterTally",
        tablename="registre_effectif",
        column_name="council",
        db_column_name="council",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": True,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RegisterTally",
        tablename="registre_effectif",
        column_name="lignes",
        db_column_name="lignes",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RegisterTally",
        tablename="registre_effectif",
        column_name="personnes",
        db_column_name="personnes",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RegisterTally",
        tablename="registre_effectif",
        column_name="eligibles",
        db_column_name="eligibles",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RegisterTally",
        tablename="registre_effectif",
        column_name="evalues",
        db_column_name="evalues",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
