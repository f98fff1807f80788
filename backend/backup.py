"""Backups that restore (issue 21): `linli backup DIR` copies a live deployment, `linli restore DIR` brings it back.

A backup is a directory:
- `events.sqlite3`, the log copied with SQLite's online backup API (one consistent snapshot while the service keeps
  writing), or `events.pgdump`, `pg_dump` of the schema `<prefix>_events` taken in a snapshot whose position is known;
- `keys.enc`, the key store (the residents' keys, the deployment's own secrets, the erased ids) and the deployment
  secret (LINLI_SECRET or the data dir's `secret`: the phone digests and sign-in codes are keyed with it), encrypted
  with AES-256-GCM under a key derived by scrypt from LINLI_BACKUP_PASSPHRASE;
- `uploads/`, the photos (SQLite). On PostgreSQL the photos are rows of the log's schema (`<prefix>_events.uploads`,
  backend.web.photo_store), so `events.pgdump` holds them, in the same snapshot as the events that name them, and
  pg_restore brings them back with the log; no `uploads/` is written;
- `manifest.json`: when, the store and prefix, the log's position and chain head, each file's SHA-256, the number of
  keys and the erased ids (ids, not personal data), so that any later restore knows these erasures.

The views are not copied: restore rebuilds them from the log. The log is the record and the views its reading, so a
rebuild is also the proof that the copy is whole; and a view copied before an erasure could show a resident erased
since, where a rebuild shows only what the restored keys can unseal.

The log is copied before the keys: a key is saved before any event sealed with it, so every event in the copy finds
its key (a resident registered in between only leaves an unused key)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from backend.config import Settings
from backend.kernel.keystore import KeyStore, read_erased
from backend.runtime import Runtime
from projections.chain.queries import GENESIS, link, link_at, verify

FORMAT = "linli-backup/1"
MIN_PASSPHRASE = 12
SCRYPT = {"n": 2**17, "r": 8, "p": 1}  # 128 MiB and about half a second per try: OWASP's figure for scrypt
EVENTS_TABLE = "linli_events"  # the eventsourcing table of the application named "Linli" on PostgreSQL


class BackupError(Exception):
    """A refusal with the reason an operator reads; nothing was written."""


# -- the keys' file ---------------------------------------------------------------------------------------------------
def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())


def seal_keys(bundle: dict[str, Any], passphrase: str, backup_id: str) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    header = {"format": FORMAT, "backup": backup_id, "kdf": {"name": "scrypt", "salt": _b64(salt), **SCRYPT}}
    header |= {"cipher": "AES-256-GCM", "nonce": _b64(nonce)}
    key = _derive(passphrase, salt, **SCRYPT)
    sealed = AESGCM(key).encrypt(nonce, json.dumps(bundle).encode(), _canonical(header))
    return json.dumps({**header, "ciphertext": _b64(sealed)}, indent=1).encode()


def open_keys(data: bytes, passphrase: str, backup_id: str) -> dict[str, Any]:
    """The bundle; a wrong passphrase (or a file altered or from another backup) is refused, never half-read."""
    try:
        header = json.loads(data)
        sealed = base64.b64decode(header.pop("ciphertext"))
        kdf = header["kdf"]
        key = _derive(passphrase, base64.b64decode(kdf["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"keys.enc is not a Linli key file ({error})") from None
    if header.get("backup") != backup_id:
        raise BackupError("keys.enc belongs to another backup than this manifest")
    try:
        plain = AESGCM(key).decrypt(base64.b64decode(header["nonce"]), sealed, _canonical(header))
    except InvalidTag:
        raise BackupError("wrong passphrase (LINLI_BACKUP_PASSPHRASE), or keys.enc was altered") from None
    return dict(json.loads(plain))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _canonical(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write(path: Path, data: bytes) -> None:
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _passphrase(settings: Settings) -> str:
    if not settings.backup_passphrase:
        raise BackupError("set LINLI_BACKUP_PASSPHRASE: the keys' copy is encrypted with it")
    if len(settings.backup_passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"LINLI_BACKUP_PASSPHRASE must have at least {MIN_PASSPHRASE} characters")
    return settings.backup_passphrase


# -- backup ------------------------------------------------------------------------------------------------------------
async def backup(rt: Runtime, target: Path, say: Callable[[str], None]) -> dict[str, Any]:
    """Copy the running deployment into `target` (absent or empty): written beside it and renamed when whole."""
    settings = rt.settings
    passphrase = _passphrase(settings)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} is not empty: a backup goes into a new directory")
    staging = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(mode=0o700, parents=True)
    try:
        events_file, position = await asyncio.to_thread(_copy_log, settings, staging)
        head = await _chain_head(rt, position)
        keys, erased = await asyncio.to_thread(rt.personal.store.dump)
        backup_id = os.urandom(16).hex()
        bundle = {"secret": settings.ensure_secret(), "keys": [[n, _b64(k)] for n, k in keys], "erased": erased}
        sealed = await asyncio.to_thread(seal_keys, bundle, passphrase, backup_id)
        _write(staging / "keys.enc", sealed)
        if settings.uploads_dir.is_dir() and not settings.is_postgres:  # on PostgreSQL: in events.pgdump
            shutil.copytree(settings.uploads_dir, staging / "uploads")
        manifest = {
            "format": FORMAT,
            "backup": backup_id,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "store": "postgresql" if settings.is_postgres else "sqlite",
            "pg_schema": settings.pg_schema if settings.is_postgres else None,
            "position": position,
            "head": head,
            "events": {"file": events_file, "sha256": _sha256(staging / events_file)},
            "keys": {"file": "keys.enc", "sha256": _sha256(staging / "keys.enc"), "count": len(keys)},
            "erased": sorted(erased),
            "photos": events_file if settings.is_postgres else "uploads",  # where the uploaded photos are
        }
        _write(staging / "manifest.json", json.dumps(manifest, indent=1).encode())
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    say(f"backup {target}: log to position {position}, chain head {head}; {len(keys)} keys, {len(erased)} erased")
    if settings.is_postgres:
        say(f"the uploaded photos are in {events_file} (PostgreSQL: rows of the log's schema), not in uploads/")
    return manifest


def _copy_log(settings: Settings, staging: Path) -> tuple[str, int]:
    if settings.is_postgres:
        return _dump_pg(settings, staging)
    source = sqlite3.connect(settings.events_path)
    copy = sqlite3.connect(staging / "events.sqlite3")
    try:
        source.backup(copy)  # one step: a single read transaction, so one consistent state of the log
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file (the service turns WAL on again)
        position = copy.execute("SELECT coalesce(max(rowid), 0) FROM stored_events").fetchone()[0]
    finally:
        copy.close()
        source.close()
    os.chmod(staging / "events.sqlite3", 0o600)
    return "events.sqlite3", int(position)


def _dump_pg(settings: Settings, staging: Path) -> tuple[str, int]:
    """pg_dump in a snapshot exported from a transaction that read the log's last position, so the dump holds
    exactly the events up to it (the store commits events in their order: none below it can appear later)."""
    if shutil.which("pg_dump") is None:
        raise BackupError("pg_dump is not installed (it comes with PostgreSQL's client programs)")
    schema = f"{settings.pg_schema}_events"
    with settings.pg_connect() as conn, conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        position = conn.execute(f'SELECT coalesce(max(notification_id), 0) FROM "{schema}".{EVENTS_TABLE}').fetchone()
        out = staging / "events.pgdump"
        _pg_tool(
            settings, ["pg_dump", "--format=custom", f"--schema={schema}", f"--snapshot={snapshot}", f"--file={out}"]
        )
    os.chmod(out, 0o600)
    return "events.pgdump", int(position[0])


def _pg_tool(settings: Settings, command: list[str], database_url: str = "") -> None:
    pg = settings.pg_params(database_url)
    connect = [f"--host={pg['host']}", f"--port={pg['port']}", f"--username={pg['user']}", f"--dbname={pg['dbname']}"]
    env = {**os.environ, "PGPASSWORD": pg["password"]} if pg["password"] else dict(os.environ)
    done = subprocess.run(
        [*command, "--no-owner", "--no-privileges", *connect], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


async def _chain_head(rt: Runtime, position: int) -> str:
    """The chain's link at the copy's last event, computed over the log; where the live chain has reached it, the two
    must agree (else the log was altered and the copy is refused)."""

    def walk() -> str:
        previous, start = GENESIS, 1
        while start <= position and (batch := rt.store.recorder.select_notifications(start, 2000, stop=position)):
            for record in batch:
                previous = link(previous, record)
            start = batch[-1].id + 1
        return previous

    head = await asyncio.to_thread(walk)
    published = await link_at(position) if position else GENESIS
    if published is not None and published != head:
        raise BackupError(f"the log does not match its chain at position {position}: run `linli verify`")
    return head


# -- restore -----------------------------------------------------------------------------------------------------------
def restore(settings: Settings, source: Path, replace_existing: bool, say: Callable[[str], None]) -> None:
    """Check the backup whole (manifest, checksums, passphrase, secret) before touching the target; then put the log,
    the keys and the uploads in place, rebuild the views from the log and verify the chain."""
    manifest = _manifest(source, settings)
    bundle = open_keys((source / "keys.enc").read_bytes(), _passphrase(settings), manifest["backup"])
    if settings.secret and settings.secret != bundle["secret"]:
        raise BackupError(
            "LINLI_SECRET differs from the backed-up deployment's: phones and sign-in codes would not match"
        )
    if not _is_empty(settings) and not replace_existing:
        raise BackupError("the target is not empty: restore into an empty data dir, or replace it with --replace")
    # Every erasure known: the backup's own, and those of the deployment being replaced (made after the backup).
    erased = set(manifest["erased"]) | set(bundle["erased"]) | read_erased(settings)
    keys = [(name, base64.b64decode(key)) for name, key in bundle["keys"]]
    withheld = sorted(name for name, _ in keys if name in erased)
    if settings.is_postgres:
        _restore_pg(settings, source, manifest, keys, erased)
        if not settings.secret:
            _write_secret(settings, bundle["secret"])
        if (source / "uploads").is_dir():  # a backup made before the photos moved into PostgreSQL: the photo store
            shutil.rmtree(settings.uploads_dir, ignore_errors=True)  # copies them in at its first use
            shutil.copytree(source / "uploads", settings.uploads_dir)
    else:
        _restore_sqlite(settings, source, manifest, keys, erased, None if settings.secret else bundle["secret"])
    head = asyncio.run(_rebuild(settings, manifest))
    say(f"restored {source}: log to position {manifest['position']}, chain head {head}, views rebuilt")
    say(f"keys: {len(keys) - len(withheld)} restored, {len(withheld)} withheld")
    if withheld:
        say(f"erased since the backup: {', '.join(withheld)} (their data stay unreadable; the restored log does not")
        say("  record the erasure: a clerk may erase them again so that it does)")


def _manifest(source: Path, settings: Settings) -> dict[str, Any]:
    try:
        manifest = dict(json.loads((source / "manifest.json").read_text()))
    except (OSError, ValueError):
        raise BackupError(f"{source} holds no readable manifest.json: not a Linli backup") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is a backup of another format ({manifest.get('format')}), not {FORMAT}")
    wanted = "postgresql" if settings.is_postgres else "sqlite"
    if manifest["store"] != wanted:
        raise BackupError(f"a {manifest['store']} backup restores into a {manifest['store']} deployment, not {wanted}")
    for part in (manifest["events"], manifest["keys"]):
        path = source / part["file"]
        if not path.is_file() or _sha256(path) != part["sha256"]:
            raise BackupError(f"{part['file']} does not match the manifest (damaged or altered)")
    return manifest


def _is_empty(settings: Settings) -> bool:
    """A data dir absent or empty; on PostgreSQL, no event in the log's schema and no key in the key store."""
    if not settings.is_postgres:
        return not settings.data_dir.exists() or not any(settings.data_dir.iterdir())
    with settings.pg_connect() as conn:
        table = f"{settings.pg_schema}_events.{EVENTS_TABLE}"
        exists = conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is not None
        if exists and conn.execute(f'SELECT 1 FROM "{settings.pg_schema}_events".{EVENTS_TABLE} LIMIT 1').fetchone():
            return False
    return not read_erased(settings) and not _has_keys(settings)


