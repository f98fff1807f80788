"""The first load's budget (DESIGN §7, issue 23): the home (for a visitor, and for a resident with a ballot, an offer,
a shift and a booking), the board and the proposal list, each with the stylesheets and scripts it links, at most
60 KB compressed. Compressed as a front server would send them (gzip, level 6); the service worker's precache is
not part of a first load. No web fonts, no images counted (they are lazy)."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime, timedelta

from tests.conftest import NOW
from tests.factories import app_runtime, community, grant, sign_in
from tests.test_home_http import booking_tomorrow, online_ballot, shift_offer_and_seat
from tests.test_residents_http import settle

BUDGET = 60 * 1024
LINKED = re.compile(r'<(?:link rel="stylesheet" href|script src)="(/static/[^"]+)"')


async def first_load(client, path: str) -> dict[str, int]:
    """Each part of the page's first load and its compressed size."""
    page = await client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    sizes = {path: len(gzip.compress(page.content, 6))}
    for asset in LINKED.findall(page.text):
        response = await client.get(asset)
        assert response.status_code == 200, asset
        sizes[asset] = len(gzip.compress(response.content, 6))
    return sizes


def within_budget(sizes: dict[str, int]) -> None:
    total = sum(sizes.values())
    assert total <= BUDGET, f"{total:,} bytes compressed > {BUDGET:,}: " + ", ".join(
        f"{k} {v:,}" for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])
    )


async def test_a_visitors_first_load_fits(client):
    rt = app_runtime(client)
    await community(rt, NOW, residents=1, passwords=False)
    await settle(rt)
    for path in ("/", "/board", "/proposals", "/signin"):
        sizes = await first_load(client, path)
        assert any(".css" in k for k in sizes) and any(".js" in k for k in sizes), sizes
        within_budget(sizes)


async def test_a_residents_home_with_its_items_fits(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=7)
    await grant(rt, place, 0, "clerk", now=NOW)
    now = datetime.now(UTC)
    await online_ballot(rt, place, now + timedelta(hours=5))
    await shift_offer_and_seat(rt, place, now)
    await booking_tomorrow(rt, place, now)
    await settle(rt)
    await sign_in(client, place.phones[5])
    sizes = await first_load(client, "/")
    assert 'class="card home-item' in (await client.get("/")).text, "the home shows the resident's items"
    within_budget(sizes)
