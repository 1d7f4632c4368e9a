"""Piccolo app registration: tables and the migrations folder at the project root."""

from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig

from service.db import tables
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

APP_CONFIG = AppConfig(
    app_name="conseil",
    migrations_folder_path=os.path.join(PROJECT_ROOT, "migrations"),
    table_classes=list(FOUNDATION_TABLES),
    migration_dependencies=[],
    commands=[],
)
