"""The system's rounds over cases (every 15 s with the others, backend.kernel.rounds): the notices of each deadline
("before" and "at", each once) and the closing of cases left unrated at the end of their window; and an owner who no
longer handles cases (their grid worker term ended) has their open cases moved to the clerk's queue. Which cases are
due comes from the read side; whether anything is due is the case's own decision, so a view's lag can never make
one notice twice or close a case early."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from backend.casework.commands import cases
from backend.kernel.ports import Commands
from backend.kernel.rounds import each_due
from backend.kernel.zone import LOCAL_ZONE
from projections.casework import queries as views


async def keep_case_deadlines(rt: Commands, now: datetime) -> list[UUID]:
    rows = await views.case_notices_due(now)
    moments = {UUID(str(row["id"])): row["notice_at"] for row in rows}
    return await each_due(
        rows,
        now,
        # one command per case and pending moment (a deadline's notice, or its closing), whoever makes the round
        lambda case_id: f"case-deadlines-{case_id}-{moments[case_id].isoformat()}",
        lambda ctx, case_id: cases.keep_deadlines(rt, ctx, case_id),
    )


async def requeue_lapsed_owners(rt: Commands, now: datetime) -> list[UUID]:
    rows = await views.cases_of_lapsed_owners(now.astimezone(LOCAL_ZONE).date())
    owners = {UUID(str(row["id"])): row["owner_id"] for row in rows}
    return await each_due(
        rows,
        now,
        lambda case_id: f"case-requeue-{case_id}-{owners[case_id]}",
        lambda ctx, case_id: cases.requeue(rt, ctx, case_id),
    )
