"""Registre : the figures of the registers already imported, counted once.

``registre_effectif`` is written by the use cases that change a register; the councils
that had a register before it existed get their figures here. Written by hand: a ``raw``
step runs before the tables of its own migration exist, hence a migration of its own."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T16:15:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Registre : effectifs des registres déjà importés"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="conseil", description=DESCRIPTION)

    async def backfill():
        from piccolo.table import Table

        class _Raw(Table):
            pass

        await _Raw.raw(
            "INSERT INTO registre_effectif (council, lignes, personnes, eligibles, evalues) "
            "SELECT council, COUNT(*), "
            "SUM(CASE WHEN doublon_de = '' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN doublon_de = '' AND eligibilite = 'eligible' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN doublon_de = '' AND eligibilite <> '' THEN 1 ELSE 0 END) "
            "FROM registre_personne WHERE purged_at IS NULL GROUP BY council"
        )

    manager.add_raw(backfill)
    return manager
