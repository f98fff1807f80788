"""The tables of the service bookings views (their class and table names are those of the migrations' baseline)."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class ProviderView(Table, tablename="service_provider"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    name = Varchar(length=60)
    description = Text()
    members = JSON()
    created_at = Timestamptz()


class ServiceView(Table, tablename="service_catalog"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    provider_id = UUID(index=True)
    name = Varchar(length=60)
    category = Varchar(length=20)
    description = Text()
    min_notice_hours = Integer()
    cancel_hours = Integer()
    per_week = Integer()
    confirm = Boolean()
    created_at = Timestamptz()


class SlotView(Table, tablename="service_slot"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    service_id = UUID(index=True)
    provider_id = UUID(index=True)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    capacity = Integer()
    place = Varchar(length=60)  # "" = a home visit
    booked = Integer(default=0)
    waitlisted = Integer(default=0)


class BookingView(Table, tablename="service_booking"):
    """One row per resident and slot: pending | confirmed | waitlisted | cancelled | passed | declined | done |
    no_show."""

    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    slot_id = UUID(index=True)
    service_id = UUID(index=True)
    resident_id = UUID(index=True)
    status = Varchar(length=12)
    note = Text(default="")
    address = Varchar(length=80, default="")
    reason = Text(default="")  # why declined, or why a waitlist place passed on
    joined_position = BigInt()  # the waitlist's order
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    booked_at = Timestamptz()
    needs_answer = Boolean(default=False)  # booked while the service asks its provider to confirm
    answered_at = Timestamptz(null=True, default=None)
    reminded = Varchar(length=20, default="")
    stars = Integer(null=True, default=None)
    comment = Text(default="")
    assisted_by = UUID(null=True, default=None)
