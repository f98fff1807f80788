"""The care views (issue 22, 关爱 and 走访): the households flagged for care, their categories sealed as the log holds
them, and the visits. Written as `piccolo migrations new projections --auto` makes it, a line a column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, BigInt, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T22:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "casework: care recipients and visits"

TABLES = [("CareView", "casework_care"), ("VisitView", "casework_visit")]


def _p(default: object, index: bool = False, primary_key: bool = False, null: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": null, "primary_key": primary_key, "unique": False, "index": index},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


COLUMNS = [
    ("CareView", "casework_care", "id", UUID, _p(UUID4(), primary_key=True)),
    ("CareView", "casework_care", "community_id", UUID, _p(UUID4(), index=True)),
    ("CareView", "casework_care", "household_id", UUID, _p(UUID4(), index=True)),
    ("CareView", "casework_care", "household", Varchar, _p("", length=60)),
    ("CareView", "casework_care", "building", Varchar, _p("", index=True, length=20)),
    ("CareView", "casework_care", "resident_id", UUID, _p(None, null=True)),
    ("CareView", "casework_care", "sealed_with", UUID, _p(UUID4())),
    ("CareView", "casework_care", "categories_sealed", Text, _p("")),
    ("CareView", "casework_care", "interval_days", Integer, _p(0)),
    ("CareView", "casework_care", "next_visit_due", Date, _p(DateNow(), index=True)),
    ("CareView", "casework_care", "last_visit", Date, _p(None, null=True)),
    ("CareView", "casework_care", "active", Boolean, _p(True)),
    ("CareView", "casework_care", "flagged_at", Timestamptz, _p(TimestamptzNow())),
    ("CareView", "casework_care", "position", BigInt, _p(0)),
    ("VisitView", "casework_visit", "id", UUID, _p(UUID4(), primary_key=True)),
    ("VisitView", "casework_visit", "community_id", UUID, _p(UUID4(), index=True)),
    ("VisitView", "casework_visit", "household_id", UUID, _p(UUID4(), index=True)),
    ("VisitView", "casework_visit", "household", Varchar, _p("", length=60)),
    ("VisitView", "casework_visit", "building", Varchar, _p("", length=20)),
    ("VisitView", "casework_visit", "visitor_id", UUID, _p(UUID4(), index=True)),
    ("VisitView", "casework_visit", "planned_by", UUID, _p(None, null=True)),
    ("VisitView", "casework_visit", "task", Text, _p("")),
    ("VisitView", "casework_visit", "due_on", Date, _p(None, null=True)),
    ("VisitView", "casework_visit", "shift_id", UUID, _p(None, null=True)),
    ("VisitView", "casework_visit", "visited_on", Date, _p(None, null=True)),
    ("VisitView", "casework_visit", "found", Text, _p("")),
    ("VisitView", "casework_visit", "case_id", UUID, _p(None, null=True)),
    ("VisitView", "casework_visit", "opened_at", Timestamptz, _p(TimestamptzNow())),
    ("VisitView", "casework_visit", "logged_at", Timestamptz, _p(None, null=True)),
    ("VisitView", "casework_visit", "position", BigInt, _p(0)),
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
