"""A rebuild of the casework views from zero leaves their secondary indexes out until it reaches the head
(projections/casework/indexes.py): the reset drops them, the catch-up makes them again, the rows are those the live
projector made; and a catch-up after a reset this process did not do (another process's, stopped half way) makes
them too."""

from __future__ import annotations

import pytest
from piccolo.engine.sqlite import SQLiteEngine

from projections.casework.indexes import DEFERRED
from projections.casework.tables import CaseView
from tests.factories import snapshot
from tests.test_casework import quiet_runtime, world
from tests.test_casework_rebuild import _cases

runtime = pytest.fixture(quiet_runtime, name="runtime")


async def _indexes() -> set[str]:
    if isinstance(CaseView._meta.db, SQLiteEngine):
        rows = await CaseView.raw("SELECT name FROM sqlite_master WHERE type = 'index'")
    else:
        rows = await CaseView.raw("SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()")
    return {row["name"] for row in rows}


async def test_a_rebuild_drops_the_deferred_indexes_and_makes_them_at_the_head(runtime):
    await _cases(runtime, await world(runtime))
    assert await runtime.projector.wait_for(runtime.event_count(), timeout=30)
    live = await snapshot()
    assert set(DEFERRED) <= await _indexes()
    await runtime.projector.stop()
    await runtime.projector.reset(["casework"])
    assert not set(DEFERRED) & await _indexes()  # left out during the catch-up
    await runtime.projector.catch_up()
    assert set(DEFERRED) <= await _indexes()
    assert await snapshot() == live


async def test_a_catch_up_after_a_reset_done_elsewhere_makes_them(runtime):
    await _cases(runtime, await world(runtime))
    assert await runtime.projector.wait_for(runtime.event_count(), timeout=30)
    await runtime.projector.stop()
    await runtime.projector.reset(["casework"])
    # as a process at the head that never saw the reset: only the positions it reads again say it is behind
    runtime.projector._behind = False
    runtime.projector.rebuild_after, runtime.projector.rebuild_batch_size = 10, 40
    await runtime.projector.catch_up()
    assert set(DEFERRED) <= await _indexes()


async def test_the_indexes_are_made_again_at_the_head_even_when_nothing_was_left_to_project(runtime):
    """The projector that reaches the head first may be another one: this one's last step then finds nothing to do,
    and still makes them."""
    await _cases(runtime, await world(runtime))
    assert await runtime.projector.wait_for(runtime.event_count(), timeout=30)
    await runtime.projector.stop()
    await runtime.projector.reset(["casework"])
    await runtime.projector.catch_up()  # the rebuild, to the head
    await CaseView.raw(f"DROP INDEX IF EXISTS {next(iter(DEFERRED))}")  # as if another process's reset
    runtime.projector._behind = True  # ... which this one read in the positions
    await runtime.projector.catch_up()  # nothing to project: start > head
    assert set(DEFERRED) <= await _indexes()
