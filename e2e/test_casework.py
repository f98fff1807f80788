"""Journey: residents' requests (诉求, 接诉即办) on phones. A resident raises a case with a photo → the grid worker
accepts it (the resident's open page shows it without reloading) → whistles it to the property company → its staff
report in and answer → the owner answers → the resident rates → the street's dashboard and the board's monthly
digest count it. A 楼长 raises one for an elderly neighbour; an overdue case is marked in words. axe-core on every
page visited.

Accounts from the demo (backend/demo.py, backend/casework/demo.py): 12 lives in 1栋 (第一网格), 43 is its 网格员,
42 acts for 幸福里物业服务中心, 14 is the 楼长 of 1栋 (the last resident of 1栋 beyond the first ten), 11 lives in
1栋2单元302室, 15 raised the overdue 门禁 case, 40 operates 和平街道."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import Page, expect

from e2e.helpers import check_a11y, sign_in

RESIDENT, WORKER, PROPERTY, HEAD, NEIGHBOUR, OVERDUE_RAISER, OPERATOR = 12, 43, 42, 14, 11, 15, 40
TEXT = "1栋2单元电梯异响，晚上停在5楼不动"


def jpeg() -> dict[str, object]:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 140, 200)).save(out, format="JPEG")
    return {"name": "elevator.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def counts(page: Page) -> tuple[int, int]:
    """The digest's requests raised and rated this month."""
    page.goto("/board")
    page.get_by_role("link", name=re.compile("本月居民诉求")).click()
    page.wait_for_url("**/board/cases**")
    check_a11y(page)
    text = page.locator("#digest-counts").inner_text()
    raised, _answered, rated = (int(n) for n in re.findall(r"\d+", text))
    return raised, rated


def community_cases(page: Page) -> int:
    """The number of cases the street's dashboard counts for 幸福里社区 this month."""
    page.goto("/street/cases")
    check_a11y(page)
    row = page.locator("#communities tr", has_text="幸福里社区")
    return int(row.locator("td").nth(1).inner_text())


