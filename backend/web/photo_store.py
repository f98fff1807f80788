"""Where uploaded photos are kept (issue 27): files in the data dir (one host, SQLite: the default), or rows in
PostgreSQL when the deployment runs on it, so that a photo uploaded through one host is served by every other (each
host has its own data dir; no path is shared).

A photo is named by the SHA-256 of its bytes (backend.web.uploads): the name is its key, a second upload of the same
photo keeps nothing new, and the bytes under a name never change (the serving routes answer with long, immutable cache
headers and the hash as ETag). An `area` keeps a case's private photos apart from the public ones (DESIGN 10): "" is
the public uploads (`/uploads/<name>`), "cases" a case's photos, served only through the case's page.

On PostgreSQL the table `uploads` lives in the log's schema `<prefix>_events`, not among the views: the views are
dropped and rebuilt from the log, the photos cannot be; and so the log's `pg_dump` (`linli backup`) carries them, in
the same snapshot as the events that name them. The table is made at a store's first use (CREATE … IF NOT EXISTS
under the deployment's setup lock), as the key store makes its own; the photos an earlier version kept as files in
this host's data dir are copied in then, once."""

from __future__ import annotations

import asyncio
import hashlib
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import anyio
from litestar import Request, Response
from litestar.datastructures import ETag
from litestar.exceptions import NotFoundException
from litestar.response import File
from piccolo.engine.base import Engine
from piccolo.querystring import QueryString

from backend.config import Settings
from backend.web.uploads import NAME, Photo, media_type, store_photo

PUBLIC = ""  # the public uploads, at /uploads/<name>
CASES = "cases"  # a case's photos: never at a public address
AREAS = (PUBLIC, CASES)
PUBLIC_CACHE = "public, max-age=31536000, immutable"  # a name's bytes never change: kept a year, never asked again
PRIVATE_CACHE = "private, max-age=31536000, immutable"  # a case's photo: the phone keeps it, no shared cache may
MOVED = "MOVED-TO-POSTGRESQL"  # left in a data dir's uploads folder once its photos are copied into the database


@dataclass(frozen=True)
class Kept:
    """A stored photo as a route serves it: a file to stream, or the bytes read from the database."""

    name: str
    media_type: str
    path: Path | None = None
    data: bytes | None = None


class PhotoStore(Protocol):
    async def keep(self, area: str, photo: Photo) -> None:
        """Store the photo (nothing new when a photo of the same bytes is there)."""

    async def find(self, area: str, name: str) -> Kept | None:
        """The photo of this name, or None."""


class FileStore:
    """The uploads folder of the data dir, as before issue 27: `<data>/uploads/<name>`, a case's in `cases/`."""

    def __init__(self, uploads_dir: Path) -> None:
        self.uploads_dir = uploads_dir

    def folder(self, area: str) -> Path:
        return self.uploads_dir / area if area else self.uploads_dir

    async def keep(self, area: str, photo: Photo) -> None:
        await anyio.to_thread.run_sync(store_photo, self.folder(area), photo)

    async def find(self, area: str, name: str) -> Kept | None:
        path = self.folder(area) / name
        # One stat, as the route always did; the file itself is streamed without blocking (litestar's File).
        return Kept(name, media_type(name), path=path) if NAME.match(name) and path.is_file() else None


