"""The chain's projections: every event of the log, whatever its topic, extends the chain by one link and the Merkle
tree by one leaf (its own projection, so that a deployment whose chain was made before the tree builds the tree from
the first event)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from piccolo.table import Table

from backend.record.domain.log import TransparencyLog
from projections.chain import merkle
from projections.chain.queries import head, link
from projections.chain.tables import ChainLink, CheckpointView, CosignatureView, MerkleNode
from projections.db import bulk_insert
from projections.types import Item, LiveMessage


class ChainProjection:
    name = "chain"
    tables: ClassVar[Sequence[type[Table]]] = (ChainLink,)
    handles: ClassVar[Sequence[type]] = ()

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        _, previous = await head()
        rows = []
        for item in items:
            previous = link(previous, item.notification)
            rows.append({"position": item.position, "link": previous})
        await bulk_insert(ChainLink, rows)
        return [("chain", {"position": items[-1].position, "head": previous})]


class MerkleProjection:
    name = "merkle"
    tables: ClassVar[Sequence[type[Table]]] = (MerkleNode,)
    handles: ClassVar[Sequence[type]] = ()

    def __init__(self) -> None:
        self.appender = merkle.Appender()

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        await self.appender.append([item.notification for item in items])
        return []


class CheckpointProjection:
    name = "checkpoints"
    tables: ClassVar[Sequence[type[Table]]] = (CheckpointView, CosignatureView)
    handles: ClassVar[Sequence[type]] = (TransparencyLog.CheckpointSigned, TransparencyLog.Cosigned)

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        signed, cosigned = [], []
        for item in items:
            e = item.event
            if isinstance(e, TransparencyLog.CheckpointSigned):
                row = {"size": e.size, "root": e.root, "note": e.note, "signed_at": e.timestamp}
                signed.append({**row, "position": item.position})
            elif isinstance(e, TransparencyLog.Cosigned):
                cosigned.append(
                    {"key": f"{e.size}:{e.witness}", "size": e.size, "witness": e.witness, "at": e.at, "line": e.line}
                )
        await bulk_insert(CheckpointView, signed)
        await bulk_insert(CosignatureView, cosigned)
        return [("checkpoint", {"size": (signed or cosigned)[-1]["size"]})] if signed or cosigned else []
