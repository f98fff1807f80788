"""The tables of the errands' views."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, Date, Text, Timestamptz, Varchar
from piccolo.table import Table


class ErrandView(Table, tablename="workload_errand"):
    """An errand as it stands: collecting documents, with the office, answered, handed back, or confirmed."""

    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    resident_id = UUID(index=True)
    item_code = Varchar(length=30)
    item_name = Varchar(length=40)
    office = Varchar(length=40)
    documents = Text(default="")  # the required ones, a line each
    received = Text(default="")  # those ticked, a line each, in the order received
    status = Varchar(length=12)
    handed_on = Date(null=True, default=None)
    result = Varchar(length=16, default="")
    reason = Text(default="")
    opened_at = Timestamptz(index=True)
    opened_by = UUID(null=True, default=None)
    updated_at = Timestamptz()
    position = BigInt()


class ErrandStep(Table, tablename="workload_errand_step"):
    """One step of an errand, as it happened: the timeline the resident reads, and what the 一表通 counts."""

    errand_id = UUID(index=True)
    community_id = UUID(index=True)
    kind = Varchar(length=20)  # opened, received, handed_over, decided, handed_back, confirmed
    detail = Text(default="")  # the document, the day handed over, or the result and its reason
    at = Timestamptz(index=True)
    actor_id = UUID(null=True, default=None)
    position = BigInt()
