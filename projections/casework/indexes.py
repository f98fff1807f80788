"""The casework indexes a rebuild from zero leaves out until it reaches the head (projections.runner calls
`emptied` at the reset and `caught_up` at the head): each row a rebuild writes goes through every index of its
table, and the cases' five secondary indexes, the timeline's and the raisers' cost about a third of a rebuild's
writes on SQLite (100,000 cases), while one CREATE INDEX over the finished table costs a few per cent. Nothing the
projection itself reads during the catch-up uses them (it reads cases by id, whistles by case, the timeline by
position). They are made again, IF NOT EXISTS, once a process reaches the head after a catch-up, after a large
batch or on its first step at the head: a rebuild stopped half way leaves them to the next catch-up."""

from __future__ import annotations

from projections.casework.tables import INDEXES, CaseView
from projections.db import write_transaction

# The indexes left out, each with how it is made (the same as projections.casework.tables and its migration make
# it; those with `index=True` there are Piccolo's, named <table>_<column>).
DEFERRED: dict[str, str] = {
    "casework_case_notice_at": "CREATE INDEX IF NOT EXISTS casework_case_notice_at ON casework_case (notice_at)",
    "casework_raiser_case_id": "CREATE INDEX IF NOT EXISTS casework_raiser_case_id ON casework_raiser (case_id)",
    **{
        statement.split()[5]: statement
        for statement in INDEXES
        if statement.split()[7] in ("casework_case", "casework_step", "casework_raiser")
    },
}


async def drop() -> None:
    """In the reset's transaction, the tables just emptied."""
    for name in DEFERRED:
        await CaseView.raw(f"DROP INDEX IF EXISTS {name}")


async def make() -> None:
    async with write_transaction(CaseView._meta.db):
        for statement in DEFERRED.values():
            await CaseView.raw(statement)
