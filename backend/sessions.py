"""Server-side session storage: Litestar's file store, minus the rewrite it would do on every response."""

from __future__ import annotations

import time
from collections import OrderedDict
from datetime import timedelta

from litestar.stores.file import FileStore

RENEW_AFTER = 3600.0  # an unchanged session's expiry is pushed forward at most once an hour
REMEMBERED = 10_000


class SessionStore(FileStore):
    """Reads always go to the file (so a sign-out in another process counts at once); a write is skipped when
    the session is unchanged and was written by this process within the hour."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._written: OrderedDict[str, tuple[bytes, float]] = OrderedDict()

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        seen = self._written.get(key)
        now = time.monotonic()
        if seen is not None and seen[0] == data and now - seen[1] < RENEW_AFTER:
            return
        await super().set(key, data, expires_in)
        self._written[key] = (data, now)
        self._written.move_to_end(key)
        while len(self._written) > REMEMBERED:
            self._written.popitem(last=False)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        value = await super().get(key, renew_for)
        if value is None:
            self._written.pop(key, None)
        return value

    async def delete(self, key: str) -> None:
        self._written.pop(key, None)
        await super().delete(key)
