"""The certificates' part of the demo (issue 30), loaded by backend/demo.py: the street's lists (the defaults, plus a
city rule's wording of 居住证明 and a province's extra negative item, each edit citing its rule), one 居住证明 a
resident asked for on the phone and the clerk issued, and one 亲属关系证明 refused with its basis. Done by the
street's operator (the last resident) and the first clerk, in the past, in order."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from backend.community.reads import load_community
from backend.kernel.context import Ctx
from backend.kernel.ports import Commands
from backend.kernel.zone import LOCAL_ZONE
from backend.workload.commands import certificates
from backend.workload.domain.certificate_lists import NEGATIVE, RESIDENCE, ListItem
from backend.workload.domain.certificates import BY_LIST

CITY_RULE = "《××市村（居）民委员会出具证明事项清单》（示例；以本省、市公布的清单为准）"
TRANSFER = ListItem(
    "school_transfer",
    "转学证明",
    NEGATIVE,
    "《××省不应由基层群众性自治组织出具证明事项清单（第一批）》（示例）",
    instead="转出、转入学校和教育行政部门通过学籍系统办理",
)
ISSUED_TO, REFUSED_TO = 15, 16  # demo residents 16 and 17 (phones 138…16, 138…17); no journey signs in as them


async def load_certificates(rt: Commands, community_id: UUID, residents: list[UUID], now: datetime) -> int:
    clerk, operator = residents[0], residents[-1]

    def at(who: UUID, when: datetime) -> Ctx:
        return Ctx(community_id, who, when, command_id=uuid4().hex)

    street = load_community(rt.store, community_id).street
    listed = now - timedelta(days=10)
    day = listed.astimezone(LOCAL_ZONE).date()
    await certificates.set_list_item(
        rt,
        at(operator, listed),
        street,
        replace(RESIDENCE, basis=CITY_RULE + "；《居住证暂行条例》第九条"),
        day,
        CITY_RULE,
    )
    await certificates.set_list_item(rt, at(operator, listed), street, TRANSFER, day, TRANSFER.basis)

    asked_at = now - timedelta(days=3)
    asked = await certificates.request(rt, at(residents[ISSUED_TO], asked_at), "residence", "", "办理居住证")
    issued_at = asked_at + timedelta(hours=2)
    until = issued_at.astimezone(LOCAL_ZONE).date() + timedelta(days=90)
    await certificates.issue(rt, at(clerk, issued_at), UUID(asked.result["certificate_id"]), until)

    refused_at = now - timedelta(days=2)
    kinship = await certificates.request(rt, at(residents[REFUSED_TO], refused_at), "kinship", "", "银行开户")
    await certificates.refuse(
        rt, at(clerk, refused_at + timedelta(hours=1)), UUID(kinship.result["certificate_id"]), BY_LIST
    )
    return 2
