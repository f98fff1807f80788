from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import UUID
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-23T19:34:42:201685"
VERSION = "1.38.0"
DESCRIPTION = "居务公开: the days notices were first published; indexes for the board and the finance reports"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="projections", description=DESCRIPTION
    )

    manager.add_table(
        class_name="PublishedDay",
        tablename="disclosure_published_day",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="PublishedDay",
        tablename="disclosure_published_day",
        column_name="community_id",
        db_column_name="community_id",
        column_class_name="UUID",
        column_class=UUID,
        params={
            "default": UUID4(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="PublishedDay",
        tablename="disclosure_published_day",
        column_name="category",
        db_column_name="category",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 10,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="PublishedDay",
        tablename="disclosure_published_day",
        column_name="published_on",
        db_column_name="published_on",
        column_class_name="Date",
        column_class=Date,
        params={
            "default": DateNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    async def indexes() -> None:
        # The board newest first (and as of a moment) and the finance reports, per community, at any size.
        from projections.disclosure import BoardEntry

        for statement in (
            "CREATE INDEX IF NOT EXISTS disclosure_board_community_published "
            "ON disclosure_board (community_id, published_at)",
            "CREATE INDEX IF NOT EXISTS disclosure_notice_community_kind ON disclosure_notice (community_id, kind)",
        ):
            await BoardEntry.raw(statement)

    manager.add_raw(indexes)

    return manager
