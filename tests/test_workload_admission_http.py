"""The admission list (准入清单) through HTTP with the real stores (SQLite, or PostgreSQL with
LINLI_TEST_DATABASE=postgres): the street operator lists items (an unfunded 协助 item flagged on the board), a
department's unlisted task, a task from an item not yet in force and one from another department's item are refused
and recorded (未准入) and the page offers 申请准入; a listed one reaches the committee, which accepts it and reports
it done; an approved application admits from its effective day; the street's dashboard counts it all. Bad input and
the wrong people get a clear 4xx and write nothing. Views are read through pages (on PostgreSQL they belong to the
app's event loop); the 一表通's counts are read on a runtime of the test's own."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from uuid import UUID

from backend.community import commands as community_commands
from backend.community.domain.community import community_id_for
from backend.kernel.context import Ctx
from backend.kernel.zone import LOCAL_ZONE
from backend.workload.commands import admission, tasks
from backend.workload.domain.admission import ASSIST, DUTY, Item
from backend.workload.domain.tasks import Application, RefusedAttempt, Task
from projections.workload.admission import queries as lists
from tests.conftest import NOW
from tests.factories import app_runtime, count_topic, sign_in, snapshot
from tests.test_casework_http import STREET, world
from tests.test_residents_http import form_post, settle

ADMISSION = "/street/admission"
DEPARTMENT = "/workload/department"


def today():
    return datetime.now(LOCAL_ZONE).date()


def later(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


def codes(page: str) -> dict[str, str]:
    """The department's select: item title -> code."""
    return {
        title.split(" (")[0]: code for code, title in re.findall(r'<option value="([0-9a-f]{12})"[^>]*>([^<]+)<', page)
    }


async def add(client, title: str, kind: str, department: UUID, funding: str, effective: str):
    fields = {
        "street": STREET,
        "kind": kind,
        "title": title,
        "basis": "《城市居民委员会组织法》第四条",
        "department_id": str(department),
        "funding": funding,
        "edit_basis": "和平街道党工委会议纪要〔2026〕12号",
        "effective_from": effective,
    }
    return await form_post(client, ADMISSION, f"{ADMISSION}/items", fields)


async def assign(client, department: UUID, community: UUID, code: str, title: str = "", deadline: str = ""):
    fields = {
        "department_id": str(department),
        "community_id": str(community),
        "code": code,
        "title": title,
        "deadline": deadline or later(3),
        "details": "",
    }
    return await form_post(client, DEPARTMENT, "/workload/tasks", fields)


