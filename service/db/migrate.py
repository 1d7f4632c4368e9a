"""Apply Piccolo migrations to a given engine, without a global piccolo_conf lookup."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import types
from typing import Any

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

_CONF_MODULE = "service.db._runtime_piccolo_conf"


def install_conf(engine: Engine[Any]) -> None:
    """Make Piccolo's engine_finder return ``engine`` in this process."""
    module = types.ModuleType(_CONF_MODULE)
    vars(module).update(DB=engine, APP_REGISTRY=AppRegistry(apps=["service.db.piccolo_app"]))
    sys.modules[_CONF_MODULE] = module
    os.environ["PICCOLO_CONF"] = _CONF_MODULE
    Migration._meta.db = engine


class MigrationError(RuntimeError):
    pass


async def upgrade(engine: Engine[Any], *, quiet: bool = True) -> None:
    install_conf(engine)
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="conseil")
    if not result.success:
        raise MigrationError(f"Échec des migrations : {result.message}\n{out.getvalue()}")
