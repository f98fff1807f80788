"""Building a small community through the real commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic
from litestar.testing import AsyncTestClient

from backend.community import commands as community_commands
from backend.community.domain.community import community_id_for
from backend.kernel.context import Ctx
from backend.residents import commands as resident_commands
from backend.residents.domain.household import HouseholdRow, household_id_for
from backend.runtime import Runtime
from projections.registry import ALL_TABLES
from projections.runner import ProjectionPosition

PASSWORD = "secret123"


@dataclass
class Place:
    community_id: UUID
    residents: list[UUID] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    households: list[UUID] = field(default_factory=list)


async def community(
    rt: Runtime, now: datetime, code: str = "test", residents: int = 3, threshold: int = 2, passwords: bool = True
) -> Place:
    """A community with its register and `residents` verified residents (password PASSWORD, or none: argon2 is
    deliberately slow, so tests that never sign in skip it)."""
    cid = community_id_for(code)
    ctx = Ctx(cid, None, now)
    await community_commands.found(rt, ctx, f"社区{code}", code)
    await community_commands.set_rule(rt, ctx, "cosign_threshold", threshold, now.date())
    place = Place(cid)
    rows = [HouseholdRow(i + 2, "1栋", "1单元", f"{101 + i}室", ()) for i in range(max(residents, 1))]
    await resident_commands.import_households(rt, ctx, rows)
    place.households = [household_id_for(cid, r.building, r.unit, r.room) for r in rows]
    base = 13900000000 + (abs(hash(code)) % 1000) * 10000
    for i in range(residents):
        phone = str(base + i)
        result = await resident_commands.register(
            rt,
            Ctx(cid, None, now),
            f"居民{code}{i}",
            phone,
            place.households[i],
            PASSWORD if passwords else "",
            verified=True,
        )
        place.residents.append(UUID(result.result["resident_id"]))
        place.phones.append(phone)
    return place


async def grant(rt: Runtime, place: Place, index: int, *roles: str, now: datetime) -> None:
    for role in roles:
        await resident_commands.grant_role(rt, Ctx(place.community_id, None, now), place.residents[index], role)


def app_runtime(client: AsyncTestClient[Any]) -> Runtime:
    return client.app.state.runtime


async def sign_in(client: AsyncTestClient[Any], phone: str, password: str = PASSWORD) -> None:
    response = await client.get("/signin")
    token = client.cookies.get("csrftoken")
    response = await client.post(
        "/signin",
        data={"phone": phone, "password": password, "_csrf_token": token, "next": "/proposals"},
    )
    assert response.status_code in (302, 303), response.text[:500]


def count_topic(rt: Runtime, event_class: type) -> int:
    """How many events of this class the whole log holds."""
    topic = get_topic(event_class)  # the topic the log stores it under (a moved aggregate keeps its old one)
    total, start = 0, 1
    while batch := rt.store.recorder.select_notifications(start, 1000):
        total += sum(1 for n in batch if n.topic == topic)
        start = batch[-1].id + 1
    return total


async def snapshot() -> dict[str, list]:
    """Every view row, minus serial ids (a rebuild numbers them afresh)."""
    views = {}
    for table in ALL_TABLES:
        if table is ProjectionPosition:
            continue
        serial = type(table._meta.primary_key).__name__ == "Serial"
        rows = await table.select()
        views[table.__name__] = sorted(
            repr(sorted((k, str(v)) for k, v in row.items() if not (serial and k == "id"))) for row in rows
        )
    return views
