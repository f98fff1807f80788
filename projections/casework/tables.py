"""The casework views' tables: grids with their buildings, places and holders (网格员 and 楼长, with history), the
street's departments, matter lists and working calendar, cases (state, owner, deadlines, the counting facts), their
raisers, every step, their whistles, and the rates' counters per month and scope.

No personal value is kept in clear here beyond what the log holds in clear (a case's text, which its raiser wrote
for the handlers): people are ids, and pages show them masked through the residents' views."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class GridView(Table, tablename="casework_grid"):
    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    name = Varchar(length=30)
    worker_id = UUID(null=True, default=None, index=True)  # the 网格员 now
    drawn_at = Timestamptz()


class AreaView(Table, tablename="casework_area"):
    """A building (or village group) in a grid, or a place of the community a case may name (in a grid or none)."""

    id = UUID(primary_key=True)  # from the community, the kind and the name
    community_id = UUID(index=True)
    kind = Varchar(length=8)  # building | place
    name = Varchar(length=30)
    grid_id = UUID(null=True, default=None, index=True)
    head_id = UUID(null=True, default=None, index=True)  # a building's 楼长 now


class HolderView(Table, tablename="casework_holder"):
    """Who held a grid (网格员) or a building (楼长), from when until when: the history stays."""

    id = UUID(primary_key=True)  # the assigning event's
    community_id = UUID(index=True)
    kind = Varchar(length=8)  # worker | head
    grid_id = UUID(null=True, default=None)
    building = Varchar(length=20, default="")
    resident_id = UUID(index=True)
    since = Timestamptz()
    until = Timestamptz(null=True, default=None)
    assigned_by = UUID(null=True, default=None)
    reason = Text(default="")  # why it ended


class DepartmentView(Table, tablename="casework_department"):
    id = UUID(primary_key=True)
    street = Varchar(length=40, index=True)
    name = Varchar(length=30)
    kind = Varchar(length=10)
    categories = JSON()  # codes of the matter list it takes
    staff = JSON()  # resident ids (text) acting for it
    registered_at = Timestamptz()


class MatterLineView(Table, tablename="casework_matter_line"):
    """A line of a street's matter list (level street, owner = the street) or of a community's narrowing (level
    community, owner = the community's id; level grid, owner = the grid's id: the community's narrowing for one of
    its grids), from its effective day; `line` None: dropped, or the narrowing lifted."""

    id = UUID(primary_key=True)  # the event's
    level = Varchar(length=10)
    owner = Varchar(length=40, index=True)
    code = Varchar(length=30)
    effective_from = Date()
    position = BigInt()
    line = JSON(null=True, default=None)


class CalendarDayView(Table, tablename="casework_calendar_day"):
    """A day a street's working calendar sets itself (a holiday, or a weekend day worked: 调休), over the national
    days (backend.casework.domain.rules); a day the street clears is gone. Kept by the calendar's id: the queries
    find a street's days by the id the domain makes from its name (rules.calendar_id_for)."""

    id = UUID(primary_key=True)  # from the calendar and the day
    calendar_id = UUID(index=True)
    day = Date()
    working = Boolean(default=False)  # True: worked (调休上班); False: a holiday (放假)
    note = Varchar(length=30, default="")
    set_at = Timestamptz()
    set_by = UUID(null=True, default=None)


class CaseView(Table, tablename="casework_case"):
    id = UUID(primary_key=True)
    community_id = UUID()  # indexed with state, and with due_at (INDEXES)
    raised_at = Timestamptz()
    month = Varchar(length=7)  # the month it counts in (China)
    raiser_id = UUID()
    raised_by = UUID(null=True, default=None)  # who raised it for the raiser
    authority = Varchar(length=15, default="")
    category = Varchar(length=30)
    label = Varchar(length=20)
    handling = Varchar(length=10)
    answer_days = Integer()
    text = Text()
    building = Varchar(length=20, default="")
    place = Varchar(length=30, default="")
    photos = JSON()
    urgent = Boolean(default=False)
    public = Boolean(default=False)
    grid_id = UUID(null=True, default=None)  # indexed with state
    queue = Varchar(length=5, default="")  # grid | clerk while queued
    queue_reason = Varchar(length=10, default="")  # grid | no_grid | reopened | requeued
    state = Varchar(length=10)
    owner_id = UUID(null=True, default=None)  # indexed after state
    round = Integer(default=0)
    reopened = Boolean(default=False)
    extension = Varchar(length=10, default="")  # requested | approved | declined
    extension_days = Integer(default=0)
    department_id = UUID(null=True, default=None)  # the department the case is with now
    reported = Boolean(default=False)
    whistles = Integer(default=0)
    deadlines = JSON()  # kind -> [warn_at, due_at] (ISO), as the last event left them
    next_kind = Varchar(length=12, default="")
    next_due = Timestamptz(null=True, default=None)
    due_at = Timestamptz(null=True, default=None)  # the soonest deadline of the handlers: overdue after
    notice_at = Timestamptz(null=True, default=None, index=True)
    answer = Text(default="")
    answered_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    outcome = Varchar(length=8, default="")
    merged_into = UUID(null=True, default=None)
    raisers = JSON()  # resident ids (text)
    handlers = JSON()  # everyone who has owned it (text)
    departments = JSON()  # every department it was whistled to (text)
    facts = JSON()  # what it counts for in the rates (projections.casework.rates)
    updated_at = Timestamptz()
    position = BigInt()


