"""Who is signed in, and the one place that decides what they may do (grown in the residents issue)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar import Request

from backend.eventstore import Ctx
from projections import residents


@dataclass(frozen=True)
class User:
    id: UUID
    community_id: UUID
    name: str
    name_masked: str
    household: str
    roles: tuple[str, ...]

    @property
    def display_name(self) -> str:
        return self.name

    def can(self, action: str) -> bool:
        return bool(set(self.roles) & ALLOWED.get(action, set()))


ALLOWED: dict[str, set[str]] = {
    "proposal.submit": {"resident"},
    "proposal.cosign": {"resident"},
    "proposal.withdraw": {"resident"},
}


USER_TTL = 10.0  # seconds a signed-in resident's row is reused before it is read again
_recent: dict[str, tuple[User, float]] = {}


async def current_user(request: Request[Any, Any, Any]) -> User | None:
    if "user" in request.state:
        return request.state.user
    resident_id = request.session.get("resident_id") if request.scope.get("session") is not None else None
    user = None
    if resident_id:
        cached = _recent.get(resident_id)
        if cached is not None and time.monotonic() - cached[1] < USER_TTL:
            user = cached[0]
        else:
            user = await _load_user(resident_id)
            if len(_recent) > 10_000:
                _recent.clear()
            if user is not None:
                _recent[resident_id] = (user, time.monotonic())
    request.state.user = user
    return user


async def _load_user(resident_id: str) -> User | None:
    row = await residents.by_id(UUID(resident_id))
    if row is None:
        return None
    return User(
        id=UUID(str(row["id"])),
        community_id=UUID(str(row["community_id"])),
        name=row["name"],
        name_masked=row["name_masked"],
        household=row["household"],
        roles=tuple(row["roles"]),
    )


def ctx_for(user: User, now: Any, command_id: str | None = None) -> Ctx:
    kwargs: dict[str, Any] = {"community_id": user.community_id, "actor_id": user.id, "now": now}
    if command_id:
        kwargs["command_id"] = command_id
    return Ctx(**kwargs)
