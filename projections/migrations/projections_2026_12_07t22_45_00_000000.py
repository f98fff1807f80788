"""A sitting's speaker list (发言, issue 29). Written as `piccolo migrations new projections --auto` makes it, a line
a column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, BigInt, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T22:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "deliberation: the speaker lists of sittings"


def _p(default: object, index: bool = False, primary_key: bool = False, null: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": null, "primary_key": primary_key, "unique": False, "index": index},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


COLUMNS = [
    ("id", UUID, _p(UUID4(), primary_key=True)),
    ("floor_id", UUID, _p(UUID4(), index=True)),
    ("resident_id", UUID, _p(UUID4())),
    ("state", Varchar, _p("", length=10)),
    ("place", BigInt, _p(0)),
    ("asked_at", Timestamptz, _p(TimestamptzNow())),
    ("started_at", Timestamptz, _p(None, null=True)),
    ("seconds", Integer, _p(0)),
    ("ended_at", Timestamptz, _p(None, null=True)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projections", description=DESCRIPTION)
    manager.add_table(class_name="FloorView", tablename="meeting_floor", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="FloorView",
            tablename="meeting_floor",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
