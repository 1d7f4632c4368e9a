"""Piccolo's configuration, for ``piccolo migrations …`` run from the project root.

The engine follows DATABASE_URL like the service does (see service/settings.py).
"""

from piccolo.conf.apps import AppRegistry

from service.db.engine import make_engine
from service.settings import load_settings

DB = make_engine(load_settings())

APP_REGISTRY = AppRegistry(apps=["service.db.piccolo_app"])
