"""File stores for sessions and sign-in security: Litestar's file store, minus the read it would do on every request
and, for sessions, the rewrite it would do on every response."""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.stores.base import StorageObject
from litestar.stores.file import FileStore
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

RENEW_AFTER = 3600.0  # an unchanged session's expiry is pushed forward at most once an hour
REMEMBERED = 10_000


def _stamp(path: os.PathLike[str]) -> tuple[int, int, int] | None:
    """What changes whenever the file is rewritten (the store writes a new file and renames it), or None: gone."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns


class StampedFileStore(FileStore):
    """Every read looks at the file (so a change or a deletion by another process counts at once), but only reads
    it again when its stamp (inode, size, modification time) changed: a missing file costs a stat, not a thread
    hop, and what this process wrote is read back from memory."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._read: OrderedDict[str, tuple[tuple[int, int, int], StorageObject]] = OrderedDict()

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        await super().set(key, data, expires_in)
        self._remember_read(key, StorageObject.new(data=data, expires_in=expires_in))

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        path = self._path_from_key(key)
        stamp = _stamp(path)
        if stamp is None:
            self._forget(key)
            return None
        seen = self._read.get(key)
        if seen is not None and seen[0] == stamp:
            stored: StorageObject | None = seen[1]
            self._read.move_to_end(key)
        else:
            stored = await self._load_from_path(path)
            if stored is not None:
                self._remember_read(key, stored, stamp)
        if stored is None or stored.expired:
            await self.delete(key)
            return None
        if renew_for and stored.expires_at:
            await self.set(key, stored.data, renew_for)
        return stored.data

    async def delete(self, key: str) -> None:
        self._forget(key)
        await super().delete(key)

    def _remember_read(self, key: str, stored: StorageObject, stamp: tuple[int, int, int] | None = None) -> None:
        stamp = stamp or _stamp(self._path_from_key(key))
        if stamp is None:
            return
        self._read[key] = (stamp, stored)
        self._read.move_to_end(key)
        while len(self._read) > REMEMBERED:
            self._read.popitem(last=False)

    def _forget(self, key: str) -> None:
        self._read.pop(key, None)


class SessionStore(StampedFileStore):
    """Sessions: also, a write is skipped when the file, as the request's own read found it (every read looks at the
    file), already holds this session with its expiry pushed forward within the hour, whichever process wrote it
    (Litestar would rewrite it on every response). A change another process makes meanwhile then stands."""

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        if not self._holds(key, data, expires_in):
            await super().set(key, data, expires_in)

    def _holds(self, key: str, data: bytes, expires_in: int | timedelta | None) -> bool:
        seen = self._read.get(key)
        if seen is None or seen[1].data != data:
            return False
        held, wanted = seen[1].expires_at, StorageObject.new(b"", expires_in).expires_at
        if held is None or wanted is None:
            return held is wanted
        return wanted - held < timedelta(seconds=RENEW_AFTER)


ISSUED = "linli.session.issued"  # scope key: the id of the session this request loaded (one the server issued)
FRESH = "linli.session.fresh"  # scope key: the new id this response stores its session under
RENEW = "linli.session.renew"  # scope key: store the session under a new id and delete the old entry


def renew_session(connection: ASGIConnection) -> None:
    """Store this request's session under a fresh random id and delete the entry it had: at every sign-in (by
    password, by one-time code, on registering) and when the resident's roles change, so that an id known before
    (a shared counter phone, a fixated cookie) never carries the new rights."""
    connection.scope[RENEW] = True  # type: ignore[literal-required]


class SessionBackend(ServerSideSessionBackend):
    """Litestar's server-side sessions, with three changes:
    - an id is adopted only when the server issued it (its entry is in the store): a cookie the client made up is
      ignored, and the session gets a fresh random id (Litestar would store the new session under the client's id:
      session fixation);
    - `renew_session` moves a session to a fresh id and deletes the old entry;
    - a session that is empty and was never issued is not stored (no file, no cookie, for every anonymous request);
    and the Set-Cookie header built once per session instead of on every response (it is the same string each
    time: the session id with fixed attributes)."""

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        session_id = connection.cookies.get(self.config.key)
        if session_id and session_id != "null":
            data = await self.get(session_id, store=self.config.get_store_from_app(connection.scope["app"]))
            if data is not None:
                connection.scope[ISSUED] = session_id  # type: ignore[literal-required]
                return self.deserialize_data(data)
        return {}

    def get_session_id(self, connection: ASGIConnection) -> str:
        scope: dict[str, Any] = connection.scope  # type: ignore[assignment]
        issued = scope.get(ISSUED)
        if issued and not scope.get(RENEW):
            return issued
        fresh = scope.get(FRESH)
        if fresh is None:
            fresh = scope[FRESH] = self.generate_session_id()
        return fresh

    async def store_in_message(self, scope_session: ScopeSession, message: Message, connection: ASGIConnection) -> None:
        scope: dict[str, Any] = connection.scope  # type: ignore[assignment]
        issued = scope.get(ISSUED)
        store = self.config.get_store_from_app(scope["app"])
        if issued and scope.get(RENEW):
            await self.delete(issued, store=store)
        if scope_session is Empty:
            await super().store_in_message(scope_session, message, connection)
            return
        if not scope_session and not issued:
            return
        session_id = self.get_session_id(connection)
        await self.set(session_id=session_id, data=self.serialize_data(scope_session, scope), store=store)  # type: ignore[arg-type]
        MutableScopeHeaders.from_message(message).add("Set-Cookie", self._cookie(session_id))

    @lru_cache(maxsize=REMEMBERED)  # noqa: B019 (one backend per app: the cache lives as long as the app)
    def _cookie(self, session_id: str) -> str:
        params = dict(extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys()))
        return Cookie(value=session_id, key=self.config.key, **params).to_header(header="")


@dataclass
class SessionConfig(ServerSideSessionConfig):
    _backend_class = SessionBackend
