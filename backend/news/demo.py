"""社区动态's part of the demo (issue 23), loaded by backend/demo.py: a pinned policy notice, an important water-cut
notice that the first dozen residents have marked read (the clerk's per-building count has something to show), an
activity, and one past its last day (its page marked expired). Posted by the first clerk, in the past, in order."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

from backend.kernel.context import Ctx
from backend.kernel.ports import Commands
from backend.kernel.zone import LOCAL_ZONE
from backend.news import commands
from backend.news.domain.item import Draft

READERS = 12  # residents 2–12 (indexes 1–11 of the list) read the important notice; the clerk does too


async def load_news(rt: Commands, community_id: UUID, residents: list[UUID], now: datetime) -> int:
    clerk = residents[0]

    def at(who: UUID, when: datetime) -> Ctx:
        return Ctx(community_id, who, when, command_id=uuid4().hex)

    today = now.astimezone(LOCAL_ZONE).date()
    items = [
        (
            now - timedelta(days=8),
            Draft(
                "activity",
                "上周六社区义诊",
                "上周六上午在活动室举办义诊，感谢参加的居民。",
                until=today - timedelta(days=2),
            ),
        ),
        (
            now - timedelta(days=5),
            Draft(
                "policy",
                "2027年度城乡居民医保开始缴费",
                "缴费时间：即日起至明年2月底。\n可通过手机银行、微信或到社区服务站缴费；80岁以上老人可由居委会代办。",
                pinned=True,
            ),
        ),
        (
            now - timedelta(days=2),
            Draft(
                "activity",
                "本周六重阳节联欢会",
                "本周六下午2点，社区活动室，欢迎老人和家属参加。",
                until=today + timedelta(days=5),
            ),
        ),
        (
            now - timedelta(days=1),
            Draft(
                "outage",
                "后天停水通知",
                "因供水管道维修，后天8:00–18:00全小区停水，请提前储水。",
                important=True,
                until=today + timedelta(days=2),
            ),
        ),
    ]
    for when, draft in items:
        posted = await commands.post(rt, at(clerk, when), draft)
    important = UUID(posted.result["news_id"])
    for number, resident in enumerate(residents[:READERS]):
        await commands.read(rt, at(resident, now - timedelta(hours=20 - number)), important)
    return len(items)
