"""准入清单 (issue 30): the street's admission list as its edits, the tasks assigned from it, the attempts refused
(未准入) and the applications (申请准入). Written as `piccolo migrations new projections --auto` makes it, a line a
column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, BigInt, Boolean, Date, Text, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T22:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "workload: the admission list, tasks, refused attempts, applications"

TABLES = [
    ("AdmissionEditView", "workload_admission_edit"),
    ("TaskView", "workload_task"),
    ("RefusedView", "workload_refused"),
    ("ApplicationView", "workload_application"),
]


def _p(default: object, index: bool = False, primary_key: bool = False, null: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": null, "primary_key": primary_key, "unique": False, "index": index},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


E, T, R, A = TABLES
COLUMNS = [
    (*E, "street", Varchar, _p("", index=True, length=40)),
    (*E, "code", Varchar, _p("", length=20)),
    (*E, "removed", Boolean, _p(False)),
    (*E, "added", Boolean, _p(False)),
    (*E, "kind", Varchar, _p("", length=10)),
    (*E, "title", Varchar, _p("", length=60)),
    (*E, "basis", Text, _p("")),
    (*E, "department_id", UUID, _p(None, null=True)),
    (*E, "funding", Text, _p("")),
    (*E, "edit_basis", Text, _p("")),
    (*E, "effective_from", Date, _p(DateNow())),
    (*E, "at", Timestamptz, _p(TimestamptzNow())),
    (*E, "actor_id", UUID, _p(None, null=True)),
    (*E, "position", BigInt, _p(0, index=True)),
    (*T, "id", UUID, _p(UUID4(), primary_key=True)),
    (*T, "community_id", UUID, _p(UUID4(), index=True)),
    (*T, "street", Varchar, _p("", index=True, length=40)),
    (*T, "department_id", UUID, _p(UUID4(), index=True)),
    (*T, "code", Varchar, _p("", length=20)),
    (*T, "kind", Varchar, _p("", length=10)),
    (*T, "title", Varchar, _p("", length=60)),
    (*T, "basis", Text, _p("")),
    (*T, "funding", Text, _p("")),
    (*T, "deadline", Date, _p(DateNow())),
    (*T, "details", Text, _p("")),
    (*T, "state", Varchar, _p("", length=10)),
    (*T, "assigned_at", Timestamptz, _p(TimestamptzNow())),
    (*T, "assigned_by", UUID, _p(None, null=True)),
    (*T, "accepted_at", Timestamptz, _p(None, null=True)),
    (*T, "done_at", Timestamptz, _p(None, null=True)),
    (*T, "note", Text, _p("")),
    (*R, "id", UUID, _p(UUID4(), primary_key=True)),
    (*R, "community_id", UUID, _p(UUID4(), index=True)),
    (*R, "street", Varchar, _p("", index=True, length=40)),
    (*R, "department_id", UUID, _p(UUID4(), index=True)),
    (*R, "code", Varchar, _p("", length=20)),
    (*R, "title", Varchar, _p("", length=60)),
    (*R, "reason", Varchar, _p("", length=20)),
    (*R, "deadline", Date, _p(None, null=True)),
    (*R, "at", Timestamptz, _p(TimestamptzNow())),
    (*R, "actor_id", UUID, _p(None, null=True)),
    (*A, "id", UUID, _p(UUID4(), primary_key=True)),
    (*A, "street", Varchar, _p("", index=True, length=40)),
    (*A, "department_id", UUID, _p(UUID4(), index=True)),
    (*A, "kind", Varchar, _p("", length=10)),
    (*A, "title", Varchar, _p("", length=60)),
    (*A, "basis", Text, _p("")),
    (*A, "funding", Text, _p("")),
    (*A, "effective_from", Date, _p(DateNow())),
    (*A, "attempt_id", UUID, _p(None, null=True)),
    (*A, "state", Varchar, _p("", length=10)),
    (*A, "code", Varchar, _p("", length=20)),
    (*A, "reason", Text, _p("")),
    (*A, "applied_at", Timestamptz, _p(TimestamptzNow())),
    (*A, "decided_at", Timestamptz, _p(None, null=True)),
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
