"""The street's working calendar (工作日历, issue 22): the casework views keep the days a street sets itself (a day set,
set again, cleared; a rebuild reads the same), and the street operator's page sets a holiday and clears it through
HTTP — a case raised the day before the holiday is then due after it, and one raised once it is cleared on it again.
Only the street's operator may; bad input gets a clear message and writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

import pytest

from backend.casework.commands import cases, street
from backend.casework.domain.rules import Due, national_days
from backend.casework.domain.worktime import WorkTime
from backend.kernel.context import Ctx
from backend.kernel.zone import LOCAL_ZONE
from projections.casework import queries as views
from tests.factories import app_runtime, sign_in, snapshot
from tests.test_casework import STREET, T0, quiet_runtime, refused, world
from tests.test_casework_http import world as http_world
from tests.test_residents_http import form_post, settle

runtime = pytest.fixture(quiet_runtime, name="runtime")
PAGE = "/street/casework"


async def test_the_views_keep_the_days_a_street_sets_and_forget_those_it_clears(runtime):
    w = await world(runtime)

    def operator(command_id: str) -> Ctx:
        return w.ctx(w.operator, command_id=command_id)

    await street.set_calendar_day(runtime, operator("d1"), STREET, date(2027, 1, 1), False, "元旦")
    await street.set_calendar_day(runtime, operator("d2"), STREET, date(2027, 2, 6), True, "调休")
    await street.set_calendar_day(runtime, operator("d3"), STREET, date(2027, 3, 5), False, "检修")
    await street.clear_calendar_day(runtime, operator("d4"), STREET, date(2027, 3, 5))
    # set again, then cleared and set once more: the latest setting shows
    await street.set_calendar_day(runtime, operator("d5"), STREET, date(2027, 2, 6), False, "改")
    await street.clear_calendar_day(runtime, operator("d6"), STREET, date(2027, 2, 6))
    await street.set_calendar_day(runtime, operator("d7"), STREET, date(2027, 2, 6), True, "春节调休")
    await runtime.projector.catch_up()

    days = await views.calendar_days(STREET, 2027)
    assert [(d["day"], d["working"], d["note"]) for d in days] == [
        (date(2027, 1, 1), False, "元旦"),
        (date(2027, 2, 6), True, "春节调休"),
    ]
    assert days[0]["set_at"] == T0
    assert await views.calendar_days(STREET, 2026) == [], "the national days are not the street's own"
    assert await views.calendar_days(f" {STREET} ", 2027) == days, "the street's name as ids are made from it"
    assert await views.calendar_days("别的街道", 2027) == [] and await views.calendar_days("", 2027) == []

    # refused, writing nothing: a day never set cleared; a day set to what it is already (a Saturday off); a clerk
    await refused(runtime, street.clear_calendar_day(runtime, operator("r1"), STREET, date(2027, 3, 5)), None, 409)
    saturday = street.set_calendar_day(runtime, operator("r2"), STREET, date(2027, 1, 2), False, "周六")
    await refused(runtime, saturday, "says so already", 409)
    clerk = w.ctx(w.clerk)
    await refused(runtime, street.set_calendar_day(runtime, clerk, STREET, date(2027, 1, 4), False, "假"), None, 403)

    before = await snapshot()
    await runtime.projector.reset(["casework"])
    await runtime.projector.catch_up()
    assert await snapshot() == before, "a rebuild reads the same"


def _eve_of_a_holiday() -> tuple[datetime, date]:
    """A Thursday 10:00 (China) at least a week ahead whose Thursday and Friday are working days nationally (and the
    Saturday not), and that Friday (the holiday the test sets): this year's or next, as the page lists them."""
    today = datetime.now(LOCAL_ZONE).date()
    national = national_days()
    friday = today + timedelta(days=7 + (4 - today.weekday()) % 7)
    while not (
        all(national.get(d, True) for d in (friday - timedelta(days=1), friday))
        and not national.get(friday + timedelta(days=1), False)
    ):
        friday += timedelta(days=7)
    return datetime.combine(friday - timedelta(days=1), time(10), LOCAL_ZONE), friday


