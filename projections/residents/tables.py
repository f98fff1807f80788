"""The residents' view tables: residents (sign-in by phone, status, roles with their terms), the household register,
and issued sign-in codes (by digest only)."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Boolean, Date, Timestamptz, Varchar
from piccolo.table import Table

TOMBSTONE = "已注销居民"  # what an erased resident's name reads as, wherever it is shown


class ResidentView(Table, tablename="resident"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    name = Varchar(length=30)
    name_masked = Varchar(length=30)
    phone = Varchar(length=20, index=True)
    household_id = UUID(null=True, default=None, index=True)
    household = Varchar(length=60)
    has_id_number = Boolean(default=False)
    birth_date = Date(null=True, default=None)  # from the ID number: who needs a guardian's consent
    password_hash = Varchar(length=200)
    status = Varchar(length=10, default="pending")  # pending | verified | rejected | erased
    reject_reason = Varchar(length=200, default="")
    roles = JSON()  # [{"role", "until", "street", "since", "by"}]
    registered_at = Timestamptz()
    decided_by = UUID(null=True, default=None)


class HouseholdView(Table, tablename="household"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    building = Varchar(length=20)
    unit = Varchar(length=20)
    room = Varchar(length=20)
    label = Varchar(length=60)
    members = JSON()  # the names the register lists


class SignInCodeView(Table, tablename="signin_code"):
    id = UUID(primary_key=True)  # derived from a keyed digest of the code: the code itself is nowhere
    community_id = UUID(index=True)
    resident_id = UUID(index=True)
    expires_at = Timestamptz()
    used = Boolean(default=False)
    issued_by = UUID(null=True, default=None)
