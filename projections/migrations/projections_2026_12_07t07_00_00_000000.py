"""The server's check of its own record (issue 24): the alarm as the log's events left it. Written as `piccolo
migrations new projections --auto` makes it, a line a column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Boolean, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "chain: the record's check, failing or not"


def _p(default: object, primary_key: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": False, "primary_key": primary_key, "unique": False, "index": False},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


COLUMNS = [
    ("position", BigInt, _p(0, primary_key=True)),
    ("failing", Boolean, _p(False)),
    ("since", Timestamptz, _p(TimestamptzNow())),
    ("at", Timestamptz, _p(TimestamptzNow())),
    ("first_bad", BigInt, _p(0)),
    ("finding", Varchar, _p("", length=20)),
    ("other", BigInt, _p(0)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projections", description=DESCRIPTION)
    manager.add_table(class_name="VerificationView", tablename="chain_verification", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="VerificationView",
            tablename="chain_verification",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
