"""The drafts of a matter's ⑤ and ⑥ notices in the supervisors' review (issue 29). Written as `piccolo migrations
new projections --auto` makes it, a line a column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Date, Text, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T23:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "deliberation: drafts of ⑤/⑥ notices in review"

TABLE = ("MatterNoticeDraft", "matter_notice_draft")


def _p(default: object, index: bool = False, primary_key: bool = False, null: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": null, "primary_key": primary_key, "unique": False, "index": index},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


COLUMNS = [
    ("matter_id", UUID, _p(UUID4(), primary_key=True)),
    ("community_id", UUID, _p(UUID4(), index=True)),
    ("stage", Varchar, _p("", length=20)),
    ("text", Text, _p("")),
    ("state", Varchar, _p("", length=10)),
    ("review_due", Date, _p(DateNow())),
    ("reason", Text, _p("")),
    ("drafted_by", UUID, _p(None, null=True)),
    ("drafted_at", Timestamptz, _p(TimestamptzNow())),
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
