"""Casework's part of the demo (issue 22), loaded by backend/demo.py into a fresh data dir after the rest: two grids
with their 网格员 and a 楼长 per building, the street's departments (城管 and the property company with accounts;
派出所, 供电所, 市场监管所 without), a dozen cases in every state — raised, accepted, whistled and reported in,
answered by a department and then by the owner, rated 满意 / 基本满意 (one recorded by phone), one 不满意 reopened
to the clerk, one overdue, one closed unrated, a duplicate merged —, two households in care (one visit overdue, one
visited), a visit assigned to a volunteer, and the committee's answer to a proposal (another one stays overdue).

Commands take their time from the context, so the past is replayed in order. New accounts (phones in the demo's
pattern, listed on the demo's sign-in page by their roles): 13800000041 城管, 13800000042 物业, 13800000043 and
13800000044 the grid workers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from uuid import UUID, uuid4

from backend.casework.commands import care, cases, grids, street, whistles
from backend.casework.commands.cases import NewCase
from backend.deliberation.commands import answers
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.residents import commands as resident_commands
from backend.runtime import Runtime

# (phone index, name, role at registration or "" for department staff)
ACCOUNTS = ((41, "赵城管", ""), (42, "钱物业", ""), (43, "孙网格", "grid_worker"), (44, "李网格", "grid_worker"))
DEPARTMENTS = (  # name, kind, categories, the phone index of its staff (0: none in the demo)
    ("和平街道城管执法队", "city", ["city"], 41),
    ("幸福里物业服务中心", "property", ["property"], 42),
    ("和平派出所", "police", ["safety"], 0),
    ("和平供电所", "power", ["power"], 0),
    ("和平市场监管所", "market", ["market"], 0),
)


@dataclass
class Demo:
    rt: Runtime
    community_id: UUID
    now: datetime
    residents: list[UUID]
    buildings: dict[UUID, str]  # resident -> building
    accounts: dict[int, UUID]  # the new accounts, by their phone index

    def at(self, who: UUID | None, when: datetime, on_behalf_of: UUID | None = None) -> Ctx:
        return Ctx(self.community_id, who, when, command_id=uuid4().hex, on_behalf_of=on_behalf_of)

    def day(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """A working hour `days_ago` days back (China), as the clock stores it."""
        today = self.now.astimezone(LOCAL_ZONE).date()
        return datetime.combine(today - timedelta(days=days_ago), time(hour, minute), LOCAL_ZONE)

    def living_in(self, building: str, skip: int = 0) -> UUID:
        """A resident of `building` beyond the role holders (the ROLE_PLAN's first ten) and the street operator."""
        found = [r for r in self.residents[10:-1] if self.buildings[r] == building]
        return found[skip % len(found)]

    @property
    def clerk(self) -> UUID:
        return self.residents[0]


async def load_casework(
    rt: Runtime,
    community_id: UUID,
    residents: list[UUID],
    households: Sequence[tuple[UUID, str]],
    now: datetime,
    phone_for: object,
    password: str,
    proposals: Sequence[UUID],
) -> dict[str, int]:
    """`households`: (id, building) of the register's rows, each resident's in `residents` order (one per
    resident); `phone_for`: the demo's phone pattern; `proposals`: the demo's proposals, oldest first."""
    buildings = {r: b for r, (_, b) in zip(residents, households, strict=True)}
    demo = Demo(rt, community_id, now, residents, buildings, {})
    setup = now - timedelta(days=25)
    accounts = demo.accounts
    for index, name, role in ACCOUNTS:  # registered at the counter, in the last households of 3栋
        household_id = households[-1 - index % 3][0]
        done = await resident_commands.register(
            rt,
            demo.at(None, setup),
            name,
            phone_for(index),  # type: ignore[operator]
            household_id,
            password,
            verified=True,
            roles=(role,) if role else (),
        )
        accounts[index] = UUID(done.result["resident_id"])
    workers = (accounts[43], accounts[44])
    grid_ids = await _grids(demo, setup, workers)
    await _departments(demo, setup, accounts)
    count = await _cases(demo, workers)
    await _care(demo, workers)
    await _answers(demo, proposals)
    return {"grids": len(grid_ids), "departments": len(DEPARTMENTS), "cases": count, "care": 2}


async def _grids(demo: Demo, when: datetime, workers: tuple[UUID, UUID]) -> list[UUID]:
    """第一网格 holds 1栋 and 2栋 and 中心花园; 第二网格 3栋 and 小区北门; a 楼长 per building."""
    clerk = demo.clerk
    plan = [("第一网格", ["1栋", "2栋"], "中心花园"), ("第二网格", ["3栋"], "小区北门")]
    grid_ids = []
    for (name, buildings, place), worker in zip(plan, workers, strict=True):
        grid_id = UUID((await grids.draw_grid(demo.rt, demo.at(clerk, when), name)).result["grid_id"])
        grid_ids.append(grid_id)
        for building in buildings:
            await grids.add_building(demo.rt, demo.at(clerk, when), grid_id, building)
        await grids.set_place(demo.rt, demo.at(clerk, when), place, grid_id)
        await grids.assign_worker(demo.rt, demo.at(clerk, when), grid_id, worker)
    for building in ("1栋", "2栋", "3栋"):
        head = demo.living_in(building, skip=-1)
        await resident_commands.grant_role(demo.rt, demo.at(clerk, when), head, "building_head")
        await grids.assign_head(demo.rt, demo.at(clerk, when), building, head)
    return grid_ids


async def _departments(demo: Demo, when: datetime, accounts: dict[int, UUID]) -> None:
    """The street's departments, registered by its operator (the last resident); two act through accounts."""
    operator = demo.residents[-1]
    for name, kind, categories, staff in DEPARTMENTS:
        done = await street.register_department(demo.rt, demo.at(operator, when), "和平街道", name, kind, categories)
        if staff:
            department_id = UUID(done.result["department_id"])
            await street.appoint_staff(demo.rt, demo.at(operator, when), department_id, accounts[staff])


async def _raise(demo: Demo, who: UUID, when: datetime, category: str, text: str, **more: object) -> UUID:
    done = await cases.raise_case(demo.rt, demo.at(who, when), category, text, **more)  # type: ignore[arg-type]
    return UUID(done.result["case_id"])


async def _cases(demo: Demo, workers: tuple[UUID, UUID]) -> int:
    rt, at, day = demo.rt, demo.at, demo.day
    a, b = workers
    one, two, three = (demo.living_in(building) for building in ("1栋", "2栋", "3栋"))
    two_b, three_b = demo.living_in("2栋", 1), demo.living_in("3栋", 1)
    city_staff, property_staff = _staff(demo)
    n = 0

    # raised just now: in the grids' queues (one public, a neighbour has the same problem; one raised by a 楼长)
    light = await _raise(
        demo, two, demo.now - timedelta(minutes=10), "facilities", "2栋2单元楼道声控灯坏了，晚上很黑。", public=True
    )
    await cases.join(rt, at(two_b, demo.now - timedelta(minutes=4)), light)
    await _raise(
        demo,
        three,
        demo.now - timedelta(minutes=5),
        "environment",
        "小区北门雨后积水，老人进出不便。",
        place="小区北门",
    )
    head = demo.living_in("3栋", skip=-1)
    await cases.raise_case(
        rt,
        at(head, demo.now - timedelta(minutes=20), on_behalf_of=three_b),
        "elderly",
        "3栋独居老人腿脚不便，想申请助餐送餐。",
    )
    n += 3

    # accepted, with a progress note
    noise = await _raise(demo, one, day(1, 10), "neighbours", "楼上装修每天早上七点就开始打钻。")
    await cases.accept(rt, at(a, day(1, 10, 30)), noise)
    await cases.add_note(rt, at(a, day(1, 15)), noise, "已上门沟通，装修方同意改为八点半以后施工，继续观察。")
    n += 1

    # whistled to 城管, reported in, waiting for its answer
    stall = await _raise(
        demo, three, day(2, 10), "city", "小区北门早晚有流动摊贩占道经营，车辆进出困难。", place="小区北门"
    )
    await cases.accept(rt, at(b, day(2, 10, 30)), stall)
    await whistles.whistle(rt, at(b, day(2, 11)), stall)
    await whistles.report_in(rt, at(city_staff, day(2, 14)), stall)
    n += 1

    # whistled to the property company, answered by it and then by the owner: waiting for the rating
    leak = await _raise(demo, three_b, day(4, 9), "property", "地下车库入口顶棚漏水，地面湿滑。")
    await cases.accept(rt, at(b, day(4, 9, 40)), leak)
    await whistles.whistle(rt, at(b, day(4, 10)), leak)
    await whistles.report_in(rt, at(property_staff, day(4, 11)), leak)
    await whistles.department_answer(rt, at(property_staff, day(2, 15)), leak, "已重做入口顶棚防水层，并加铺防滑垫。")
    await cases.answer(rt, at(b, day(1, 10)), leak, "物业已修好车库入口漏水，请您看看是否还有渗水。")
    n += 1

    # answered and rated: 满意, 基本满意, and 满意 told the clerk by phone (回访)
    rated = [
        (
            two,
            a,
            10,
            "environment",
            "垃圾分类点周末没人清运，气味很大。",
            "已协调保洁公司周末加清一次。",
            "satisfied",
            None,
        ),
        (
            three,
            b,
            12,
            "facilities",
            "中心花园健身器材扭腰器坏了。",
            "已更换轴承，可以正常使用。",
            "basically_satisfied",
            None,
        ),
        (
            one,
            a,
            6,
            "policy",
            "老年卡怎么办理？需要带什么材料？",
            "带身份证和一寸照片到社区服务站即可，当场受理。",
            "satisfied",
            "phone",
        ),
    ]
    for raiser, owner, ago, category, text, reply, level, channel in rated:
        case_id = await _raise(demo, raiser, day(ago, 9), category, text)
        await cases.accept(rt, at(owner, day(ago, 10)), case_id)
        await cases.answer(rt, at(owner, day(ago - 1, 16)), case_id, reply)
        if channel:  # the clerk called the resident back and records what they said
            rating = at(demo.clerk, day(ago - 2, 10), on_behalf_of=raiser)
            await cases.rate(rt, rating, case_id, level, True, "电话回访：很满意", channel=channel)
        else:
            await cases.rate(rt, at(raiser, day(ago - 2, 9)), case_id, level, True, "谢谢网格员")
        n += 1

    # 不满意: reopened to the clerk, who took it on
    clutter = await _raise(demo, two_b, day(5, 9), "environment", "2栋楼道里堆满旧家具和纸箱，有消防隐患。")
    await cases.accept(rt, at(a, day(5, 9, 30)), clutter)
    await cases.answer(rt, at(a, day(3, 16)), clutter, "已通知住户自行清理。")
    await cases.rate(rt, at(two_b, day(2, 9)), clutter, "dissatisfied", False, "只是通知了，杂物还在。")
    await cases.accept(rt, at(demo.clerk, day(2, 10)), clutter)
    await cases.add_note(rt, at(demo.clerk, day(2, 15)), clutter, "已约物业和住户周五一起清理。")
    n += 1

    # overdue: accepted nine days ago, never answered; a duplicate merged into it
    door = await _raise(demo, two, day(9, 9), "facilities", "2栋1单元门禁坏了，谁都能进。")
    await cases.accept(rt, at(a, day(9, 10)), door)
    duplicate = await _raise(demo, two_b, day(8, 9), "facilities", "2栋门禁刷卡没反应。")
    await cases.merge(rt, at(a, day(8, 10)), door, duplicate)
    n += 2

    # answered, never rated: closed 未评价 at the end of its window
    lamp = await _raise(demo, three, day(11, 9), "facilities", "3栋门口路灯不亮。")
    await cases.accept(rt, at(b, day(11, 10)), lamp)
    await cases.answer(rt, at(b, day(8, 11)), lamp, "已报修更换灯泡。")
    await _close_unrated(demo, lamp, day(5, 11, 1))
    return n + 1


def _staff(demo: Demo) -> tuple[UUID, UUID]:
    """The accounts of 城管 and the property company (phones 41 and 42)."""
    return demo.accounts[41], demo.accounts[42]


async def _close_unrated(demo: Demo, case_id: UUID, after: datetime) -> None:
    """The rounds' pass at the end of the rating window, replayed: the notice before it, then the closing."""
    for _ in range(3):
        try:
            await cases.keep_deadlines(demo.rt, Ctx(demo.community_id, None, after, command_id=uuid4().hex), case_id)
        except DomainError:
            return


async def _care(demo: Demo, workers: tuple[UUID, UUID]) -> None:
    """Two households in care: a woman over eighty living alone in 1栋 (weekly, never visited: overdue) and an empty
    nest in 3栋 (visited three days ago); a volunteer asked to bring medicine; a visit that raised a case."""
    a, b = workers
    rt, at, day = demo.rt, demo.at, demo.day
    alone, nest = demo.living_in("1栋"), demo.living_in("3栋", 2)  # (the volunteer, resident 12, lives apart)
    households = {r: demo.rt.store.repository.get(r).household_id for r in (alone, nest, demo.living_in("2栋", 2))}
    await care.flag_care(rt, at(demo.clerk, day(20, 10)), households[alone], ["alone", "elderly"], alone)
    await care.flag_care(rt, at(demo.clerk, day(20, 10)), households[nest], ["empty_nest"], nest)
    await care.log_visit(
        rt, at(b, day(3, 15)), households[nest], day(3, 15).date(), "老两口身体不错，提醒冬季用气安全。"
    )
    volunteer = demo.residents[11]
    today = demo.now.astimezone(LOCAL_ZONE).date()
    await care.plan_visit(
        rt, at(a, day(1, 9)), households[alone], volunteer, "送降压药，陪老人聊聊天", today + timedelta(days=2)
    )
    visited = demo.living_in("2栋", 2)
    done = await care.log_visit(
        rt,
        at(a, day(2, 10)),
        households[visited],
        day(2, 10).date(),
        "楼道扶手松动，老人上下楼不安全。",
        NewCase("facilities", "2栋2单元楼道扶手松动，需要加固。"),
        raiser_id=visited,
    )
    await cases.accept(rt, at(a, day(2, 10, 5)), UUID(done.result["case_id"]))


async def _answers(demo: Demo, proposals: Sequence[UUID]) -> None:
    """The committee answers the third proposal in writing before its day; the second, past its day, waits."""
    if len(proposals) > 2:
        await answers.answer(
            demo.rt,
            demo.at(demo.clerk, demo.now - timedelta(days=1)),
            proposals[2],
            "answered",
            "已请物业在垃圾分类投放点加装洗手池，遮雨棚列入明年维修计划，届时公示。",
        )
