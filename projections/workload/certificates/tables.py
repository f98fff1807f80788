"""The tables of the certificates' views."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class CertificateListLine(Table, tablename="workload_certificate_line"):
    """A line of a street's lists, as written: the item from its day on (or dropped), and the rule it follows."""

    street = Varchar(length=40, index=True)
    code = Varchar(length=30)
    dropped = Integer(default=0)  # 1: the item leaves the lists from its day
    side = Varchar(length=10, default="")
    name = Varchar(length=40, default="")
    basis = Text(default="")
    instead = Text(default="")
    purpose = Text(default="")
    procedure = Text(default="")
    sample = Text(default="")
    valid_days = Integer(default=0)
    effective_from = Date()
    rule = Text(default="")
    at = Timestamptz()
    position = BigInt()


class CertificateView(Table, tablename="workload_certificate"):
    """A request as it stands: waiting, refused (with the basis), issued (numbered) or cancelled (作废)."""

    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    resident_id = UUID(index=True)
    item_code = Varchar(length=30, default="")
    item_name = Varchar(length=40)
    purpose = Text(default="")
    channel = Varchar(length=10)
    status = Varchar(length=12)
    requested_at = Timestamptz(index=True)
    requested_by = UUID(null=True, default=None)  # the clerk at the counter (on_behalf_of), else the resident
    answered_at = Timestamptz(null=True, default=None)  # refused or issued
    answered_by = UUID(null=True, default=None)
    refusal = Varchar(length=20, default="")
    basis = Text(default="")
    instead = Text(default="")
    note = Text(default="")
    year = Integer(default=0)
    number = Integer(default=0)
    text = Text(default="")
    name_sealed = Text(default="")
    household = Varchar(length=80, default="")
    valid_until = Date(null=True, default=None)
    check_lookup = Varchar(length=64, default="", index=True)
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Text(default="")
    position = BigInt()
