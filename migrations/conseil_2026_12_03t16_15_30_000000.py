"""Registre : the figures of the registers already imported, counted once, and an index
to find rows by reference.

``registre_effectif`` is written by the use cases that change a register; the councils
that had a register before it existed get their figures here. Rows are designated by
"<source>:<line>" (ambiguous pairs, merges): without an index on (source, line) each
lookup walked the council's rows (0.3 s for a million). Written by hand: a ``raw`` step
runs before the tables of its own migration exist, and Piccolo writes no index on two
columns, hence a migration of its own."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T16:15:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Registre : effectifs des registres déjà importés, index (source, ligne)"


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

    async def source_line_index():
        from piccolo.table import Table

        class _Raw(Table):
            pass

        await _Raw.raw(
            "CREATE INDEX IF NOT EXISTS registre_personne_source_line ON registre_personne (source, line)"
        )

    manager.add_raw(backfill)
    manager.add_raw(source_line_index)
    return manager
