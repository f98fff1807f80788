"""The tables of the admission list's views."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, Boolean, Date, Text, Timestamptz, Varchar
from piccolo.table import Table


class AdmissionEditView(Table, tablename="workload_admission_edit"):
    """Each edit of a street's list, in the order made: the list in force on a day is computed from them."""

    street = Varchar(length=40, index=True)
    code = Varchar(length=20)
    removed = Boolean(default=False)
    added = Boolean(default=False)
    kind = Varchar(length=10, default="")
    title = Varchar(length=60, default="")
    basis = Text(default="")
    department_id = UUID(null=True, default=None)
    funding = Text(default="")
    edit_basis = Text()
    effective_from = Date()
    at = Timestamptz()
    actor_id = UUID(null=True, default=None)
    position = BigInt(index=True)


class TaskView(Table, tablename="workload_task"):
    """A task assigned to a community, as it stands."""

    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    street = Varchar(length=40, index=True)
    department_id = UUID(index=True)
    code = Varchar(length=20)
    kind = Varchar(length=10)
    title = Varchar(length=60)
    basis = Text()
    funding = Text(default="")
    deadline = Date()
    details = Text(default="")
    state = Varchar(length=10)
    assigned_at = Timestamptz()
    assigned_by = UUID(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
    note = Text(default="")


class RefusedView(Table, tablename="workload_refused"):
    """An attempt refused (未准入): what a department tried to assign, where, and why not."""

    id = UUID(primary_key=True)
    community_id = UUID(index=True)
    street = Varchar(length=40, index=True)
    department_id = UUID(index=True)
    code = Varchar(length=20, default="")
    title = Varchar(length=60)
    reason = Varchar(length=20)
    deadline = Date(null=True, default=None)
    at = Timestamptz()
    actor_id = UUID(null=True, default=None)


class ApplicationView(Table, tablename="workload_application"):
    """An application for admission (申请准入) and the street's decision."""

    id = UUID(primary_key=True)
    street = Varchar(length=40, index=True)
    department_id = UUID(index=True)
    kind = Varchar(length=10)
    title = Varchar(length=60)
    basis = Text()
    funding = Text(default="")
    effective_from = Date()
    attempt_id = UUID(null=True, default=None)
    state = Varchar(length=10)
    code = Varchar(length=20, default="")
    reason = Text(default="")
    applied_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
