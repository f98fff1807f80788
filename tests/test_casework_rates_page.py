"""The rates of a community by grid and by handler (`/cases/rates`), through HTTP with the real stores (SQLite, or
PostgreSQL with LINLI_TEST_DATABASE=postgres): the clerk's page shows each grid's and each handler's figures as the
projection counts them (`dashboard.community_rates`), names masked; the street's operator opens it from the
dashboard for any community of their street; a 网格员 sees the grids they hold and their own row only; a resident
and another community's clerk are refused; a bad month is told so. Views are read on the app's event loop (its
portal): on PostgreSQL they belong to it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from backend.casework.commands import cases
from backend.community.domain.community import community_id_for
from backend.kernel.context import Ctx
from backend.residents import commands as resident_commands
from projections.casework import dashboard
from tests.factories import app_runtime, sign_in
from tests.test_casework_http import World, _resident, world
from tests.test_residents_http import settle

MONTH = "2026-11"
T1 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in China
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


async def _cases(rt: Any, w: World) -> None:
    """第一网格 (1栋): one accepted in time, answered and rated 满意; one accepted a day late, still open. 2栋 (no
    grid): the clerk takes it, answers, and it is rated 基本满意, not solved."""
    worker, clerk = w.residents[1], w.residents[0]
    quick = UUID((await cases.raise_case(rt, w.ctx(w.residents[4], T1), "facilities", "楼道灯坏了")).result["case_id"])
    await cases.accept(rt, w.ctx(worker, T1 + 30 * MINUTE), quick)
    await cases.answer(rt, w.ctx(worker, T1 + 2 * HOUR), quick, "已更换灯泡")
    await cases.rate(rt, w.ctx(w.residents[4], T1 + 3 * HOUR), quick, "satisfied", True)
    slow = UUID((await cases.raise_case(rt, w.ctx(w.residents[5], T1), "neighbours", "楼上噪音")).result["case_id"])
    await cases.accept(rt, w.ctx(worker, T1 + DAY), slow)
    outside = UUID((await cases.raise_case(rt, w.ctx(w.elsewhere, T1), "property", "2栋门禁坏了")).result["case_id"])
    await cases.accept(rt, w.ctx(clerk, T1 + HOUR), outside)
    await cases.answer(rt, w.ctx(clerk, T1 + 5 * HOUR), outside, "物业已修好门禁")
    await cases.rate(rt, w.ctx(w.elsewhere, T1 + 6 * HOUR), outside, "basically_satisfied", False)
    await settle(rt)


def _row(html: str, table: str, row_id: str) -> dict[str, str]:
    """The cells of a row of a table (by the row's data-id): its name, its cases and each rate as the page says."""
    body = re.search(rf'<table id="{table}">(.*?)</table>', html, re.S)
    assert body, f"no table {table}"
    found = re.search(rf'<tr data-id="{row_id}">(.*?)</tr>', body.group(1), re.S)
    assert found, f"no row {row_id} in {table}"
    cells = {"name": re.search(r"<th[^>]*>(.*?)</th>", found.group(1), re.S).group(1).strip()}
    for name, value in re.findall(r'<td data-(?:rate|count)="(\w+)">(.*?)</td>', found.group(1), re.S):
        cells[name] = re.sub(r"<[^>]+>", "", value).strip()
    return cells


def _shown(value: float | None, hours: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value} 小时" if hours else f"{value}%"


def _same(cells: dict[str, str], expected: dict[str, Any]) -> None:
    assert cells["cases"] == str(expected["cases"]), (cells, expected)
    for rate in ("response", "completion", "satisfaction", "solved_rate", "participation"):
        assert cells[rate] == _shown(expected[rate]), (rate, cells, expected)
    for rate in ("accept_hours", "answer_hours"):
        assert cells[rate] == _shown(expected[rate], hours=True), (rate, cells, expected)


async def test_the_clerk_sees_each_grid_and_handler_as_the_projection_counts_them(client):
    rt = app_runtime(client)
    w = await world(rt)
    await _cases(rt, w)
    counted = client.blocking_portal.call(dashboard.community_rates, w.community_id, MONTH)
    assert counted["grids"] and len(counted["workers"]) == 2, counted

    await sign_in(client, w.phones[0])  # the clerk
    assert 'href="/cases/rates"' in (await client.get("/cases/desk")).text
    page = await client.get(f"/cases/rates?month={MONTH}")
    assert page.status_code == 200, page.text[:800]
    html = page.text
    assert "社区test" in html and MONTH in html
    for grid in counted["grids"]:
        cells = _row(html, "grids", grid["id"])
        assert cells["name"] == grid["name"] == "第一网格"
        _same(cells, grid)
    assert _row(html, "grids", str(w.grid_a))["response"] == "50.0%", "one of its two acceptances was late"
    second = re.search(r'<tr data-id="([0-9a-f-]{36})"><th scope="row">第二网格</th>', html)
    assert second and _row(html, "grids", second.group(1))["cases"] == "0", "a grid with no case: its row, all —"
    for handler in counted["workers"]:
        cells = _row(html, "workers", handler["id"])
        assert cells["name"] == handler["name"] and "*" in cells["name"], "masked as elsewhere"
        _same(cells, handler)
    main = html[html.index("<main") :]
    assert "居民test1" not in main and "居民test0" not in main, "no full name (the header names the clerk only)"
    community = counted["community"]
    rates = re.search(r'<dl class="rates" id="community-rates">(.*?)</dl>', html, re.S).group(1)
    shown = dict(re.findall(r'<dd data-rate="(\w+)">(.*?)</dd>', rates))
    assert shown["satisfaction"] == _shown(community["satisfaction"]) == "100.0%"
    assert shown["solved_rate"] == "50.0%"
    assert _row(html, "categories", "property")["name"] == "物业服务"
    assert 'role="region" aria-label="按网格（表格）"' in html and "各项指标的含义" in html

    older = await client.get("/cases/rates?month=2026-10")
    assert older.status_code == 200 and "提出 0 件" in older.text


async def test_the_street_operator_opens_it_from_the_dashboard_for_any_community_of_the_street(client):
    rt = app_runtime(client)
    w = await world(rt)
    await _cases(rt, w)
    await sign_in(client, w.phones[3])  # the street's operator (no clerk)
    board = (await client.get(f"/street/cases?month={MONTH}")).text
    assert f'href="/cases/rates?community=test&amp;month={MONTH}"' in board
    assert re.search(r'<td data-rate="satisfaction">\d+(\.\d)?%</td>', board)
    page = await client.get(f"/cases/rates?community=test&month={MONTH}")
    assert page.status_code == 200 and "第一网格" in page.text and "第二网格" in page.text
    assert _row(page.text, "grids", str(w.grid_a))["cases"] == "2"
    there = await client.get(f"/cases/rates?community=there&month={MONTH}")  # another community of the street
    assert there.status_code == 200 and "社区there" in there.text and "第一网格" not in there.text
    bare = await client.get("/cases/rates")
    assert bare.status_code == 303 and bare.headers["location"].startswith("/street/cases"), "they pick one there"
    assert (await client.get("/cases/rates?community=nowhere")).status_code == 404


async def test_a_grid_worker_sees_their_grids_and_their_own_row_only(client):
    rt = app_runtime(client)
    w = await world(rt)
    await _cases(rt, w)
    await sign_in(client, w.phones[1])  # 第一网格's worker
    assert 'href="/cases/rates"' in (await client.get("/grid")).text
    html = (await client.get(f"/cases/rates?month={MONTH}")).text
    assert "第一网格" in html and "第二网格" not in html
    _row(html, "workers", str(w.residents[1]))
    assert f'data-id="{w.residents[0]}"' not in html, "not the clerk's row"
    assert 'id="categories"' not in html
    await sign_in(client, w.phones[6])  # 第二网格's: no case, their row all —
    html = (await client.get(f"/cases/rates?month={MONTH}")).text
    assert "第二网格" in html and "第一网格" not in html
    assert _row(html, "workers", str(w.residents[6]))["completion"] == "—"
    assert (await client.get(f"/cases/rates?community=there&month={MONTH}")).status_code == 403


async def test_residents_and_another_communitys_clerk_are_refused_and_a_bad_month_is_told(client):
    rt = app_runtime(client)
    w = await world(rt)
    await _cases(rt, w)
    there = community_id_for("there")
    their_clerk = await _resident(rt, there, "7栋", "13700000009")
    await resident_commands.grant_role(rt, Ctx(there, None, T1), their_clerk, "clerk")
    await settle(rt)

    assert (await client.get("/cases/rates")).status_code == 303, "not signed in: the sign-in form"
    await sign_in(client, w.phones[4])  # a resident
    assert (await client.get("/cases/rates")).status_code == 403
    assert (await client.get(f"/cases/rates?community=test&month={MONTH}")).status_code == 403
    await sign_in(client, "13700000009")  # 社区there's clerk
    refused = await client.get(f"/cases/rates?community=test&month={MONTH}")
    assert refused.status_code == 403 and "第一网格" not in refused.text
    own = await client.get(f"/cases/rates?month={MONTH}")
    assert own.status_code == 200 and "社区there" in own.text and "第一网格" not in own.text

    await sign_in(client, w.phones[0])
    for bad in ("2026-13", "11-2026", "2026-1", "abc"):
        told = await client.get(f"/cases/rates?month={bad}")
        assert told.status_code == 400 and "YYYY-MM" in told.text, (bad, told.status_code)
