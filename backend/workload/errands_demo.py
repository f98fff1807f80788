"""The errands' part of the demo (全程代办, issue 30), loaded by backend/demo.py: a 残疾证申领 the first clerk ran to
the end (documents, handover to the 残联, approval, handed back, the resident's confirmation) and a 低保申请 with the
office now. In the past, in order."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

from backend.kernel.context import Ctx
from backend.kernel.ports import Commands
from backend.workload.commands import errands
from backend.workload.domain.errands import APPROVED, CATALOG

DONE_FOR, RUNNING_FOR = 17, 18  # demo residents 18 and 19 (phones 138…18, 138…19); no journey signs in as them


async def load_errands(rt: Commands, community_id: UUID, residents: list[UUID], now: datetime) -> int:
    clerk = residents[0]

    def at(who: UUID, when: datetime) -> Ctx:
        return Ctx(community_id, who, when, command_id=uuid4().hex)

    started = now - timedelta(days=12)
    for who, code in ((DONE_FOR, "disability_card"), (RUNNING_FOR, "dibao")):
        opened = await errands.open_errand(rt, at(clerk, started), residents[who], code)
        errand_id = UUID(opened.result["errand_id"])
        for document in CATALOG[code].documents:
            await errands.receive(rt, at(clerk, started), errand_id, document)
        handed = started + timedelta(days=1)
        await errands.hand_over(rt, at(clerk, handed), errand_id, at(clerk, handed).today)
        if who == DONE_FOR:
            await errands.decide(rt, at(clerk, now - timedelta(days=4)), errand_id, APPROVED)
            await errands.hand_back(rt, at(clerk, now - timedelta(days=3)), errand_id)
            await errands.confirm(rt, at(residents[who], now - timedelta(days=2)), errand_id)
        started += timedelta(days=5)
    return 2