def _has_keys(settings: Settings) -> bool:
    with settings.pg_connect(settings.keys_database_url) as conn:
        table = f"{settings.pg_schema}_keys.resident_keys"
        if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:
            return False
        return conn.execute(f'SELECT 1 FROM "{settings.pg_schema}_keys".resident_keys LIMIT 1').fetchone() is not None


def _restore_sqlite(
    settings: Settings,
    source: Path,
    manifest: dict[str, Any],
    keys: list[tuple[str, bytes]],
    erased: set[str],
    secret: str | None,
) -> None:
    """Everything made in a staging directory inside the data dir, then moved in place: a failure before the move
    leaves the target as it was."""
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging = settings.data_dir / ".restoring"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(mode=0o700)
    try:
        shutil.copyfile(source / manifest["events"]["file"], staging / "events.sqlite3")
        os.chmod(staging / "events.sqlite3", 0o600)
        _load_keys(replace(settings, data_dir=staging), keys, erased)
        if secret is not None:
            _write_secret(replace(settings, data_dir=staging), secret)
        if (source / "uploads").is_dir():
            shutil.copytree(source / "uploads", staging / "uploads")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for entry in settings.data_dir.iterdir():  # the replaced deployment: log, views, keys, sessions, uploads
        if entry != staging:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for entry in staging.iterdir():
        entry.rename(settings.data_dir / entry.name)
    staging.rmdir()


