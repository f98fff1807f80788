"""一表通's volunteers by star (issue 30): each volunteer counted once, at the level their hours up to the period's end
reach, by the community's own thresholds in force then; a community with none shows none. The hours records are
written into the view as the volunteering projection keeps them, and recounted here in Python."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from backend.community import commands as community_commands
from backend.community.domain.community import community_id_for
from backend.kernel.context import Ctx
from backend.volunteering.domain.honours import star_level
from backend.workload.domain.one_table import period
from projections.db import bulk_insert
from projections.volunteering.tables import HoursRecordView
from projections.workload.one_table import queries

NOW = datetime(2027, 1, 10, tzinfo=UTC)
DEFAULTS = [100, 300, 600, 1000, 1500]


async def test_volunteers_by_star_equal_a_recount_with_each_communitys_thresholds(runtime):
    rt = runtime
    here, there, empty = (community_id_for(code) for code in ("here", "there", "empty"))
    for code, cid in (("here", here), ("there", there), ("empty", empty)):
        await community_commands.found(rt, Ctx(cid, None, datetime(2025, 12, 1, tzinfo=UTC)), f"社区{code}", code)
    lower = [10, 20, 30, 40, 50]  # "there" lowers its thresholds from 2026-03-01
    for n, hours in enumerate(lower, start=1):
        await community_commands.set_rule(
            rt, Ctx(there, None, datetime(2026, 2, 1, tzinfo=UTC)), f"volunteer_star_{n}_hours", hours, date(2026, 3, 1)
        )
    await rt.projector.wait_for(rt.event_count(), timeout=10)
    r = random.Random(7)
    rows, minutes = [], {}
    for cid in (here, there):
        for _ in range(40):
            volunteer = uuid4()
            for _ in range(r.randrange(1, 6)):
                served = date(2026, 1, 1) + timedelta(days=r.randrange(365))
                spent = r.choice([30, 600, 3000, 12000, 30000])
                rows.append(_record(cid, volunteer, served, spent))
                minutes.setdefault((cid, volunteer), []).append((served, spent))
    async with HoursRecordView._meta.db.transaction():  # as the projector writes its views
        await bulk_insert(HoursRecordView, rows)
    for name, end, thresholds_there in (("2026-02", date(2026, 3, 1), DEFAULTS), ("2026", date(2027, 1, 1), lower)):
        found = (await queries.tables([here, there, empty], period(name), NOW))["counts"]
        for cid, thresholds in ((here, DEFAULTS), (there, thresholds_there)):
            expected = {n: 0 for n in range(1, 6)}
            for (owner, _v), served in minutes.items():
                level = star_level(sum(m for day, m in served if day < end), thresholds) if owner == cid else 0
                if level:
                    expected[level] += 1
            assert {n: found[str(cid)][f"volunteers_star_{n}"] for n in range(1, 6)} == expected, (name, cid)
        assert all(found[str(empty)][f"volunteers_star_{n}"] == 0 for n in range(1, 6))
    assert sum(found[str(there)][f"volunteers_star_{n}"] for n in range(1, 6)) > 0  # the test can fail


def _record(cid, volunteer, served: date, spent: int) -> dict:
    return {
        "id": uuid4(), "community_id": cid, "volunteer_id": volunteer, "team_id": uuid4(), "activity_id": uuid4(),
        "shift_id": uuid4(), "served_on": served, "activity": "a", "place": "p", "content": "", "beneficiary": "",
        "minutes": spent,
    }  # fmt: skip
