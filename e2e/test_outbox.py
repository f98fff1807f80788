"""Journey: the offline outbox (issue 23 item 5). A resident on a weak network opens a proposal, a volunteer shift and
a notice, loses the connection, and co-signs, signs up, proposes with a photo and objects anyway: each waits on the
phone ("待发送", in place and as a count in the header), also after the page is reloaded twice offline (the service
worker serves it). Meanwhile a neighbour takes the shift's only seat, and the same resident co-signs a second proposal
from another phone. Back online, each is sent once — the log holds exactly one event each — and the page says what
happened: sent, put on the waitlist instead of the seat, or refused (already co-signed). Online, the requests carry
their keys too. The outbox's page lists it all, and what is withdrawn there (撤回) is never sent; signing out with
something still waiting (a co-sign whose request failed on the network) asks first, and then deletes it unsent.
axe-core on every page visited."""

from __future__ import annotations

import io
import re
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from PIL import Image
from playwright.sync_api import Page, expect

from backend.kernel.zone import LOCAL_ZONE
from e2e.conftest import SERVER_ENV
from e2e.helpers import check_a11y, publish_one_seat_activity, sign_in, under_service_worker

LEADER = 6  # backend.demo.ROLE_PLAN: the volunteer leader
AUTHOR, RESIDENT, NEIGHBOUR = 33, 34, 35  # plain verified residents no other journey uses
PENDING = "待发送 · 联网后自动发送"


def events(topic: str, originator: str | None = None) -> int:
    """How many events of `topic` (Class.Event) the live server's log holds (for the aggregate `originator`), read
    from its SQLite file (read-only: the server is the only writer)."""
    path = Path(SERVER_ENV["LINLI_DATA_DIR"]) / "events.sqlite3"
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        (n,) = db.execute(
            "SELECT count(*) FROM stored_events WHERE topic LIKE ? AND (? IS NULL OR originator_id = ?)",
            (f"%:{topic}", originator and UUID(originator).hex, originator and UUID(originator).hex),
        ).fetchone()
    return int(n)


