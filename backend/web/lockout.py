"""Sign-in protection: wrong passwords counted per phone and address (a lockout), and per phone from anywhere (a
slow-down), in the security store shared by the web processes."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from litestar.stores.base import Store

FAILURES_ALLOWED = 5  # wrong passwords for one phone from one address, then that address is locked out
LOCK_SECONDS = 15 * 60
FREE_FAILURES = 10  # wrong passwords for one phone from anywhere within WINDOW_SECONDS before the back-off starts
BACKOFF_MAX_SECONDS = 60
WINDOW_SECONDS = 3600


def _key(secret: str, *parts: str) -> str:
    """Store keys and entries never contain the phone number or the address itself."""
    return hashlib.sha256("|".join((secret, *parts)).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Lockout:
    """What a clerk sees on a resident's page: addresses locked out and until when, and the recent failures."""

    locked_until: tuple[float, ...]  # per locked address (its end, epoch seconds), soonest first
    failures_last_hour: int
    wait_seconds: int  # the back-off every address must wait now before trying again (0: none)


class SignInGuard:
    """Wrong passwords, counted per phone (as OWASP recommends against lockout as a weapon):
    - per phone AND address: after FAILURES_ALLOWED wrong passwords that address is locked out for LOCK_SECONDS;
    - per phone from anywhere: after FREE_FAILURES wrong passwords within the hour each further attempt waits
      2, 4, 8… seconds (at most BACKOFF_MAX_SECONDS) after the last one — a slow-down, never a lockout, so that
      someone trying from elsewhere can delay a voter by a minute at most, not keep them out of a ballot.
    A success clears the phone's record. One record per phone in the security store, under a keyed digest."""

    def __init__(self, store: Store, secret: str) -> None:
        self.store = store
        self.secret = secret

    async def _load(self, phone: str) -> dict[str, Any]:
        raw = await self.store.get("signin-" + _key(self.secret, phone))
        state = json.loads(raw) if raw else {}
        now = time.time()
        return {
            "recent": [t for t in state.get("recent", []) if now - t < WINDOW_SECONDS],
            "by_address": {
                a: s
                for a, s in state.get("by_address", {}).items()
                if s["locked_until"] > now or now - s["last"] < LOCK_SECONDS
            },
        }

    async def _save(self, phone: str, state: dict[str, Any]) -> None:
        await self.store.set("signin-" + _key(self.secret, phone), json.dumps(state), expires_in=WINDOW_SECONDS)

    @staticmethod
    def _backoff(state: dict[str, Any]) -> int:
        over = len(state["recent"]) - FREE_FAILURES
        if over < 0:
            return 0
        wait = min(2 ** (over + 1), BACKOFF_MAX_SECONDS)
        return max(0, int(max(state["recent"]) + wait - time.time() + 0.999))

    async def locked_for(self, phone: str, address: str) -> int:
        """Seconds until this phone may try again from this address (0 when it may)."""
        state = await self._load(phone)
        here = state["by_address"].get(_key(self.secret, address), {})
        return max(int(here.get("locked_until", 0) - time.time() + 0.999), self._backoff(state), 0)

    async def failed(self, phone: str, address: str) -> int:
        """Count a wrong password; the attempts left from this address before it is locked out (0: locked now)."""
        state = await self._load(phone)
        now = time.time()
        state["recent"].append(now)
        here = state["by_address"].setdefault(_key(self.secret, address), {"failures": 0, "locked_until": 0.0})
        here["failures"] += 1
        here["last"] = now
        left = FAILURES_ALLOWED - here["failures"]
        if left <= 0:
            here.update(failures=0, locked_until=now + LOCK_SECONDS)
            left = 0
        await self._save(phone, state)
        return left

    async def succeeded(self, phone: str) -> None:
        await self.store.delete("signin-" + _key(self.secret, phone))

    async def lockout(self, phone: str) -> Lockout:
        state = await self._load(phone)
        now = time.time()
        locked = sorted(s["locked_until"] for s in state["by_address"].values() if s["locked_until"] > now)
        return Lockout(tuple(locked), len(state["recent"]), self._backoff(state))
