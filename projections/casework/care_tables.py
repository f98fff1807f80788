"""The views of 关爱 and 走访: the households flagged for care (their categories sealed, as the log holds them:
sensitive personal data, opened only on the pages of their grid's worker and the clerks) and the visits — the grid
worker's diary (民情日志) and the visits planned for volunteers."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class CareView(Table, tablename="casework_care"):
    id = UUID(primary_key=True)  # the care record's (one per household)
    community_id = UUID(index=True)
    household_id = UUID(index=True)
    household = Varchar(length=60)  # the address label
    building = Varchar(length=20, index=True)  # its grid is the building's
    resident_id = UUID(null=True, default=None)  # the person cared for, when they have an account
    sealed_with = UUID()  # whose key opens the categories: the resident's, else the household's
    categories_sealed = Text()  # the log's sealed token, never the categories in clear
    interval_days = Integer()
    next_visit_due = Date(index=True)
    last_visit = Date(null=True, default=None)
    active = Boolean(default=True)
    flagged_at = Timestamptz()
    position = BigInt()


class VisitView(Table, tablename="casework_visit"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    household_id = UUID(index=True)
    household = Varchar(length=60)
    building = Varchar(length=20)
    visitor_id = UUID(index=True)
    planned_by = UUID(null=True, default=None)  # who opened it (the grid worker or clerk)
    task = Text(default="")  # what to do: all a volunteer is told, besides the household
    due_on = Date(null=True, default=None)  # None: a diary entry
    shift_id = UUID(null=True, default=None)  # the volunteering shift it is made in (its hours)
    visited_on = Date(null=True, default=None)
    found = Text(default="")  # 民情: what was found
    case_id = UUID(null=True, default=None)  # the case raised from it
    opened_at = Timestamptz()
    logged_at = Timestamptz(null=True, default=None)
    position = BigInt()
