"""The indexes over several columns the baseline's tables need (Piccolo's columns index one column each; a raw
step runs before a migration's tables are made, hence a migration of its own)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T20:04:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes over several columns"

INDEXES = [  # the board newest first (and as of a moment) and the finance reports, per community, at any size
    "CREATE INDEX IF NOT EXISTS disclosure_board_community_published ON disclosure_board (community_id, published_at)",
    "CREATE INDEX IF NOT EXISTS disclosure_notice_community_kind ON disclosure_notice (community_id, kind)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projections", description=DESCRIPTION)

    async def indexes() -> None:
        from piccolo.apps.migrations.tables import Migration

        for statement in INDEXES:
            await Migration.raw(statement)

    manager.add_raw(indexes)
    return manager