def _restore_pg(
    settings: Settings, source: Path, manifest: dict[str, Any], keys: list[tuple[str, bytes]], erased: set[str]
) -> None:
    """pg_restore of the log's schema in one transaction (renamed when the target's prefix is another), then the keys
    in one transaction in place of the key store's (its schema, and the grants an administrator gave on it, stay).
    The target's log and views schemas (empty, or being replaced) are first renamed aside and dropped only once the
    log and the keys are in: a failure puts them back. The views are rebuilt afterwards."""
    prefix = settings.pg_schema
    dumped, wanted = f"{manifest['pg_schema']}_events", f"{prefix}_events"
    with settings.pg_connect() as conn:
        if dumped != wanted and conn.execute("SELECT to_regnamespace(%s)", (dumped,)).fetchone()[0] is not None:
            raise BackupError(
                f"the backup's schema {dumped} exists in the target database: restore with LINLI_PG_SCHEMA="
                f"{manifest['pg_schema']} and --replace, or into another database"
            )
    places = [f"{prefix}_events", f"{prefix}_views"]
    aside = [schema for schema in places if _rename_schema(settings, schema, f"{schema}_replaced")]
    try:
        _pg_tool(settings, ["pg_restore", "--single-transaction", "--exit-on-error", str(source / "events.pgdump")])
        if dumped != wanted:
            _rename_schema(settings, dumped, wanted)
        _load_keys(settings, keys, erased)
    except BaseException:
        with settings.pg_connect() as conn:
            for schema in {*places, dumped}:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        for schema in aside:
            _rename_schema(settings, f"{schema}_replaced", schema)
        raise
    with settings.pg_connect() as conn:
        for schema in aside:
            conn.execute(f'DROP SCHEMA "{schema}_replaced" CASCADE')


