"""Several Linli hosts on one PostgreSQL database behind a real nginx, started as a deployment starts them: each host
is its own `linli serve` process with its own data dir (nothing shared on disk), started from the ExecStartPre and
ExecStart lines of deploy/systemd/linli.service; the balancer is Debian's nginx running deploy/nginx/linli.conf with
the hosts' addresses and its port put in. Used by the several-hosts test (hosts/) and `scripts/bench --city`."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from backend.config import Settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
UNIT = ROOT / "deploy" / "systemd" / "linli.service"
SITE = ROOT / "deploy" / "nginx" / "linli.conf"
PG_URL = os.environ.get("LINLI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def cluster_env(prefix: str, secret: str) -> dict[str, str]:
    """What every host of a test or bench deployment is started with: one database and schema, one secret, one web
    process each, sign-in limits out of the way (every resident signs in from 127.0.0.1), the balancer believed."""
    return {
        **os.environ,
        "LINLI_DATABASE_URL": PG_URL,
        "LINLI_PG_SCHEMA": prefix,
        "LINLI_SECRET": secret,
        "LINLI_WORKERS": "1",
        "LINLI_SIGNIN_PER_MINUTE": "1000000",
        "LINLI_TRUSTED_PROXIES": "127.0.0.1",
        "LINLI_DEMO": "",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def unit_commands() -> list[list[str]]:
    """The unit's ExecStartPre and ExecStart, with this checkout's venv in place of /opt/linli/.venv."""
    lines = re.findall(r"^ExecStart(?:Pre)?=(.+)$", UNIT.read_text(), re.M)
    return [line.replace("/opt/linli/.venv/bin/", f"{BIN}/").split() for line in lines]


def wait_healthy(base: str, process: subprocess.Popen[bytes] | None, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError(f"{base} did not come up:\n{log.read_text()[-3000:] if log.exists() else ''}")


@dataclass
class Host:
    name: str
    port: int
    data_dir: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def health(self) -> dict[str, Any]:
        return dict(httpx.get(self.base + "/healthz", timeout=5).json())


@dataclass
class Cluster:
    env: dict[str, str]
    prefix: str
    work: Path
    meeting_id: UUID
    hosts: list[Host] = field(default_factory=list)
    balancer: str = ""
    nginx: subprocess.Popen[bytes] | None = None

    def settings(self, data_dir: Path) -> Settings:
        return Settings(data_dir=data_dir, database_url=PG_URL, pg_schema=self.prefix, secret=self.env["LINLI_SECRET"])

    def start(self, host: Host) -> None:
        env = {**self.env, "LINLI_DATA_DIR": str(host.data_dir), "LINLI_PORT": str(host.port)}
        *before, serve = unit_commands()
        for command in before:
            done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(
                    f"{' '.join(command)} failed on {host.name}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
                )
        out = open(host.log, "ab")  # noqa: SIM115 - the host's output, for as long as it runs
        host.process = subprocess.Popen(serve, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        wait_healthy(host.base, host.process, host.log)

    def kill(self, host: Host) -> None:
        """kill -9: no goodbye to the database, the balancer or the other hosts."""
        assert host.process is not None
        host.process.send_signal(signal.SIGKILL)
        host.process.wait(10)

    def up(self, count: int, nginx: str) -> None:
        """`count` hosts, then the balancer in front of them."""
        for n in range(count):
            host = Host(f"host{n + 1}", free_port(), self.work / f"host{n + 1}", self.work / f"host{n + 1}.log")
            self.hosts.append(host)
            self.start(host)
        listen = free_port()
        config = nginx_config(self.work, listen, [h.port for h in self.hosts])
        self.nginx = subprocess.Popen(
            [nginx, "-p", str(self.work), "-c", str(config), "-e", str(self.work / "nginx-error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        self.balancer = f"http://127.0.0.1:{listen}"
        wait_healthy(self.balancer, self.nginx, self.work / "nginx-error.log")

    def down(self) -> None:
        """The balancer and every host stopped as systemd stops them (SIGTERM, then SIGKILL after a while)."""
        if self.nginx is not None:
            self.nginx.terminate()
            self.nginx.wait(10)
            self.nginx = None
        for host in self.hosts:
            if host.alive:
                assert host.process is not None
                host.process.terminate()
                try:
                    host.process.wait(20)
                except subprocess.TimeoutExpired:
                    host.process.kill()
                    host.process.wait(10)
        self.hosts = []

    def leaders(self) -> list[Host]:
        """The living hosts whose process holds the projector's lock, as every living host's /healthz names it (by
        pid: each host here is one web process on this machine)."""
        alive = [h for h in self.hosts if h.alive]
        named = {(h.health().get("leader") or {}).get("pid") for h in alive}
        return [h for h in alive if h.process is not None and h.process.pid in named]


def nginx_config(work: Path, listen: int, ports: list[int]) -> Path:
    """The shipped site, with these hosts and this port, inside a main config of its own (no root, no daemon)."""
    site = SITE.read_text()
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in ports)
    site, found = re.subn(r"(upstream linli \{\n(?:\s*#.*\n)*)(\s*server .*\n)+", lambda m: m.group(1) + servers, site)
    assert found == 1, "the site's upstream block"
    site, found = re.subn(r"listen 80;", f"listen 127.0.0.1:{listen};", site)
    assert found == 1, "the site's listen line"
    (work / "site.conf").write_text(site)
    main = f"""daemon off;
worker_processes 1;
worker_rlimit_nofile 16384;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {work}/client_body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    include {work}/site.conf;
}}
"""
    (work / "nginx.conf").write_text(main)
    return work / "nginx.conf"


def drop_schemas(prefix: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as db:
        found = db.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"{prefix}\\_%",)).fetchall()
        for (schema,) in found:
            db.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
