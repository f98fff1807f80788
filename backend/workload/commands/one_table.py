"""Commands of 一表通: the committee submits (报送) a period's table, checked (核对), as the page computed it."""

from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.store import LinliApp
from backend.residents.reads import authorize
from backend.workload.domain.one_table import period
from backend.workload.domain.submission import OneTableSubmission, submission_id

Steps = tuple[list[LinliAggregate], dict[str, str]]


async def submit(
    rt: Commands, ctx: Ctx, period_name: str, position: int, chain_head: str, counts: dict[str, int], checked: bool
) -> CommandResult:
    """The table of `period_name` as computed at `position` (whose link is `chain_head`): the first submission of
    the period opens its record; later ones are its next submissions."""
    try:
        named = period(period_name).name
    except ValueError:
        named = period_name  # the aggregate refuses it with the words the page shows
    key = submission_id(ctx.community_id, named)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "one_table.submit")
        try:
            record = app.repository.get(key)
        except AggregateNotFoundError:
            record = OneTableSubmission.open(ctx, named)
        record.submit(ctx, position, chain_head, counts, checked)
        return [record], {"submission_id": str(key), "number": str(record.number)}

    return await rt.execute("one_table.submit", ctx, key, action)
