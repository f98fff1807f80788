"""Erasure is final on disk (issue 21, defect 4): the residents' keys live in a key store apart from the event log
(`keys.sqlite3`; on PostgreSQL the schema `<prefix>_keys`), so a copy of the log alone reveals no one; erasing a
resident deletes the key so that no byte of it, nor of their name or phone, is left in any file under the data dir;
a data dir made before the key store moves its keys there on first start and keeps no key byte in the log."""

from __future__ import annotations

import base64
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import psycopg
import pytest

from backend.config import Settings, load_settings
from backend.contexts import PASSES
from backend.kernel.context import Ctx
from backend.residents import commands
from backend.runtime import Runtime
from projections.chain.queries import verify
from tests.conftest import NOW, POSTGRES, POSTGRES_URL
from tests.factories import community

NAME = "司徒翠萍"
PHONE = "13655501234"


def needles(key: bytes) -> dict[str, bytes]:
    """Every form the erased resident's data could take in a file: the name as UTF-8 and as JSON escapes, the phone's
    digits, and the key as stored (url-safe base64), raw, in standard base64 and in hex."""
    raw = base64.urlsafe_b64decode(key)
    return {
        "name": NAME.encode(),
        "name (escaped)": NAME.encode("unicode_escape"),
        "name (escaped, upper)": NAME.encode("unicode_escape").upper().replace(b"\\U", b"\\u"),
        "phone": PHONE.encode(),
        "phone (UTF-16)": PHONE.encode("utf-16-le"),
        "key": key,
        "key (raw)": raw,
        "key (base64)": base64.b64encode(raw),
        "key (hex)": raw.hex().encode(),
    }


def found_in(data_dir: Path, wanted: dict[str, bytes]) -> list[str]:
    hits = []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        content = path.read_bytes()
        hits += [f"{what} in {path.relative_to(data_dir)}" for what, needle in wanted.items() if needle in content]
    return hits


async def add_resident(rt: Runtime, place_id: UUID, household: UUID) -> UUID:
    done = await commands.register(rt, Ctx(place_id, None, NOW), NAME, PHONE, household, "", verified=True)
    return UUID(done.result["resident_id"])


def pg_keys_file(settings: Settings, conn: psycopg.Connection) -> bytes:
    """The keys table's heap file as the server has it on disk (after a checkpoint writes the dirty pages)."""
    conn.execute("CHECKPOINT")
    table = f'"{settings.pg_schema}_keys".resident_keys'
    return bytes(conn.execute(f"SELECT pg_read_binary_file(pg_relation_filepath('{table}'))").fetchone()[0])


