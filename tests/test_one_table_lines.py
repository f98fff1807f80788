"""The 一表通's drill-down (`/one-table/lines`, issue 30) through HTTP: who may see what a figure counts (the clerk
their own community's, the street's operator any community of their street, nobody else), and what a line shows
(the counted thing with its page; a stage passed with its log position and the link to its inclusion proof)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.community import commands as community_commands
from backend.deliberation.commands import proposals
from backend.kernel.context import Ctx
from backend.kernel.masking import mask_name
from backend.kernel.zone import LOCAL_ZONE
from backend.residents import commands as resident_commands
from tests.factories import app_runtime, community, grant, sign_in


async def test_who_sees_what_a_figure_counts(client) -> None:
    rt = app_runtime(client)
    now = datetime.now(UTC)
    then = now - timedelta(days=1)
    place = await community(rt, then, residents=3)
    await grant(rt, place, 0, "clerk", now=then)
    system = Ctx(place.community_id, None, then)
    await community_commands.set_street(rt, system, "和平街道")
    await resident_commands.grant_role(rt, system, place.residents[2], "street_operator", street="和平街道")
    other = await community(rt, then, code="other", residents=1)
    await community_commands.set_street(rt, Ctx(other.community_id, None, then), "幸福街道")
    await resident_commands.grant_role(
        rt, Ctx(other.community_id, None, then), other.residents[0], "street_operator", street="幸福街道"
    )
    done = await proposals.submit(rt, Ctx(place.community_id, place.residents[1], now), "路灯不亮", "坏了", "other", [])
    await rt.projector.wait_for(rt.event_count(), timeout=10)
    month = now.astimezone(LOCAL_ZONE).strftime("%Y-%m")
    path = f"/one-table/lines?figure=proposals_raised&period={month}"

    await sign_in(client, place.phones[1])
    assert (await client.get(path)).status_code == 403  # a resident

    await sign_in(client, place.phones[0])
    page = await client.get(path)
    assert page.status_code == 200 and "路灯不亮" in page.text
    assert f'href="/proposals/{done.result["proposal_id"]}"' in page.text
    assert (await client.get(f"/one-table/lines?figure=nothing&period={month}")).status_code == 404
    assert (await client.get("/one-table/lines?figure=proposals_raised&period=2026-13")).status_code == 400
    mine = await client.get(f"/one-table/lines?figure=residents_verified&period={month}")
    assert mine.status_code == 200 and "/clerk/residents/" in mine.text  # the clerk sees whom it counts (masked)
    assert mask_name("居民test1") in mine.text
    households = await client.get(f"/one-table/lines?figure=households&period={month}")
    assert households.status_code == 200 and "1栋1单元101室" in households.text  # a stock: its every line, undated

    await sign_in(client, place.phones[2])  # the street's operator, for a community of the street
    assert (await client.get(f"{path}&community=test")).status_code == 200
    people = await client.get(f"/one-table/lines?figure=residents_verified&period={month}&community=test")
    assert people.status_code == 200 and mask_name("居民test1") not in people.text  # counted, never listed by name
    assert "/clerk/residents/" not in people.text
    assert (await client.get(f"{path}&community=other")).status_code == 403  # not of their street
    await sign_in(client, other.phones[0])
    assert (await client.get(f"{path}&community=test")).status_code == 403
