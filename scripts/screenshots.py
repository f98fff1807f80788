"""Refresh the README screenshots: a demo server in a temp dir, Debian's Chromium, a Pixel 7 viewport.

Run: .venv/bin/python scripts/screenshots.py [PART ...]
PART: basics (board, proposal, sign in, register, clerk's desk), procedure, volunteering, services, disclosure,
casework, record (the home, a notice's proof checked in the browser), phone (the tab bar, 我的, news, notice
settings, the outbox, elder mode), workload (certificates, the admission list, a department's desk, the street's
一表通 at a laptop's width), sittings (speakers, the projector view); all of them when none is named. At 360×640.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright

from backend.kernel.zone import LOCAL_ZONE

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
LINLI = str(Path(sys.executable).with_name("linli"))
HOME = re.compile(r"^https?://[^/]+/(\?.*)?$")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def laptop_of(device: dict) -> dict:  # type: ignore[type-arg]
    """A laptop's screen, 1280×800 at its own pixel ratio (the street's whole table at a phone's 2.6 was over 2 MB)."""
    return {**device, "viewport": {"width": 1280, "height": 800}, "is_mobile": False, "has_touch": False,
            "device_scale_factor": 1}  # fmt: skip


def whole(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """A full-page shot with the tab bar at the page's end, where a phone shows it after scrolling (captured whole,
    a fixed bar would sit where the first screen ends, over the middle of the page)."""
    page.evaluate(  # through the CSSOM: the pages' CSP refuses an inline style tag
        "() => { const bar = document.querySelector('nav.tabs'); if (bar) { document.body.style.position = 'relative';"
        " bar.style.position = 'absolute'; } }"
    )
    page.screenshot(path=str(OUT / name), full_page=True)


def signed_in(browser, device, base: str, index: int):  # type: ignore[no-untyped-def]
    page = browser.new_context(**device, locale="zh-CN").new_page()
    page.goto(base + "/signin")
    page.get_by_label("手机号").fill(f"138{index:08d}")
    page.get_by_label("密码").fill("linli2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(HOME)  # signing in lands on the home (首页)
    return page


def procedure(browser, device, base: str, clerk) -> None:  # type: ignore[no-untyped-def]
    """The demo's first proposal through ①–④ (demo roles: 3, 4 committees; 3, 8, 10 party members; 8, 9
    representatives), then its resolution notice with an objection."""
    clerk.goto(base + "/proposals?state=on_agenda")
    clerk.get_by_role("link", name="3栋楼道灯坏了两个月").click()
    clerk.get_by_role("button", name="进入议事程序（四议两公开）").click()
    clerk.wait_for_url("**/matters/*")
    matter = clerk.url
    members = {i: signed_in(browser, device, base, i) for i in (3, 4, 8, 9, 10)}
    for body, voters in (
        ("party_committee", (3,)),
        ("joint_committees", (3, 4)),
        ("party_meeting", (3, 8, 10)),
        ("representatives", (8, 9)),
    ):
        clerk.goto(matter)
        clerk.get_by_label("会议类型").select_option(body)
        clerk.get_by_label("地点").fill("社区党群服务中心")
        clerk.get_by_label("日期和时间", exact=True).fill("2026-12-20T19:00")
        clerk.get_by_role("button", name="安排会议").click()
        clerk.wait_for_url("**/meetings/*")
        clerk.get_by_role("button", name="开始表决").click()
        meeting = clerk.url
        for index in voters:
            members[index].goto(meeting)
            members[index].get_by_role("button", name="赞成").click()
            members[index].get_by_text("您的投票：赞成", exact=True).wait_for()
        if body == "representatives":
            whole(members[9], "meeting.png")
        clerk.get_by_role("button", name="结束表决并记录结果").click()
        if body == "representatives":
            clerk.locator("#minutes").fill("会议由居委会主任主持。代表一致同意更换3栋1–6层声控灯。")
            clerk.get_by_role("button", name="保存会议记录").click()
            for index in voters:
                members[index].goto(meeting)
                members[index].get_by_role("button", name="我出席了会议：签署会议记录").click()
            members[9].goto(meeting + "/record")
            whole(members[9], "meeting-record.png")
    clerk.goto(matter)
    clerk.get_by_role("button", name="公开", exact=True).click()
    resident = signed_in(browser, device, base, 12)
    resident.goto(matter)
    resident.get_by_label("对本公告提出异议（理由）").fill("声控灯晚上太亮，影响休息")
    resident.get_by_role("button", name="提交异议").click()
    resident.get_by_text("待居委会答复").first.wait_for()
    whole(resident, "matter.png")


def volunteering(browser, device, base: str) -> None:  # type: ignore[no-untyped-def]
    """Resident 12 (demo: hours from last week's clean-up) signs up, sees their hours and prints a certificate;
    the volunteer leader (6) opens a shift's roster with the rotating check-in code."""
    resident = signed_in(browser, device, base, 12)
    resident.goto(base + "/volunteer")
    resident.get_by_role("link", name="周六敬老院陪伴").click()
    resident.locator("li[id^=shift-]").first.get_by_role("button", name="报名").click()
    resident.get_by_text("您已报名成功。").first.wait_for()
    whole(resident, "activity.png")
    resident.goto(base + "/me/volunteering")
    whole(resident, "my-volunteering.png")
    today = date.today()
    resident.get_by_label("起", exact=True).fill((today - timedelta(days=30)).isoformat())
    resident.get_by_label("止", exact=True).fill(today.isoformat())
    resident.get_by_role("button", name="开具证明（免费）").click()
    resident.wait_for_url("**/certificates/*")
    whole(resident, "certificate.png")
    leader = signed_in(browser, device, base, 6)
    leader.goto(base + "/volunteer")
    leader.get_by_role("link", name="小区环境清洁日").click()
    leader.locator("li[id^=shift-]").first.get_by_role("link", name="名单和签到").click()
    leader.locator(".checkin-code").wait_for()
    whole(leader, "roster.png")


def services(browser, device, base: str) -> None:  # type: ignore[no-untyped-def]
    """Resident 22 books the family doctor and a home repair (the provider confirms it, the inbox says so); the
    provider's day; the catalog with each service's rates (demo: last week's sessions were rated)."""
    resident = signed_in(browser, device, base, 22)
    resident.goto(base + "/services")
    whole(resident, "services.png")
    for name in ("家庭医生坐诊", "水电维修"):
        resident.goto(base + "/services")
        resident.get_by_role("link", name=name).click()
        resident.locator("summary", has_text="预约这个时段").first.click()
        note = "厨房水龙头漏水" if name == "水电维修" else "复诊开药"
        resident.get_by_label("给服务方的备注（可选）").first.fill(note)
        resident.get_by_role("button", name="预约", exact=True).first.click()
        resident.locator(".flash").first.wait_for()
        if name == "家庭医生坐诊":
            whole(resident, "service.png")
    provider = signed_in(browser, device, base, 7)
    tomorrow = datetime.now(LOCAL_ZONE).date() + timedelta(days=1)  # the repair team's first home visits
    provider.goto(base + f"/provide?on={tomorrow}")
    provider.get_by_role("button", name=re.compile("^确认")).first.click()
    provider.locator(".flash").first.wait_for()
    whole(provider, "provider-day.png")
    resident.goto(base + "/bookings")
    whole(resident, "bookings.png")
    resident.goto(base + "/inbox")
    whole(resident, "inbox.png")


def disclosure(browser, device, base: str) -> None:  # type: ignore[no-untyped-def]
    """The public board (demo: last month's finance report overdue after the 15th), a notice with its answered
    objection and chain head, its A4 print view, and the verification of that chain head."""
    resident = signed_in(browser, device, base, 22)
    resident.goto(base + "/board")
    whole(resident, "disclosure-board.png")
    resident.get_by_role("link", name="社区活动室开放时间调整").click()
    resident.locator("code.chain-head").wait_for()
    whole(resident, "disclosure-notice.png")
    head = resident.locator("code.chain-head").inner_text()
    notice = resident.url
    resident.goto(notice + "/print")
    whole(resident, "disclosure-print.png")
    resident.goto(base + f"/verify?head={head}")
    whole(resident, "verify.png")


def record(browser, device, base: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 23's home for a resident (22) and issue 24's verifier: a notice's QR proof checked in the browser, once a
    checkpoint covers the notice (the server's first round signs one)."""
    resident = signed_in(browser, device, base, 22)
    resident.goto(base + "/")
    whole(resident, "home.png")
    resident.goto(base + "/board")
    resident.get_by_role("link", name="社区活动室开放时间调整").click()
    notice = resident.url
    for _ in range(60):
        resident.goto(notice + "/print")
        if "/verify/proof#" in (resident.locator("a.qr-link").get_attribute("href") or ""):
            break
        time.sleep(1)
    resident.goto(resident.locator("a.qr-link").get_attribute("href"))
    resident.wait_for_function("() => document.getElementById('proof-verdict').dataset.online")
    whole(resident, "verify-proof.png")


def casework(browser, device, base: str) -> None:  # type: ignore[no-untyped-def]
    """Residents' requests (诉求) from the demo (backend/casework/demo.py), only looked at: resident 15 (2栋) has
    raised a public one just now, a rated one and the overdue 门禁 case; 30 (3栋) has the 车库漏水 case whistled to
    the property company and answered, waiting for the rating; 43 is the 网格员 of 第一网格 (1栋, 2栋) with the
    overdue case first in the queue and the overdue visit to the woman living alone in 1栋; 40 operates 和平街道."""
    resident = signed_in(browser, device, base, 15)
    resident.goto(base + "/cases")
    resident.locator("li.card.overdue", has_text="2栋1单元门禁坏了").wait_for()
    whole(resident, "cases-mine.png")
    resident.goto(base + "/cases/new")
    resident.get_by_label("事项类别").select_option("facilities")
    resident.get_by_label("反映的问题").fill("2栋2单元电梯按钮失灵，按了没反应。")
    whole(resident, "case-new.png")
    raiser = signed_in(browser, device, base, 30)
    raiser.goto(base + "/cases")
    raiser.locator("li.card", has_text="地下车库入口顶棚漏水").get_by_role("link").first.click()
    raiser.wait_for_url("**/cases/*")
    raiser.locator("#case-state").wait_for()
    whole(raiser, "case.png")
    worker = signed_in(browser, device, base, 43)
    worker.goto(base + "/grid")
    worker.locator("li.card.overdue").first.wait_for()
    whole(worker, "grid-queue.png")
    worker.goto(base + "/visits")
    whole(worker, "care-visits.png")
    operator = signed_in(browser, device, base, 40)
    operator.goto(base + "/street/cases")
    operator.locator("#communities").wait_for()
    whole(operator, "street-cases.png")
    visitor = browser.new_context(**device, locale="zh-CN").new_page()
    visitor.goto(base + "/board/cases")
    visitor.locator("#digest-counts").wait_for()
    whole(visitor, "board-cases.png")


def basics(browser, device, base: str) -> None:  # type: ignore[no-untyped-def]
    """The public board, sign in, a proposal (resident 12), elder mode, registering, the clerk's desk and a slip."""
    page = browser.new_context(**device, locale="zh-CN").new_page()
    page.goto(base + "/proposals")
    page.screenshot(path=str(OUT / "board.png"))
    page.goto(base + "/signin")
    page.screenshot(path=str(OUT / "signin.png"))
    page.get_by_label("手机号").fill("13800000012")
    page.get_by_label("密码").fill("linli2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(HOME)
    page.goto(base + "/proposals")
    page.locator(".card h2 a", has_text="充电桩").click()
    page.wait_for_load_state("networkidle")
    whole(page, "proposal.png")
    page.goto(base + "/me")
    page.get_by_role("button", name="大字").click()  # elder mode: under 我的, remembered on the phone
    page.goto(base + "/proposals/new")
    page.screenshot(path=str(OUT / "propose-elder.png"))

    newcomer = browser.new_context(**device, locale="zh-CN").new_page()
    newcomer.goto(base + "/register")
    newcomer.get_by_label("楼栋或村民小组").select_option("2栋")
    newcomer.get_by_label("单元", exact=True).select_option("1单元")
    newcomer.get_by_label("房号或门牌号").select_option(label="301室")
    whole(newcomer, "register.png")

    clerk = signed_in(browser, device, base, 1)
    clerk.goto(base + "/clerk")
    whole(clerk, "clerk-desk.png")
    clerk.goto(base + "/clerk/residents?q=13800000021")
    clerk.locator("table a").first.click()
    clerk.get_by_role("button", name="打印登录条").click()
    whole(clerk, "signin-slip.png")


def phone(browser, device, base: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 23's phone: the tab bar on a list's first screen, 我的, the community's news, notification settings, the
    home in elder mode, and the outbox: a co-sign done offline, waiting to be sent (resident 36)."""
    resident = signed_in(browser, device, base, 36)
    resident.goto(base + "/services")
    resident.screenshot(path=str(OUT / "tab-bar.png"))  # the first screen: one header row, the bar at the bottom
    resident.goto(base + "/me")
    whole(resident, "me.png")
    resident.goto(base + "/news")
    whole(resident, "news.png")
    resident.goto(base + "/me/notices")
    whole(resident, "notice-settings.png")
    resident.goto(base + "/proposals")
    proposal = base + resident.locator(".card h2 a").first.get_attribute("href")
    resident.goto(proposal)
    resident.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    resident.reload()  # now under the service worker, which keeps the page for offline
    resident.wait_for_function("() => navigator.serviceWorker.controller !== null")
    resident.context.set_offline(True)
    resident.get_by_role("button", name="我要附议").click()
    resident.locator("#outbox-count").wait_for()
    resident.screenshot(path=str(OUT / "outbox-pending.png"))
    resident.context.set_offline(False)
    elder = signed_in(browser, device, base, 22)
    elder.goto(base + "/me")
    elder.get_by_role("button", name="大字").click()
    elder.goto(base + "/")
    elder.screenshot(path=str(OUT / "home-elder.png"))


def workload(browser, device, base: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 30 from the demo (backend/workload/*_demo.py): resident 16's issued 居住证明 (the list, the A4 print view,
    the public verification its QR opens), the admission list on the board, 城管's desk (41) and the street's one
    table at a laptop's width (40 operates 和平街道)."""
    resident = signed_in(browser, device, base, 16)
    resident.goto(base + "/me/certificates")
    whole(resident, "certificates-mine.png")
    resident.locator("a[href^='/certificates/issued/']").first.click()
    resident.wait_for_url("**/certificates/issued/*")
    whole(resident, "certificate-print.png")
    found = re.search(r"/verify/c/[A-Za-z0-9-]+", resident.content())  # printed under the QR, for typing in
    assert found, "the print view names its verification address"
    resident.goto(base + found.group(0))
    whole(resident, "certificate-verify.png")
    visitor = browser.new_context(**device, locale="zh-CN").new_page()
    visitor.goto(base + "/board/admission")
    whole(visitor, "admission-board.png")
    department = signed_in(browser, device, base, 41)
    department.goto(base + "/workload/department")
    whole(department, "tasks-department.png")
    follower = signed_in(browser, device, base, 19)  # a 低保申请 with the office (backend/workload/errands_demo.py)
    follower.goto(base + "/me/errands")
    whole(follower, "errands-mine.png")
    clerk = signed_in(browser, device, base, 1)
    clerk.goto(base + "/desk/errands")
    whole(clerk, "errands-desk.png")
    clerk.goto(base + "/clerk/households")
    clerk.get_by_role("link", name="3栋2单元601室").click()  # moved out and in (backend/demo.py: _demo_moves)
    clerk.wait_for_url("**/clerk/households/*")
    whole(clerk, "household-moves.png")
    clerk.goto(base + f"/one-table/lines?figure=stages_passed&period={date.today().year}")
    whole(clerk, "one-table-lines.png")
    laptop = laptop_of(device)
    operator = signed_in(browser, laptop, base, 40)
    operator.goto(base + "/street/one-table")
    operator.screenshot(path=str(OUT / "one-table-street.png"), full_page=True)


def sittings(browser, device, base: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 29's speakers (发言) and projector view (大屏): the clerk (1) opens a matter from the web and calls the
    party organisation (3 is on it); 3 checked in asks for the floor, the clerk gives it."""
    clerk = signed_in(browser, device, base, 1)
    clerk.goto(base + "/matters")
    clerk.get_by_text("发起事项", exact=True).click()
    clerk.get_by_label("标题").fill("北门人行道破损修补")
    clerk.get_by_label("需要决定的内容").fill("北门人行道多处地砖破损，雨天积水，拟申请维修。")
    clerk.get_by_role("button", name="发起", exact=True).click()
    clerk.wait_for_url("**/matters/*")
    clerk.get_by_label("会议类型").select_option("party_committee")
    clerk.get_by_label("地点").fill("社区党群服务中心")
    clerk.get_by_label("日期和时间", exact=True).fill((date.today() + timedelta(days=7)).isoformat() + "T19:00")
    clerk.get_by_role("button", name="安排会议").click()
    clerk.wait_for_url("**/meetings/*")
    meeting = clerk.url
    clerk.get_by_role("button", name="开始表决").click()
    clerk.locator("ul.members li").first.get_by_role("button", name="登记到场").click()
    member = signed_in(browser, device, base, 3)
    member.goto(meeting)
    member.get_by_role("button", name="举手发言").click()
    member.get_by_text("您已加入发言名单。").wait_for()
    clerk.goto(meeting)
    clerk.locator("#floor li").first.get_by_role("button", name="给予发言").click()
    clerk.locator("#floor .flash").wait_for()
    clerk.locator("#floor").screenshot(path=str(OUT / "speakers.png"))
    laptop = laptop_of(device)
    wall = browser.new_context(**laptop, locale="zh-CN").new_page()
    wall.goto(meeting + "/screen")
    wall.locator(".time-left").wait_for()
    wall.screenshot(path=str(OUT / "projector.png"))


PARTS = {
    "phone": phone,
    "basics": basics,
    "procedure": lambda browser, device, base: procedure(browser, device, base, signed_in(browser, device, base, 1)),
    "volunteering": volunteering,
    "services": services,
    "disclosure": disclosure,
    "casework": casework,
    "record": record,
    "workload": workload,
    "sittings": sittings,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="*", metavar="PART", help="of " + ", ".join(PARTS) + " (default: all)")
    parts = parser.parse_args().parts or list(PARTS)
    unknown = [part for part in parts if part not in PARTS]
    if unknown:
        parser.error(f"no such part: {', '.join(unknown)}")
    data_dir = tempfile.mkdtemp(prefix="linli-shots-")
    port = free_port()
    env = {
        **os.environ,
        "LINLI_DATA_DIR": data_dir,
        "LINLI_PORT": str(port),
        "LINLI_DEMO": "1",
        "LINLI_DATABASE_URL": "",
        "LINLI_SIGNIN_PER_MINUTE": "500",  # every page of the tour signs in from 127.0.0.1
    }
    for args in (["migrate"], ["demo"]):
        subprocess.run([LINLI, *args], env=env, check=True, capture_output=True)
    server = subprocess.Popen([LINLI, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for part in parts:
                # A ¥500 phone's screen: 360×640 CSS pixels (issue 23), at the Pixel 7's density.
                PARTS[part](browser, {**p.devices["Pixel 7"], "viewport": {"width": 360, "height": 640}}, base)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