async def test_the_operator_sets_a_holiday_and_the_answer_due_skips_it(client):
    rt = app_runtime(client)
    w = await http_world(rt)
    eve, holiday = _eve_of_a_holiday()
    await sign_in(client, w.phones[3])  # the street's operator
    page = (await client.get(PAGE)).text
    assert "工作日历" in page and 'action="/street/calendar"' in page and "街道尚未设置" in page
    sent = {"street": STREET, "day": holiday.isoformat(), "working": "0", "note": "街道停电检修"}
    done = await form_post(client, PAGE, "/street/calendar", sent)
    assert done.status_code == 303, done.text[:800]
    await settle(rt)
    page = (await client.get(PAGE)).text
    assert holiday.isoformat() in page and "街道停电检修" in page and "放假" in page
    assert 'action="/street/calendar/clear"' in page

    # a 政策咨询 case (1 working day) raised the day before: due after the holiday, not on it
    raised = await cases.raise_case(rt, w.ctx(w.residents[4], now=eve.astimezone(UTC)), "policy", "社保转移")
    due = rt.store.repository.get(UUID(raised.result["case_id"])).deadlines[Due.ANSWER][1]
    expected = WorkTime({**national_days(), holiday: False}).add_days(eve, 1)
    assert due == expected and due.astimezone(LOCAL_ZONE).date() > holiday
    assert due.astimezone(LOCAL_ZONE).time() == time(10)

    cleared = await form_post(client, PAGE, "/street/calendar/clear", {"street": STREET, "day": holiday.isoformat()})
    assert cleared.status_code == 303
    await settle(rt)
    assert "街道停电检修" not in (await client.get(PAGE)).text
    again = await cases.raise_case(
        rt, w.ctx(w.residents[4], now=eve.astimezone(UTC), command_id="again"), "policy", "医保报销"
    )
    due = rt.store.repository.get(UUID(again.result["case_id"])).deadlines[Due.ANSWER][1]
    assert due == datetime.combine(holiday, time(10), LOCAL_ZONE), "cleared: the Friday works again"


async def test_only_the_streets_operator_sets_its_calendar(client):
    rt = app_runtime(client)
    w = await http_world(rt)
    _eve, holiday = _eve_of_a_holiday()
    before = rt.event_count()
    for phone in (w.phones[0], w.phones[4]):  # the clerk, a resident
        await sign_in(client, phone)
        assert (await client.get(PAGE)).status_code == 403
        sent = {"street": STREET, "day": holiday.isoformat(), "working": "0", "note": ""}
        assert (await form_post(client, "/", "/street/calendar", sent)).status_code == 403
        assert (await form_post(client, "/", "/street/calendar/clear", sent)).status_code == 403
    assert rt.event_count() == before


async def test_bad_calendar_input_gets_a_clear_message_and_writes_nothing(client):
    rt = app_runtime(client)
    w = await http_world(rt)
    _eve, holiday = _eve_of_a_holiday()
    saturday = holiday + timedelta(days=1)
    await sign_in(client, w.phones[3])
    before = rt.event_count()
    good = {"street": STREET, "day": holiday.isoformat(), "working": "0", "note": "检修"}
    for action, bad, status, message in [
        ("/street/calendar", {"day": "明天"}, 422, "请填写日期（年-月-日）"),
        ("/street/calendar", {"day": ""}, 422, "请填写日期（年-月-日）"),
        ("/street/calendar", {"day": "2027-02-30"}, 422, "请填写日期（年-月-日）"),
        ("/street/calendar", {"working": "maybe"}, 422, "请选择这一天放假还是上班"),
        ("/street/calendar", {"working": ""}, 422, "请选择这一天放假还是上班"),
        ("/street/calendar", {"note": "长" * 31}, 422, "最多 30 个字"),
        ("/street/calendar", {"note": "  "}, 422, "请填写日期说明"),
        ("/street/calendar", {"day": saturday.isoformat()}, 409, "工作日历已是如此"),  # a Saturday is off already
        ("/street/calendar/clear", {"day": "昨天"}, 422, "请填写日期（年-月-日）"),
        ("/street/calendar/clear", {}, 409, "街道未对这一天作特别设置"),
    ]:
        refused = await form_post(client, PAGE, action, {**good, **bad})
        assert refused.status_code == status and message in refused.text, (action, bad, refused.status_code)
        assert 'id="calendar-day"' in refused.text, "the page comes back with the form"
    assert rt.event_count() == before