async def test_a_department_is_refused_unlisted_work_applies_and_the_committee_completes_a_listed_task(client):
    rt = app_runtime(client)
    w = await world(rt)
    await sign_in(client, w.phones[3])  # the street's operator
    assert (await client.get(ADMISSION)).status_code == 200
    assert (await add(client, "电力设施安全宣传", DUTY, w.power, "区财政专项", later(0))).status_code == 303
    assert (await add(client, "用电户信息核对", ASSIST, w.power, "", later(0))).status_code == 303
    assert (await add(client, "迎峰度夏入户走访", ASSIST, w.power, "供电所", later(5))).status_code == 303
    refused = await add(client, "", DUTY, w.power, "", later(0))
    assert refused.status_code == 422 and "60" in refused.text
    past = await add(client, "旧事项", DUTY, w.power, "", later(-1))
    assert past.status_code == 422

    board = (await client.get("/board/admission?community=test")).text
    assert "电力设施安全宣传" in board and "用电户信息核对" in board and "迎峰度夏入户走访" not in board
    assert "未随事转费" in board, "an unfunded 协助 item is flagged, not hidden"
    assert "供电所" in board and "组织法" in board

    await sign_in(client, w.power_staff_phone)
    page = (await client.get(DEPARTMENT)).text
    listed = codes(page)
    assert set(listed) == {"电力设施安全宣传", "用电户信息核对"}, listed
    before = rt.event_count()
    unlisted = await assign(client, w.power, w.community_id, "", "拆违情况统计表填报")
    assert unlisted.status_code == 303 and "refused=" in unlisted.headers["location"]
    shown = (await client.get(unlisted.headers["location"])).text
    assert "未准入" in shown and "申请准入" in shown and 'value="拆违情况统计表填报"' in shown
    assert count_topic(rt, RefusedAttempt.Recorded) == 1 and count_topic(rt, Task.Assigned) == 0
    assert rt.event_count() > before

    # bad input, or a community of another street: a clear refusal, nothing recorded
    elsewhere = community_id_for("far")
    await community_commands.found(rt, Ctx(elsewhere, None, NOW), "社区far", "far")
    await community_commands.set_street(rt, Ctx(elsewhere, None, NOW), "别的街道")
    await settle(rt)
    before = rt.event_count()
    code = listed["电力设施安全宣传"]
    assert (await assign(client, w.power, w.community_id, code, deadline=later(-1))).status_code == 422
    assert (await assign(client, w.power, w.community_id, code, deadline="明天")).status_code == 422
    assert (await assign(client, w.power, elsewhere, code)).status_code == 422
    assert rt.event_count() == before

    done = await assign(client, w.power, w.community_id, code)
    assert done.status_code == 303 and "refused" not in done.headers["location"]
    assert count_topic(rt, Task.Assigned) == 1

    applied = await form_post(
        client,
        unlisted.headers["location"],
        "/workload/applications",
        {
            "department_id": str(w.power),
            "attempt_id": unlisted.headers["location"].rsplit("refused=", 1)[1],
            "kind": ASSIST,
            "title": "拆违情况统计表填报",
            "basis": "《城乡规划法》第六十五条",
            "funding": "",
            "effective_from": later(0),
        },
    )
    assert applied.status_code == 303, applied.text[:500]
    assert count_topic(rt, Application.Applied) == 1

    # another department's staff: not their item (recorded), not their department (403, nothing written)
    await sign_in(client, w.city_staff_phone)
    city = UUID(re.search(r'name="department_id" value="([0-9a-f-]{36})"', (await client.get(DEPARTMENT)).text)[1])
    other = await assign(client, city, w.community_id, code)
    assert other.status_code == 303 and "refused=" in other.headers["location"]
    assert "另一职能部门" in (await client.get(other.headers["location"])).text
    before = rt.event_count()
    assert (await assign(client, w.power, w.community_id, code)).status_code == 403
    assert rt.event_count() == before

    # the street approves the application: listed from its day, admitted then
    await sign_in(client, w.phones[3])
    page = (await client.get(ADMISSION)).text
    application = re.search(r"/street/admission/applications/([0-9a-f-]{36})/approve", page)[1]
    assert "拆违情况统计表填报" in page
    approved = await form_post(
        client,
        ADMISSION,
        f"{ADMISSION}/applications/{application}/approve",
        {"edit_basis": "街道准入审核会〔2026〕3号", "effective_from": later(0)},
    )
    assert approved.status_code == 303
    again = await form_post(client, ADMISSION, f"{ADMISSION}/applications/{application}/reject", {"reason": "重复"})
    assert again.status_code == 409
    await sign_in(client, w.power_staff_phone)
    assert "拆违情况统计表填报" in codes((await client.get(DEPARTMENT)).text)

    # the committee accepts and reports done
    await sign_in(client, w.phones[0])
    desk = (await client.get("/workload/tasks")).text
    task = re.search(r"/workload/tasks/([0-9a-f-]{36})/accept", desk)[1]
    assert "电力设施安全宣传" in desk
    early = await form_post(client, "/workload/tasks", f"/workload/tasks/{task}/complete", {"note": "已完成"})
    assert early.status_code == 409
    assert (await form_post(client, "/workload/tasks", f"/workload/tasks/{task}/accept", {})).status_code == 303
    empty = await form_post(client, "/workload/tasks", f"/workload/tasks/{task}/complete", {"note": " "})
    assert empty.status_code == 422
    finished = await form_post(
        client, "/workload/tasks", f"/workload/tasks/{task}/complete", {"note": "已在3个小区张贴宣传"}
    )
    assert finished.status_code == 303
    assert "已在3个小区张贴宣传" in (await client.get("/workload/tasks")).text
    assert (await client.get(DEPARTMENT)).status_code == 403, "a clerk is no department"

    # the street's dashboard: per department assigned, refused, done; per community its load
    await sign_in(client, w.phones[3])
    board = (await client.get("/street/workload")).text
    row = re.search(rf'id="unit-{w.power}">(.*?)</tr>', board, re.S)[1]
    assert re.findall(r"<td>(\d+)</td>", row) == ["1", "1", "1"]
    city_row = re.search(rf'id="unit-{city}">(.*?)</tr>', board, re.S)[1]
    assert re.findall(r"<td>(\d+)</td>", city_row) == ["0", "1", "0"]
    place = re.search(rf'id="place-{w.community_id}">(.*?)</tr>', board, re.S)[1]
    assert re.findall(r"<td>(\d+)</td>", place) == ["0", "0", "1"]


