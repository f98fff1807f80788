"""Moving in and out of the register (issue 30): which dwellings stand vacant, and each move as the 一表通 counts
it. Written as `piccolo migrations new projections --auto` makes it, a line a column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, BigInt, Boolean, Date, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-08T01:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "residents: vacant dwellings and the register's moves (迁入, 迁出)"


def _p(default: object, index: bool = False, primary_key: bool = False, null: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": null, "primary_key": primary_key, "unique": False, "index": index},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


M = "RegisterMoveView"
COLUMNS = [
    ("HouseholdView", "household", "vacant", Boolean, _p(False)),
    (M, "register_move", "id", UUID, _p(UUID4(), primary_key=True)),
    (M, "register_move", "community_id", UUID, _p(UUID4(), index=True)),
    (M, "register_move", "household_id", UUID, _p(UUID4(), index=True)),
    (M, "register_move", "resident_id", UUID, _p(None, null=True)),
    (M, "register_move", "kind", Varchar, _p("", length=16)),
    (M, "register_move", "was_verified", Boolean, _p(False)),
    (M, "register_move", "moved_on", Date, _p(DateNow())),
    (M, "register_move", "at", Timestamptz, _p(TimestamptzNow())),
    (M, "register_move", "position", BigInt, _p(0)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projections", description=DESCRIPTION)
    manager.add_table(class_name=M, tablename="register_move", schema=None, columns=None)
    for table_class_name, tablename, name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name=table_class_name,
            tablename=tablename,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
