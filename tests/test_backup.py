"""Backups that restore (issue 21): `linli backup DIR` copies a live data dir (the log with SQLite's backup API or
pg_dump; the key store as its own file, encrypted with a key derived from LINLI_BACKUP_PASSPHRASE; a manifest);
`linli restore DIR` brings it back into an empty data dir, where `linli verify` passes and the views, rebuilt from
the log, equal the original's table for table. A resident erased before the backup is not in it; a resident erased
after it stays erased when the older backup replaces the data dir that knows of the erasure."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from backend.backup import open_keys
from backend.config import Settings, load_settings
from backend.contexts import PASSES
from backend.demo import load_demo
from backend.kernel.context import Ctx
from backend.kernel.keystore import KeyStore
from backend.residents import commands
from backend.runtime import Runtime
from backend.web.photo_store import PUBLIC, photo_store
from backend.web.uploads import Photo
from projections import db, piccolo_conf
from projections.registry import ALL_TABLES
from projections.residents import queries as resident_views
from projections.residents.tables import TOMBSTONE
from tests.conftest import NOW, POSTGRES, POSTGRES_URL
from tests.factories import community, snapshot
from tests.test_casework import quiet_runtime
from tests.test_cli_residents import run

PASSPHRASE = "correct horse battery staple"


# The demo's cases have deadlines in real time: the rounds of a runtime making them would append notices between
# the snapshot of the views and that of their positions. This runtime makes none.
runtime = pytest.fixture(quiet_runtime, name="runtime")


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Settings]:
    """An empty place to restore into: a new data dir; on PostgreSQL also a new database (as on a new server) and a
    prefix other than the source's."""
    data_dir = tmp_path / "restored"
    if not POSTGRES:
        yield load_settings(data_dir=data_dir, database_url="", demo=False, secret="test-secret")
        return
    name = f"linli_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield load_settings(
            data_dir=data_dir, database_url=url, pg_schema=f"r{uuid.uuid4().hex[:8]}", demo=False, secret="test-secret"
        )
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def use(monkeypatch: pytest.MonkeyPatch, settings: Settings, passphrase: str = PASSPHRASE) -> None:
    """The environment `linli` reads, for this data dir."""
    monkeypatch.setenv("LINLI_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LINLI_SECRET", settings.secret)
    monkeypatch.setenv("LINLI_BACKUP_PASSPHRASE", passphrase)
    monkeypatch.setenv("LINLI_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LINLI_PG_SCHEMA", settings.pg_schema)


def stored_keys(settings: Settings) -> tuple[dict[str, bytes], set[str]]:
    store = KeyStore(settings, migrate=False)
    try:
        keys, erased = store.dump()
    finally:
        store.close()
    return dict(keys), set(erased)


def kept_photo(settings: Settings, name: str) -> bytes:
    if not POSTGRES:
        return (settings.uploads_dir / name).read_bytes()
    with psycopg.connect(settings.database_url) as conn:
        table = f'"{settings.pg_schema}_events".uploads'
        return bytes(conn.execute(f"SELECT data FROM {table} WHERE name = %s", (name,)).fetchone()[0])


def is_empty(settings: Settings) -> bool:
    if POSTGRES:
        with psycopg.connect(settings.database_url) as conn:
            found = conn.execute(
                "SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE %s",
                (f"{settings.pg_schema}_%",),
            ).fetchone()[0]
        return found == 0
    return not settings.data_dir.exists() or not any(settings.data_dir.iterdir())


async def views_of(settings: Settings) -> dict[str, Any]:
    engine = piccolo_conf.DB
    rt = Runtime(settings, passes=PASSES)
    await rt.start(run_projector=False)
    try:
        return {"rows": await snapshot(), "positions": await rt.projector.positions()}
    finally:
        await rt.stop()
        db.bind(engine, ALL_TABLES)