async def test_only_the_street_keeps_the_list_and_only_the_committee_does_the_task(client):
    rt = app_runtime(client)
    w = await world(rt)
    await sign_in(client, w.phones[0])  # a clerk
    before = rt.event_count()
    assert (await client.get(ADMISSION)).status_code == 403
    assert (await add(client, "事项", DUTY, w.power, "", later(0))).status_code == 403
    assert (await client.get("/street/workload")).status_code == 403
    await sign_in(client, w.power_staff_phone)
    assert (await client.get("/workload/tasks")).status_code == 403
    assert (await client.get(f"{DEPARTMENT}?refused=not-an-id")).status_code == 200
    assert rt.event_count() == before
    # a street operator acts for a department of its street
    await sign_in(client, w.phones[3])
    assert (await add(client, "电力设施安全宣传", DUTY, w.power, "", later(0))).status_code == 303
    code = codes((await client.get(f"{DEPARTMENT}?department={w.power}")).text)["电力设施安全宣传"]
    done = await assign(client, w.power, w.community_id, code)
    assert done.status_code == 303 and "refused" not in done.headers["location"]
    assert count_topic(rt, Task.Assigned) == 1


async def test_task_counts_per_community_for_the_one_table(runtime):
    rt = runtime
    w = await world(rt)
    operator = Ctx(w.community_id, w.residents[3], datetime.now(UTC))
    item = Item("", DUTY, "安全宣传", "依据", w.power, "财政")
    code = (await admission.add_item(rt, operator, STREET, item, "纪要", today())).result["code"]
    staff = sorted(rt.store.repository.get(w.power).staff)
    there = community_id_for("there")
    assigned = [
        await tasks.assign(rt, Ctx(there, staff[0], datetime.now(UTC)), w.power, w.community_id, code, "", today())
        for _ in range(3)
    ]
    refused = await tasks.assign(
        rt, Ctx(there, staff[0], datetime.now(UTC)), w.power, w.community_id, "", "表格", today()
    )
    assert "refused_id" in refused.result
    clerk = Ctx(w.community_id, w.residents[0], datetime.now(UTC))
    first = UUID(assigned[0].result["task_id"])
    await tasks.accept(rt, clerk, first)
    await tasks.complete(rt, Ctx(w.community_id, w.residents[0], datetime.now(UTC)), first, "完成")
    await settle(rt)
    counts = await lists.task_counts([w.community_id, there], today(), today())
    assert counts[str(w.community_id)] == {"assigned": 3, "refused": 1, "done": 1, "overdue": 0}
    assert counts[str(there)] == {"assigned": 0, "refused": 0, "done": 0, "overdue": 0}
    # two days on, the two still open are overdue (their deadline was today)
    on = today() + timedelta(days=2)
    assert (await lists.task_counts([w.community_id], on, on))[str(w.community_id)] == {
        "assigned": 0,
        "refused": 0,
        "done": 0,
        "overdue": 2,
    }


async def test_the_demo_lists_an_unfunded_item_a_task_and_a_refusal(runtime):
    from backend.demo import DEMO_CODE, load_demo

    loaded = await load_demo(runtime)
    assert loaded["admitted_tasks"] == 1
    await settle(runtime)
    items = await lists.listed(STREET, today())
    assert len(items) == 3 and [i["title"] for i in items if i["unfunded"]] == ["用电安全入户宣传"]
    place = community_id_for(DEMO_CODE)
    counts = (await lists.task_counts([place], today() - timedelta(days=3), today()))[str(place)]
    assert counts == {"assigned": 1, "refused": 1, "done": 0, "overdue": 0}
    # a rebuild of the views from the log reads as the live build
    live = await snapshot()
    assert live["TaskView"] and live["RefusedView"] and live["AdmissionEditView"]
    await runtime.projector.stop()
    await runtime.projector.reset(["workload_admission"])
    await runtime.projector.catch_up()
    assert await snapshot() == live
