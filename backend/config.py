"""Settings read once from the environment (LINLI_*)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlparse


def usable_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's)."""
    return len(os.sched_getaffinity(0))


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: Path("var"))
    database_url: str = ""
    pg_schema: str = "linli"
    host: str = "127.0.0.1"
    port: int = 8000
    demo: bool = False
    projector_inline: bool = True
    secret: str = ""
    signin_per_minute: int = 20
    push_local: bool = False  # Web Push endpoints on this machine or a private network (development, tests)
    # Where residents reach the deployment (https://… behind TLS): cookies are then Secure and HSTS is sent.
    public_url: str = ""
    # Proxies (addresses or networks) whose X-Forwarded-Proto and X-Forwarded-For are believed: a request they
    # forward as https gets Secure cookies and HSTS, while plain-http local use keeps working.
    trusted_proxies: tuple[str, ...] = ()
    # Redis for the sessions and the sign-in rate counters of every host (backend.web.stores); empty: PostgreSQL
    # (with LINLI_DATABASE_URL) or the data dir's files.
    redis_url: str = field(default="", repr=False)
    # The key store on PostgreSQL through its own connection (its own role), so the log's role need not read the
    # keys; empty: the same database and role as the log (the schema `<pg_schema>_keys` either way).
    keys_database_url: str = field(default="", repr=False)
    backup_passphrase: str = field(default="", repr=False)  # `linli backup` encrypts the keys' copy with it
    # web processes sharing the port, one event loop per core; the first runs the projector and the deadlines
    workers: int = field(default_factory=usable_cores)
    hub: str = ""  # set by `linli serve` in each of several web processes: the first one's socket for the others
    leader: bool = True  # this web process runs the projector (the only one, or the first of several)
    log_origin: str = ""  # the name on the log's signed checkpoints (default "linli/<host name>"; fixed at the first)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @property
    def https_only(self) -> bool:
        """Every request arrives over https (the public URL says so)."""
        return self.public_url.lower().startswith("https://")

    @property
    def events_path(self) -> Path:
        return self.data_dir / "events.sqlite3"

    @property
    def views_path(self) -> Path:
        return self.data_dir / "views.sqlite3"

    @property
    def keys_path(self) -> Path:
        """The key store, apart from the log (backend.kernel.keystore)."""
        return self.data_dir / "keys.sqlite3"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    def pg_params(self, database_url: str = "") -> dict[str, str]:
        """The URL's parts, as libpq reads them: `?host=/var/run/postgresql` (a directory) reaches the server over
        its Unix socket, as psycopg, asyncpg and pg_dump all accept a directory for a host (a host in its own network
        namespace reaches a server on the same machine that way: the filesystem is shared, the loopback is not)."""
        url = urlparse(database_url or self.database_url)
        query = parse_qs(url.query)
        return {
            "host": query.get("host", [""])[0] or url.hostname or "127.0.0.1",
            "port": str(url.port or query.get("port", ["5432"])[0]),
            "user": unquote(url.username or "postgres"),  # percent-encoded in a URL, as "p%40ss" for "p@ss"
            "password": unquote(url.password or ""),
            "dbname": (url.path or "/postgres").lstrip("/") or "postgres",
        }

    def pg_dsn(self) -> str:
        """The database as one URL for libraries that take only a DSN (a socket directory as the `host` parameter)."""
        pg = self.pg_params()
        auth = quote(pg["user"], safe="") + (":" + quote(pg["password"], safe="") if pg["password"] else "")
        if pg["host"].startswith("/"):
            return f"postgresql://{auth}@/{pg['dbname']}?host={quote(pg['host'])}&port={pg['port']}"
        return f"postgresql://{auth}@{pg['host']}:{pg['port']}/{pg['dbname']}"

    @contextlib.contextmanager
    def setup_lock(self) -> Iterator[None]:
        """Held while tables are created or migrated: processes starting together (the web processes, a projector)
        do it one after another. PostgreSQL refuses two sessions creating one type or replacing one function at
        once ("duplicate key value", "tuple concurrently updated"), and two migrations would both apply."""
        if self.is_postgres:
            with self.pg_connect() as conn:  # the lock goes with the connection
                conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (f"linli setup {self.pg_schema}",))
                yield
        else:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            with open(self.data_dir / "setup.lock", "a") as lock:  # the lock goes with the file
                fcntl.flock(lock, fcntl.LOCK_EX)
                yield

    def pg_connect(self, database_url: str = "") -> Any:
        """A psycopg connection in autocommit mode to the configured PostgreSQL database (or to this URL's)."""
        import psycopg

        pg = self.pg_params(database_url)
        return psycopg.connect(
            host=pg["host"],
            port=int(pg["port"]),
            user=pg["user"],
            password=pg["password"] or None,
            dbname=pg["dbname"],
            autocommit=True,
        )

    def ensure_secret(self) -> str:
        """The deployment's secret (sessions, CSRF, the phone digests' pepper, the command seals): LINLI_SECRET, else
        one kept in the data dir's `secret` file — made there on first use on SQLite (one host).

        On PostgreSQL the deployment may have several hosts, each with its own data dir: a secret made per host
        would give each its own phone digests (one phone, two accounts), seals and sessions. Nor is it kept in the
        database (the key store's `secret:` rows): what the seals and the phone digests promise rests on the secret
        being out of reach of whoever reads the database (backend.kernel.seals; README: the phone digest "without the
        deployment secret reveals nothing"). So without LINLI_SECRET a PostgreSQL host refuses to start, unless its
        data dir already has the file (a host set up before, or `linli restore`, which writes it); the key store pins
        the secret's fingerprint either way (backend.kernel.personal), so a second host with another secret refuses
        too."""
        if self.secret:
            return self.secret
        path = self.data_dir / "secret"
        if not path.exists() and self.is_postgres:
            raise SecretMissing(
                "LINLI_SECRET is not set: on PostgreSQL every host of a deployment must be started with the same "
                "LINLI_SECRET, a long random string (`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


class SecretMissing(RuntimeError):
    """A PostgreSQL host started without the deployment's secret (Settings.ensure_secret)."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def load_settings(**overrides: object) -> Settings:
    env = os.environ
    values: dict[str, object] = {
        "data_dir": Path(env.get("LINLI_DATA_DIR", "var")),
        "database_url": env.get("LINLI_DATABASE_URL", ""),
        "pg_schema": env.get("LINLI_PG_SCHEMA", "linli"),
        "host": env.get("LINLI_HOST", "127.0.0.1"),
        "port": int(env.get("LINLI_PORT", "8000")),
        "demo": _flag(env.get("LINLI_DEMO")),
        "projector_inline": env.get("LINLI_PROJECTOR", "inline") == "inline",
        "secret": env.get("LINLI_SECRET", ""),
        "signin_per_minute": int(env.get("LINLI_SIGNIN_PER_MINUTE", "20")),
        "log_origin": env.get("LINLI_LOG_ORIGIN", ""),
        "push_local": _flag(env.get("LINLI_PUSH_LOCAL")),
        "keys_database_url": env.get("LINLI_KEYS_DATABASE_URL", ""),
        "backup_passphrase": env.get("LINLI_BACKUP_PASSPHRASE", ""),
        "public_url": env.get("LINLI_PUBLIC_URL", "").strip().rstrip("/"),
        "trusted_proxies": tuple(p.strip() for p in env.get("LINLI_TRUSTED_PROXIES", "").split(",") if p.strip()),
        "redis_url": env.get("LINLI_REDIS_URL", "").strip(),
        "workers": int(env["LINLI_WORKERS"]) if env.get("LINLI_WORKERS") else usable_cores(),
        "hub": env.get("LINLI_HUB", ""),
        "leader": env.get("LINLI_LEADER", "1") != "0",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
