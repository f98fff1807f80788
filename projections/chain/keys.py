"""The keys a reader checks the record with, as the log's events name them: the log's own (its origin and Ed25519
public key, from its opening) and its witnesses' (added and removed by its operator). The offline verifier page and
the print view hand these to the reader; a proof is believed only under them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from piccolo.columns import Boolean, Timestamptz, Varchar
from piccolo.table import Table

from backend.kernel.notes import COSIGNATURE_V1, ED25519, verifier_key
from backend.record.domain.log import TransparencyLog
from projections.chain import queries as chain
from projections.db import bulk_insert
from projections.types import Item, LiveMessage


class KeyView(Table, tablename="chain_key"):
    """A key of the record: the log's (kind "log", named by its origin) or a witness's (kind "witness")."""

    name = Varchar(length=100, primary_key=True)
    kind = Varchar(length=10)
    public_key = Varchar(length=64)  # Ed25519, hex
    added_at = Timestamptz()
    current = Boolean(default=True)  # False once the witness was removed (its past cosignatures stay checkable)


class KeyProjection:
    name = "record_keys"
    tables: ClassVar[Sequence[type[Table]]] = (KeyView,)
    handles: ClassVar[Sequence[type]] = (
        TransparencyLog.Opened,
        TransparencyLog.WitnessAdded,
        TransparencyLog.WitnessRemoved,
    )

    async def apply(self, items: list[Item]) -> list[LiveMessage]:
        for item in items:
            e = item.event
            if isinstance(e, TransparencyLog.WitnessRemoved):
                await KeyView.update({KeyView.current: False}).where(KeyView.name == e.name)
                continue
            kind = "log" if isinstance(e, TransparencyLog.Opened) else "witness"
            name = e.origin if isinstance(e, TransparencyLog.Opened) else e.name  # type: ignore[attr-defined]
            await KeyView.delete().where(KeyView.name == name)  # a witness removed and added again: its new key
            row = {"name": name, "kind": kind, "public_key": e.public_key, "added_at": e.timestamp, "current": True}
            await bulk_insert(KeyView, [row])
        return []


def _verifier(row: dict[str, Any]) -> str:
    public = bytes.fromhex(row["public_key"])
    return verifier_key(row["name"], public, ED25519 if row["kind"] == "log" else COSIGNATURE_V1)


async def log_key() -> str | None:
    """The log's verifier key (signed-note `name+id+key`), or None before its first checkpoint."""
    row = await KeyView.select().where(KeyView.kind == "log").first()
    return _verifier(row) if row else None


async def witness_keys(current_only: bool = False) -> list[dict[str, Any]]:
    """The witnesses' keys, each with its verifier key; removed ones too unless `current_only` (a proof printed
    before a removal still shows who witnessed it)."""
    query = KeyView.select().where(KeyView.kind == "witness")
    if current_only:
        query = query.where(KeyView.current == True)  # noqa: E712 (Piccolo's column comparison)
    return [{**row, "verifier": _verifier(row)} for row in await query.order_by(KeyView.name)]


async def summary() -> dict[str, Any] | None:
    """What the board says of the record: its latest checkpoint (size, when signed), who cosigned it and when, and
    the record's key to compare with the printed ones; None before the first checkpoint."""
    latest = await chain.latest_checkpoint()
    if latest is None:
        return None
    size = int(latest["size"])
    witnessed = [{"name": c["witness"], "at": int(c["at"])} for c in await chain.cosignatures(size)]
    return {"size": size, "signed_at": latest["signed_at"], "witnessed": witnessed, "log_key": await log_key()}
