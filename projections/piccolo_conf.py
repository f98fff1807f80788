"""Piccolo configuration. `projections.db.configure()` replaces DB with the engine for the settings in use."""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.sqlite import SQLiteEngine

DB = SQLiteEngine(path="var/views.sqlite3")

APP_REGISTRY = AppRegistry(apps=["projections.piccolo_app"])
