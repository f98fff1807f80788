"""The views' migrations: one baseline (and changes on top); a data dir whose views were made by the migrations of
before the baseline is upgraded by dropping its views and rebuilding them from the log."""

from __future__ import annotations

from piccolo.apps.migrations.tables import Migration

from backend.contexts import PASSES
from backend.runtime import Runtime
from projections.db import migration_ids
from projections.registry import ALL_TABLES
from tests.conftest import NOW
from tests.factories import community, snapshot

EARLIER = "2026-11-22T15:49:45:632252"  # the first of the migrations the baseline replaced


async def test_the_baseline_leaves_nothing_to_migrate(settings) -> None:
    rt = Runtime(settings, passes=PASSES)
    await rt.start(run_projector=False)
    try:
        applied = {row["name"] for row in await Migration.select(Migration.name)}
        assert applied == migration_ids()
        assert not rt.views_rebuilt
    finally:
        await rt.stop()
    again = Runtime(settings, passes=PASSES)
    await again.start(run_projector=False)
    try:
        assert not again.views_rebuilt, "a second start migrates nothing and drops nothing"
    finally:
        await again.stop()


async def test_views_of_the_earlier_migrations_are_rebuilt_from_the_log(settings) -> None:
    rt = Runtime(settings, passes=PASSES)
    await rt.start(run_projector=True)
    try:
        await community(rt, NOW, residents=5, threshold=3, passwords=False)
        await rt.projector.catch_up()
        before = await snapshot()
        # As a data dir made before the baseline: an earlier migration on record, and views that are not what the
        # log says (a row lost), which only a rebuild puts right.
        await Migration.insert(Migration(name=EARLIER, app_name="projections"))
        households = next(t for t in ALL_TABLES if t._meta.tablename == "household")
        await households.delete(force=True)
    finally:
        await rt.stop()

    upgraded = Runtime(settings, passes=PASSES)
    await upgraded.start(run_projector=False)
    try:
        assert upgraded.views_rebuilt
        assert {row["name"] for row in await Migration.select(Migration.name)} == migration_ids()
        assert await upgraded.projector.positions() == {p.name: 0 for p in upgraded.projector.projections}
        await upgraded.projector.catch_up()
        assert await snapshot() == before
    finally:
        await upgraded.stop()
