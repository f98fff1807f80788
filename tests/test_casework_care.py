"""关爱 and 走访 on the read side and the pages (issue 22), against the real stores: the care categories are sealed at
rest in the views as in the log (opened only for their grid's worker and the clerks); the grid worker's list puts
overdue visits first and holds only their grids' households; a volunteer's visit shows the household and the task,
never the category, and a visit made in a volunteering shift counts through that shift's hours; nothing of care
reaches a public page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from backend.casework.commands import care, grids
from backend.casework.domain.rules import care_id_for
from backend.kernel.context import Ctx
from backend.residents import commands as resident_commands
from backend.residents.domain.household import HouseholdRow, household_id_for
from backend.volunteering import commands as volunteering
from backend.volunteering.domain.activity import ActivityTerms
from backend.volunteering.domain.shift import shift_id_for
from projections.casework import care_queries
from projections.registry import ALL_TABLES
from tests.factories import Place, app_runtime, community, grant, sign_in
from tests.test_casework import T0, refused, world
from tests.test_residents_http import form_post, settle

CATEGORY_WORDS = ("alone", "empty_nest", "disabled", "hardship")


async def _all_view_text() -> str:
    """Every value of every view row, as text: what a copy of the views would reveal."""
    found = []
    for table in ALL_TABLES:
        for row in await table.select():
            found.extend(str(value) for value in row.values())
    return "\n".join(found)


def _household_of(rt, resident_id: UUID) -> UUID:
    return rt.store.repository.get(resident_id).household_id


async def test_care_categories_stay_sealed_in_the_views_and_the_list_puts_overdue_first(runtime):
    w = await world(runtime)
    clerk = w.ctx(w.clerk)
    flagged = {  # household -> (categories, the person cared for)
        _household_of(runtime, w.residents[5]): (["alone", "elderly"], w.residents[5]),  # 7 days
        _household_of(runtime, w.residents[6]): (["disabled"], w.residents[6]),  # 30 days
        _household_of(runtime, w.residents[7]): (["empty_nest"], None),  # 14 days, sealed with the household's key
        _household_of(runtime, w.elsewhere): (["hardship"], w.elsewhere),  # 2栋: in no grid
    }
    for number, (household, (categories, person)) in enumerate(flagged.items()):
        await care.flag_care(runtime, replace(clerk, command_id=f"flag-{number}"), household, categories, person)
    await runtime.projector.catch_up()

    text = await _all_view_text()
    for word in CATEGORY_WORDS:
        assert word not in text, f"the category {word} is in clear in a view"

    mine = await care_queries.buildings_of(w.worker_a)
    assert mine == ["1栋"]
    rows = await care_queries.care_list(w.community_id, mine)
    order = [r["household_id"] for r in rows]
    households = list(flagged)
    assert order == [households[0], households[2], households[1]], "the soonest due first"
    assert households[3] not in order, "a household of no grid of theirs is not in a grid worker's list"
    assert len(await care_queries.care_list(w.community_id, None)) == 4, "the clerk's list holds every household"
    assert await care_queries.care_list(w.community_id, await care_queries.buildings_of(w.worker_b)) == []

    opened = await care_queries.opened(runtime.personal, rows)
    assert [r["categories"] for r in opened] == [["alone", "elderly"], ["empty_nest"], ["disabled"]]
    today = T0.date() + timedelta(days=10)
    assert [care_queries.days_overdue(r, today) for r in opened] == [3, 0, 0]

    # a visit moves the next one: the household visited is no longer first
    visited = T0 + timedelta(days=10)
    await care.log_visit(runtime, w.ctx(w.worker_a, visited), households[0], visited.date(), "老人身体还好")
    await runtime.projector.catch_up()
    rows = await care_queries.care_list(w.community_id, mine)
    assert rows[0]["household_id"] == households[2]
    diary = await care_queries.diary(w.worker_a)
    assert [(d["household_id"], d["found"]) for d in diary] == [(households[0], "老人身体还好")]

    # erased: the categories go with the person's key
    runtime.personal.erase(w.residents[6])
    erased = await care_queries.opened(runtime.personal, await care_queries.care_list(w.community_id, mine))
    assert [(r["categories"], r["erased"]) for r in erased if r["household_id"] == households[1]] == [([], True)]


async def test_a_visit_in_a_volunteering_shift_is_due_that_day_and_counts_its_hours(runtime):
    w = await world(runtime)
    leader, volunteer, other = w.residents[6], w.residents[7], w.resident
    await resident_commands.grant_role(runtime, Ctx(w.community_id, None, T0), leader, "volunteer_leader")
    team = await volunteering.found_team(runtime, w.ctx(leader), "关爱志愿队", "探访独居老人")
    start = datetime(2026, 11, 7, 1, 0, tzinfo=UTC)  # Saturday 09:00 in China
    terms = ActivityTerms("周六探访", "上门陪伴", "1栋", "elderly", "关爱对象")
    made = await volunteering.create_activity(
        runtime, w.ctx(leader), UUID(team.result["team_id"]), terms, [(start, start + timedelta(hours=2))], 4
    )
    activity = UUID(made.result["activity_id"])
    await volunteering.publish_activity(runtime, w.ctx(leader), activity)
    shift = shift_id_for(activity, start)
    await volunteering.sign_up(runtime, w.ctx(volunteer), shift)
    household = _household_of(runtime, w.residents[5])

    await refused(
        runtime,
        care.plan_visit(runtime, w.ctx(w.worker_a), household, other, "送药", None, shift),
        "no seat",
        409,
    )
    planned = await care.plan_visit(runtime, w.ctx(w.worker_a), household, volunteer, "送药，量血压", None, shift)
    visit_id = UUID(planned.result["visit_id"])
    assert runtime.store.repository.get(visit_id).due_on == start.date()
    await runtime.projector.catch_up()
    mine = await care_queries.assigned(volunteer)
    assert [(v["id"], v["task"], v["due_on"], v["shift_id"]) for v in mine] == [
        (visit_id, "送药，量血压", start.date(), shift)
    ]
    assert "categories_sealed" not in mine[0] and "sealed_with" not in mine[0]

    # the shift's own hours: checked in and out, confirmed by the leader — volunteering's ledger
    await volunteering.check_in(runtime, w.ctx(leader, start), shift, volunteer, True)
    await volunteering.check_out(runtime, w.ctx(leader, start + timedelta(minutes=90)), shift, volunteer, True)
    await care.record_visit(runtime, w.ctx(volunteer, start + timedelta(hours=1)), visit_id, start.date(), "药已送到")
    confirmed = await volunteering.confirm_hours(runtime, w.ctx(leader, start + timedelta(hours=3)), shift, volunteer)
    assert confirmed.result["minutes"] == "90"


# -- through the pages ---------------------------------------------------------------------------------------------
async def _grid_place(rt) -> Place:
    """社区test: 0 the clerk, 1 the worker of 第一网格 (1栋), 2 the worker of 第二网格 (2栋), 3 a volunteer, 4 cared
    for (1栋), and a household of 2栋 flagged too."""
    place = await community(rt, T0, residents=5)
    cid, system = place.community_id, Ctx(place.community_id, None, T0)
    await grant(rt, place, 0, "clerk", now=T0)
    for index in (1, 2):
        await resident_commands.grant_role(rt, system, place.residents[index], "grid_worker")
    await resident_commands.import_households(rt, system, [HouseholdRow(0, "2栋", "1单元", "101室", ())])
    clerk = Ctx(cid, place.residents[0], T0)
    first = UUID((await grids.draw_grid(rt, clerk, "第一网格")).result["grid_id"])
    second = UUID((await grids.draw_grid(rt, replace(clerk, command_id="b"), "第二网格")).result["grid_id"])
    await grids.add_building(rt, clerk, first, "1栋")
    await grids.add_building(rt, replace(clerk, command_id="b2"), second, "2栋")
    await grids.assign_worker(rt, clerk, first, place.residents[1])
    await grids.assign_worker(rt, replace(clerk, command_id="w2"), second, place.residents[2])
    await care.flag_care(rt, clerk, place.households[4], ["alone"], place.residents[4])
    far = household_id_for(cid, "2栋", "1单元", "101室")
    await care.flag_care(rt, replace(clerk, command_id="far"), far, ["disabled"])
    await care.plan_visit(
        rt, replace(clerk, command_id="plan"), place.households[4], place.residents[3], "送降压药", T0.date()
    )
    await settle(rt)
    return place


async def _signed_in_as(client, place: Place, index: int) -> None:
    await client.post("/signout", data={"_csrf_token": client.cookies.get("csrftoken")})
    await sign_in(client, place.phones[index])


async def test_the_pages_show_care_to_the_grid_worker_and_clerk_only_and_the_task_to_the_volunteer(client):
    rt = app_runtime(client)
    place = await _grid_place(rt)
    label = rt.store.repository.get(place.households[4]).label

    for path in ("/visits", "/care", "/visits/assigned"):
        response = await client.get(path)
        assert response.status_code in (302, 303, 401), (path, response.status_code)
    for path in ("/", "/proposals?community=test", "/board?community=test", "/matters?community=test"):
        public = await client.get(path)
        assert "独居" not in public.text and "残疾" not in public.text, path

    await sign_in(client, place.phones[1])  # the worker of 1栋
    page = await client.get("/visits")
    assert page.status_code == 200 and label in page.text and "独居" in page.text
    assert "残疾" not in page.text, "2栋 is another worker's"
    assert "走访已逾期" in page.text, "flagged on 2026-11-02, weekly: long overdue"
    assert (await client.get("/care")).status_code == 403

    await _signed_in_as(client, place, 3)  # the volunteer
    assert (await client.get("/visits")).status_code == 403
    mine = await client.get("/visits/assigned")
    assert mine.status_code == 200 and label in mine.text and "送降压药" in mine.text
    assert "独居" not in mine.text and "alone" not in mine.text, "a volunteer never sees the care category"
    visit_id = mine.text.split('action="/visits/')[1].split("/record")[0]  # (the views are the app's loop's)
    before = rt.event_count()
    bad = await form_post(
        client, "/visits/assigned", f"/visits/{visit_id}/record", {"visited_on": "2999-01-01", "found": "x"}
    )
    assert bad.status_code == 422 and rt.event_count() == before
    today = datetime.now(UTC).date().isoformat()
    done = await form_post(
        client, "/visits/assigned", f"/visits/{visit_id}/record", {"visited_on": today, "found": "药已送到，血压正常"}
    )
    assert done.status_code == 303
    await settle(rt)
    assert rt.store.repository.get(care_id_for(place.households[4])).last_visit.isoformat() == today

    await _signed_in_as(client, place, 0)  # the clerk sees every flag and flags another household
    flags = await client.get("/care")
    assert flags.status_code == 200 and "独居" in flags.text and "残疾" in flags.text
    before = rt.event_count()
    refused_flag = await form_post(client, "/care", "/care", {"household_id": str(place.households[2])})
    assert refused_flag.status_code == 422 and rt.event_count() == before
    sent = await client.get("/care")
    flagged = await client.post(
        "/care",
        data={
            "_csrf_token": client.cookies.get("csrftoken"),
            "command_id": sent.text.split('name="command_id" value="')[1].split('"')[0],
            "household_id": str(place.households[2]),
            "categories": ["empty_nest", "hardship"],
        },
    )
    assert flagged.status_code == 303
    await settle(rt)
    assert rt.store.repository.get(care_id_for(place.households[2])).interval_days == 14
    flags = await client.get("/care")
    assert "空巢" in flags.text and "困难" in flags.text


async def test_the_grid_worker_records_a_visit_and_raises_a_case_in_one_step(client):
    rt = app_runtime(client)
    place = await _grid_place(rt)
    await sign_in(client, place.phones[1])
    before = rt.event_count()
    outside = await form_post(
        client,
        "/visits",
        "/visits",
        {"household_id": str(household_id_for(place.community_id, "2栋", "1单元", "101室")), "found": "x"},
    )
    assert outside.status_code in (403, 422) and rt.event_count() == before
    today = datetime.now(UTC).date().isoformat()
    sent = await form_post(
        client,
        "/visits",
        "/visits",
        {
            "household_id": str(place.households[4]),
            "visited_on": today,
            "found": "老人说卫生间漏水",
            "raise_case": "1",
            "category": "property",
            "case_text": "卫生间漏水到楼下",
        },
    )
    assert sent.status_code == 303 and sent.headers["location"].startswith("/cases/")
    case_id = UUID(sent.headers["location"].rsplit("/", 1)[1])
    raised = next(iter(rt.store.events.get(case_id)))
    assert (raised.raiser_id, raised.actor_id) == (place.residents[4], place.residents[1]), "for the person cared for"
    await settle(rt)
    page = await client.get("/visits")
    assert "老人说卫生间漏水" in page.text and f'href="/cases/{case_id}"' in page.text, "in the diary"
    assert rt.store.repository.get(care_id_for(place.households[4])).last_visit.isoformat() == today