def test_a_case_from_raising_through_a_whistle_to_rating_and_the_rates(phone):
    operator, visitor = phone(), phone()
    sign_in(operator, OPERATOR)
    before_board, before_digest = community_cases(operator), counts(visitor)

    resident = phone()
    sign_in(resident, RESIDENT)
    resident.locator("nav.tabs").get_by_role("link", name="服务").click()  # 诉求 is one of the services (issue 23)
    resident.get_by_role("link", name="诉求", exact=True).click()
    resident.wait_for_url("**/cases")
    check_a11y(resident)
    resident.get_by_role("link", name="提诉求", exact=True).click()
    check_a11y(resident)
    resident.get_by_label("事项类别").select_option("property")
    resident.get_by_label("反映的问题").fill(TEXT)
    resident.get_by_label("照片（可不传）").set_input_files(jpeg())
    resident.get_by_role("button", name="提交诉求").click()
    expect(resident.get_by_text("诉求已提交，每一步进展都可以在这里查看。")).to_be_visible()
    case = resident.url
    expect(resident.locator(".photos img")).to_have_count(1)
    expect(resident.locator("#case-state")).to_have_text("等待受理")
    expect(resident.locator("#case-poke[data-live]")).to_be_attached()  # the socket sent the current state
    check_a11y(resident)

    worker = phone()
    sign_in(worker, WORKER)
    worker.goto("/grid")
    check_a11y(worker)
    card = worker.locator("li.card", has_text=TEXT)
    card.get_by_role("button", name="受理").click()
    expect(worker.get_by_text("您已受理这件诉求")).to_be_visible()
    expect(resident.locator("#case-state")).to_have_text("办理中", timeout=10_000)  # live, no reload
    check_a11y(worker)
    worker.locator("summary", has_text="吹哨（派给职能部门）").click()
    expect(worker.get_by_label("职能部门", exact=True).locator("option:checked")).to_have_text("幸福里物业服务中心")
    worker.get_by_role("button", name="吹哨", exact=True).click()
    expect(worker.get_by_text("已吹哨")).to_be_visible()
    check_a11y(worker)

    staff = phone()
    sign_in(staff, PROPERTY)
    staff.locator("nav.tabs").get_by_role("link", name="我的").click()  # staff tools are on 我的 (issue 23)
    staff.get_by_role("link", name="部门工作台").click()
    check_a11y(staff)
    staff.locator("li.card", has_text=TEXT).get_by_role("button", name="报到").click()
    expect(staff.get_by_role("status")).to_contain_text("已报到")
    staff.get_by_label("本部门答复").fill("已更换电梯门机皮带并复位，运行正常。")
    staff.get_by_role("button", name="把答复发给承办人").click()
    expect(staff.get_by_text("您的答复已转给承办人")).to_be_visible()
    check_a11y(staff)

    worker.goto(case)
    expect(worker.get_by_text("已更换电梯门机皮带并复位，运行正常。")).to_be_visible()
    worker.locator("summary", has_text="答复居民（办结）").click()
    worker.get_by_label("做了什么；或者为何无法办理、可以找谁").fill("物业已修好电梯，请您试乘后评价。")
    worker.get_by_role("button", name="发送答复").click()
    expect(worker.get_by_text("已答复（办结）")).to_be_visible()
    check_a11y(worker)

    expect(resident.locator("#case-state")).to_have_text("已答复，请您评价", timeout=10_000)
    resident.goto("/cases")
    check_a11y(resident)
    mine = resident.locator("li.card", has_text=TEXT)
    expect(mine).to_contain_text("物业已修好电梯，请您试乘后评价。")
    mine.get_by_label("满意", exact=True).check()
    mine.get_by_label("是", exact=True).check()
    mine.get_by_label("评价内容（可选）").fill("修得很快")
    mine.get_by_role("button", name="提交评价").click()
    expect(resident.get_by_text("感谢您的评价。")).to_be_visible()
    resident.goto(case)
    expect(resident.locator("#case-state")).to_have_text("已结束")
    check_a11y(resident)

    assert community_cases(operator) == before_board + 1
    after_digest = counts(visitor)
    assert after_digest == (before_digest[0] + 1, before_digest[1] + 1), (before_digest, after_digest)
    expect(visitor.get_by_text(TEXT)).to_have_count(0)  # the digest: counts only, nothing personal

    operator.goto("/street/cases")  # the community's 满意率 (rated this month), and its rates by grid and handler
    row = operator.locator("#communities tr", has_text="幸福里社区")
    expect(row.locator('td[data-rate="satisfaction"]')).to_have_text(re.compile(r"^\d+(\.\d+)?%$"))
    row.get_by_role("link", name="幸福里社区").click()
    operator.wait_for_url("**/cases/rates?community=**")
    expect(operator.locator("#grids")).to_contain_text("第一网格")
    check_a11y(operator)


def test_a_building_head_raises_a_case_for_an_elderly_neighbour(phone):
    head = phone()
    sign_in(head, HEAD)
    head.goto("/cases/for")
    check_a11y(head)
    head.get_by_label("姓名、手机号或门牌").fill("302")
    head.get_by_role("button", name="查找").click()
    head.get_by_role("link", name=re.compile("1栋2单元302室")).click()
    check_a11y(head)
    head.get_by_label("事项类别").select_option("elderly")
    head.get_by_label("反映的问题").fill("独居老人腿脚不便，想申请上门理发")
    head.get_by_role("button", name="代居民提交").click()
    expect(head.get_by_text("已为居民提交诉求")).to_be_visible()
    expect(head.get_by_text(re.compile("为 .+ 代办（楼长）"))).to_be_visible()
    check_a11y(head)

    neighbour = phone()
    sign_in(neighbour, NEIGHBOUR)
    neighbour.goto("/cases")
    expect(neighbour.locator("li.card", has_text="独居老人腿脚不便，想申请上门理发")).to_be_visible()
    check_a11y(neighbour)


def test_an_overdue_case_is_marked_in_words(phone):
    worker = phone()
    sign_in(worker, WORKER)
    worker.goto("/grid")
    late = worker.locator("li.card.overdue", has_text="2栋1单元门禁坏了")
    expect(late).to_contain_text("已逾期")
    expect(worker.locator("li.card").first).to_contain_text("已逾期")  # overdue first
    check_a11y(worker)
    raiser = phone()
    sign_in(raiser, OVERDUE_RAISER)
    raiser.goto("/cases")
    expect(raiser.locator("li.card", has_text="2栋1单元门禁坏了")).to_contain_text("已逾期")
    check_a11y(raiser)
