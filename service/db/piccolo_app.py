"""Piccolo app registration: tables and the migrations folder at the project root."""

from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig

from service import features
from service.db import tables
from service.settings import PROJECT_ROOT

# Shared plumbing; the organisation, accounts and audit tables come with their features.
FOUNDATION_TABLES = [tables.AppState]

# Each feature declares its tables once (service/<feature>/feature.py).
FEATURE_TABLES: list[type] = features.tables()

APP_CONFIG = AppConfig(
    app_name="conseil",
    migrations_folder_path=os.path.join(PROJECT_ROOT, "migrations"),
    table_classes=[*FOUNDATION_TABLES, *FEATURE_TABLES],
    migration_dependencies=[],
    commands=[],
)
