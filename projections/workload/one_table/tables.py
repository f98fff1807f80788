"""The table of 一表通's submissions: each 报送 as recorded, with the counts as submitted."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, Integer, Timestamptz, Varchar
from piccolo.table import Table


class SubmissionView(Table, tablename="workload_one_table_submission"):
    """One row per submission of a community's period (the first, then each resubmission)."""

    submission_id = UUID(index=True)
    community_id = UUID(index=True)
    period = Varchar(length=10)
    number = Integer()
    log_position = BigInt()  # the position the submitted table was computed at
    chain_head = Varchar(length=64)
    counts = JSON()
    submitted_by = UUID(null=True, default=None)
    submitted_at = Timestamptz()
    position = BigInt()  # of the submission's own event
