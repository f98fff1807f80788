"""The admission list's part of the demo (issue 30), loaded by backend/demo.py: the street's small list (a duty, a
funded 协助 item, and a 协助 item without funding, flagged on the board), one task 城管 assigned to the community
from it, and one attempt refused (未准入: a form not on the list). Done by the street's operator (the last resident)
and 城管's staff, in the past, in order."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

from backend.casework.domain.rules import department_id_for
from backend.kernel.context import Ctx
from backend.kernel.ports import Commands
from backend.kernel.zone import LOCAL_ZONE
from backend.workload.commands import admission, tasks
from backend.workload.domain.admission import ASSIST, DUTY, Item

STREET = "和平街道"
CITY = department_id_for(STREET, "和平街道城管执法队")
POWER = department_id_for(STREET, "和平供电所")
ITEMS = (  # kind, work, legal basis, department, funding
    (DUTY, "市容环境卫生宣传动员", "《城市市容和环境卫生管理条例》第五条", CITY, ""),
    (
        ASSIST,
        "违法建设巡查发现报告",
        "《城乡规划法》第六十四条；《××市违法建设查处办法》",
        CITY,
        "区城管专项经费（每年2万元）",
    ),
    (ASSIST, "用电安全入户宣传", "《电力法》第五十三条", POWER, ""),
)


async def load_admission(rt: Commands, community_id: UUID, residents: list[UUID], now: datetime) -> int:
    operator = residents[-1]

    def at(who: UUID, when: datetime) -> Ctx:
        return Ctx(community_id, who, when, command_id=uuid4().hex)

    listed_at = now - timedelta(days=10)
    codes = []
    for kind, title, basis, department, funding in ITEMS:
        done = await admission.add_item(
            rt,
            at(operator, listed_at),
            STREET,
            Item("", kind, title, basis, department, funding),
            "和平街道党工委会议纪要〔2026〕12号",
            listed_at.astimezone(LOCAL_ZONE).date(),
        )
        codes.append(done.result["code"])
    staff = sorted(rt.store.repository.get(CITY).staff)  # 城管's account (casework's demo appointed it)
    if not staff:
        return 0
    assigned = now - timedelta(days=2)
    await tasks.assign(
        rt,
        at(staff[0], assigned),
        CITY,
        community_id,
        codes[1],
        "",
        (assigned + timedelta(days=7)).astimezone(LOCAL_ZONE).date(),
        "请于每周五汇总本周巡查发现的违法建设线索。",
    )
    await tasks.assign(
        rt,
        at(staff[0], assigned + timedelta(hours=1)),
        CITY,
        community_id,
        "",
        "门前三包责任书签订情况统计表",
        (assigned + timedelta(days=3)).astimezone(LOCAL_ZONE).date(),
    )
    return 1
