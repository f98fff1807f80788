"""The chain's one table: the link after each position of the log."""

from __future__ import annotations

from piccolo.columns import BigInt, Varchar
from piccolo.table import Table


class ChainLink(Table, tablename="chain_link"):
    position = BigInt(primary_key=True)
    link = Varchar(length=64)
