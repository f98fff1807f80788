"""Who is signed in, and the one place that decides what they may do (grown in the residents issue)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.stores.base import Store

from backend.kernel.authz import Actor, may
from backend.kernel.changes import on_resident_changed
from backend.kernel.context import Ctx
from backend.kernel.personal import PersonalData
from backend.kernel.zone import LOCAL_ZONE
from backend.web.same_turn import SameTurn
from backend.web.sessions import renew_session
from projections.residents import queries as residents

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class User:
    id: UUID
    community_id: UUID
    name: str
    name_masked: str
    household: str
    status: str
    roles: tuple[str, ...]  # in force today ("resident" once verified)
    streets: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def outbox_owner(self) -> str:
        """An opaque mark of this person that the phone keeps with what it queued offline (frontend/static/js/
        outbox.js): what one resident queued is never sent as another who signs in on the same phone."""
        return hashlib.sha256(f"linli-outbox|{self.id}".encode()).hexdigest()[:16]

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.community_id, frozenset(self.roles), frozenset(self.streets))

    def can(self, action: str, community_id: UUID | None = None, street: str = "") -> bool:
        """Asks the one policy (backend.kernel.authz); without a community, the user's own."""
        return may(self.actor, action, community_id or self.community_id, street)


USER_TTL = 10.0  # seconds a signed-in resident's row is reused before it is read again
_recent: dict[str, tuple[User, float]] = {}  # by resident: the user, and when their row was read
_used: dict[str, float] = {}  # by resident: when a request last used the cached user


async def current_user(request: Request[Any, Any, Any]) -> User | None:
    if "user" in request.state:
        return request.state.user
    session = request.scope.get("session")
    session = session if isinstance(session, dict) else {}
    resident_id = session.get("resident_id")
    user = None
    if resident_id and float(session.get("since", 0)) < await sessions_valid_from(
        request.app.stores.get("security"), resident_id
    ):
        resident_id = None  # signed out everywhere after this session began
    if resident_id:
        cached = _recent.get(resident_id)
        now = time.monotonic()
        if cached is not None and now - cached[1] < USER_TTL:
            user = cached[0]
            _used[resident_id] = now
        else:
            user = await _reads.read((resident_id, request.app.state.runtime.personal))
            if len(_recent) > 10_000:
                _recent.clear()
                _used.clear()
            if user is not None:
                _recent[resident_id] = (user, now)
                _used[resident_id] = now
    if user is not None and request.scope["type"] == "http" and tuple(session.get("roles", ())) != user.roles:
        # Their roles changed (verified, granted, revoked, a term ended) since the session began: the new rights go
        # with a new session id, and the old id is deleted (a websocket sets no cookie: the next page does it).
        request.session["roles"] = list(user.roles)
        renew_session(request)
    request.state.user = user
    return user


def start_session(request: Request[Any, Any, Any], resident_id: object, roles: Sequence[str] = ()) -> None:
    """Sign a resident in on this phone: a new session under a fresh random id (the entry the phone had before, if
    any, deleted), never the id the phone came with."""
    request.set_session({"resident_id": str(resident_id), "since": time.time(), "roles": list(roles)})
    renew_session(request)


async def keep_users_fresh() -> None:
    """Every USER_TTL / 2, the residents in use whose rows are that old are read again, 500 to a statement, before
    their requests would have to. Residents cached together (a burst of votes) would otherwise expire together
    and come back every USER_TTL as a wave of requests each waiting for a read. Runs beside the app."""
    while True:
        await asyncio.sleep(USER_TTL / 2)
        started = time.monotonic()
        due = [
            (resident_id, entry)
            for resident_id, entry in list(_recent.items())
            if started - entry[1] >= USER_TTL / 2 and started - _used.get(resident_id, 0) < USER_TTL
        ]
        for start in range(0, len(due), READ_AT_ONCE):
            chunk = due[start : start + READ_AT_ONCE]
            read_at = time.monotonic()
            try:
                rows = await residents.by_ids([UUID(resident_id) for resident_id, _ in chunk])
            except Exception:  # the requests read their residents themselves, as before
                log.exception("reading signed-in residents again failed")
                break
            for resident_id, entry in chunk:
                if _recent.get(resident_id) is not entry:  # forgotten (changed) or read anew meanwhile
                    continue
                user = _user(rows.get(resident_id), entry[0].name)  # a name never changes but by erasure
                if user is None:
                    _recent.pop(resident_id, None)
                else:
                    _recent[resident_id] = (user, read_at)