def tank_png() -> bytes:
    """A photo no other journey uploads (uploads are kept by their content: the same photo again adds no file)."""
    buffer = io.BytesIO()
    Image.new("RGB", (72, 40), (40, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def photos() -> int:
    """Photos kept by the live server (re-encoded uploads)."""
    uploads = Path(SERVER_ENV["LINLI_DATA_DIR"]) / "uploads"
    return len(list(uploads.iterdir())) if uploads.is_dir() else 0


def keyed(path: str) -> int:
    """How many requests to `path` came with an Idempotency-Key (the server keeps each: backend/web/idempotency.py)."""
    views = Path(SERVER_ENV["LINLI_DATA_DIR"]) / "views.sqlite3"
    with closing(sqlite3.connect(f"file:{views}?mode=ro", uri=True)) as db:
        (n,) = db.execute("SELECT count(*) FROM idempotency_key WHERE path = ?", (path,)).fetchone()
    return int(n)


def propose(author: Page, title: str) -> str:
    author.goto("/proposals/new")
    author.get_by_label("标题").fill(title)
    author.get_by_label("具体情况").fill(f"{title}：请居委会协调处理。")
    author.get_by_label("类别").select_option("facilities")
    author.get_by_role("button", name="提交议题").click()
    author.wait_for_url("**/proposals/*-*")
    return author.url.split("#")[0]


def one_seat_activity(leader: Page) -> str:
    leader.goto("/teams")
    leader.get_by_label("服务队名称").fill("幸福里出行服务队")
    leader.get_by_role("button", name="成立", exact=True).click()
    leader.wait_for_url("**/teams/*")
    start = (datetime.now(LOCAL_ZONE) + timedelta(hours=4)).replace(second=0, microsecond=0)
    return publish_one_seat_activity(leader, "陪老人去医院", "陪 2 栋的老人去社区医院复诊", "2栋", "2栋老人", start)


def a_notice_to_object_to(page: Page) -> str:
    page.goto("/board")
    links = page.locator("a[href^='/board/notices/']").evaluate_all("(a) => a.map((x) => x.getAttribute('href'))")
    for href in dict.fromkeys(link.split("#")[0] for link in links):
        page.goto(href)
        if page.get_by_label("对这条公告提出异议（理由）").count():
            return page.url.split("#")[0]
    raise AssertionError("no notice on the board takes an objection")


def kept(page: Page, url: str) -> None:
    """Seen online, so the service worker keeps it for offline."""
    page.goto(url)
    path = re.sub(r"^https?://[^/]+", "", url)
    page.wait_for_function("(p) => caches.open('linli-pages').then((c) => c.match(p)).then(Boolean)", arg=path)


def count(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("#outbox-count")


def test_offline_actions_wait_and_are_sent_once(phone):
    author, leader = phone(), phone()
    sign_in(author, AUTHOR)
    first = propose(author, "小区南门路灯不亮")
    second = propose(author, "快递柜旁加装雨棚")
    sign_in(leader, LEADER)
    activity = one_seat_activity(leader)
    shift_id = leader.locator("li[id^=shift-]").first.get_attribute("id").removeprefix("shift-")

    page = phone()
    under_service_worker(page)
    sign_in(page, RESIDENT)
    notice = a_notice_to_object_to(page)
    for url in (first, second, activity, notice, "/proposals/new", "/me/outbox"):
        kept(page, url)
    made, photographed = events("Proposal.Submitted"), photos()
    objections = events("Notice.ObjectionRaised", notice.rsplit("/", 1)[1])

    page.context.set_offline(True)  # the weak network is gone
    for url in (first, second):
        page.goto(url)
        page.get_by_role("button", name="我要附议").click()
        expect(page.locator("#cosign-panel .outbox-note")).to_have_text(PENDING)
        expect(page.get_by_role("button", name="我要附议")).to_be_disabled()
    expect(count(page)).to_have_attribute("aria-label", "待发送 2 项")
    page.goto(activity)
    page.locator("li[id^=shift-]").first.get_by_role("button", name="报名").click()
    expect(page.locator("li[id^=shift-] .outbox-note").first).to_have_text(PENDING)
    page.goto("/proposals/new")  # with a photo, kept on the phone as it was chosen
    page.get_by_label("标题").fill("楼顶水箱需要清洗")
    page.get_by_label("具体情况").fill("水有异味，请安排清洗水箱。")
    page.get_by_label("类别").select_option("facilities")
    page.get_by_label("照片（可不传）").set_input_files(
        files=[{"name": "tank.png", "mimeType": "image/png", "buffer": tank_png()}]
    )
    page.get_by_role("button", name="提交议题").click()
    expect(page.locator("#proposal-form .outbox-note")).to_have_text(PENDING)
    page.goto(notice)
    reason = "公示的维修费用能否列出明细？"
    page.get_by_label("对这条公告提出异议（理由）").fill(reason)
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator("#objections .outbox-note")).to_have_text(PENDING)
    expect(count(page)).to_be_visible()
    expect(count(page)).to_have_attribute("aria-label", "待发送 5 项")
    check_a11y(page)
    for _ in range(2):  # reloaded offline: the service worker serves the page, the outbox keeps what waits
        page.reload()
        expect(page.locator("#objections .outbox-note")).to_have_text(PENDING)
        expect(page.get_by_label("对这条公告提出异议（理由）")).to_have_value(reason)
        expect(page.get_by_role("button", name="提交异议")).to_be_disabled()
        expect(count(page)).to_have_attribute("aria-label", "待发送 5 项")
    page.goto("/me/outbox")  # its page opens offline and lists what waits
    expect(page.locator("#outbox-items > li")).to_have_count(5)
    check_a11y(page)

    # Meanwhile, online: a neighbour takes the shift's only seat; the resident co-signs the second proposal elsewhere.
    neighbour = phone()
    sign_in(neighbour, NEIGHBOUR)
    neighbour.goto(activity)
    neighbour.locator("li[id^=shift-]").first.get_by_role("button", name="报名").click()
    expect(neighbour.get_by_text("您已报名成功。").first).to_be_visible()
    other = phone()
    sign_in(other, RESIDENT)
    other.goto(second)
    other.get_by_role("button", name="我要附议").click()
    expect(other.locator(".done")).to_have_text("您已附议这个议题。")
    # Online, nothing changes but the key: on htmx's request (the co-sign), and on a plain form's (the sign-up, given
    # its key by the service worker).
    assert keyed(f"/proposals/{second.rsplit('/', 1)[1]}/cosign") == 1
    assert keyed(f"/shifts/{shift_id}/signup") == 1

    page.goto(notice)
    page.context.set_offline(False)  # back online: sent, in the order done
    expect(count(page)).to_be_hidden(timeout=20_000)
    said = page.locator(".outbox-flash")
    expect(said).to_have_count(5)
    expect(said.filter(has_text="已发送：附议")).to_have_count(1)
    expect(said.filter(has_text="未成功：附议")).to_contain_text("您已经附议过这个议题。")  # refused on arrival
    expect(said.filter(has_text="已发送：志愿服务报名")).to_contain_text("您在候补名单中。")  # the seat was gone
    expect(said.filter(has_text="已发送：对公告提出异议")).to_have_count(1)
    expect(said.filter(has_text="已发送：提事")).to_have_count(1)
    expect(page.locator("#objections .outbox-note")).to_contain_text("已发送")
    check_a11y(page)

    assert events("Proposal.CoSigned", first.rsplit("/", 1)[1]) == 1
    assert events("Proposal.CoSigned", second.rsplit("/", 1)[1]) == 1  # the other phone's: the outbox's was refused
    assert events("Shift.SignedUp", shift_id) == 2  # the neighbour's seat and this resident's place on the waitlist
    assert events("Notice.ObjectionRaised", notice.rsplit("/", 1)[1]) == objections + 1
    assert (events("Proposal.Submitted"), photos()) == (made + 1, photographed + 1)  # one proposal, its photo

    page.reload()  # said once: not again on the next page
    expect(page.locator(".outbox-flash")).to_have_count(0)
    page.goto("/me/outbox")
    expect(page.locator("#outbox-none")).to_be_visible()
    expect(page.locator("#outbox-results > li")).to_have_count(5)
    check_a11y(page)


def test_a_send_that_fails_waits_and_signing_out_asks_and_deletes_it(phone):
    author = phone()
    sign_in(author, AUTHOR)
    proposal = propose(author, "健身区加装照明")

    page = phone()
    under_service_worker(page)
    sign_in(page, RESIDENT)
    kept(page, proposal)
    kept(page, "/me")
    # Another tab holds the outbox's sender lock: back online, nothing is sent while the resident signs out.
    holder = page.context.new_page()
    holder.goto("/board")
    holder.evaluate("""() => new Promise((granted) => navigator.locks.request('linli-outbox',
                         () => { granted(); return new Promise(() => {}); }))""")

    # The phone believes it is online, but the network fails under the co-sign (htmx's request): it waits all the same.
    page.goto(proposal)
    page.evaluate("() => Object.defineProperty(navigator, 'onLine', { get: () => true })")
    page.context.set_offline(True)
    page.get_by_role("button", name="我要附议").click()
    expect(page.locator("#cosign-panel .outbox-note")).to_have_text(PENDING)
    page.context.set_offline(False)
    page.goto("/me")
    expect(count(page)).to_have_attribute("aria-label", "待发送 1 项")

    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="退出").first.click()
    for _ in range(100):  # the question comes once the outbox is read
        if asked:
            break
        page.wait_for_timeout(50)
    assert asked == ["还有 1 项未发送，退出将删除它们"]
    expect(count(page)).to_have_attribute("aria-label", "待发送 1 项")  # not signed out, nothing deleted
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="退出").first.click()
    page.wait_for_url("**/proposals?signed-out=1")
    check_a11y(page)
    assert page.evaluate("() => linliOutbox.pending()") == 0
    holder.close()
    assert events("Proposal.CoSigned", proposal.rsplit("/", 1)[1]) == 0