def _rename_schema(settings: Settings, schema: str, to: str) -> bool:
    """Rename the schema if it exists; whether it did."""
    with settings.pg_connect() as conn:
        if conn.execute("SELECT to_regnamespace(%s)", (schema,)).fetchone()[0] is None:
            return False
        conn.execute(f'DROP SCHEMA IF EXISTS "{to}" CASCADE')
        conn.execute(f'ALTER SCHEMA "{schema}" RENAME TO "{to}"')
        return True


def _load_keys(settings: Settings, keys: list[tuple[str, bytes]], erased: set[str]) -> None:
    store = KeyStore(settings, migrate=False)
    try:
        store.load(keys, erased, replace=True)
    finally:
        store.close()


def _write_secret(settings: Settings, secret: str) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _write(settings.data_dir / "secret", secret.encode())


async def _rebuild(settings: Settings, manifest: dict[str, Any]) -> str:
    rt = Runtime(settings)
    await rt.start(run_projector=False)
    try:
        await rt.projector.catch_up()
        verdict = await verify(rt.store)
    finally:
        await rt.stop()
    if not verdict.ok:
        raise BackupError(f"the restored log fails its chain at position {verdict.first_bad}: {verdict.reason}")
    if (verdict.head_position, verdict.head) != (manifest["position"], manifest["head"]):
        raise BackupError(
            f"the restored log ends at {verdict.head_position} ({verdict.head}), the manifest says "
            f"{manifest['position']} ({manifest['head']})"
        )
    return verdict.head
