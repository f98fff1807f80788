"""The Merkle tree over the log (issue 24): its nodes, each perfect subtree made once; and the log's signed
checkpoints. Written as `piccolo migrations new projections --auto` makes it, a line a column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T03:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "chain: the Merkle tree's nodes, the signed checkpoints and their cosignatures"


def _p(default: object, index: bool = False, primary_key: bool = False, **more: object) -> dict:
    return {
        **{"default": default, "null": False, "primary_key": primary_key, "unique": False, "index": index},
        **{"index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **more},
    }


TABLES = [
    ("MerkleNode", "merkle_node"),
    ("CheckpointView", "chain_checkpoint"),
    ("CosignatureView", "chain_cosignature"),
]
COLUMNS = [
    ("MerkleNode", "merkle_node", "node", BigInt, _p(0, primary_key=True)),
    ("MerkleNode", "merkle_node", "hash", Varchar, _p("", length=64)),
    ("MerkleNode", "merkle_node", "position", BigInt, _p(0, index=True)),
    ("CheckpointView", "chain_checkpoint", "size", BigInt, _p(0, primary_key=True)),
    ("CheckpointView", "chain_checkpoint", "root", Varchar, _p("", length=64)),
    ("CheckpointView", "chain_checkpoint", "note", Text, _p("")),
    ("CheckpointView", "chain_checkpoint", "signed_at", Timestamptz, _p(TimestamptzNow())),
    ("CheckpointView", "chain_checkpoint", "position", BigInt, _p(0)),
    ("CosignatureView", "chain_cosignature", "key", Varchar, _p("", primary_key=True, length=160)),
    ("CosignatureView", "chain_cosignature", "size", BigInt, _p(0, index=True)),
    ("CosignatureView", "chain_cosignature", "witness", Varchar, _p("", length=100)),
    ("CosignatureView", "chain_cosignature", "at", BigInt, _p(0)),
    ("CosignatureView", "chain_cosignature", "line", Text, _p("")),
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
