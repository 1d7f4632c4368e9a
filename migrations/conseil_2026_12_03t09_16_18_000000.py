"""Formations: one enrolment per person and session, one mark per enrolment and half-day.

The database refuses a double submission even when two requests race. Written by hand:
Piccolo's auto migrations have no composite unique constraint, and a ``raw`` step runs
before the tables of its own migration exist, hence a migration of its own."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T09:16:18:000000"
VERSION = "1.38.0"
DESCRIPTION = "Formations : index uniques des inscriptions et des émargements"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="conseil", description=DESCRIPTION)

    async def unique_indexes():
        from piccolo.table import Table

        class _Raw(Table):
            pass

        await _Raw.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS formation_inscription_unique ON formation_inscription (seance, person_key)"
        )
        await _Raw.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS formation_emargement_unique ON formation_emargement (inscription, demi_journee)"
        )

    manager.add_raw(unique_indexes)
    return manager
