"""Building a small community through the real commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from litestar.testing import AsyncTestClient

from backend.community import commands as community_commands
from backend.community.domain import community_id_for
from backend.eventstore import Ctx
from backend.residents import commands as resident_commands
from backend.runtime import Runtime

PASSWORD = "secret123"


@dataclass
class Place:
    community_id: UUID
    residents: list[UUID] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)


async def community(rt: Runtime, now: datetime, code: str = "test", residents: int = 3, threshold: int = 2) -> Place:
    cid = community_id_for(code)
    ctx = Ctx(cid, None, now)
    await community_commands.found(rt, ctx, f"社区{code}", code)
    await community_commands.set_rule(rt, ctx, "cosign_threshold", threshold, now.date())
    place = Place(cid)
    base = 13900000000 + (abs(hash(code)) % 1000) * 10000
    for i in range(residents):
        phone = str(base + i)
        result = await resident_commands.register(
            rt, Ctx(cid, None, now), f"居民{code}{i}", phone, f"1栋{i}室", PASSWORD, []
        )
        place.residents.append(UUID(result.result["resident_id"]))
        place.phones.append(phone)
    return place


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
