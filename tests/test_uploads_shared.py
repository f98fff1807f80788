"""Uploaded photos on several hosts (issue 27 item 1): on PostgreSQL a photo uploaded through one host is served by
another with its own data dir (no shared path), the same bytes, with its hash as ETag, long immutable cache headers
and 304 to a client that holds it; the same photo twice is one row; a case's photo stays behind the case's own
access check on every host; photos an earlier version kept as files are copied in. On SQLite the photos are the data
dir's files, where they always were."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any
from uuid import UUID

import httpx
import psycopg
import pytest
from litestar.testing import AsyncTestClient

from backend.config import Settings
from backend.web.app import create_app
from backend.web.photo_store import CASES, MOVED, PUBLIC
from backend.web.uploads import prepare_photo
from tests.conftest import POSTGRES
from tests.factories import app_runtime, sign_in
from tests.test_casework_http import case_path, photo, raise_through_page, world
from tests.test_news_http import clerk_place, photo_with_exif, post_form
from tests.test_residents_http import settle
from tests.test_workers import serving

only_postgres = pytest.mark.skipif(not POSTGRES, reason="several hosts share PostgreSQL (LINLI_TEST_DATABASE=postgres)")
YEAR = "max-age=31536000, immutable"


@pytest.fixture
async def host_b(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    """A second host of the same deployment: `linli serve` in a process of its own, the same database and schema, a
    data dir of its own. It runs no projector (the test's own runtime keeps the shared views)."""
    other = replace(settings, data_dir=tmp_path_factory.mktemp("host-b"))
    with serving(other, LINLI_WORKERS="1", LINLI_PROJECTOR="external") as (base, _server):
        async with httpx.AsyncClient(base_url=base, follow_redirects=False, timeout=30) as c:
            c.data_dir = other.data_dir  # type: ignore[attr-defined]
            yield c


async def post_news_photo(client: AsyncTestClient[Any], times: int = 1) -> str:
    """A clerk of the first host posts news items with the same photo; the photo's name."""
    rt, place = await clerk_place(client)
    await sign_in(client, place.phones[0])
    names = set()
    for _ in range(times):
        posted = await post_form(
            client,
            {"category": "outage", "title": "停水通知", "text": "9日停水。", "until": ""},
            files={"photo": ("pipe.jpg", photo_with_exif(), "image/jpeg")},
        )
        assert posted.status_code == 303, posted.text[:800]
        names.add(str(rt.store.repository.get(UUID(posted.headers["location"].rsplit("/", 1)[-1])).draft.photo))
    assert len(names) == 1, "the same photo, re-encoded the same: one name"
    return names.pop()


def rows(settings: Settings, name: str, area: str = PUBLIC) -> int:
    with psycopg.connect(settings.database_url) as conn:
        table = f'"{settings.pg_schema}_events".uploads'
        sql = f"SELECT count(*) FROM {table} WHERE name = %s AND area = %s"
        return int(conn.execute(sql, (name, area)).fetchone()[0])


@only_postgres
async def test_a_photo_uploaded_on_one_host_is_served_by_another(client, host_b, settings):
    name = await post_news_photo(client)
    tag = f'"{name.split(".")[0]}"'
    on_a = await client.get(f"/uploads/{name}")
    on_b = await host_b.get(f"/uploads/{name}")
    assert on_a.status_code == on_b.status_code == 200, on_b.text[:300]
    assert on_b.content == on_a.content and on_b.content.startswith(b"\xff\xd8")
    assert on_b.headers["content-type"] == "image/jpeg"
    assert on_b.headers["etag"] == on_a.headers["etag"] == tag, "the content hash"
    assert on_b.headers["cache-control"] == f"public, {YEAR}"
    held = await host_b.get(f"/uploads/{name}", headers={"If-None-Match": tag})
    assert held.status_code == 304 and held.content == b"" and held.headers["etag"] == tag
    assert held.headers["cache-control"] == f"public, {YEAR}"
    assert (await host_b.get(f"/uploads/{name}", headers={"If-None-Match": '"other"'})).status_code == 200
    assert not (host_b.data_dir / "uploads").exists(), "nothing in the second host's data dir"
    assert not settings.uploads_dir.exists(), "nor in the first's: the photo is in PostgreSQL"
    assert (await host_b.get(f"/uploads/{'0' * 64}.jpg")).status_code == 404
    assert (await host_b.get("/uploads/..%2Fsecret")).status_code == 404


@only_postgres
async def test_the_same_photo_twice_is_one_row(client, settings):
    name = await post_news_photo(client, times=2)
    assert rows(settings, name) == 1
    assert (await client.get(f"/uploads/{name}")).status_code == 200


@only_postgres
async def test_a_case_photo_on_another_host_only_to_who_may_see_the_case(client, host_b):
    rt = app_runtime(client)
    w = await world(rt)
    await sign_in(client, w.phones[4])
    case = case_path(
        await raise_through_page(client, {"category": "power", "text": "停电了", "public": "0"}, [photo()])
    )
    await settle(rt)
    name = re.search(r'/photos/([0-9a-f]{64}\.jpg)"', (await client.get(case)).text).group(1)
    tag = f'"{name.split(".")[0]}"'

    assert (await host_b.get(f"{case}/photos/{name}")).status_code != 200, "no one signed in on the second host"
    await sign_in(host_b, w.phones[5])  # a neighbour: a private case is not theirs to see
    assert (await host_b.get(f"{case}/photos/{name}")).status_code == 404
    assert (await host_b.get(f"{case}/photos/{name}", headers={"If-None-Match": tag})).status_code == 404
    assert (await host_b.get(f"/uploads/{name}")).status_code == 404, "never at a public address"

    await sign_in(host_b, w.phones[4])  # the raiser, on the other host
    served = await host_b.get(f"{case}/photos/{name}")
    assert served.status_code == 200 and served.content == (await client.get(f"{case}/photos/{name}")).content
    assert served.headers["cache-control"] == f"private, {YEAR}", "no shared cache may keep it"
    assert served.headers["etag"] == tag
    assert (await host_b.get(f"{case}/photos/{name}", headers={"If-None-Match": tag})).status_code == 304


@only_postgres
async def test_photos_kept_as_files_before_are_copied_in(settings, tmp_path_factory):
    """A host of a deployment that kept its photos in the data dir: they are in PostgreSQL at the store's first use,
    once (a mark says so), and served from there by every host."""
    earlier, case = prepare_photo(photo_with_exif()), prepare_photo(photo())
    old = replace(settings, data_dir=tmp_path_factory.mktemp("old-host"))
    (old.uploads_dir / CASES).mkdir(parents=True)
    (old.uploads_dir / earlier.name).write_bytes(earlier.data)
    (old.uploads_dir / CASES / case.name).write_bytes(case.data)
    async with AsyncTestClient(app=create_app(old), base_url="http://testserver.local") as on_old:
        assert (await on_old.get(f"/uploads/{earlier.name}")).content == earlier.data
        assert (await on_old.get(f"/uploads/{case.name}")).status_code == 404, "a case's photo stays a case's"
    assert (old.uploads_dir / MOVED).exists(), "copied once: a mark says so"
    assert rows(settings, earlier.name) == 1 and rows(settings, case.name, CASES) == 1
    assert rows(settings, case.name) == 0
    new = replace(settings, data_dir=tmp_path_factory.mktemp("new-host"), projector_inline=False)
    async with AsyncTestClient(app=create_app(new), base_url="http://testserver.local") as on_new:
        served = await on_new.get(f"/uploads/{earlier.name}")
        assert served.content == earlier.data and served.headers["etag"] == f'"{earlier.name.split(".")[0]}"'


@pytest.mark.skipif(POSTGRES, reason="the SQLite deployment's files")
async def test_on_sqlite_the_photos_are_the_data_dirs_files(client, settings):
    name = await post_news_photo(client, times=2)
    path = settings.uploads_dir / name
    assert path.is_file(), "where photos always were: <data>/uploads/<name>"
    tag = f'"{name.split(".")[0]}"'
    served = await client.get(f"/uploads/{name}")
    assert served.status_code == 200 and served.content == path.read_bytes()
    assert served.headers["etag"] == tag and served.headers["cache-control"] == f"public, {YEAR}"
    assert (await client.get(f"/uploads/{name}", headers={"If-None-Match": tag})).status_code == 304
    assert (await client.get(f"/uploads/{name}", headers={"If-None-Match": f"W/{tag}, x"})).status_code == 304
    assert [p.name for p in settings.uploads_dir.iterdir()] == [name], "the same photo twice: one file"
