"""全程代办 (issue 30): the errands done for residents and their steps. Written as
`piccolo migrations new projections --auto` makes it, a line a column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, BigInt, Date, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T23:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "workload: errands done for residents (全程代办) and their steps"

TABLES = [("ErrandView", "workload_errand"), ("ErrandStep", "workload_errand_step")]


def _p(default: object, index: bool = False, primary_key: bool = False, null: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": null, "primary_key": primary_key, "unique": False, "index": index},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


V, S = "ErrandView", "ErrandStep"
COLUMNS = [
    (V, "workload_errand", "id", UUID, _p(UUID4(), primary_key=True)),
    (V, "workload_errand", "community_id", UUID, _p(UUID4(), index=True)),
    (V, "workload_errand", "resident_id", UUID, _p(UUID4(), index=True)),
    (V, "workload_errand", "item_code", Varchar, _p("", length=30)),
    (V, "workload_errand", "item_name", Varchar, _p("", length=40)),
    (V, "workload_errand", "office", Varchar, _p("", length=40)),
    (V, "workload_errand", "documents", Text, _p("")),
    (V, "workload_errand", "received", Text, _p("")),
    (V, "workload_errand", "status", Varchar, _p("", length=12)),
    (V, "workload_errand", "handed_on", Date, _p(None, null=True)),
    (V, "workload_errand", "result", Varchar, _p("", length=16)),
    (V, "workload_errand", "reason", Text, _p("")),
    (V, "workload_errand", "opened_at", Timestamptz, _p(TimestamptzNow(), index=True)),
    (V, "workload_errand", "opened_by", UUID, _p(None, null=True)),
    (V, "workload_errand", "updated_at", Timestamptz, _p(TimestamptzNow())),
    (V, "workload_errand", "position", BigInt, _p(0)),
    (S, "workload_errand_step", "errand_id", UUID, _p(UUID4(), index=True)),
    (S, "workload_errand_step", "community_id", UUID, _p(UUID4(), index=True)),
    (S, "workload_errand_step", "kind", Varchar, _p("", length=20)),
    (S, "workload_errand_step", "detail", Text, _p("")),
    (S, "workload_errand_step", "at", Timestamptz, _p(TimestamptzNow(), index=True)),
    (S, "workload_errand_step", "actor_id", UUID, _p(None, null=True)),
    (S, "workload_errand_step", "position", BigInt, _p(0)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projections", description=DESCRIPTION)
    for class_name, tablename in TABLES:
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
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
