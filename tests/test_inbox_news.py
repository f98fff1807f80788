"""Community news in the inbox (issue 23 items 3 and 4), against the real stores: an important notice reaches every
verified resident of the community once (not the clerk who posted it, not a resident still waiting for
verification), with its text and link; any other item only those who opted in on /me/notices; an edit tells no one
again; a rebuild of the inbox gives the same rows."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from backend.inbox import commands as inbox_commands
from backend.inbox.domain.preferences import Preferences
from backend.inbox.texts import text_of
from backend.kernel.context import Ctx
from backend.news import commands as news
from backend.news.domain.item import Draft
from backend.residents import commands as residents
from projections.inbox import queries as inbox
from tests.conftest import NOW
from tests.factories import community, grant
from tests.test_inbox_notices import at, kinds, rebuilt_equal


async def test_an_important_notice_reaches_every_verified_resident_and_news_only_those_who_asked(runtime):
    """Resident 0 the clerk; 1 opted in to the news; 2 and 3 did not; a newcomer is not verified yet."""
    place = await community(runtime, NOW, residents=4, passwords=False)
    await grant(runtime, place, 0, "clerk", now=NOW)
    await inbox_commands.set_preferences(runtime, at(place, 1), Preferences(opted_in=frozenset({"news"})))
    pending = await residents.register(
        runtime, Ctx(place.community_id, None, NOW), "新来的", "13912345678", place.households[0], "linli2026x"
    )
    newcomer = UUID(pending.result["resident_id"])
    later = NOW + timedelta(minutes=5)
    outage = Draft("outage", "周四停水", "8:00–12:00 停水。", important=True)
    made = await news.post(runtime, at(place, 0, later), outage)
    news_id = UUID(made.result["news_id"])
    await news.post(runtime, at(place, 0, later), Draft("activity", "重阳节活动", "欢迎参加。"))
    corrected = Draft("outage", "周四停水（更正）", "9:00 起。", important=True)
    await news.edit(runtime, at(place, 0, later), news_id, corrected)

    for index in (1, 2, 3):
        assert (await kinds(runtime, place.residents[index]))["news_important"] == 1, "once, the edit told no one"
    assert "news_important" not in await kinds(runtime, place.residents[0]), "the clerk posted it"
    assert "news_important" not in await kinds(runtime, newcomer), "not verified yet"
    assert (await kinds(runtime, place.residents[1]))["news"] == 1
    for index in (2, 3):
        assert "news" not in await kinds(runtime, place.residents[index]), "opt-in: absent unless asked"
    row = next(r for r in await inbox.notifications(place.residents[2]) if r["kind"] == "news_important")
    title, text, url = await text_of(row)
    assert "周四停水" in title and url == f"/news/{news_id}" and text
    await rebuilt_equal(runtime)
