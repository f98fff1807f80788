"""The chain's tables: the link after each position of the log, the Merkle tree's nodes, the signed checkpoints."""

from __future__ import annotations

from piccolo.columns import BigInt, Text, Timestamptz, Varchar
from piccolo.table import Table


class ChainLink(Table, tablename="chain_link"):
    position = BigInt(primary_key=True)
    link = Varchar(length=64)


class MerkleNode(Table, tablename="merkle_node"):
    """A perfect subtree of the Merkle tree over the log (backend/kernel/merkle.py), made once and never changed:
    `node` is index·64 + level; a leaf (level 0) also names the log position of its event (the log's positions may
    skip a number, the leaves never do)."""

    node = BigInt(primary_key=True)
    hash = Varchar(length=64)
    position = BigInt(default=0, index=True)  # a leaf's event; 0 for the nodes above the leaves


class CheckpointView(Table, tablename="chain_checkpoint"):
    """The log's signed checkpoints (backend/record), by tree size."""

    size = BigInt(primary_key=True)
    root = Varchar(length=64)
    note = Text()
    signed_at = Timestamptz()
    position = BigInt(default=0)  # the log position of the event that recorded it


class CosignatureView(Table, tablename="chain_cosignature"):
    """A witness's cosignature of a checkpoint, the line as the checkpoint carries it."""

    key = Varchar(length=160, primary_key=True)  # "<size>:<witness>"
    size = BigInt(index=True)
    witness = Varchar(length=100)
    at = BigInt()  # the witness's timestamp, seconds since 1970
    line = Text()
