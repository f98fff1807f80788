"""Demo data for a fresh data dir: one community of a street, its household register (30 households, and one more whose
family moved out and another in), residents in every role (the last one operates the street), two registrations
waiting for a clerk, a few proposals, a matter whose residents' meeting is an online ballot open now, and casework
(grids, departments, cases in every state, care and visits: backend/casework/demo.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4

from backend.casework.demo import load_casework
from backend.community import commands as community_commands
from backend.community.domain.community import community_id_for
from backend.deliberation.commands import matters as matter_commands
from backend.deliberation.commands import meetings
from backend.deliberation.commands import proposals as proposal_commands
from backend.deliberation.domain.rules import Body
from backend.disclosure import commands as disclosure
from backend.kernel.context import Ctx
from backend.kernel.zone import LOCAL_ZONE
from backend.news.demo import load_news
from backend.residents import commands as resident_commands
from backend.residents.domain.household import HouseholdRow, household_id_for
from backend.runtime import Runtime
from backend.services import commands as services
from backend.services.domain.rules import BookingRules, slot_id_for
from backend.services.domain.schedule import Schedule
from backend.volunteering import commands as volunteering
from backend.volunteering.domain.activity import ActivityTerms, recurring
from backend.volunteering.domain.shift import shift_id_for
from backend.workload.admission_demo import load_admission
from backend.workload.certificates_demo import load_certificates
from backend.workload.errands_demo import load_errands
from backend.workload.one_table_demo import load_neighbours

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


async def _demo_moves(rt: Runtime, community_id: UUID, now: datetime) -> None:
    """迁入, 迁出: a family at 3栋2单元601室 whose one account moves out with it ten days ago, a new family in three
    days ago (the register's moves, on the 一表通 and its drill-down)."""
    at = Ctx(community_id, None, now - timedelta(days=28))
    await resident_commands.import_households(rt, at, [HouseholdRow(0, "3栋", "2单元", "601室", ("周建国", "周敏"))])
    home = household_id_for(community_id, "3栋", "2单元", "601室")
    done = await resident_commands.register(rt, at, "周建国", phone_for(95), home, DEMO_PASSWORD, verified=True)
    leaving = now - timedelta(days=10)
    await resident_commands.move_out(
        rt, Ctx(community_id, None, leaving), home, leaving.date(), [UUID(done.result["resident_id"])], True
    )
    coming = now - timedelta(days=3)
    await resident_commands.move_in(rt, Ctx(community_id, None, coming), home, coming.date(), ("吴磊", "吴小雨"))


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
    homes: list[tuple[UUID, str]] = []  # each resident's household and building
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
            homes.append((household_id, row.building))
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
    await _demo_moves(rt, community_id, now)
    proposal_ids: list[UUID] = []
    for number, (title, description, category, cosigns) in enumerate(PROPOSALS):
        author = residents[10 + number * 3]
        day = now - timedelta(days=20 - number * 3)
        result = await proposal_commands.submit(rt, Ctx(community_id, author, day), title, description, category, [])
        proposal_id = UUID(result.result["proposal_id"])
        proposal_ids.append(proposal_id)
        signers = [r for r in residents if r != author][:cosigns]
        for offset, signer in enumerate(signers):
            await proposal_commands.cosign(
                rt, Ctx(community_id, signer, day + timedelta(hours=3 + offset)), proposal_id
            )
        if number == 4:
            await proposal_commands.withdraw(
                rt, Ctx(community_id, author, day + timedelta(days=1)), proposal_id, "物业已答复将改造"
            )
    activities = await _demo_volunteering(rt, community_id, residents, now)
    service_count = await _demo_services(rt, community_id, residents, now)
    notices = await _demo_disclosure(rt, community_id, residents, now)
    matters = await _demo_deliberation(rt, community_id, residents, now)
    casework = await load_casework(rt, community_id, residents, homes, now, phone_for, DEMO_PASSWORD, proposal_ids)
    news = await load_news(rt, community_id, residents, now)
    admitted_tasks = await load_admission(rt, community_id, residents, now)  # 准入清单 (issue 30)
    certificates = await load_certificates(rt, community_id, residents, now)  # 证明事项 (issue 30)
    errand_count = await load_errands(rt, community_id, residents, now)  # 全程代办 (issue 30)
    neighbours = await load_neighbours(rt, now)  # 一表通: two more communities of the street (issue 30)
    return {
        "households": len(plan),
        "residents": len(residents) + 2,
        "proposals": len(PROPOSALS),
        "activities": activities,
        "services": service_count,
        "notices": notices,
        "matters": matters,
        "news": news,
        "admitted_tasks": admitted_tasks,
        "certificates": certificates,
        "errands": errand_count,
        "communities": 1 + neighbours,
        **{f"casework_{name}": count for name, count in casework.items()},
    }


async def _demo_volunteering(rt: Runtime, community_id: UUID, residents: list[UUID], now: datetime) -> int:
    """The volunteer leader's team with two weekly activities starting next Saturday, a few seats taken."""
    leader = Ctx(community_id, residents[5], now - timedelta(days=10))
    team = await volunteering.found_team(rt, leader, "幸福里志愿服务队", "助老、环境、平安，邻里互助。")
    team_id = UUID(team.result["team_id"])
    today = now.astimezone(LOCAL_ZONE).date()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    plans = [
        (ActivityTerms("周六敬老院陪伴", "陪老人聊天、读报、剪指甲。", "幸福里敬老院", "elderly", "敬老院老人"), 9, 10),
        (
            ActivityTerms(
                "小区环境清洁日", "清理绿化带垃圾，擦拭楼道扶手。", "小区中心花园", "environment", "全体居民"
            ),
            15,
            6,
        ),
    ]
    for terms, hour, capacity in plans:
        start = datetime.combine(saturday, time(hour), LOCAL_ZONE).astimezone(UTC)
        created = await volunteering.create_activity(
            rt,
            replace(leader, command_id=uuid4().hex),
            team_id,
            terms,
            recurring(start, start + timedelta(hours=2), 8),
            capacity,
        )
        activity_id = UUID(created.result["activity_id"])
        await volunteering.publish_activity(rt, replace(leader, command_id=uuid4().hex), activity_id)
    first = shift_id_for(activity_id, start)
    for resident in residents[11:15]:
        await volunteering.sign_up(rt, Ctx(community_id, resident, now - timedelta(days=2)), first)
    await _demo_past_service(rt, team_id, residents, now, today)
    return len(plans) + 1


async def _demo_past_service(rt: Runtime, team_id: UUID, residents: list[UUID], now: datetime, today: date) -> None:
    """Last week's clean-up, done: four volunteers checked in and out, their hours confirmed; two of them agreed to
    appear in the honours. (Commands take their time from the context, so the past can be replayed.)"""
    community_id = community_id_for(DEMO_CODE)
    start = datetime.combine(today - timedelta(days=7), time(9), LOCAL_ZONE).astimezone(UTC)
    leader = residents[5]

    def at(who: UUID, when: datetime) -> Ctx:
        return Ctx(community_id, who, when)

    terms = ActivityTerms("楼道清扫日", "清扫楼道、清理小广告。", "1–3栋", "environment", "1–3栋居民", offer_hours=0)
    created = await volunteering.create_activity(
        rt, at(leader, start - timedelta(days=10)), team_id, terms, [(start, start + timedelta(hours=2))], 6
    )
    activity_id = UUID(created.result["activity_id"])
    await volunteering.publish_activity(rt, at(leader, start - timedelta(days=10)), activity_id)
    shift_id = shift_id_for(activity_id, start)
    for offset, volunteer in enumerate(residents[11:15]):
        await volunteering.sign_up(rt, at(volunteer, start - timedelta(days=5)), shift_id)
        arrived = start + timedelta(minutes=5 * offset)
        await volunteering.check_in(rt, at(volunteer, arrived), shift_id, volunteer, False)
        await volunteering.check_out(rt, at(volunteer, start + timedelta(hours=2)), shift_id, volunteer, False)
        await volunteering.confirm_hours(rt, at(leader, start + timedelta(hours=3)), shift_id, volunteer)
    for volunteer in residents[11:13]:
        await volunteering.choose_honours(rt, at(volunteer, start + timedelta(days=1)), True)


SERVICES = [
    # provider, service, category, description, rules, weekdays, opens, closes, minutes, capacity, place
    (
        "幸福里社区卫生服务站",
        "家庭医生坐诊",
        "doctor",
        "签约家庭医生坐诊：量血压、测血糖、慢病复诊开药。请带医保卡。",
        BookingRules(2, 2, 1, False),
        {1, 3},
        time(9),
        time(11, 30),
        30,
        2,
        "社区卫生服务站二楼",
    ),
    (
        "平安水电维修队",
        "水电维修",
        "repair",
        "上门维修水管、龙头、开关插座、灯具。材料费另计，工时免费。",
        BookingRules(4, 4, 2, True),
        {0, 1, 2, 3, 4, 5},
        time(14),
        time(17),
        60,
        1,
        "",
    ),
    (
        "社区法律顾问",
        "法律咨询",
        "legal",
        "律师坐班：婚姻家庭、劳动纠纷、邻里矛盾、租房合同。",
        BookingRules(24, 12, 1, False),
        {5},
        time(9),
        time(11),
        60,
        3,
        "居委会调解室",
    ),
    ("幸福里便民服务队", "代办服务", "errand", "代缴水电费、代取药、代办老年卡。", BookingRules(0, 0, 3, False), set()),
]


async def _demo_services(rt: Runtime, community_id: UUID, residents: list[UUID], now: datetime) -> int:
    """Four providers (resident 7 acts for them) and their services; the doctor's sessions since last week, with
    bookings done and rated, so the rates on the board have something to say."""
    clerk, provider = residents[0], residents[6]
    setup = now - timedelta(days=14)
    today = now.astimezone(LOCAL_ZONE).date()

    def at(who: UUID, when: datetime) -> Ctx:
        return Ctx(community_id, who, when, command_id=uuid4().hex)

    for name, service, category, description, rules, weekdays, *pattern in SERVICES:
        made = await services.create_provider(rt, at(clerk, setup), name, "")
        provider_id = UUID(made.result["provider_id"])
        await services.add_member(rt, at(clerk, setup), provider_id, provider)
        made = await services.create_service(rt, at(clerk, setup), provider_id, service, category, description, rules)
        service_id = UUID(made.result["service_id"])
        if not weekdays:
            continue
        opens, closes, minutes, capacity, place = pattern
        first = today - timedelta(days=7) if category == "doctor" else today + timedelta(days=1)
        await services.publish_schedule(
            rt,
            at(provider, setup),
            service_id,
            Schedule(first, 3, frozenset(weekdays), opens, closes, minutes, capacity, place),
        )
        if category == "doctor":
            await _demo_done_bookings(rt, community_id, residents, service_id, first, opens)
    return len(SERVICES)


async def _demo_done_bookings(
    rt: Runtime, community_id: UUID, residents: list[UUID], service_id: UUID, first: date, opens: time
) -> None:
    """Last week's doctor's sessions: four residents came (one rated 3 stars), one did not."""
    day = first + timedelta(days=(1 - first.weekday()) % 7)  # the first Tuesday
    start = datetime.combine(day, opens, LOCAL_ZONE).astimezone(UTC)
    slot_id = slot_id_for(service_id, start.astimezone(LOCAL_ZONE))
    second = slot_id_for(service_id, (start + timedelta(minutes=30)).astimezone(LOCAL_ZONE))
    for offset, (resident, slot) in enumerate(
        zip(residents[15:20], (slot_id, slot_id, second, second, None), strict=True)
    ):
        if slot is None:
            continue
        booked = Ctx(community_id, resident, start - timedelta(days=3), command_id=uuid4().hex)
        await services.book(rt, booked, slot, "复诊开降压药" if offset == 0 else "")
        served = Ctx(community_id, residents[6], start + timedelta(minutes=40), command_id=uuid4().hex)
        await services.complete(rt, served, slot, resident, no_show=offset == 3)
        if offset != 3:
            rated = Ctx(community_id, resident, start + timedelta(hours=3), command_id=uuid4().hex)
            await services.rate(rt, rated, slot, 3 if offset == 2 else 5, "医生很耐心" if offset == 0 else "")


FINANCE = [
    # day of the month, kind, fen, category, counterparty, a person
    (2, "income", 30_000_00, "allocation", "和平街道办事处", False),
    (6, "expense", 1_860_00, "activities", "幸福里老年活动队", False),
    (12, "expense", 420_50, "office", "便民文具店", False),
    (18, "expense", 2_300_00, "maintenance", "王师傅", True),
    (25, "income", 500_00, "donation", "爱心企业 平安超市", False),
]


async def _demo_disclosure(rt: Runtime, community_id: UUID, residents: list[UUID], now: datetime) -> int:
    """Last month's finance entries (its report not drafted yet: from the 16th the board marks it overdue); a
    residents' affairs notice reviewed by the supervisor (resident 5) and published with an objection answered; a
    party notice waiting for review."""
    clerk, supervisor = residents[0], residents[4]

    def at(who: UUID, when: datetime) -> Ctx:
        return Ctx(community_id, who, when, command_id=uuid4().hex)

    today = now.astimezone(LOCAL_ZONE).date()
    month_start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    for day, kind, fen, category, counterparty, person in FINANCE:
        on = month_start.replace(day=day)
        when = datetime.combine(on, time(16), LOCAL_ZONE).astimezone(UTC)
        await disclosure.record_entry(rt, at(clerk, when), kind, on, fen, category, counterparty, person)
    published = now - timedelta(days=3)
    made = await disclosure.draft(
        rt,
        at(clerk, published - timedelta(hours=3)),
        "affairs",
        "社区活动室开放时间调整",
        "自下月起，社区活动室每天 8:00–20:00 开放，节假日 9:00–17:00。\n预约大型活动请提前三天联系居委会。",
    )
    notice = UUID(made.result["notice_id"])
    await disclosure.submit(rt, at(clerk, published - timedelta(hours=3)), notice)
    await disclosure.approve(rt, at(supervisor, published - timedelta(hours=1)), notice)
    await disclosure.publish(rt, at(clerk, published), notice)
    await disclosure.raise_objection(
        rt, at(residents[20], published + timedelta(hours=5)), notice, "晚上能否延长到 21:00？"
    )
    await disclosure.answer(
        rt, at(clerk, published + timedelta(days=1)), notice, 1, "夏季（6–9 月）延长到 21:00，其余月份不变。"
    )
    waiting = await disclosure.draft(
        rt,
        at(clerk, now - timedelta(hours=1)),
        "party",
        "党员活动日安排",
        "每月第一个周六上午 9:00，社区党群服务中心。",
    )
    await disclosure.submit(rt, at(clerk, now - timedelta(hours=1)), UUID(waiting.result["notice_id"]))
    return 2


BALLOT_MATTER = "东门增设电动自行车集中充电棚"


async def _demo_deliberation(rt: Runtime, community_id: UUID, residents: list[UUID], now: datetime) -> int:
    """A matter the committee raised, through ①–③, with its residents' meeting held as an online ballot open now:
    a third of the residents have voted on their phones; paper ballots are for the clerks' desk."""
    clerk = residents[0]

    def at(who: UUID, when: datetime) -> Ctx:
        return Ctx(community_id, who, when, command_id=uuid4().hex)

    start = now - timedelta(days=28)
    text = "电动自行车在楼道充电有火灾隐患。拟在东门空地建充电棚，设 40 个充电位，按次收费。"
    opened = await matter_commands.open_matter(rt, at(clerk, start), BALLOT_MATTER, text)
    matter_id = UUID(opened.result["matter_id"])
    # By ROLE_PLAN: 2 sits on the party committee; 2 and 3 on the two committees; 2, 7 and 9 are party members.
    sittings = [
        (Body.PARTY_COMMITTEE, [residents[2]]),
        (Body.JOINT_COMMITTEES, [residents[2], residents[3]]),
        (Body.PARTY_MEETING, [residents[2], residents[7], residents[9]]),
    ]
    motion = "同意在东门空地建设电动自行车集中充电棚"
    for day, (body, members) in enumerate(sittings):
        sits = start + timedelta(days=2 + day * 3)
        scheduled = await meetings.schedule(
            rt, at(clerk, sits - timedelta(days=1)), matter_id, body, "社区党群服务中心", sits, motion, members
        )
        meeting_id = UUID(scheduled.result["meeting_id"])
        await meetings.open_ballot(rt, at(clerk, sits), meeting_id)
        for member in members:
            await meetings.vote(rt, at(member, sits + timedelta(minutes=5)), meeting_id, "yes")
        await meetings.close_ballot(rt, at(clerk, sits + timedelta(hours=1)), meeting_id)
    opens = now - timedelta(days=1)
    ballot = await meetings.schedule(
        rt,
        at(clerk, opens - timedelta(days=11)),
        matter_id,
        Body.RESIDENTS_MEETING,
        "网上投票",
        opens,
        motion,
        residents,
        now + timedelta(days=6),
    )
    ballot_id = UUID(ballot.result["meeting_id"])
    await meetings.open_ballot(rt, at(clerk, opens), ballot_id)
    for offset, voter in enumerate(residents[10::3]):
        choice = ("yes", "yes", "no", "yes", "abstain")[offset % 5]
        await meetings.vote(rt, at(voter, opens + timedelta(minutes=17 * offset)), ballot_id, choice)
    return 1
