"""The inbox's opt-ins read by community and kind (a notice published on the board reaches every resident of the
community who asked for it): an index over the two columns, in a migration of its own since a raw step runs before
a migration's tables are made."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T09:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "inbox: opt-ins by community and kind"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projections", description=DESCRIPTION)

    async def index() -> None:
        from piccolo.apps.migrations.tables import Migration

        await Migration.raw(
            "CREATE INDEX IF NOT EXISTS inbox_opt_in_community_kind ON inbox_opt_in (community_id, kind)"
        )

    manager.add_raw(index)
    return manager