async def require(request: Request[Any, Any, Any], action: str, community_id: UUID | None = None) -> User:
    """The signed-in user, if the policy lets them take `action` (in their own community unless one is given).
    Not signed in: 401, which pages turn into the sign-in form; not allowed: 403."""
    user = await current_user(request)
    if user is None:
        raise NotAuthorizedException()
    if not user.can(action, community_id):
        raise PermissionDeniedException()
    return user


async def require_signed_in(request: Request[Any, Any, Any]) -> User:
    """Anyone signed in (their own inbox, their own account); not signed in: 401."""
    user = await current_user(request)
    if user is None:
        raise NotAuthorizedException()
    return user


def forget_user(resident_id: str) -> None:
    _recent.pop(resident_id, None)


on_resident_changed(lambda resident_id: forget_user(str(resident_id)))


READ_AT_ONCE = 500  # residents to a statement at most


async def _read_users(wanted: list[tuple[str, PersonalData | None]]) -> dict[tuple[str, PersonalData | None], User]:
    """The users of the residents wanted in one turn of the event loop, in one statement (backend.web.same_turn): a
    thousand phones voting at once after a quiet spell cost a few queries, not a thousand taking turns on the
    connection. Each with their name opened by the keys asked with them (`personal`; without: the masked name)."""
    rows = await residents.by_ids([UUID(resident_id) for resident_id in dict.fromkeys(r for r, _ in wanted)])
    users: dict[tuple[str, PersonalData | None], User] = {}
    for personal in {personal for _, personal in wanted}:  # one a process: its app's
        mine = {
            resident_id: dict(rows[resident_id]) for resident_id, p in wanted if p is personal and resident_id in rows
        }
        if personal is not None:  # the views keep names sealed: opened here, one key read for the batch
            await residents.opened(personal, list(mine.values()))
        for resident_id, row in mine.items():
            user = _user(row)
            if user is not None:
                users[resident_id, personal] = user
    return users


_reads: SameTurn[tuple[str, PersonalData | None], User] = SameTurn(_read_users, most=READ_AT_ONCE)


def _user(row: dict[str, Any] | None, name: str | None = None) -> User | None:
    """The user of a resident's row; their name as opened from it (`opened`), or as known before (`name`)."""
    if row is None or row["status"] in ("erased", "moved_out"):  # an account that moved out closed here
        return None
    today = datetime.now(LOCAL_ZONE).date()
    return User(
        id=UUID(str(row["id"])),
        community_id=UUID(str(row["community_id"])),
        name=name or row.get("name") or row["name_masked"],
        name_masked=row["name_masked"],
        household=row["household"],
        status=row["status"],
        roles=residents.roles_in_force(row, today),
        streets=residents.streets_of(row, today),
    )


def ctx_for(user: User, now: Any, command_id: str | None = None, on_behalf_of: UUID | None = None) -> Ctx:
    kwargs: dict[str, Any] = {"community_id": user.community_id, "actor_id": user.id, "now": now}
    if command_id:
        kwargs["command_id"] = command_id
    return Ctx(**kwargs, on_behalf_of=on_behalf_of)


# -- "sign out everywhere" ---------------------------------------------------------------------------------------
async def sessions_valid_from(store: Store, resident_id: str) -> float:
    """When the resident last signed out everywhere (0: never). The security store looks at the file on every read
    and reads it again only when it changed, so a sign-out through another process counts at once."""
    raw = await store.get(f"valid-from-{resident_id}")
    return float(raw) if raw else 0.0


async def sign_out_everywhere(store: Store, resident_id: str) -> None:
    """Every session signed in before now stops working, in every process at once."""
    await store.set(f"valid-from-{resident_id}", str(time.time()))
