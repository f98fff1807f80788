"""Ballot papers of a sitting (issue 29, named votes) through HTTP with the real stores: the clerk prints one paper
per member with its code, enters a counted paper by its code, a second clerk confirms it and it counts. The same
paper again, an altered code, a paper of a member who voted online, and a member who is no clerk are refused,
writing nothing; an online ballot gets no papers. Run with LINLI_TEST_DATABASE=postgres for PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from uuid import UUID

from backend.deliberation.commands import matters, meetings
from backend.deliberation.domain.papers import papers_id
from backend.deliberation.domain.rules import Body
from backend.kernel.context import Ctx
from tests.conftest import NOW
from tests.factories import app_runtime, community, grant, sign_in
from tests.test_meetings import UP_TO_THREE, resolve
from tests.test_procedure_http import against
from tests.test_residents_http import form_post, settle


async def _sitting(rt):
    place = await community(rt, NOW, residents=6)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "clerk", now=NOW)
    for index in (2, 3, 4, 5):
        await grant(rt, place, index, "party_committee", now=NOW)
    system = Ctx(place.community_id, None, NOW)
    matter = await matters.open_matter(rt, system, "修路", "北门道路修补")
    members = place.residents[2:]
    meeting = await meetings.schedule(
        rt,
        system,
        UUID(matter.result["matter_id"]),
        Body.PARTY_COMMITTEE,
        "活动室",
        NOW + timedelta(hours=1),
        "同意修路",
        members,
    )
    meeting_id = UUID(meeting.result["meeting_id"])
    await settle(rt)
    return place, members, meeting_id


def sheets(page: str) -> dict[str, str]:
    """The printed papers: each member's name and the code on their paper."""
    names = re.findall(r'<strong class="paper-name">([^<]*)</strong>', page)
    codes = re.findall(r'<code class="paper-code">([^<]*)</code>', page)
    assert len(names) == len(codes)
    return dict(zip(names, codes, strict=True))


async def test_papers_are_printed_entered_by_code_once_and_confirmed_by_a_second_clerk(client):
    rt = app_runtime(client)
    place, members, meeting_id = await _sitting(rt)
    page, papers = f"/meetings/{meeting_id}", f"/meetings/{meeting_id}/papers"
    entry = f"/meetings/{meeting_id}/paper-code"

    await sign_in(client, place.phones[2])  # a member is no clerk: no papers, no entry
    before = rt.event_count()
    assert (await form_post(client, page, papers, {})).status_code == 403
    assert rt.event_count() == before

    await sign_in(client, place.phones[0])
    shown = await client.get(page)
    assert 'action="' + papers + '"' in shown.text and "打印选票" in shown.text
    printed = await form_post(client, page, papers, {})
    assert printed.status_code == 200 and "同意修路" in printed.text and "<svg" in printed.text
    codes = sheets(printed.text)
    assert set(codes) == {"居民test2", "居民test3", "居民test4", "居民test5"}, "one paper per member, full names"
    assert len(set(codes.values())) == 4 and all(re.fullmatch(r"[A-Z2-7]{5}-[A-Z2-7]{5}", c) for c in codes.values())
    again = await form_post(client, page, papers, {})
    issued = rt.store.repository.get(papers_id(meeting_id))
    assert sheets(again.text) == codes and issued.version == 1, "printing again issues nothing new"
    assert issued.members == frozenset(members)
    issued = rt.event_count()

    early = await form_post(client, page, entry, {"code": codes["居民test3"], "choice": "no"})
    assert early.status_code == 409 and rt.event_count() == issued, "no entry before the ballot opens"
    await meetings.open_ballot(rt, Ctx(place.community_id, place.residents[0], NOW), meeting_id)
    await meetings.vote(rt, Ctx(place.community_id, members[0], NOW), meeting_id, "yes")  # 居民test2 online
    await settle(rt)
    assert 'name="code"' in (await client.get(page)).text and 'inputmode="text"' in (await client.get(page)).text

    before = rt.event_count()
    altered = codes["居民test3"][:-1] + ("A" if codes["居民test3"][-1] != "A" else "B")
    refused = await form_post(client, page, entry, {"code": altered, "choice": "no"})
    assert refused.status_code == 404 and "不是本次会议的选票" in refused.text
    online = await form_post(client, page, entry, {"code": codes["居民test2"], "choice": "no"})
    assert online.status_code == 409 and "已在网上投票" in online.text
    no_choice = await form_post(client, page, entry, {"code": codes["居民test3"], "choice": ""})
    assert no_choice.status_code == 422
    assert rt.event_count() == before

    typed = codes["居民test3"].lower().replace("-", " ")  # as typed on a phone
    saved = await form_post(client, page, entry, {"code": typed, "choice": "no"})
    assert saved.status_code == 303 and saved.headers["location"] == page
    await settle(rt)
    entered = await client.get(page)
    assert "居民test3" in entered.text and "待另一名工作人员确认" in entered.text
    assert against(entered) == 0, "a paper counts once a second clerk confirms it"
    twice = await form_post(client, page, entry, {"code": codes["居民test3"], "choice": "yes"})
    assert twice.status_code == 409 and "已录入" in twice.text
    assert rt.store.repository.get(papers_id(meeting_id)).entered == {members[1]}
    desk = f"/meetings/{meeting_id}/paper"  # a paper entered by name before: its code enters nothing more
    assert (await form_post(client, page, desk, {"resident_id": str(members[2]), "choice": "yes"})).status_code == 303
    before = rt.event_count()
    by_name = await form_post(client, page, entry, {"code": codes["居民test4"], "choice": "no"})
    assert by_name.status_code == 409 and "已经投过票" in by_name.text and rt.event_count() == before

    await sign_in(client, place.phones[1])
    confirmed = await form_post(
        client, page, f"/meetings/{meeting_id}/paper", {"member": str(members[1]), "confirm": "yes"}
    )
    assert confirmed.status_code == 303
    await settle(rt)
    assert against(await client.get(page)) == 1
    still = await form_post(client, page, entry, {"code": codes["居民test3"], "choice": "yes"})
    assert still.status_code == 409, "the second clerk cannot enter the same paper again either"


async def test_an_online_ballot_gets_no_papers(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=4, threshold=1)
    await grant(rt, place, 0, "clerk", now=NOW)
    for index in (1, 2, 3):
        await grant(rt, place, index, "party_committee", "party_member", now=NOW)
    clerk = Ctx(place.community_id, place.residents[0], NOW)
    matter = await matters.open_matter(rt, clerk, "加装电梯", "3栋加装电梯")
    matter_id = UUID(matter.result["matter_id"])
    await resolve(rt, place, clerk, matter_id, place.residents[1:], UP_TO_THREE)
    today = datetime.now(UTC)
    opens = today + timedelta(days=11)
    scheduled = await meetings.schedule(
        rt,
        Ctx(place.community_id, place.residents[0], today),
        matter_id,
        Body.RESIDENTS_MEETING,
        "网上",
        opens,
        "同意",
        place.residents,
        opens + timedelta(days=7),
    )
    meeting_id = UUID(scheduled.result["meeting_id"])
    await settle(rt)
    await sign_in(client, place.phones[0])
    page = f"/meetings/{meeting_id}"
    assert "打印选票" not in (await client.get(page)).text
    before = rt.event_count()
    refused = await form_post(client, page, f"{page}/papers", {})
    assert refused.status_code == 409 and "网上投票" in refused.text
    assert rt.event_count() == before
