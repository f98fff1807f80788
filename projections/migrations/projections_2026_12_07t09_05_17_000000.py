"""社区动态 (issue 23): the news items, their versions, and the residents' readings (of important items and of the
board's notices). Written as `piccolo migrations new projections --auto` makes it, a line a column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, BigInt, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T09:05:17:000000"
VERSION = "1.38.0"
DESCRIPTION = "news: items, versions and readings"

TABLES = [("NewsView", "news_item"), ("NewsVersion", "news_version"), ("ReadingView", "news_reading")]


def _p(default: object, index: bool = False, primary_key: bool = False, null: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": null, "primary_key": primary_key, "unique": False, "index": index},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


COLUMNS = [
    ("NewsView", "news_item", "id", UUID, _p(UUID4(), primary_key=True)),
    ("NewsView", "news_item", "community_id", UUID, _p(UUID4(), index=True)),
    ("NewsView", "news_item", "category", Varchar, _p("", length=10)),
    ("NewsView", "news_item", "title", Varchar, _p("", length=60)),
    ("NewsView", "news_item", "text", Text, _p("")),
    ("NewsView", "news_item", "photo", Varchar, _p("", length=80)),
    ("NewsView", "news_item", "pinned", Boolean, _p(False)),
    ("NewsView", "news_item", "important", Boolean, _p(False)),
    ("NewsView", "news_item", "until", Date, _p(None, null=True)),
    ("NewsView", "news_item", "version", Integer, _p(1)),
    ("NewsView", "news_item", "posted_at", Timestamptz, _p(TimestamptzNow(), index=True)),
    ("NewsView", "news_item", "updated_at", Timestamptz, _p(TimestamptzNow())),
    ("NewsView", "news_item", "author_id", UUID, _p(None, null=True)),
    ("NewsView", "news_item", "withdrawn_at", Timestamptz, _p(None, null=True)),
    ("NewsView", "news_item", "withdraw_reason", Text, _p("")),
    ("NewsView", "news_item", "position", BigInt, _p(0)),
    ("NewsVersion", "news_version", "news_id", UUID, _p(UUID4(), index=True)),
    ("NewsVersion", "news_version", "version", Integer, _p(0)),
    ("NewsVersion", "news_version", "category", Varchar, _p("", length=10)),
    ("NewsVersion", "news_version", "title", Varchar, _p("", length=60)),
    ("NewsVersion", "news_version", "text", Text, _p("")),
    ("NewsVersion", "news_version", "photo", Varchar, _p("", length=80)),
    ("NewsVersion", "news_version", "pinned", Boolean, _p(False)),
    ("NewsVersion", "news_version", "important", Boolean, _p(False)),
    ("NewsVersion", "news_version", "until", Date, _p(None, null=True)),
    ("NewsVersion", "news_version", "at", Timestamptz, _p(TimestamptzNow())),
    ("NewsVersion", "news_version", "actor_id", UUID, _p(None, null=True)),
    ("ReadingView", "news_reading", "id", UUID, _p(UUID4(), primary_key=True)),
    ("ReadingView", "news_reading", "subject", Varchar, _p("", length=10)),
    ("ReadingView", "news_reading", "subject_id", UUID, _p(UUID4(), index=True)),
    ("ReadingView", "news_reading", "resident_id", UUID, _p(UUID4(), index=True)),
    ("ReadingView", "news_reading", "community_id", UUID, _p(UUID4())),
    ("ReadingView", "news_reading", "read_at", Timestamptz, _p(TimestamptzNow())),
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
