"""Journey: the admission list (准入清单, issue 30) on phones. 城管's staff try to push an unlisted form onto the
community: refused (未准入), recorded, and the page offers 申请准入 with the work already filled in; they apply, then
assign a listed item. The committee's clerk accepts the task and reports it done; the department sees it done. The
street approves the application and the board's list shows the new item. axe-core on every page visited.

Accounts from the demo (backend/demo.py, backend/casework/demo.py): 41 acts for 和平街道城管执法队, 1 is the clerk,
40 operates 和平街道."""

from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import expect

from backend.kernel.zone import LOCAL_ZONE
from e2e.helpers import check_a11y, sign_in

CITY, CLERK, OPERATOR = 41, 1, 40
UNLISTED = "门前三包台账填报"
DETAILS = "请核查3栋北侧加建"


def later(days: int) -> str:
    return (datetime.now(LOCAL_ZONE).date() + timedelta(days=days)).isoformat()


def test_a_department_is_refused_unlisted_work_and_the_committee_completes_a_listed_task(phone):
    department = phone()
    sign_in(department, CITY)
    department.goto("/workload/department")
    check_a11y(department)
    department.get_by_label("其他工作（不在清单内时填写）").fill(UNLISTED)
    department.get_by_label("完成期限").fill(later(3))
    department.get_by_role("button", name="派发", exact=True).click()
    expect(department.get_by_text("未准入：本次派发已记录。可在下方申请准入。")).to_be_visible()
    expect(department.locator("#refused")).to_contain_text(UNLISTED)
    expect(department.get_by_label("工作事项")).to_have_value(UNLISTED)  # the application starts from the refusal
    check_a11y(department)
    department.get_by_label("法律法规依据").fill("《××市市容环境卫生责任区管理办法》第八条")
    department.get_by_role("button", name="提交街道").click()
    expect(department.get_by_text("已向街道申请准入，审核结果将在此显示。")).to_be_visible()

    department.get_by_label("清单事项").select_option(label="违法建设巡查发现报告")
    department.get_by_label("社区", exact=True).select_option(label="幸福里社区")  # the clerk's (the street has more)
    department.get_by_label("完成期限").fill(later(5))
    department.get_by_label("说明（可不填）").fill(DETAILS)
    department.get_by_role("button", name="派发", exact=True).click()
    expect(department.get_by_text("已派发，居委会在任务清单中可以看到。")).to_be_visible()
    check_a11y(department)

    clerk = phone()
    sign_in(clerk, CLERK)
    clerk.goto("/workload/tasks")
    check_a11y(clerk)
    clerk.locator("li.card", has_text=DETAILS).get_by_role("button", name="接收任务").click()
    expect(clerk.get_by_text("已接收，完成后请报告。")).to_be_visible()
    card = clerk.locator("li.card", has_text=DETAILS)
    card.get_by_label("完成的工作").fill("已入户核查，拍照留存并上报")
    card.get_by_role("button", name="报告完成").click()
    expect(clerk.get_by_text("已报告完成，职能部门和街道可以看到。")).to_be_visible()
    expect(clerk.locator("li.card", has_text=DETAILS)).to_contain_text("已入户核查")
    check_a11y(clerk)

    department.reload()
    expect(department.locator("li.card", has_text="违法建设巡查发现报告").first).to_be_visible()
    expect(department.get_by_text("已办结")).to_be_visible()

    operator = phone()
    sign_in(operator, OPERATOR)
    operator.goto("/street/admission")
    check_a11y(operator)
    application = operator.locator("li.card", has_text=UNLISTED)
    application.get_by_label("决定依据（如：街道党工委会议纪要）").fill("和平街道准入审核会〔2026〕4号")
    application.get_by_role("button", name="批准").click()
    expect(operator.get_by_text("已批准：该事项自生效日起列入清单。")).to_be_visible()
    operator.goto("/street/workload")
    check_a11y(operator)
    expect(operator.locator("tr", has_text="和平街道城管执法队")).to_be_visible()
    operator.goto("/board/admission")
    expect(operator.get_by_text(UNLISTED)).to_be_visible()
    expect(operator.get_by_text("无经费（未随事转费）").first).to_be_visible()
    check_a11y(operator)