class PostgresStore:
    """The table `<prefix>_events.uploads`, reached through the runtime's pool of asyncpg connections (the views'
    engine): no read or write waits in the event loop."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.schema = f'"{settings.pg_schema}_events"'
        self.table = f"{self.schema}.uploads"
        self.ready = False
        self.making: asyncio.Lock | None = None  # made in the loop that first asks (a process has one loop)

    async def _run(self, sql: str, *args: Any) -> list[Any]:
        return await self.engine.run_querystring(QueryString(sql, *args)) or []

    async def _ensure(self) -> None:
        """Make the table (once per process), then copy in this host's photos kept as files by an earlier version."""
        if self.ready:
            return
        self.making = self.making or asyncio.Lock()
        async with self.making:  # the requests meanwhile wait for the photos moved in, rather than miss them
            if not self.ready:
                await self._make()
                await self._move_files_in()
                self.ready = True

    async def _make(self) -> None:
        async with self.engine.transaction():
            # The deployment's setup lock (backend.config.Settings.setup_lock), held to the transaction's end: hosts
            # starting together would otherwise race on CREATE ("duplicate key value").
            await self._run("SELECT pg_advisory_xact_lock(hashtext({}))", f"linli setup {self.settings.pg_schema}")
            await self._run(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
            await self._run(
                f"CREATE TABLE IF NOT EXISTS {self.table} ("
                "area text NOT NULL, name text NOT NULL, media_type text NOT NULL, size integer NOT NULL, "
                "data bytea NOT NULL, created timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (area, name))"
            )

    async def _move_files_in(self) -> None:
        """The photos this host's data dir kept before the deployment stored them in PostgreSQL (or a restored
        backup's `uploads/` folder), copied into the table once; the files stay, a mark beside them says so."""
        uploads = self.settings.uploads_dir
        if not await anyio.to_thread.run_sync(lambda: uploads.is_dir() and not (uploads / MOVED).exists()):
            return
        files = FileStore(uploads)
        for area in AREAS:
            folder = files.folder(area)
            names = await anyio.to_thread.run_sync(_photo_names, folder)
            for name in names:
                data = await anyio.to_thread.run_sync((folder / name).read_bytes)
                if hashlib.sha256(data).hexdigest() == name.split(".", 1)[0]:  # a damaged file is not served as whole
                    await self._insert(area, Photo(name, data))
        await anyio.to_thread.run_sync((uploads / MOVED).write_text, "These photos are in PostgreSQL now.\n")

    async def _insert(self, area: str, photo: Photo) -> None:
        await self._run(
            f"INSERT INTO {self.table} (area, name, media_type, size, data) VALUES ({{}}, {{}}, {{}}, {{}}, {{}}) "
            "ON CONFLICT (area, name) DO NOTHING",  # the same photo again: its row is already there
            *(area, photo.name, media_type(photo.name), len(photo.data), photo.data),
        )

    async def keep(self, area: str, photo: Photo) -> None:
        await self._ensure()
        await self._insert(area, photo)

    async def find(self, area: str, name: str) -> Kept | None:
        if not NAME.match(name):
            return None
        await self._ensure()
        sql = f"SELECT media_type, data FROM {self.table} WHERE area = {{}} AND name = {{}}"
        rows = await self._run(sql, area, name)
        return Kept(name, str(rows[0]["media_type"]), data=bytes(rows[0]["data"])) if rows else None


def _photo_names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if NAME.match(p.name)) if folder.is_dir() else []


_STORES: weakref.WeakKeyDictionary[Any, PhotoStore] = weakref.WeakKeyDictionary()


def photo_store(runtime: Any) -> PhotoStore:
    """The runtime's photo store (one per runtime: the PostgreSQL one remembers its table is made)."""
    store = _STORES.get(runtime)
    if store is None:
        settings: Settings = runtime.settings
        store = PostgresStore(runtime.engine, settings) if settings.is_postgres else FileStore(settings.uploads_dir)
        _STORES[runtime] = store
    return store


def _unchanged(request: Request[Any, Any, Any], tag: str) -> bool:
    """The client holds these bytes already (If-None-Match names the photo's hash, or `*`)."""
    sent = request.headers.get("if-none-match", "")
    return any(t.strip().removeprefix("W/") in (f'"{tag}"', "*") for t in sent.split(",") if t.strip())


async def serve_photo(request: Request[Any, Any, Any], area: str, name: str, cache: str) -> Response[Any]:
    """A stored photo with its hash as ETag and `cache` as Cache-Control; 304 to a client that holds it (the bytes
    under a name never change, so nothing is read); 404 when there is none. Whoever may see it is the caller's to
    check first."""
    if not NAME.match(name):
        raise NotFoundException()
    tag = name.split(".", 1)[0]
    headers = {"Cache-Control": cache}
    if _unchanged(request, tag):
        return Response(content=b"", status_code=304, headers={**headers, "ETag": f'"{tag}"'})
    kept = await photo_store(request.app.state.runtime).find(area, name)
    if kept is None:
        raise NotFoundException()
    if kept.path is not None:
        return File(
            path=kept.path,
            media_type=kept.media_type,
            content_disposition_type="inline",
            etag=ETag(value=tag),
            headers=headers,
        )
    return Response(
        content=kept.data,
        media_type=kept.media_type,
        headers={**headers, "ETag": f'"{tag}"', "Content-Disposition": "inline"},
    )