async def test_a_backup_restores_into_an_empty_data_dir(runtime, settings, target, tmp_path, monkeypatch, capsys):
    await load_demo(runtime)
    place = await community(runtime, NOW, code="backup", residents=3, passwords=False)
    gone = place.residents[0]
    gone_key = runtime.personal.keys([gone])[gone]
    await commands.erase(runtime, Ctx(place.community_id, gone, NOW), gone)
    photo = Photo(f"{'ab' * 32}.jpg", b"\xff\xd8 a photo")
    await photo_store(runtime).keep(PUBLIC, photo)  # a file of the data dir; on PostgreSQL a row of the log's schema
    await runtime.projector.wait_for(runtime.event_count())
    original = {"rows": await snapshot(), "positions": await runtime.projector.positions()}
    kept_key = runtime.personal.keys([place.residents[1]])[place.residents[1]]

    backup = tmp_path / "backup"
    use(monkeypatch, settings)
    assert await run(["backup", str(backup)]) == 0, capsys.readouterr()
    said = capsys.readouterr().out
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["position"] == runtime.event_count() and f"position {manifest['position']}" in said
    assert str(gone) in manifest["erased"]
    sealed = (backup / "keys.enc").read_bytes()
    assert kept_key not in sealed and gone_key not in sealed, "the keys' copy is encrypted"
    bundle = open_keys(sealed, PASSPHRASE, manifest["backup"])
    assert base64.b64encode(gone_key).decode() not in {key for _, key in bundle["keys"]}, "erased before: not in it"
    assert base64.b64encode(kept_key).decode() in {key for _, key in bundle["keys"]}
    for path in backup.rglob("*"):
        assert not path.is_file() or kept_key not in path.read_bytes(), path

    use(monkeypatch, target)
    monkeypatch.delenv("LINLI_SECRET")  # the secret comes with the keys: phone digests and sign-in codes still match
    assert await run(["restore", str(backup)]) == 0, capsys.readouterr()
    said = capsys.readouterr().out
    assert (target.data_dir / "secret").read_text() == settings.secret
    assert "restored" in said and manifest["head"] in said
    assert await run(["verify"]) == 0
    assert f"chain head {manifest['head']} at position {manifest['position']}" in capsys.readouterr().out

    assert await views_of(target) == original, "a full rebuild from the restored log equals the original views"
    keys, erased = stored_keys(target)
    assert gone_key not in keys.values() and str(gone) not in keys and str(gone) in erased
    assert keys[str(place.residents[1])] == kept_key
    assert kept_photo(target, photo.name) == photo.data
    assert manifest["photos"] == ("events.pgdump" if POSTGRES else "uploads")
    assert (backup / "uploads").is_dir() != POSTGRES, "on PostgreSQL the photos are in the log's dump"


async def test_an_older_backup_does_not_bring_back_a_resident_erased_since(settings, tmp_path, monkeypatch, capsys):
    rt = Runtime(settings, passes=PASSES)
    await rt.start(run_projector=True)
    try:
        place = await community(rt, NOW, residents=3, passwords=False)
        backup = tmp_path / "before-erasure"
        use(monkeypatch, settings)
        assert await run(["backup", str(backup)]) == 0, capsys.readouterr()
        gone = place.residents[0]
        await commands.erase(rt, Ctx(place.community_id, gone, NOW), gone)
        await rt.projector.wait_for(rt.event_count())
    finally:
        await rt.stop()

    assert await run(["restore", str(backup)]) == 1
    assert "not empty" in capsys.readouterr().err
    assert await run(["restore", str(backup), "--replace"]) == 0, capsys.readouterr()
    said = capsys.readouterr().out
    assert f"erased since the backup: {gone}" in said
    keys, erased = stored_keys(settings)
    assert str(gone) not in keys and str(gone) in erased
    assert {str(i) for i in place.residents[1:]} <= set(keys)
    assert await run(["verify"]) == 0

    rt = Runtime(settings, passes=PASSES)
    await rt.start(run_projector=True)
    try:
        # The restored log has no erasure, and still nothing of theirs can be read: the views show the tombstone.
        assert (await resident_views.masked_names([gone]))[str(gone)] == TOMBSTONE
        assert (await resident_views.masked_names([place.residents[1]]))[str(place.residents[1])] != TOMBSTONE
    finally:
        await rt.stop()


async def test_refusals_write_nothing(runtime, settings, target, tmp_path, monkeypatch, capsys):
    await community(runtime, NOW, residents=1, passwords=False)
    backup = tmp_path / "backup"
    use(monkeypatch, settings, passphrase="")
    assert await run(["backup", str(backup)]) == 1
    assert "LINLI_BACKUP_PASSPHRASE" in capsys.readouterr().err and not backup.exists()
    use(monkeypatch, settings, passphrase="short")
    assert await run(["backup", str(backup)]) == 1
    assert "at least" in capsys.readouterr().err and not backup.exists()
    use(monkeypatch, settings)
    assert await run(["backup", str(backup)]) == 0
    capsys.readouterr()
    assert await run(["backup", str(backup)]) == 1
    assert "not empty" in capsys.readouterr().err

    use(monkeypatch, target, passphrase="not the passphrase")
    assert await run(["restore", str(backup)]) == 1
    assert "wrong passphrase" in capsys.readouterr().err
    assert is_empty(target)
    monkeypatch.setenv("LINLI_SECRET", "another-secret")
    monkeypatch.setenv("LINLI_BACKUP_PASSPHRASE", PASSPHRASE)
    assert await run(["restore", str(backup)]) == 1
    assert "LINLI_SECRET" in capsys.readouterr().err
    assert is_empty(target)
    manifest = json.loads((backup / "manifest.json").read_text())
    (backup / manifest["events"]["file"]).write_bytes(b"not the log")
    monkeypatch.setenv("LINLI_SECRET", target.secret)
    assert await run(["restore", str(backup)]) == 1
    assert "does not match the manifest" in capsys.readouterr().err
    assert is_empty(target)
