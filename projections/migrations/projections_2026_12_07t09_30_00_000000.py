"""The inbox's notices for everything that concerns a resident (issue 23 item 3): the residents' choices (kinds not
pushed, quiet hours; the opt-in kinds they want, read by community and kind), what the inbox keeps of the board's
notices (their titles, who raised each objection) and the command that registered each resident. The index over two
columns is the next migration's (a raw step runs before a migration's tables are made). The inbox is read again from
the log (its position back to 0), so that its rows are those a rebuild gives: the notices of the new kinds for events
already in the log included. Written as `piccolo migrations new projections --auto` would, a line a column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, UUID, Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T09:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "inbox: preferences, opt-ins, board notices' titles and objections"


def _p(default: object, primary_key: bool = False, index: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": False, "primary_key": primary_key, "unique": False, "index": index},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


TABLES = [
    (
        "InboxPreference",
        "inbox_preference",
        [
            ("resident_id", UUID, _p(None, primary_key=True)),
            ("community_id", UUID, _p(None)),
            ("push_off", JSON, _p("[]")),
            ("quiet_start", Integer, _p(22 * 60)),
            ("quiet_end", Integer, _p(7 * 60)),
        ],
    ),
    (
        "InboxOptIn",
        "inbox_opt_in",
        [
            ("resident_id", UUID, _p(None, index=True)),
            ("community_id", UUID, _p(None)),
            ("kind", Varchar, _p("", length=30)),
        ],
    ),
    (
        "InboxObjection",
        "inbox_objection",
        [
            ("notice_id", UUID, _p(None, index=True)),
            ("number", Integer, _p(0)),
            ("resident_id", UUID, _p(None)),
        ],
    ),
    (
        "InboxSubject",
        "inbox_subject",
        [("id", UUID, _p(None, primary_key=True)), ("title", Varchar, _p("", length=80))],
    ),
    (
        "InboxRegistration",
        "inbox_registration",
        [("resident_id", UUID, _p(None, primary_key=True)), ("command_id", Varchar, _p("", length=64))],
    ),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projections", description=DESCRIPTION)
    for class_name, tablename, columns in TABLES:
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
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

    async def read_again() -> None:
        from piccolo.apps.migrations.tables import Migration

        for table in ("inbox_notification", "inbox_state", "inbox_push_subscription"):
            await Migration.raw(f"DELETE FROM {table}")
        await Migration.raw("UPDATE projection_position SET position = 0 WHERE name = 'inbox'")

    manager.add_raw(read_again)
    return manager
