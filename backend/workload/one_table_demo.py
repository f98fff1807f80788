"""一表通's part of the demo (issue 30), loaded by backend/demo.py: two more communities of the demo street, so that
the street's table has communities side by side — 安康苑社区 with a small register, a few verified residents and a
proposal, and 和美家园社区 just founded (its table is zeros and —)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

from backend.community import commands as community_commands
from backend.community.domain.community import community_id_for
from backend.deliberation.commands import proposals
from backend.kernel.context import Ctx
from backend.kernel.ports import Commands
from backend.residents import commands as resident_commands
from backend.residents.domain.household import HouseholdRow, household_id_for

STREET = "和平街道"
NEIGHBOURS = (("安康苑社区", "ankang"), ("和美家园社区", "hemei"))
NAMES = ("赵淑华", "钱立新", "孙美玲", "李国栋")


async def load_neighbours(rt: Commands, now: datetime) -> int:
    """Found the two communities; fill in the first. Residents have no password (nobody signs in as them)."""
    founded = now - timedelta(days=20)  # after the demo's own community: a visitor's board stays 幸福里's
    for name, code in NEIGHBOURS:
        ctx = Ctx(community_id_for(code), None, founded)
        await community_commands.found(rt, ctx, name, code)
        await community_commands.set_street(rt, ctx, STREET)
    cid = community_id_for(NEIGHBOURS[0][1])
    rows = [HouseholdRow(i + 2, "1栋", "1单元", f"{101 + i}室", ()) for i in range(6)]
    await resident_commands.import_households(rt, Ctx(cid, None, founded), rows)
    residents: list[UUID] = []
    for i, name in enumerate(NAMES):
        done = await resident_commands.register(
            rt,
            Ctx(cid, None, founded + timedelta(days=1), command_id=uuid4().hex),
            name,
            f"1590000{1000 + i:04d}",  # a range of its own: the benches seed 137… numbers beside the demo
            household_id_for(cid, "1栋", "1单元", f"{101 + i}室"),
            "",
            verified=True,
        )
        residents.append(UUID(done.result["resident_id"]))
    await proposals.submit(
        rt,
        Ctx(cid, residents[0], now - timedelta(days=3)),
        "增设电动车充电桩",
        "楼下电动车充电难，建议增设。",
        "other",
        [],
    )
    return len(NEIGHBOURS)
