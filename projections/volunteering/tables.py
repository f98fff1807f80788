"""The volunteering view tables (their class and table names are the migration baseline's)."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class TeamView(Table, tablename="volunteer_team"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    name = Varchar(length=60)
    description = Text()
    leaders = JSON()
    founded_at = Timestamptz()


class ActivityView(Table, tablename="volunteer_activity"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    team_id = UUID(index=True)
    title = Varchar(length=60)
    description = Text()
    place = Varchar(length=60)
    category = Varchar(length=20)
    beneficiary = Varchar(length=60)
    min_age = Integer()
    risky = Boolean()
    insured = Boolean(default=False)
    insurance = Text(default="")
    published = Boolean(default=False)
    offer_hours = Integer()
    first_start = Timestamptz(null=True, default=None)
    last_end = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class ShiftView(Table, tablename="volunteer_shift"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    activity_id = UUID(index=True)
    team_id = UUID()
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    capacity = Integer()
    seated = Integer(default=0)
    waitlisted = Integer(default=0)
    offered = Integer(default=0)


class ShiftRoster(Table, tablename="volunteer_roster"):
    """One row per volunteer and shift: seated | waitlisted | offered | cancelled | lapsed."""

    shift_id = UUID(index=True)
    volunteer_id = UUID(index=True)
    status = Varchar(length=12)
    joined_position = BigInt()  # the waitlist's order
    offer_until = Timestamptz(null=True, default=None)
    checked_in_at = Timestamptz(null=True, default=None)
    checked_out_at = Timestamptz(null=True, default=None)
    forgotten = Boolean(default=False)
    record_id = UUID(null=True, default=None)
    assisted_by = UUID(null=True, default=None)  # the clerk who signed them up at the counter


class HoursRecordView(Table, tablename="volunteer_record"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    volunteer_id = UUID(index=True)
    team_id = UUID(index=True)
    activity_id = UUID()
    shift_id = UUID()
    served_on = Date()
    activity = Varchar(length=60)
    place = Varchar(length=60)
    content = Text()
    beneficiary = Varchar(length=60)
    minutes = Integer()  # the ledger's total
    leader_id = UUID(null=True)
    recorder_id = UUID(null=True)
    request_minutes = Integer(null=True, default=None)
    request_reason = Text(default="")
    rejected_reason = Text(default="")


class HoursEntry(Table, tablename="volunteer_hours_entry"):
    record_id = UUID(index=True)
    entry = Integer()
    delta_minutes = Integer()
    reason = Text(default="")
    refers_to = Integer(default=0)
    actor_id = UUID(null=True)
    at = Timestamptz()
    position = BigInt()


class CertificateView(Table, tablename="volunteer_certificate"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    team_id = UUID()
    volunteer_id = UUID(index=True)
    number = Varchar(length=40, index=True)  # unique in the log: the certificate's id is derived from it
    period_from = Date()
    period_to = Date()
    minutes = Integer()
    lines = JSON()
    issued_at = Timestamptz()
    position = BigInt()


class ConsentView(Table, tablename="volunteer_consent"):
    activity_id = UUID(index=True)
    minor_id = UUID(index=True)
    guardian_id = UUID()
    given_at = Timestamptz()


class HonoursView(Table, tablename="volunteer_honours"):
    """Volunteers who agreed to appear in the honours (absent or False: never shown)."""

    id = UUID(primary_key=True)  # the choice's
    volunteer_id = UUID(index=True)
    community_id = UUID(index=True)
    show = Boolean(default=False)
