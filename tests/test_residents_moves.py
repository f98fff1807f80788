"""Moving in and out of the register (迁入, 迁出; issue 30) through HTTP with the real stores: the clerk records a
household moving out (its accounts close here: no sign-in, no roles, the phone freed for where they now live), a
person moving out alone, a new household moving in; every bad input is refused with its message and writes nothing;
the 一表通 counts the moves by their day. And the household's rules as a state machine (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.residents import commands
from backend.residents.domain.household import MOVE_BACK_DAYS, Household, HouseholdRow
from backend.residents.domain.resident import Resident
from backend.workload.domain.one_table import period_of
from tests.conftest import NOW
from tests.factories import app_runtime, community, grant, sign_in
from tests.test_residents_http import form_post, registered, settle


def _today() -> date:
    return datetime.now(UTC).astimezone(LOCAL_ZONE).date()


async def test_a_household_moves_out_its_accounts_close_and_another_moves_in(client) -> None:
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=3)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "building_head", now=NOW)
    home, leaving = place.households[1], place.residents[1]
    await sign_in(client, place.phones[1])
    their_session = dict(client.cookies)
    await sign_in(client, place.phones[0])
    page = await client.get(f"/clerk/households/{home}")
    assert page.status_code == 200 and "居民test1" in page.text
    assert place.phones[1] not in page.text and "****" in page.text  # phones masked, as on every list
    before = rt.event_count()
    for fields, status, message in [
        ({"on": (_today() + timedelta(days=1)).isoformat(), "whole": "yes"}, 422, "不能晚于今天"),
        ({"on": (_today() - timedelta(days=MOVE_BACK_DAYS + 1)).isoformat(), "whole": "yes"}, 422, "一年"),
        ({"on": "昨天", "whole": "yes"}, 422, "迁移日期"),
        ({"on": _today().isoformat(), "whole": "no"}, 422, "请选择迁出的人"),
        ({"on": _today().isoformat(), "whole": "no", "residents": str(place.residents[2])}, 409, "未登记在此户"),
        ({"on": _today().isoformat(), "whole": "no", "residents": "not-an-id"}, 422, "请选择迁出的人"),
    ]:
        refused = await form_post(client, f"/clerk/households/{home}", f"/clerk/households/{home}/move-out", fields)
        assert (refused.status_code, message in refused.text) == (status, True), (fields, refused.text[-600:])
    assert rt.event_count() == before, "a refused move writes nothing"

    moved = await form_post(
        client, f"/clerk/households/{home}", f"/clerk/households/{home}/move-out",
        {"on": (_today() - timedelta(days=3)).isoformat(), "whole": "yes"},
    )  # fmt: skip
    assert moved.status_code == 303  # nobody ticked: the whole household is all its accounts
    await settle(rt)
    resident = rt.store.repository.get(leaving)
    assert resident.status == "moved_out" and not resident.roles_on(_today())
    page = (await client.get(f"/clerk/households/{home}")).text
    assert "空置" in page and "居民test1" not in page and "整户迁出" in page and "一个账户迁出" in page
    again = await form_post(
        client, f"/clerk/households/{home}", f"/clerk/households/{home}/move-out",
        {"on": _today().isoformat(), "whole": "yes"},
    )  # fmt: skip
    assert again.status_code == 409 and "无人居住" in again.text

    # An old register file listing the household that left does not bring it back; nobody registers at the address.
    reimported = await commands.import_households(
        rt, Ctx(place.community_id, None, NOW), [HouseholdRow(2, "1栋", "1单元", "102室", ("居民test1",))]
    )
    assert reimported.result["vacant"] == "1" and rt.store.repository.get(home).vacant
    with pytest.raises(DomainError, match="nobody at this address"):
        await commands.register(rt, Ctx(place.community_id, None, NOW), "新人", "13512340001", home, "abc12345")

    # Their session ended with the move.
    client.cookies.clear()
    client.cookies.update(their_session)
    assert (await client.get("/me")).status_code in (302, 303, 401)

    # The account closed here: it cannot sign in; its phone registers where the person lives now.
    await client.get("/signin")
    signin = await client.post("/signin", data={
        "phone": place.phones[1], "password": "secret123", "_csrf_token": client.cookies.get("csrftoken"),
    })  # fmt: skip
    assert signin.status_code not in (302, 303)
    elsewhere = await community(rt, NOW, code="elsewhere", residents=1)
    anew = await commands.register(
        rt, Ctx(elsewhere.community_id, None, NOW), "居民test1", place.phones[1], elsewhere.households[0], "abc12345"
    )
    assert registered(rt, place.phones[1]).id == UUID(anew.result["resident_id"])
    # Erasing the old account later leaves the number with the new one: it is not freed a second time.
    await commands.erase(rt, Ctx(place.community_id, None, NOW), leaving)
    with pytest.raises(DomainError, match="already registered"):
        await commands.register(
            rt, Ctx(elsewhere.community_id, None, NOW), "第三人", place.phones[1], elsewhere.households[0], "abc12345"
        )

    await sign_in(client, place.phones[0])
    empty = await form_post(
        client, f"/clerk/households/{home}", f"/clerk/households/{home}/move-in",
        {"on": _today().isoformat(), "members": " "},
    )  # fmt: skip
    assert empty.status_code == 422 and "至少填写一名" in empty.text
    came = await form_post(
        client, f"/clerk/households/{home}", f"/clerk/households/{home}/move-in",
        {"on": _today().isoformat(), "members": "新住户甲、新住户乙"},
    )  # fmt: skip
    assert came.status_code == 303
    await settle(rt)
    page = (await client.get(f"/clerk/households/{home}")).text
    assert "新住户甲、新住户乙" in page and "新住户迁入" in page
    assert "新住户甲" in (await client.get("/clerk/households")).text

    # One person of a household leaves alone: the household stays, their account closes.
    alone = await form_post(
        client, f"/clerk/households/{place.households[2]}", f"/clerk/households/{place.households[2]}/move-out",
        {"on": _today().isoformat(), "whole": "no", "residents": str(place.residents[2])},
    )  # fmt: skip
    assert alone.status_code == 303
    await settle(rt)
    assert rt.store.repository.get(place.households[2]).vacant is False
    assert rt.store.repository.get(place.residents[2]).status == "moved_out"

    # 一表通: the moves counted by their day, each figure drilling down to the moves it counts (with their events).
    month = period_of("month", _today()).name
    table = (await client.get(f"/one-table?period={month}")).text
    assert _figure(table, "households_moved_in") == "1" and _figure(table, "residents_moved_out") in ("1", "2")
    lines = await client.get(f"/one-table/lines?figure=households_moved_in&period={month}")
    assert lines.status_code == 200 and "1栋1单元102室" in lines.text and "/proof/inclusion?position=" in lines.text
    assert (await client.get(f"/one-table/lines?figure=nothing&period={month}")).status_code == 404


def _figure(page: str, key: str) -> str:
    """A figure's value on the 一表通 page."""
    row = page.split(f'data-figure="{key}"')[1].split("</tr>")[0]
    return row.split('class="figure-value">')[1].split("<")[0].strip()


