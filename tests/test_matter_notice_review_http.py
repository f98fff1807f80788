"""⑤/⑥ through the supervisors' review over HTTP with the real app and stores (issue 29): the clerk's ⑤ draft goes
to the 居务监督委员会's queue (/review), not to the board; a supervisor returns it with a reason the committee sees;
the revised draft is sent again; its drafter, though a supervisor too, cannot approve it; another supervisor's
approval publishes it, its 公示 period counted from that day. With `disclosure_review_required` at 0 the committee
publishes directly, as before. Refusals write nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from backend.community import commands as community_commands
from backend.deliberation.commands import matters
from backend.kernel.context import Ctx
from backend.web.pages import today
from tests.conftest import NOW
from tests.factories import app_runtime, community, grant, sign_in
from tests.test_meetings import resolve
from tests.test_residents_http import form_post, settle

CLERK, SUPERVISOR, BOTH, RESIDENT = 0, 4, 5, 6  # BOTH: a committee member who also sits on the 监委会
FIRST = "决议：三栋加装电梯，费用按楼层分摊"
REVISED = "决议：三栋加装电梯，费用按楼层分摊（赞成 3 票，反对 0 票）"


async def resolved_matter(client):
    """A community with a clerk, three members of every body, two supervisors (one also a committee member) and a
    resident; a matter through ④: its page."""
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=7, threshold=1)
    await grant(rt, place, CLERK, "clerk", now=NOW)
    for index in (1, 2, 3):
        await grant(rt, place, index, "party_committee", "party_member", "representative", now=NOW)
    await grant(rt, place, SUPERVISOR, "supervisor", now=NOW)
    await grant(rt, place, BOTH, "committee_member", "supervisor", now=NOW)
    clerk = Ctx(place.community_id, place.residents[CLERK], NOW)
    opened = await matters.open_matter(rt, clerk, "加装电梯", "3栋加装电梯")
    matter_id = UUID(opened.result["matter_id"])
    await resolve(rt, place, clerk, matter_id, place.residents[1:4])
    await settle(rt)
    return rt, place, matter_id, f"/matters/{matter_id}"


async def test_the_resolution_notice_reaches_the_board_only_through_the_supervisors(client):
    rt, place, matter_id, page = await resolved_matter(client)
    review = f"/matters/{matter_id}/notice"

    await sign_in(client, place.phones[CLERK])
    form = await client.get(page)
    assert "送审" in form.text and "公示期自审核通过之日起计算" in form.text
    sent = await form_post(client, page, f"{page}/publish", {"stage": "resolution_notice", "text": FIRST})
    assert sent.status_code == 303
    await settle(rt)
    drafted = await client.get(page)
    assert "草稿已送监督委员会审核。" in drafted.text and "草稿正在居务监督委员会审核" in drafted.text
    before = rt.event_count()
    again = await form_post(client, page, f"{page}/publish", {"stage": "resolution_notice", "text": "另一稿"})
    assert again.status_code == 409 and "草稿正在监督委员会审核，请等待。" in again.text
    assert rt.event_count() == before

    # Nothing reaches the board, nor the matter's public page, before the review.
    await sign_in(client, place.phones[RESIDENT])
    assert FIRST not in (await client.get("/board")).text
    public = await client.get(page)
    assert "草稿正在居务监督委员会审核" in public.text and FIRST not in public.text
    assert "公示至" not in public.text
    refused = await form_post(client, page, f"{review}/approve", {})
    assert refused.status_code == 403 and rt.event_count() == before

    # A supervisor returns it; the reason is required.
    await sign_in(client, place.phones[SUPERVISOR])
    queue = await client.get("/review")
    assert "加装电梯" in queue.text and FIRST in queue.text and f"{review}/approve" in queue.text
    blank = await form_post(client, "/review", f"{review}/return", {"reason": " "})
    assert blank.status_code == 303 and rt.event_count() == before
    assert "请写明监督委员会的意见" in (await client.get("/review")).text
    returned = await form_post(client, "/review", f"{review}/return", {"reason": "未写明表决票数"})
    assert returned.status_code == 303
    await settle(rt)
    assert "已退回居委会修改。" in (await client.get("/review")).text
    assert FIRST not in (await client.get("/review")).text, "a returned draft leaves the queue"

    # The committee sees the reason, revises and sends it again (its drafter a supervisor too).
    await sign_in(client, place.phones[CLERK])
    back = await client.get(page)
    assert "监督委员会已退回：未写明表决票数" in back.text and FIRST in back.text, "the form starts from the draft"
    before = rt.event_count()
    same = await form_post(client, page, f"{page}/publish", {"stage": "resolution_notice", "text": FIRST})
    assert same.status_code == 409 and "请先修改被退回的草稿" in same.text and rt.event_count() == before
    await sign_in(client, place.phones[BOTH])
    resent = await form_post(client, page, f"{page}/publish", {"stage": "resolution_notice", "text": REVISED})
    assert resent.status_code == 303
    await settle(rt)
    before = rt.event_count()
    own = await form_post(client, "/review", f"{review}/approve", {})
    assert own.status_code == 303 and rt.event_count() == before
    assert "任何人不得审核自己起草的稿件" in (await client.get("/review")).text

    # Another supervisor approves: published today, on the board for the 公示 period from today.
    await sign_in(client, place.phones[SUPERVISOR])
    approved = await form_post(client, "/review", f"{review}/approve", {})
    assert approved.status_code == 303
    await settle(rt)
    assert "没有待审核的公告。" in (await client.get("/review")).text
    await sign_in(client, place.phones[RESIDENT])
    assert REVISED in (await client.get("/board")).text
    shown = await client.get(page)
    day = today()
    assert f"{day.isoformat()} 公布，公示至 {(day + timedelta(days=9)).isoformat()}。" in shown.text
    assert "草稿被监督委员会退回" in shown.text and "未写明表决票数" not in shown.text, "the reason stays internal"
    assert "对本公告提出异议" in shown.text, "objections are open from the publication"


async def test_without_review_in_the_rulebook_the_committee_publishes_directly(client):
    rt, place, _, page = await resolved_matter(client)
    ctx = Ctx(place.community_id, None, datetime.now(UTC))
    await community_commands.set_rule(rt, ctx, "disclosure_review_required", 0, today())
    await settle(rt)
    await sign_in(client, place.phones[CLERK])
    assert "送审" not in (await client.get(page)).text
    published = await form_post(client, page, f"{page}/publish", {"stage": "resolution_notice", "text": FIRST})
    assert published.status_code == 303
    await settle(rt)
    assert "公告已发布。" in (await client.get(page)).text
    assert FIRST in (await client.get("/board")).text
    await sign_in(client, place.phones[SUPERVISOR])
    assert FIRST not in (await client.get("/review")).text
