"""Who is signed in, and the one place that decides what they may do (grown in the residents issue)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
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
from backend.kernel.zone import LOCAL_ZONE
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
            user = await _reads.get(resident_id)
            if len(_recent) > 10_000:
                _recent.clear()
                _used.clear()
            if user is not None:
                _recent[resident_id] = (user, now)
                _used[resident_id] = now
    request.state.user = user
    return user


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
        for start in range(0, len(due), _UserReads.MAX):
            chunk = due[start : start + _UserReads.MAX]
            read_at = time.monotonic()
            try:
                rows = await residents.by_ids([UUID(resident_id) for resident_id, _ in chunk])
            except Exception:  # the requests read their residents themselves, as before
                log.exception("reading signed-in residents again failed")
                break
            for resident_id, entry in chunk:
                if _recent.get(resident_id) is not entry:  # forgotten (changed) or read anew meanwhile
                    continue
                user = _user(rows.get(resident_id))
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


class _UserReads:
    """Residents whose rows are wanted in the same turn of the event loop are read in one statement: a thousand
    phones voting at once after a quiet spell cost a few queries, not a thousand taking turns on the connection."""

    MAX = 500

    def __init__(self) -> None:
        self._wanted: dict[asyncio.AbstractEventLoop, dict[str, list[asyncio.Future[User | None]]]] = {}
        self._reading: set[asyncio.Task[None]] = set()  # held: the loop keeps only weak references to tasks

    async def get(self, resident_id: str) -> User | None:
        loop = asyncio.get_running_loop()
        wanted = self._wanted.get(loop)
        if wanted is None:
            wanted = self._wanted[loop] = {}
            loop.call_soon(self._read_all, loop)
        future: asyncio.Future[User | None] = loop.create_future()
        wanted.setdefault(resident_id, []).append(future)
        return await future

    def _read_all(self, loop: asyncio.AbstractEventLoop) -> None:
        wanted = list(self._wanted.pop(loop, {}).items())
        for start in range(0, len(wanted), self.MAX):
            task = loop.create_task(self._read(dict(wanted[start : start + self.MAX])))
            self._reading.add(task)
            task.add_done_callback(self._reading.discard)

    async def _read(self, wanted: dict[str, list[asyncio.Future[User | None]]]) -> None:
        try:
            rows = await residents.by_ids([UUID(resident_id) for resident_id in wanted])
        except Exception as error:  # each waiting request fails with it, as its own query would have
            for futures in wanted.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(error)
            return
        for resident_id, futures in wanted.items():
            user = _user(rows.get(resident_id))
            for future in futures:
                if not future.done():  # not cancelled (the phone went away)
                    future.set_result(user)


_reads = _UserReads()


def _user(row: dict[str, Any] | None) -> User | None:
    if row is None or row["status"] == "erased":
        return None
    today = datetime.now(LOCAL_ZONE).date()
    return User(
        id=UUID(str(row["id"])),
        community_id=UUID(str(row["community_id"])),
        name=row["name"],
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


# -- sign-in protection and "sign out everywhere" -----------------------------------------------------------------
FAILURES_ALLOWED = 5
LOCK_SECONDS = 15 * 60


def _phone_key(secret: str, phone: str) -> str:
    """Store keys never contain the phone number itself."""
    return "signin-" + hashlib.sha256(f"{secret}|{phone}".encode()).hexdigest()[:32]


class SignInGuard:
    """Counts failed sign-ins per phone; after FAILURES_ALLOWED the phone is locked for LOCK_SECONDS."""

    def __init__(self, store: Store, secret: str) -> None:
        self.store = store
        self.secret = secret

    async def _load(self, phone: str) -> dict[str, float]:
        raw = await self.store.get(_phone_key(self.secret, phone))
        return json.loads(raw) if raw else {"failures": 0, "locked_until": 0.0}

    async def locked_for(self, phone: str) -> int:
        """Seconds until the phone may try again (0 when it may)."""
        state = await self._load(phone)
        return max(0, int(state["locked_until"] - time.time()))

    async def failed(self, phone: str) -> None:
        state = await self._load(phone)
        state["failures"] += 1
        if state["failures"] >= FAILURES_ALLOWED:
            state = {"failures": 0, "locked_until": time.time() + LOCK_SECONDS}
        await self.store.set(_phone_key(self.secret, phone), json.dumps(state), expires_in=LOCK_SECONDS)

    async def succeeded(self, phone: str) -> None:
        await self.store.delete(_phone_key(self.secret, phone))


async def sessions_valid_from(store: Store, resident_id: str) -> float:
    """When the resident last signed out everywhere (0: never). The security store looks at the file on every read
    and reads it again only when it changed, so a sign-out through another process counts at once."""
    raw = await store.get(f"valid-from-{resident_id}")
    return float(raw) if raw else 0.0


async def sign_out_everywhere(store: Store, resident_id: str) -> None:
    """Every session signed in before now stops working, in every process at once."""
    await store.set(f"valid-from-{resident_id}", str(time.time()))