async def test_keys_live_in_a_key_store_apart_from_the_log(runtime, settings):
    place = await community(runtime, NOW, residents=2)
    keys = runtime.personal.keys(place.residents)
    assert len(keys) == 2
    if POSTGRES:
        with psycopg.connect(settings.database_url) as conn:
            tables = {
                (schema, name)
                for schema, name in conn.execute(
                    "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema LIKE %s",
                    (f"{settings.pg_schema}_%",),
                )
            }
        assert (f"{settings.pg_schema}_keys", "resident_keys") in tables
        assert (f"{settings.pg_schema}_events", "resident_keys") not in tables
    else:
        with sqlite3.connect(settings.events_path) as events:
            names = {row[0] for row in events.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "resident_keys" not in names, "the log's file holds no key"
        assert (settings.data_dir / "keys.sqlite3").exists()
    for key in keys.values():
        for path in settings.data_dir.glob("events.sqlite3*"):
            assert key not in path.read_bytes(), path.name


async def test_after_erasure_no_file_under_the_data_dir_holds_the_name_phone_or_key(runtime, settings):
    place = await community(runtime, NOW, residents=3, passwords=False)
    resident_id = await add_resident(runtime, place.community_id, place.households[0])
    key = runtime.personal.keys([resident_id])[resident_id]
    await runtime.projector.wait_for(runtime.event_count())
    if not POSTGRES:  # the check can see the key where it lives: it is not vacuous
        hits = found_in(settings.data_dir, {"key": key})
        assert hits and all(hit.startswith("key in keys.sqlite3") for hit in hits), hits
    else:
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            assert key in pg_keys_file(settings, conn)

    await commands.erase(runtime, Ctx(place.community_id, resident_id, NOW), resident_id)
    await runtime.projector.wait_for(runtime.event_count())
    # The erasure itself is the checkpoint: the key store's WAL was truncated at once, so nothing waits for a later one.
    assert runtime.personal.keys([resident_id]) == {}
    assert found_in(settings.data_dir, needles(key)) == []
    assert runtime.personal.keys(place.residents).keys() == set(place.residents), "the neighbours' keys stay"
    assert str(resident_id) in runtime.personal.erased()
    if POSTGRES:
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            table = f'"{settings.pg_schema}_keys".resident_keys'
            assert conn.execute(f"SELECT 1 FROM {table} WHERE resident_id = %s", (str(resident_id),)).fetchone() is None
            # The erasure rewrote the table (VACUUM FULL): its file on the server holds no byte of the key any more.
            assert key not in pg_keys_file(settings, conn)
            conn.execute(f"VACUUM {table}")  # and the routine VACUUM an operator runs works on the key store


async def test_erasures_in_the_middle_of_many_keys_leave_no_key_behind(runtime, settings):
    """Pages are split and rebalanced as keys come and go: no copy of an erased key survives in a moved cell."""
    place = await community(runtime, NOW, residents=1, passwords=False)
    ids = [
        UUID(
            (
                await commands.register(
                    runtime,
                    Ctx(place.community_id, None, NOW),
                    f"邻居{n}",
                    f"1365550{n:04d}",
                    place.households[0],
                    "",
                    verified=True,
                )
            ).result["resident_id"]
        )
        for n in range(60)
    ]
    keys = runtime.personal.keys(ids)
    erased = ids[5::7]
    for resident_id in erased:
        await commands.erase(runtime, Ctx(place.community_id, resident_id, NOW), resident_id)
    wanted = {f"key of {i}": keys[i] for i in erased} | {
        f"raw key of {i}": base64.urlsafe_b64decode(keys[i]) for i in erased
    }
    assert found_in(settings.data_dir, wanted) == []
    assert set(runtime.personal.keys(ids)) == set(ids) - set(erased)


async def test_a_data_dir_of_before_the_key_store_moves_its_keys_on_first_start(settings):
    """Made the old way by hand: the keys in the log's own database (`resident_keys` beside the events). The first
    start moves them to the key store, drops the old table and leaves no key byte in the log's files; a second start
    changes nothing."""
    rt = Runtime(settings, passes=PASSES)
    await rt.start(run_projector=True)
    try:
        place = await community(rt, NOW, residents=3, passwords=False)
        keys = rt.personal.keys(place.residents)
        vapid = rt.personal.secret("vapid", lambda: b"-----BEGIN PRIVATE KEY-----old-----END PRIVATE KEY-----")
    finally:
        await rt.stop()
    rows = [(str(i), k) for i, k in keys.items()] + [("secret:vapid", vapid)]
    if POSTGRES:
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{settings.pg_schema}_keys" CASCADE')
            old = f'"{settings.pg_schema}_events".resident_keys'
            conn.execute(f"CREATE TABLE {old} (resident_id text PRIMARY KEY, key bytea)")
            with conn.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {old} VALUES (%s, %s)", rows)
    else:
        for path in settings.data_dir.glob("keys.sqlite3*"):
            path.unlink()
        with sqlite3.connect(settings.events_path) as events:
            events.execute("CREATE TABLE resident_keys (resident_id TEXT PRIMARY KEY, key BLOB)")
            events.executemany("INSERT INTO resident_keys VALUES (?, ?)", rows)
        assert any(keys[place.residents[0]] in p.read_bytes() for p in settings.data_dir.glob("events.sqlite3*"))

    for _ in range(2):
        rt = Runtime(settings, passes=PASSES)
        await rt.start(run_projector=True)
        try:
            assert rt.personal.keys(place.residents) == keys
            assert rt.personal.secret("vapid", lambda: b"new") == vapid
            await rt.projector.wait_for(rt.event_count())
            assert (await verify(rt.store)).ok, "the log's positions are what they were (VACUUM kept the rowids)"
        finally:
            await rt.stop()
        if POSTGRES:
            with psycopg.connect(settings.database_url) as conn:
                assert conn.execute("SELECT to_regclass(%s)", (old,)).fetchone()[0] is None
        else:
            with sqlite3.connect(settings.events_path) as events:
                assert events.execute("SELECT name FROM sqlite_master WHERE name = 'resident_keys'").fetchone() is None
            for path in settings.data_dir.glob("events.sqlite3*"):
                content = path.read_bytes()
                for key in keys.values():
                    assert key not in content and base64.urlsafe_b64decode(key) not in content, path.name


@pytest.fixture
def own_roles(tmp_path: Path) -> Iterator[Settings]:
    """Set up as the README's "Deployment" says: the key store's schema belongs to a role of its own, from which the
    role the log and the views connect with is shut out."""
    prefix = f"t{uuid.uuid4().hex[:12]}"
    log_role, keys_role = f"{prefix}_log", f"{prefix}_keys"
    host = POSTGRES_URL.split("@", 1)[1]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        dbname = admin.execute("SELECT current_database()").fetchone()[0]
        admin.execute(f'CREATE ROLE "{log_role}" LOGIN')
        admin.execute(f'GRANT CREATE ON DATABASE "{dbname}" TO "{log_role}"')
        admin.execute(f'CREATE ROLE "{keys_role}" LOGIN')
        admin.execute(f'CREATE SCHEMA "{prefix}_keys" AUTHORIZATION "{keys_role}"')
        admin.execute(f'REVOKE ALL ON SCHEMA "{prefix}_keys" FROM PUBLIC')
    try:
        yield load_settings(
            data_dir=tmp_path,
            database_url=f"postgresql://{log_role}@{host}",
            keys_database_url=f"postgresql://{keys_role}@{host}",
            pg_schema=prefix,
            demo=False,
            secret="test-secret",
        )
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            for suffix in ("events", "views", "keys"):
                admin.execute(f'DROP SCHEMA IF EXISTS "{prefix}_{suffix}" CASCADE')
            for role in (log_role, keys_role):
                admin.execute(f'DROP OWNED BY "{role}"')
                admin.execute(f'DROP ROLE "{role}"')


@pytest.mark.skipif(not POSTGRES, reason="roles are PostgreSQL's")
async def test_the_logs_role_cannot_read_the_key_store(own_roles: Settings):
    """Everything works with the key store under its own role, the erasure included, and the log's role is refused
    there."""
    rt = Runtime(own_roles, passes=PASSES)
    await rt.start(run_projector=True)
    try:
        place = await community(rt, NOW, residents=2, passwords=False)
        assert len(rt.personal.keys(place.residents)) == 2
        await commands.erase(rt, Ctx(place.community_id, place.residents[0], NOW), place.residents[0])
        assert set(rt.personal.keys(place.residents)) == {place.residents[1]}
    finally:
        await rt.stop()
    with psycopg.connect(own_roles.database_url) as as_log, pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_log.execute(f'SELECT key FROM "{own_roles.pg_schema}_keys".resident_keys')


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's VACUUM FULL and a transaction elsewhere in the database")
async def test_an_erasure_waits_out_a_transaction_older_than_it_before_the_key_leaves_the_file(runtime, settings):
    """A transaction begun before the erasure (another host's, a report's) keeps the deleted row "recently dead",
    and a VACUUM FULL made then copies the key into the table's new file: the key store rewrites it again until the
    server says no dead row was kept."""
    place = await community(runtime, NOW, residents=1, passwords=False)
    resident_id = await add_resident(runtime, place.community_id, place.households[0])
    key = runtime.personal.keys([resident_id])[resident_id]
    older = psycopg.connect(settings.database_url)
    older.execute("SELECT txid_current()")  # an open transaction with an id, from before the erasure
    ended = threading.Timer(0.5, older.rollback)
    ended.start()
    try:
        await commands.erase(runtime, Ctx(place.community_id, resident_id, NOW), resident_id)
    finally:
        ended.join()
        older.close()
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        assert key not in pg_keys_file(settings, conn)
