"""The Merkle tree over the log (issue 24): its nodes, each perfect subtree made once. Written as `piccolo migrations
new projections --auto` makes it, a line a column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T03:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "chain: the Merkle tree's nodes"


def _p(default: object, index: bool = False, primary_key: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": False, "primary_key": primary_key, "unique": False, "index": index},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


COLUMNS = [
    ("node", BigInt, _p(0, primary_key=True)),
    ("hash", Varchar, _p("", length=64)),
    ("position", BigInt, _p(0, index=True)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projections", description=DESCRIPTION)
    manager.add_table(class_name="MerkleNode", tablename="merkle_node", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="MerkleNode",
            tablename="merkle_node",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