class RaiserView(Table, tablename="casework_raiser"):
    """A raiser of a case: who raised it, joined it (我也遇到) or came with a merged duplicate."""

    id = UUID(primary_key=True)
    case_id = UUID(index=True)
    resident_id = UUID()  # indexed with since
    how = Varchar(length=8)  # raised | joined | merged
    since = Timestamptz()


class StepView(Table, tablename="casework_step"):
    """One row per event of a case: the timeline. `internal` rows (the deadlines' notices) are the handlers'."""

    position = BigInt(primary_key=True)  # the event's in the log
    case_id = UUID()
    at = Timestamptz()
    kind = Varchar(length=24)
    actor_id = UUID(null=True, default=None)
    on_behalf_of = UUID(null=True, default=None)
    detail = JSON()
    internal = Boolean(default=False)
    # Whom the step concerns as the case stood after it (its raisers, owner, grid worker, the department's staff,
    # the raisers yet to rate): the inbox's notices read this, not the case's row of now, so that they are the
    # same whichever batches the events came in (a rebuild and a live run agree).
    audience = JSON()


class WhistleView(Table, tablename="casework_whistle"):
    """A whistle to one department (a re-routing closes it and opens one to the next department)."""

    id = UUID(primary_key=True)  # the event that opened it
    case_id = UUID(index=True)
    community_id = UUID()
    number = Integer()
    department_id = UUID()  # indexed with open
    whistled_at = Timestamptz()
    reason = Text(default="")
    report_due = Timestamptz()
    answer_due = Timestamptz()
    reported_at = Timestamptz(null=True, default=None)
    open = Boolean(default=True)
    closed_at = Timestamptz(null=True, default=None)
    closed_how = Varchar(length=10, default="")  # answered | returned | rerouted
    close_text = Text(default="")  # the answer, or why it was returned or re-routed


class RateView(Table, tablename="casework_rate"):
    """The rates' counters of one month and scope (community, grid, worker, category, department), kept by the
    projection as each event arrives: the street's figures are its communities' rows added up."""

    id = UUID(primary_key=True)  # from the month, the scope and the key
    month = Varchar(length=7)
    scope = Varchar(length=10)
    key = Varchar(length=80)  # the grid's, worker's, department's or community's id; community:code for a category
    community_id = UUID(null=True, default=None)  # None for a department; indexed with month
    cases = Integer(default=0)
    whistled = Integer(default=0)
    accept_due = Integer(default=0)
    accept_in_time = Integer(default=0)
    accepted = Integer(default=0)
    accept_seconds = BigInt(default=0)
    answer_due = Integer(default=0)
    answer_in_time = Integer(default=0)
    answered = Integer(default=0)
    answer_seconds = BigInt(default=0)
    rated_cases = Integer(default=0)
    ratings = Integer(default=0)
    satisfied = Integer(default=0)
    solved = Integer(default=0)
    unrated = Integer(default=0)  # closed 未评价


COUNTERS = (
    "cases",
    "whistled",
    "accept_due",
    "accept_in_time",
    "accepted",
    "accept_seconds",
    "answer_due",
    "answer_in_time",
    "answered",
    "answer_seconds",
    "rated_cases",
    "ratings",
    "satisfied",
    "solved",
    "unrated",
)

# Indexes over several columns (made after the tables by the migration): the queues and the dashboard read open
# cases by grid, owner and community, and the overdue ones by community, at any size of the history.
INDEXES = (
    "CREATE INDEX IF NOT EXISTS casework_case_grid_state ON casework_case (grid_id, state)",
    "CREATE INDEX IF NOT EXISTS casework_case_state_owner ON casework_case (state, owner_id)",
    "CREATE INDEX IF NOT EXISTS casework_case_community_state ON casework_case (community_id, state)",
    "CREATE INDEX IF NOT EXISTS casework_case_community_due ON casework_case (community_id, due_at)",
    "CREATE INDEX IF NOT EXISTS casework_whistle_department_open ON casework_whistle (department_id, open)",
    "CREATE INDEX IF NOT EXISTS casework_step_case_position ON casework_step (case_id, position)",
    "CREATE INDEX IF NOT EXISTS casework_raiser_resident_since ON casework_raiser (resident_id, since)",
    "CREATE INDEX IF NOT EXISTS casework_rate_community_month ON casework_rate (community_id, month)",
)
