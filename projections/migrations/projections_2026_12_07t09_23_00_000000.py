"""The idempotency keys of the offline outbox (issue 23, backend/web/idempotency.py): the first answer to each
resident's key, kept 7 days. Not a view of the log: nothing rebuilds it and no projection writes it; it lives in the
views' database because every web process (and every host on one PostgreSQL) reaches that one. Written as
`piccolo migrations new projections --auto` makes it, a line a column, after a raw step that drops the table: a views
database of an earlier lineage forgets every migration and runs them again (projections.db), and this table, which is
no projection's, would otherwise still be there. Losing the keys then costs at most a repeat run again."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Bytea, Integer, Text, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T09:23:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "web: the outbox's idempotency keys and their first answers"


def _p(default: object, primary_key: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": False, "primary_key": primary_key, "unique": False, "index": False},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


COLUMNS = [
    ("id", Varchar, _p("", primary_key=True, length=160)),  # "<resident id>/<key>": unique per actor and key
    ("claim", Varchar, _p("", length=32)),  # the random token of the request that holds the key
    ("method", Varchar, _p("", length=10)),
    ("path", Text, _p("")),
    ("created", BigInt, _p(0, index=True)),  # epoch seconds: when the key was claimed (expiry, stale claims)
    ("status", Integer, _p(0)),  # 0 while the first request runs; then its answer's status
    ("headers", Text, _p("[]")),  # its answer's headers, JSON [[name, value], …]
    ("body", Bytea, _p(b"")),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projections", description=DESCRIPTION)

    async def drop_earlier() -> None:
        from piccolo.apps.migrations.tables import Migration

        await Migration.raw("DROP TABLE IF EXISTS idempotency_key")

    manager.add_raw(drop_earlier)
    manager.add_table(class_name="IdempotencyKey", tablename="idempotency_key", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="IdempotencyKey",
            tablename="idempotency_key",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
