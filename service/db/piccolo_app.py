"""Piccolo app registration: tables and the migrations folder at the project root."""

from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig

from service import features
from service.db import tables, tables_candidatures, tables_documents, tables_tirage
from service.settings import PROJECT_ROOT

FOUNDATION_TABLES = [
    tables.Territory,
    tables.Qpv,
    tables.Council,
    tables.CouncilQpv,
    tables.Account,
    tables.RoleAssignment,
    tables.WebSession,
    tables.ApiToken,
    tables.Invitation,
    tables.LoginAttempt,
    tables.AppState,
    tables.AuditEvent,
    tables.AuditHead,
]

# Shared by the registers, the draws and the volunteers' draws.
POOL_TABLES = [tables.Pool, tables.PoolMember]

# Each feature appends its own list here (one line per feature keeps merges simple).
FEATURE_TABLES: list[type] = [*POOL_TABLES]
FEATURE_TABLES += tables_candidatures.TABLES
FEATURE_TABLES += tables_tirage.DRAW_TABLES
FEATURE_TABLES += tables_documents.DOCUMENT_TABLES
# Features in the package shape declare their tables once (service/<feature>/feature.py).
FEATURE_TABLES += features.tables()

APP_CONFIG = AppConfig(
    app_name="conseil",
    migrations_folder_path=os.path.join(PROJECT_ROOT, "migrations"),
    table_classes=[*FOUNDATION_TABLES, *FEATURE_TABLES],
    migration_dependencies=[],
    commands=[],
)