def test_withdrawn_from_the_outbox_is_never_sent(phone):
    author = phone()
    sign_in(author, AUTHOR)
    proposal = propose(author, "单元门禁经常失灵")

    page = phone()
    under_service_worker(page)
    sign_in(page, RESIDENT)
    kept(page, proposal)
    kept(page, "/me/outbox")

    page.context.set_offline(True)
    page.goto(proposal)
    page.get_by_role("button", name="我要附议").click()
    expect(count(page)).to_have_attribute("aria-label", "待发送 1 项")
    page.goto("/me/outbox")
    expect(page.locator("#outbox-items > li")).to_have_count(1)
    expect(page.locator("#outbox-items")).to_contain_text("附议")
    page.get_by_role("button", name="撤回").click()
    expect(page.locator("#outbox-items > li")).to_have_count(0)
    expect(page.locator("#outbox-none")).to_be_visible()
    expect(count(page)).to_be_hidden()
    check_a11y(page)

    page.context.set_offline(False)
    page.goto(proposal)
    expect(page.get_by_role("button", name="我要附议")).to_be_enabled()
    assert page.evaluate("() => linliOutbox.pending()") == 0
    assert events("Proposal.CoSigned", proposal.rsplit("/", 1)[1]) == 0


def test_what_one_resident_queued_is_never_sent_as_the_next_one(phone):
    """A shared phone whose session ended without 退出 (the cookie expired, or was cleared): what the first resident
    queued offline is not sent when a neighbour signs in next on it; it is dropped and the page says why."""
    author = phone()
    sign_in(author, AUTHOR)
    proposal = propose(author, "楼道堆放杂物请清理")

    page = phone()
    under_service_worker(page)
    sign_in(page, 38)
    kept(page, proposal)

    page.context.set_offline(True)
    page.goto(proposal)
    page.get_by_role("button", name="我要附议").click()
    expect(count(page)).to_have_attribute("aria-label", "待发送 1 项")

    page.context.clear_cookies()  # the session ends without signing out
    page.context.set_offline(False)
    page.goto("/")  # online, nobody signed in: the outbox tries on load, and keeps the item (it would go as no one)
    page.wait_for_function("() => linliOutbox.flush().then(() => true, () => true)")
    assert page.evaluate("() => linliOutbox.pending()") == 1
    sign_in(page, 39)  # the next person on this phone
    page.goto("/me/outbox")
    expect(page.locator("#outbox-results")).to_contain_text("另一位居民登录时")
    expect(count(page)).to_be_hidden()
    assert page.evaluate("() => linliOutbox.pending()") == 0
    assert events("Proposal.CoSigned", proposal.rsplit("/", 1)[1]) == 0
    check_a11y(page)
