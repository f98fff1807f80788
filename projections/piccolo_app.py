import os

from piccolo.conf.apps import AppConfig

from projections.registry import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="projections",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=list(ALL_TABLES),
    migration_dependencies=[],
    commands=[],
)
