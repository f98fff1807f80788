"""The matter list's grid level against the real stores (SQLite, or PostgreSQL with LINLI_TEST_DATABASE=postgres):
the clerk narrows the community's list further for one grid; a case raised in that grid for a category it dropped
is refused with a clear message while the same category goes in another grid (and where no grid holds the
building); never wider than the community; lifted, it reads as the community's again; the views read the grid's list
as the commands do; a narrowing stored before grids loads as the community's. Through HTTP: the form's grid select
and the grid's narrowings on /cases/matters."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest

from backend.casework.commands import cases, street
from backend.casework.domain.matters import CommunityMatters, Narrowing
from backend.casework.domain.rules import IMMEDIATE, WHISTLE, community_matters_id_for
from backend.kernel.zone import LOCAL_ZONE
from projections.casework import queries as views
from tests.factories import app_runtime, sign_in
from tests.test_casework import T0, quiet_runtime, refused, world
from tests.test_casework_http import world as http_world
from tests.test_residents_http import form_post, settle

runtime = pytest.fixture(quiet_runtime, name="runtime")  # the rounds run by hand only

TODAY = T0.date()


async def test_a_grid_narrowed_further_refuses_its_dropped_category_while_another_grid_takes_it(runtime):
    w = await world(runtime)

    def clerk():  # each call a new command (a Ctx's command id is its own)
        return w.ctx(w.clerk)

    # 第一网格 (1栋) does not take 其他 nor 市场监管; its 供电用电 is solved in the community (即办)
    await street.narrow_matter(runtime, clerk(), "other", Narrowing(dropped=True), TODAY, w.grid_a)
    await street.narrow_matter(runtime, clerk(), "market", Narrowing(dropped=True), TODAY, w.grid_a)
    await street.narrow_matter(runtime, clerk(), "power", Narrowing(handling=IMMEDIATE), TODAY, w.grid_a)
    await refused(
        runtime,
        cases.raise_case(runtime, w.ctx(w.resident), "other", "楼下有人乱停车"),
        "The community does not handle this category in this grid",
    )
    await refused(
        runtime,
        cases.raise_case(runtime, w.ctx(w.head, on_behalf_of=w.resident), "market", "小卖部卖过期食品"),
        "in this grid",
    )
    at_gate = await cases.raise_case(runtime, w.ctx(w.resident), "other", "北门有人乱停车", place="北门")
    assert at_gate.result["grid_id"] == str(w.grid_b), "the same category goes in 第二网格"
    nowhere = await cases.raise_case(runtime, w.ctx(w.elsewhere), "other", "2栋门禁坏了")
    assert nowhere.result["queue"] == "clerk", "and where no grid holds the building (the community's list)"
    power = await cases.raise_case(runtime, w.ctx(w.resident), "power", "楼道电闸跳闸")
    assert runtime.store.repository.get(UUID(power.result["case_id"])).handling == IMMEDIATE
    gate_power = await cases.raise_case(runtime, w.ctx(w.resident, command_id="g"), "power", "北门路灯", place="北门")
    assert runtime.store.repository.get(UUID(gate_power.result["case_id"])).handling == WHISTLE

    # never wider than the community; only a grid of the community; what was not narrowed cannot be lifted
    await street.narrow_matter(runtime, clerk(), "property", Narrowing(answer_days=1), TODAY)
    await refused(
        runtime,
        street.narrow_matter(runtime, clerk(), "property", Narrowing(answer_days=5), TODAY, w.grid_b),
        "A grid may shorten the community's answer days, never lengthen them",
    )
    await street.narrow_matter(runtime, clerk(), "neighbours", Narrowing(dropped=True), TODAY)
    await refused(
        runtime,
        street.narrow_matter(runtime, clerk(), "neighbours", Narrowing(handling=IMMEDIATE), TODAY, w.grid_b),
        "no grid of it can",
        409,
    )
    await refused(
        runtime,
        street.narrow_matter(runtime, clerk(), "other", Narrowing(dropped=True), TODAY, uuid4()),
        "No such grid",
        404,
    )
    await refused(runtime, street.lift_narrowing(runtime, clerk(), "other", TODAY, w.grid_b), "for this grid", 409)
    await refused(
        runtime,
        street.narrow_matter(runtime, w.ctx(w.worker_a), "other", Narrowing(dropped=True), TODAY, w.grid_a),
        None,
        403,
    )

    # the views read each grid's list as the commands do
    assert await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    mine = {m["code"]: m for m in await views.matters(w.community_id, TODAY, w.grid_a)}
    theirs = {m["code"]: m for m in await views.matters(w.community_id, TODAY, w.grid_b)}
    community = {m["code"]: m for m in await views.matters(w.community_id, TODAY)}
    assert "other" not in mine and "market" not in mine and mine["power"]["handling"] == IMMEDIATE
    assert "other" in theirs and theirs["power"]["handling"] == WHISTLE and theirs == community
    assert mine["property"]["answer_days"] == 1 and "neighbours" not in mine
    narrowed = {g["name"]: g["narrowings"] for g in await views.grid_narrowings(w.community_id, TODAY)}
    assert narrowed["第二网格"] == []
    assert [(n["code"], n["dropped"], n["handling"]) for n in narrowed["第一网格"]] == [
        ("market", True, ""),
        ("other", True, ""),
        ("power", False, IMMEDIATE),
    ]

    # lifted from tomorrow: 其他 is raised in 第一网格 again from then on
    tomorrow = TODAY + timedelta(days=1)
    await street.lift_narrowing(runtime, clerk(), "other", tomorrow, w.grid_a)
    await refused(
        runtime, cases.raise_case(runtime, w.ctx(w.resident, command_id="x"), "other", "还是不行"), "in this grid"
    )
    later = w.ctx(w.resident, T0 + timedelta(days=1), command_id="y")
    assert (await cases.raise_case(runtime, later, "other", "楼下有人乱停车")).result["grid_id"] == str(w.grid_a)


async def test_a_narrowing_stored_before_grids_loads_as_the_communitys(runtime):
    w = await world(runtime)
    await street.narrow_matter(runtime, w.ctx(w.clerk), "other", Narrowing(dropped=True), TODAY)
    matters_id = community_matters_id_for(w.community_id)
    event = next(e for e in runtime.store.events.get(matters_id) if isinstance(e, CommunityMatters.Narrowed))
    stored = runtime.store.mapper.to_stored_event(event)
    state = json.loads(stored.state)
    assert state.pop("grid_id") is None
    old = type(stored)(stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode())
    loaded = runtime.store.mapper.to_domain_event(old)
    assert loaded.grid_id is None and loaded.code == "other"
    matters = None
    for e in runtime.store.events.get(matters_id):
        matters = (loaded if e.originator_version == loaded.originator_version else e).mutate(matters)
    assert [code for _, code, _ in matters.lines] == ["other"] and matters.grid_lines == {}


async def test_the_clerk_narrows_for_a_grid_through_the_form(client):
    rt = app_runtime(client)
    w = await http_world(rt)
    await sign_in(client, w.phones[0])
    page = (await client.get("/cases/matters")).text
    assert 'name="grid_id"' in page and "第一网格" in page and "第二网格" in page
    today = datetime.now(LOCAL_ZONE).date().isoformat()
    before = rt.event_count()
    bad = await form_post(
        client,
        "/cases/matters",
        "/cases/matters/narrow",
        {"code": "other", "dropped": "1", "effective_from": today, "grid_id": "not-a-grid"},
    )
    assert bad.status_code == 422 and "请选择网格" in bad.text
    unknown = await form_post(
        client,
        "/cases/matters",
        "/cases/matters/narrow",
        {"code": "other", "dropped": "1", "effective_from": today, "grid_id": str(uuid4())},
    )
    assert unknown.status_code == 404 and "本社区没有这个网格" in unknown.text
    assert rt.event_count() == before, "a refusal writes nothing"
    narrowed = {"code": "other", "dropped": "1", "effective_from": today, "grid_id": str(w.grid_a)}
    assert (await form_post(client, "/cases/matters", "/cases/matters/narrow", narrowed)).status_code == 303
    sooner = {"code": "power", "answer_days": "1", "handling": "immediate", "effective_from": today}
    sooner["grid_id"] = str(w.grid_a)
    assert (await form_post(client, "/cases/matters", "/cases/matters/narrow", sooner)).status_code == 303
    await settle(rt)
    page = (await client.get("/cases/matters")).text
    section = page[page.index('id="grids-heading"') :]
    assert "第一网格" in section and "本网格不受理" in section and str(w.grid_a) in section
    assert "第二网格" not in section and "即办" in section
    assert 'id="matter-other"' in page, "the community still handles it"
    # a resident of 1栋 (第一网格) is refused with a clear message; the community's list is unchanged elsewhere
    await sign_in(client, w.phones[4])
    offered = (await client.get("/cases/new")).text
    assert 'value="power"' in offered and 'value="other"' not in offered, "the form offers the grid's categories"
    sent = await form_post(client, "/cases/new", "/cases/new", {"category": "other", "text": "楼下有人乱停车"})
    assert sent.status_code == 422 and "社区在这个网格不受理这类诉求" in sent.text
    # lifted through the section's button: raised again
    await sign_in(client, w.phones[0])
    lift = {"code": "other", "effective_from": today, "grid_id": str(w.grid_a)}
    assert (await form_post(client, "/cases/matters", "/cases/matters/lift", lift)).status_code == 303
    again = await form_post(client, "/cases/matters", "/cases/matters/lift", lift)
    assert again.status_code == 409 and "社区没有为这个网格收窄这类事项" in again.text
    await settle(rt)
    assert "本网格不受理" not in (await client.get("/cases/matters")).text
    await sign_in(client, w.phones[4])
    sent = await form_post(client, "/cases/new", "/cases/new", {"category": "other", "text": "楼下有人乱停车"})
    assert sent.status_code == 303 and re.fullmatch(r"/cases/[0-9a-f-]{36}", sent.headers["location"])