# -- the household's rules, whatever the order of moves -----------------------------------------------------------
CID = UUID("00000000-0000-0000-0000-0000000000aa")
T = datetime(2026, 6, 1, 9, tzinfo=UTC)


@given(st.lists(st.tuples(st.sampled_from(("out", "in", "list")), st.integers(-3, 400)), max_size=30))
def test_a_dwelling_is_vacant_exactly_between_a_move_out_and_the_next_move_in(steps) -> None:
    """Moves alternate, out first; each is dated no later than today, at most a year back and never before the
    dwelling's last move; listing members never brings back a household that moved out."""
    ctx = Ctx(CID, None, T)
    household = Household.register(ctx, "1栋", "1单元", "101室", "sealed")
    vacant, last = False, None
    for kind, back in steps:
        on = ctx.today - timedelta(days=back)
        allowed = {"out": not vacant, "in": vacant, "list": not vacant}[kind] and (
            kind == "list" or (0 <= back <= MOVE_BACK_DAYS and (last is None or on >= last))
        )
        try:
            if kind == "out":
                household.move_out(ctx, on)
            elif kind == "in":
                household.move_in(ctx, on, "sealed-new")
            else:
                household.list_members(ctx, "sealed-listed")
        except DomainError:
            assert not allowed, (kind, back, vacant, last)
            continue
        assert allowed, (kind, back, vacant, last)
        if kind != "list":
            vacant, last = kind == "out", on
        assert household.vacant is vacant and (household.members_sealed == "") is vacant
    events = household.collect_events()
    outs = [e for e in events if isinstance(e, Household.MovedOut)]
    ins = [e for e in events if isinstance(e, Household.MovedIn)]
    assert len(ins) <= len(outs) <= len(ins) + 1  # they alternate, out first
    days = [date.fromisoformat(e.on) for e in events if isinstance(e, Household.MovedOut | Household.MovedIn)]
    assert days == sorted(days) and all(d <= ctx.today for d in days)


def test_only_someone_registered_at_the_household_and_living_here_moves_out() -> None:
    ctx = Ctx(CID, None, T)
    home = Household.register(ctx, "1栋", "1单元", "101室", "")
    other = Household.register(ctx, "1栋", "1单元", "102室", "")
    resident = Resident.register(ctx, UUID(int=7), home, "n", "p", "", "")
    try:
        resident.move_out(ctx, other, ctx.today)
        raise AssertionError("moved out of a household they are not registered at")
    except DomainError:
        pass
    resident.verify(ctx)
    resident.grant(ctx, "building_head")
    resident.move_out(ctx, home, ctx.today)
    assert resident.status == "moved_out" and resident.roles_on(ctx.today) == frozenset() and not resident.roles
    try:
        resident.move_out(ctx, home, ctx.today)
        raise AssertionError("moved out twice")
    except DomainError as refused:
        assert refused.status == 409
