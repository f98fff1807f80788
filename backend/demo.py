"""Demo data for a fresh data dir: one community of a street, its household register (30 households), residents
in every role (the last one operates the street), two registrations waiting for a clerk, a few proposals."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from backend.community import commands as community_commands
from backend.community.domain import community_id_for
from backend.deliberation import commands as proposal_commands
from backend.eventstore import Ctx
from backend.residents import commands as resident_commands
from backend.residents.commands import HouseholdRow
from backend.residents.domain import household_id_for
from backend.runtime import Runtime

DEMO_PASSWORD = "linli2026"
DEMO_ACCOUNTS_SHOWN = 12
DEMO_CODE = "xingfuli"
DEMO_STREET = "和平街道"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = [
    "秀英",
    "建国",
    "丽华",
    "志强",
    "桂兰",
    "伟",
    "芳",
    "海燕",
    "明",
    "玉珍",
    "德华",
    "小红",
    "国庆",
    "淑珍",
    "春梅",
    "俊杰",
    "慧敏",
    "家豪",
    "文博",
    "雪梅",
]
ROLE_PLAN: list[list[str]] = [
    ["clerk"],
    ["clerk"],
    ["party_committee", "party_member", "committee_member"],
    ["committee_member"],
    ["supervisor"],
    ["volunteer_leader"],
    ["service_provider"],
    ["representative", "party_member"],
    ["representative"],
    ["party_member"],
]
PROPOSALS = [
    ("3栋楼道灯坏了两个月", "晚上上下楼很黑，老人容易摔倒，希望尽快更换声控灯。", "facilities", 12),
    ("小区东门增设非机动车充电桩", "电动车在楼道充电有火灾隐患，建议在东门空地安装集中充电桩。", "safety", 6),
    ("垃圾分类投放点加装洗手池", "投放点附近没有洗手的地方，夏天气味大，建议加装洗手池和遮雨棚。", "environment", 2),
    ("周末开放社区活动室给孩子写作业", "双职工家庭孩子周末没人看，希望活动室周末开放并安排志愿者。", "elderly", 0),
    ("地下车库入口改为单行", "入口和出口共用一条道，高峰期经常堵车。", "traffic", 1),
]


def phone_for(index: int) -> str:
    return f"138{index:08d}"


async def load_demo(rt: Runtime) -> dict[str, int]:
    if rt.event_count() > 0:
        return {}
    now = datetime.now(UTC).replace(microsecond=0)
    community_id = community_id_for(DEMO_CODE)
    founder = Ctx(community_id=community_id, actor_id=None, now=now - timedelta(days=30))
    await community_commands.found(rt, founder, "幸福里社区", DEMO_CODE)
    await community_commands.set_rule(rt, founder, "cosign_threshold", 10, (now - timedelta(days=30)).date())
    await community_commands.set_street(rt, founder, DEMO_STREET)
    plan: list[tuple[HouseholdRow, list[str]]] = []
    index = 0
    for building in (1, 2, 3):
        for unit in (1, 2):
            for floor in range(1, 6):
                room = f"{floor}0{1 + (floor + unit) % 2}室"
                names = []
                for _ in range(2 if (building + floor) % 3 == 0 else 1):
                    index += 1
                    names.append(SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)])
                row = HouseholdRow(len(plan) + 2, f"{building}栋", f"{unit}单元", room, tuple(names))
                plan.append((row, names))
    await resident_commands.import_households(rt, founder, [row for row, _ in plan])
    residents: list[UUID] = []
    registered = Ctx(community_id, None, now - timedelta(days=29))
    for row, names in plan:
        household_id = household_id_for(community_id, row.building, row.unit, row.room)
        for name in names:
            roles = ROLE_PLAN[len(residents)] if len(residents) < len(ROLE_PLAN) else []
            result = await resident_commands.register(
                rt,
                replace(registered, command_id=uuid4().hex),
                name,
                phone_for(len(residents) + 1),
                household_id,
                DEMO_PASSWORD,
                verified=True,
                roles=tuple(roles),
            )
            residents.append(UUID(result.result["resident_id"]))
    await resident_commands.grant_role(rt, registered, residents[-1], "street_operator", street=DEMO_STREET)
    for offset, (name, (row, _)) in enumerate(zip(("孙丽", "钱志刚"), plan[-2:], strict=True)):
        await resident_commands.register(
            rt,
            Ctx(community_id, None, now - timedelta(days=1, hours=offset)),
            name,
            phone_for(90 + offset),
            household_id_for(community_id, row.building, row.unit, row.room),
            DEMO_PASSWORD,
        )
    for number, (title, description, category, cosigns) in enumerate(PROPOSALS):
        author = residents[10 + number * 3]
        day = now - timedelta(days=20 - number * 3)
        result = await proposal_commands.submit(rt, Ctx(community_id, author, day), title, description, category, [])
        proposal_id = UUID(result.result["proposal_id"])
        signers = [r for r in residents if r != author][:cosigns]
        for offset, signer in enumerate(signers):
            await proposal_commands.cosign(
                rt, Ctx(community_id, signer, day + timedelta(hours=3 + offset)), proposal_id
            )
        if number == 4:
            await proposal_commands.withdraw(
                rt, Ctx(community_id, author, day + timedelta(days=1)), proposal_id, "物业已答复将改造"
            )
    return {"households": len(plan), "residents": len(residents) + 2, "proposals": len(PROPOSALS)}
