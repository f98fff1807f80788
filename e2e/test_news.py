"""Journey: 社区动态 (issue 23 item 4) on phones. A resident has the community's news open; the clerk posts an
important notice (重要) and the resident's list says there is news, live. The resident finds it on her home under what
needs her now, opens it and presses 我已阅读 (in place, htmx); it leaves her home. The clerk's page of who has not
read it, by building, counts one more reader, in exactly one building. axe-core on every page."""

from __future__ import annotations

import re
from collections import Counter

from playwright.sync_api import Page, expect

from e2e.helpers import check_a11y, sign_in

CLERK, READER = 1, 26  # demo residents (backend.demo.ROLE_PLAN); no other journey signs in as 26
TITLE = "重要通知：3栋电梯周四检修"


def post_important(clerk: Page) -> str:
    clerk.goto("/news/desk")
    check_a11y(clerk)
    clerk.get_by_label("类别").select_option("notice")
    clerk.get_by_label("标题").fill(TITLE)
    clerk.get_by_label("正文").fill("周四9:00–12:00，3栋电梯停用检修，请走楼梯，注意安全。")
    clerk.get_by_label("重要：居民需确认已读").check()
    clerk.get_by_role("button", name="发布", exact=True).click()
    clerk.wait_for_url(re.compile(r".*/news/[0-9a-f-]{36}$"))
    expect(clerk.get_by_text("已发布，居民可在社区动态中看到。")).to_be_visible()
    expect(clerk.get_by_role("heading", level=1)).to_have_text(TITLE)
    check_a11y(clerk)
    return clerk.url.rsplit("/", 1)[-1]


def counts(clerk: Page, news_id: str) -> tuple[str, list[str]]:
    clerk.goto(f"/news/{news_id}/unread")
    expect(clerk.locator("#read-total")).to_be_visible()
    return clerk.locator("#read-total").inner_text(), clerk.locator(".unread-count").all_inner_texts()


def test_the_clerk_posts_an_important_notice_a_resident_reads_it_and_the_count_changes(phone):
    reader = phone()
    sign_in(reader, READER)
    reader.goto("/news")
    expect(reader.get_by_role("heading", level=1)).to_have_text("社区动态")
    expect(reader.locator("li.news-item.pinned").first).to_contain_text("医保")  # the demo's pinned policy, first
    check_a11y(reader)

    clerk = phone()
    sign_in(clerk, CLERK)
    news_id = post_important(clerk)
    expect(reader.locator("#news-changed")).to_contain_text("有新的社区动态")  # live, without a reload
    before_total, before = counts(clerk, news_id)
    assert "已有 0 位阅读" in before_total, before_total
    check_a11y(clerk)

    reader.goto("/")
    item = reader.locator(f"#important-{news_id}")
    expect(item).to_contain_text(TITLE)
    expect(item).to_contain_text("重要通知：请阅读")
    check_a11y(reader)
    item.get_by_role("link", name="去阅读").click()
    reader.wait_for_url(f"**/news/{news_id}")
    check_a11y(reader)
    reader.get_by_role("button", name="我已阅读").click()
    expect(reader.locator("#read-panel")).to_contain_text("您已于")
    expect(reader.get_by_role("button", name="我已阅读")).to_have_count(0)
    check_a11y(reader)
    reader.goto("/")
    expect(reader.locator(f"#important-{news_id}")).to_have_count(0)
    expect(reader.locator(f"#news-{news_id}")).to_contain_text(TITLE)  # still among the community's news

    after_total, after = counts(clerk, news_id)
    assert "已有 1 位阅读" in after_total, after_total
    assert len(after) == len(before) and len(Counter(before) - Counter(after)) == 1, (before, after)  # one building
    check_a11y(clerk)
