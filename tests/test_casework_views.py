"""The casework views against the real stores (SQLite, or PostgreSQL with LINLI_TEST_DATABASE=postgres): the queues'
order (overdue first, then by the next deadline; a grid worker's queue holds their grids' cases and those handed to
them, never another grid's), the clerks' desk, a department's queue; private cases never in another resident's
lists or pages; a case's timeline with masked names; the notices each step sends (and to whom); the rows the rounds
act on; the live messages after a batch; `linli projections rebuild casework` giving the same rows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from backend.casework.commands import cases, whistles
from backend.contexts import PASSES
from backend.i18n import speaking
from backend.inbox.texts import text_of
from backend.kernel.authz import Actor
from backend.kernel.context import Ctx
from backend.runtime import Runtime
from projections.casework import dashboard
from projections.casework import queries as views
from projections.casework.handlers import CaseworkProjection
from projections.inbox import queries as inbox
from projections.residents import queries as residents
from tests.conftest import POSTGRES
from tests.factories import snapshot
from tests.test_casework import STREET, T0, World, world
from tests.test_projections import _run_cli

HOUR = timedelta(hours=1)


async def seen(rt: Runtime) -> None:
    assert await rt.projector.wait_for(rt.event_count(), timeout=10)


async def raise_(rt: Runtime, w: World, who: UUID, at: Any, category: str = "facilities", **kw: Any) -> UUID:
    ctx = w.ctx(who, at, on_behalf_of=kw.pop("on_behalf_of", None))
    done = await cases.raise_case(rt, ctx, category, kw.pop("text", "楼道灯坏了"), **kw)
    return UUID(done.result["case_id"])


async def viewer(w: World, who: UUID, *roles: str, departments: frozenset[str] = frozenset(), **kw: Any) -> Any:
    row = await residents.by_id(who)
    return views.Viewer(who, row["community_id"], frozenset(roles), departments, frozenset(kw.get("streets", ())))


async def test_a_grid_workers_queue_puts_the_overdue_first_then_the_next_deadline(runtime):
    w = await world(runtime)
    urgent = await raise_(runtime, w, w.resident, T0, urgent=True)  # accept within 30 minutes
    later = await raise_(runtime, w, w.residents[6], T0 + timedelta(minutes=10))
    sooner = await raise_(runtime, w, w.residents[7], T0 + timedelta(minutes=5))
    gate = await raise_(runtime, w, w.resident, T0, place="北门")  # 第二网格: not worker A's
    handed = await raise_(runtime, w, w.resident, T0, place="北门", text="北门路灯")
    await cases.accept(runtime, w.ctx(w.worker_b, T0 + timedelta(minutes=1)), handed)
    await cases.hand_over(runtime, w.ctx(w.worker_b, T0 + timedelta(minutes=2)), handed, w.worker_a, "A 熟悉")
    await seen(runtime)
    now = T0 + HOUR
    queue = await views.worker_queue(w.worker_a, now)
    assert [r["id"] for r in queue] == [urgent, sooner, later, handed]
    assert [r["overdue"] for r in queue] == [True, False, False, False]
    assert queue[3]["owner"] == (await residents.masked_names([w.worker_a]))[str(w.worker_a)]
    assert gate not in {r["id"] for r in queue}
    assert {r["id"] for r in await views.worker_queue(w.worker_b, now)} == {gate, handed}, "B's grid's cases"
    assert (await views.case_for(handed, await viewer(w, w.worker_a, "grid_worker"), now)) is not None


async def test_the_clerks_desk_holds_the_cases_of_no_grid_the_reopened_the_extensions_and_every_overdue(runtime):
    w = await world(runtime)
    nowhere = await raise_(runtime, w, w.elsewhere, T0)  # 2栋 is in no grid
    reopened = await raise_(runtime, w, w.resident, T0)
    await cases.accept(runtime, w.ctx(w.worker_a, T0), reopened)
    await cases.answer(runtime, w.ctx(w.worker_a, T0 + HOUR), reopened, "已修")
    await cases.rate(runtime, w.ctx(w.resident, T0 + 2 * HOUR), reopened, "dissatisfied", False, "没修好")
    extended = await raise_(runtime, w, w.residents[6], T0)
    await cases.accept(runtime, w.ctx(w.worker_a, T0), extended)
    await cases.request_extension(runtime, w.ctx(w.worker_a, T0 + HOUR), extended, 5, "等配件")
    await seen(runtime)
    desk = await views.clerk_queue(w.community_id, T0 + 3 * HOUR)
    assert {(r["id"], r["queue_reason"]) for r in desk["waiting"]} == {(nowhere, "no_grid"), (reopened, "reopened")}
    assert [r["id"] for r in desk["extensions"]] == [extended]
    assert [r["id"] for r in desk["overdue"]] == [nowhere], "2 working hours to accept have passed"
    assert desk["waiting"][0]["id"] == nowhere and desk["waiting"][0]["overdue"]


async def test_a_department_sees_its_whistles_late_first_and_only_its_own(runtime):
    w = await world(runtime)
    first = await raise_(runtime, w, w.resident, T0, "power", text="停电")
    second = await raise_(runtime, w, w.residents[6], T0, "power", text="电压不稳")
    for case_id, at in ((first, T0), (second, T0 + HOUR)):
        await cases.accept(runtime, w.ctx(w.worker_a, at), case_id)
        await whistles.whistle(runtime, w.ctx(w.worker_a, at), case_id)
    await whistles.report_in(runtime, w.ctx(w.power_staff, T0 + 2 * HOUR), second)
    await seen(runtime)
    queue = await views.department_queue(w.power, T0 + 25 * HOUR)  # the first never reported in within 24 h
    assert [(r["id"], r["late"]) for r in queue] == [(first, True), (second, False)]
    assert await views.department_queue(w.city, T0 + 25 * HOUR) == []
    staff = await viewer(w, w.city_staff, "department_staff", departments=frozenset({str(w.city)}))
    assert await views.case_for(first, staff, T0) is None
    mine = await viewer(w, w.power_staff, "department_staff", departments=await views.departments_of(w.power_staff))
    page = await views.case_page(first, mine, T0 + 25 * HOUR)
    assert page is not None and page["as_"]["department"] and not page["as_"]["handler"]
    board = await dashboard.street_dashboard(STREET, "2026-11", T0 + 25 * HOUR)
    power = next(d for d in board["departments"] if d["id"] == w.power)
    assert (power["open"], power["overdue"], power["response"]) == (2, 1, 100.0)


async def test_a_private_case_is_never_in_another_residents_lists_or_pages(runtime):
    w = await world(runtime)
    private = await raise_(runtime, w, w.resident, T0, "neighbours", text="楼上噪音，家里吵架")
    public = await raise_(runtime, w, w.residents[6], T0, text="1栋路灯坏了", public=True)
    for_neighbour = await raise_(runtime, w, w.head, T0, on_behalf_of=w.residents[7])
    await seen(runtime)
    neighbour = await viewer(w, w.residents[7], "resident")
    assert [r["id"] for r in await views.public_cases(w.community_id, T0)] == [public]
    assert {r["id"] for r in await views.my_cases(w.residents[7], T0)} == {for_neighbour}
    assert await views.case_for(private, neighbour, T0) is None
    assert await views.case_for(public, neighbour, T0) is not None
    outsider = views.Viewer(w.power_staff, w.community_id, frozenset({"resident"}))
    assert await views.case_for(public, views.Viewer(w.power_staff, UUID(int=1), frozenset({"resident"})), T0) is None
    assert await views.case_for(private, outsider, T0) is None
    allowed = [
        await viewer(w, w.resident, "resident"),
        await viewer(w, w.clerk, "clerk"),
        await viewer(w, w.worker_a, "grid_worker"),
    ]
    for who in allowed:
        assert await views.case_for(private, who, T0) is not None
    assert await views.case_for(private, await viewer(w, w.worker_b, "grid_worker"), T0) is None
    head = await viewer(w, w.head, "building_head")
    assert await views.case_for(for_neighbour, head, T0) is not None, "who raised it for the neighbour"
    operator = await viewer(w, w.operator, "street_operator", streets=(STREET,))
    staff = await viewer(w, w.city_staff, "department_staff", departments=frozenset({str(w.city)}))
    assert await views.case_for(private, operator, T0) is None and await views.case_for(private, staff, T0) is None
    anonymous = views.Viewer.of(Actor(None, None, frozenset()))
    assert await views.case_for(public, anonymous, T0) is None


async def test_a_residents_own_case_shows_every_step_with_masked_names_and_for_whom(runtime):
    w = await world(runtime)
    case_id = await raise_(runtime, w, w.head, T0, "elderly", on_behalf_of=w.resident, text="独居老人需要助餐")
    await cases.accept(runtime, w.ctx(w.worker_a, T0 + HOUR), case_id)
    await cases.add_note(runtime, w.ctx(w.worker_a, T0 + 2 * HOUR), case_id, "已联系助餐点")
    await cases.answer(runtime, w.ctx(w.worker_a, T0 + 3 * HOUR), case_id, "每天 11 点送餐")
    await cases.keep_deadlines(runtime, Ctx(w.community_id, None, T0 + 60 * HOUR), case_id)  # rating reminder
    await seen(runtime)
    names = await residents.masked_names([w.head, w.resident, w.worker_a])
    [mine] = await views.my_cases(w.resident, T0 + 61 * HOUR, with_steps=True)
    assert [s["kind"] for s in mine["steps"]] == ["Raised", "Accepted", "NoteAdded", "Answered"]
    raised = mine["steps"][0]
    assert (raised["actor"], raised["for"]) == (names[str(w.head)], names[str(w.resident)])
    assert mine["steps"][1]["names"]["owner_id"] == names[str(w.worker_a)]
    page = await views.case_page(case_id, await viewer(w, w.resident, "resident"), T0 + 61 * HOUR)
    assert page["as_"]["raiser"] and not page["as_"]["handler"] and page["raised_by"] == names[str(w.head)]
    assert "Reminded" not in [s["kind"] for s in page["steps"]], "the deadlines' notices are the handlers'"
    handler = await views.case_page(case_id, await viewer(w, w.worker_a, "grid_worker"), T0 + 61 * HOUR)
    assert [s["kind"] for s in handler["steps"]][-1] == "Reminded"


async def test_each_step_reaches_those_it_concerns_and_never_who_took_it(runtime):
    w = await world(runtime)
    case_id = await raise_(runtime, w, w.resident, T0, "power", public=True)
    await cases.join(runtime, w.ctx(w.residents[6], T0), case_id)
    await cases.accept(runtime, w.ctx(w.worker_a, T0 + HOUR), case_id)
    await whistles.whistle(runtime, w.ctx(w.worker_a, T0 + HOUR), case_id)
    await whistles.report_in(runtime, w.ctx(w.power_staff, T0 + 2 * HOUR), case_id)
    await whistles.department_answer(runtime, w.ctx(w.power_staff, T0 + 3 * HOUR), case_id, "已抢修")
    await cases.answer(runtime, w.ctx(w.worker_a, T0 + 4 * HOUR), case_id, "已恢复供电")
    await cases.rate(runtime, w.ctx(w.resident, T0 + 5 * HOUR), case_id, "dissatisfied", False, "又停了")
    await seen(runtime)

    async def kinds(who: UUID) -> list[str]:
        return sorted(r["kind"] for r in await inbox.notifications(who) if r["subject_id"] == case_id)

    assert await kinds(w.worker_a) == ["case_dept_answered", "case_new"]
    assert await kinds(w.power_staff) == ["case_whistled"]
    assert await kinds(w.residents[6]) == ["case_accepted", "case_answered", "case_reopened"]
    assert await kinds(w.resident) == ["case_accepted", "case_answered"], "not told of the reopening they made"
    assert await kinds(w.clerk) == ["case_new", "case_new"], "told of the new case, and of the reopened one"
    assert await inbox.unread(w.residents[6]) == 3
    row = next(r for r in await inbox.notifications(w.residents[6]) if r["kind"] == "case_answered")
    with speaking("zh"):
        title, text, link = await text_of(row)
    assert title and "供电用电" in text and link == f"/cases/{case_id}"


async def test_the_rounds_read_the_cases_due_and_those_of_an_owner_whose_term_ended(runtime):
    w = await world(runtime, worker_until=date(2026, 11, 10))
    case_id = await raise_(runtime, w, w.resident, T0)
    await seen(runtime)
    [due] = await views.case_notices_due(T0 + 2 * HOUR)
    assert due["id"] == case_id and due["notice_at"] == T0 + timedelta(minutes=90)  # three quarters of 2 hours
    assert await views.case_notices_due(T0 + HOUR) == []
    await cases.accept(runtime, w.ctx(w.worker_a, T0 + HOUR), case_id)
    await seen(runtime)
    assert await views.cases_of_lapsed_owners(date(2026, 11, 10)) == []
    [lapsed] = await views.cases_of_lapsed_owners(date(2026, 11, 11))
    assert (lapsed["id"], lapsed["owner_id"]) == (case_id, w.worker_a)


async def test_a_batch_tells_the_case_its_queues_and_the_rates_of_its_community(settings):
    rt = Runtime(settings, passes=PASSES)
    await rt.start(run_projector=False)
    try:
        w = await world(rt)
        await rt.projector.catch_up()
        told: list[tuple[str, dict[str, Any]]] = []
        rt.projector.stepped = lambda _position, messages: told.extend(messages)
        case_id = await raise_(rt, w, w.resident, T0)
        await cases.accept(rt, w.ctx(w.worker_a, T0 + HOUR), case_id)
        await rt.projector.catch_up()
        head = rt.event_count()
    finally:
        await rt.stop()
    channels = {channel for channel, _ in told}
    assert {
        views.case_channel(case_id),
        views.queue_channel(w.grid_a),
        views.queue_channel(w.worker_a),
        views.queue_channel(w.community_id),
        views.rates_channel(w.community_id),
    } <= channels
    [last] = [p for c, p in told if c == views.case_channel(case_id)][-1:]
    assert last["state"] == "accepted" and last["position"] < head


async def test_rebuilding_the_casework_views_gives_the_same_rows(settings, monkeypatch):
    rt = Runtime(settings, passes=PASSES)
    await rt.start(run_projector=True)
    w = await world(rt)
    first = await raise_(rt, w, w.resident, T0, "power", public=True)
    duplicate = await raise_(rt, w, w.residents[6], T0)
    await cases.accept(rt, w.ctx(w.worker_a, T0 + HOUR), first)
    await cases.merge(rt, w.ctx(w.worker_a, T0 + HOUR), first, duplicate)
    await whistles.whistle(rt, w.ctx(w.worker_a, T0 + HOUR), first)
    await whistles.report_in(rt, w.ctx(w.power_staff, T0 + 2 * HOUR), first)
    await whistles.department_answer(rt, w.ctx(w.power_staff, T0 + 3 * HOUR), first, "修好")
    await cases.answer(rt, w.ctx(w.worker_a, T0 + 4 * HOUR), first, "已恢复")
    await cases.rate(rt, w.ctx(w.residents[6], T0 + 5 * HOUR), first, "satisfied", True)
    await seen(rt)
    mine = {t.__name__ for t in CaseworkProjection.tables}
    before = {t: rows for t, rows in (await snapshot()).items() if t in mine}
    rates = await dashboard.rates_of("community", w.community_id, "2026-11")
    await rt.stop()
    assert (rates["cases"], rates["ratings"], rates["satisfaction"]) == (1, 1, 100.0), "the duplicate counts once"
    monkeypatch.setenv("LINLI_DATA_DIR", str(settings.data_dir))
    if POSTGRES:
        monkeypatch.setenv("LINLI_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("LINLI_PG_SCHEMA", settings.pg_schema)
    assert await _run_cli(["projections", "rebuild", "casework"]) == 0
    again = Runtime(settings, passes=PASSES)
    await again.start(run_projector=False)
    try:
        after = {t: rows for t, rows in (await snapshot()).items() if t in mine}
    finally:
        await again.stop()
    assert all(before[t] for t in ("CaseView", "StepView", "RateView", "WhistleView", "GridView"))
    assert after == before


@pytest.mark.parametrize("month", ["2026-11", "2026-10"])
async def test_the_boards_digest_counts_by_category_and_names_nobody(runtime, month):
    w = await world(runtime)
    for who, category in ((w.resident, "facilities"), (w.residents[6], "facilities"), (w.residents[7], "power")):
        await raise_(runtime, w, who, T0, category, text="张三家门口的灯坏了")
    await seen(runtime)
    digest = await dashboard.digest(w.community_id, month)
    if month == "2026-10":
        assert digest["categories"] == [] and digest["figures"]["response"] is None
        return
    assert digest["categories"] == [
        {"code": "facilities", "label": "公共设施", "cases": 2},
        {"code": "power", "label": "供电用电", "cases": 1},
    ]
    assert "张三" not in repr(digest) and str(w.resident) not in repr(digest)
    assert await dashboard.months(w.community_id) == ["2026-11"]
