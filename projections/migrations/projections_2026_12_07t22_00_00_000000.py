"""一表通 (issue 30): the committee's submissions (报送) of a period's table, with the counts as submitted. Written as
`piccolo migrations new projections --auto` makes it, a line a column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, UUID, BigInt, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T22:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "workload: 一表通 submissions"

TABLE = ("SubmissionView", "workload_one_table_submission")


def _p(default: object, index: bool = False, null: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": null, "primary_key": False, "unique": False, "index": index},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


COLUMNS = [
    ("submission_id", UUID, _p(UUID4(), index=True)),
    ("community_id", UUID, _p(UUID4(), index=True)),
    ("period", Varchar, _p("", length=10)),
    ("number", Integer, _p(0)),
    ("log_position", BigInt, _p(0)),
    ("chain_head", Varchar, _p("", length=64)),
    ("counts", JSON, _p("{}")),
    ("submitted_by", UUID, _p(None, null=True)),
    ("submitted_at", Timestamptz, _p(TimestamptzNow())),
    ("position", BigInt, _p(0)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projections", description=DESCRIPTION)
    class_name, tablename = TABLE
    manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
