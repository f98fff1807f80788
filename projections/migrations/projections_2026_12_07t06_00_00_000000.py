"""The keys of the record (issue 24): the log's and its witnesses', which the print view and the offline verifier
hand to the reader. Written as `piccolo migrations new projections --auto` makes it, a line a column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "chain: the log's and its witnesses' keys"


def _p(default: object, primary_key: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": False, "primary_key": primary_key, "unique": False, "index": False},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


COLUMNS = [
    ("name", Varchar, _p("", primary_key=True, length=100)),
    ("kind", Varchar, _p("", length=10)),
    ("public_key", Varchar, _p("", length=64)),
    ("added_at", Timestamptz, _p(TimestamptzNow())),
    ("current", Boolean, _p(True)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projections", description=DESCRIPTION)
    manager.add_table(class_name="KeyView", tablename="chain_key", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="KeyView",
            tablename="chain_key",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
