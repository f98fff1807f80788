"""Several Linli hosts on one PostgreSQL database behind a real nginx, started as a deployment starts them: each host
is its own `linli serve` process with its own data dir (nothing shared on disk), started from the ExecStartPre and
ExecStart lines of deploy/systemd/linli.service; the balancer is Debian's nginx running deploy/nginx/linli.conf with
the hosts' addresses and its port put in. Used by the several-hosts test (hosts/) and `scripts/bench --city`.

With `netns=True` (the test, where it runs as root) each host is put in a network namespace of its own, joined to
the machine by a veth pair: the balancer reaches it at its own address over a link, as it would reach another
machine, and the host cannot reach the others' ports. Its database is then reached over PostgreSQL's Unix socket
(a namespace has its own loopback, but the filesystem is the machine's)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit
from uuid import UUID

import httpx

from backend.config import Settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
UNIT = ROOT / "deploy" / "systemd" / "linli.service"
SITE = ROOT / "deploy" / "nginx" / "linli.conf"
PG_URL = os.environ.get("LINLI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_SOCKET_DIR = os.environ.get("LINLI_TEST_POSTGRES_SOCKET_DIR", "/var/run/postgresql")


def socket_url(url: str, socket_dir: str = PG_SOCKET_DIR) -> str:
    """The same database, user and password as `url`, reached over the server's Unix socket in `socket_dir`."""
    parts = urlsplit(url)
    auth = parts.netloc.rpartition("@")[0]
    query = f"host={quote(socket_dir, safe='/')}&port={parts.port or 5432}"
    return urlunsplit((parts.scheme, f"{auth}@" if auth else "", parts.path, query, ""))


PG_SOCKET_URL = socket_url(PG_URL)


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


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")


def netns_usable() -> bool:
    """Root with iproute2, the kernel lets a namespace be made (it does on this machine kind, CI included), and the
    database answers on its Unix socket."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        return False
    probe = f"linli-probe{os.getpid()}"
    if subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode != 0:
        return False
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    try:  # the hosts inside reach the database over its socket: as this user, as they will
        import psycopg

        psycopg.connect(PG_SOCKET_URL, connect_timeout=3).close()
    except Exception:  # any failure (no socket there, peer authentication refusing this user): the loopback
        return False
    return True


@dataclass
class Netns:
    """A network namespace with one veth pair to the machine: `outer` (the machine's end) and `address` (the
    host's end), a /30 of their own."""

    name: str
    outer: str
    address: str

    @classmethod
    def numbered(cls, n: int) -> Netns:
        net = f"10.{200 + os.getpid() % 50}.{n}"  # runs of other processes on the machine take other subnets
        return cls(f"linli{os.getpid()}h{n}", f"{net}.1", f"{net}.2")

    def up(self) -> None:
        outside, inside = f"lo{self.name[-9:]}", f"li{self.name[-9:]}"  # interface names are at most 15 bytes
        _ip("netns", "add", self.name)
        _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        _ip("link", "set", inside, "netns", self.name)
        _ip("addr", "add", f"{self.outer}/30", "dev", outside)
        _ip("link", "set", outside, "up")
        _ip("-n", self.name, "addr", "add", f"{self.address}/30", "dev", inside)
        _ip("-n", self.name, "link", "set", inside, "up")
        _ip("-n", self.name, "link", "set", "lo", "up")

    def down(self) -> None:
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)  # takes its veth pair with it


@dataclass
class Host:
    name: str
    port: int
    data_dir: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None
    netns: Netns | None = None

    @property
    def address(self) -> str:
        return self.netns.address if self.netns is not None else "127.0.0.1"

    @property
    def base(self) -> str:
        return f"http://{self.address}:{self.port}"

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
        if host.netns is not None:  # the same commands, run inside the host's namespace
            inside = ["ip", "netns", "exec", host.netns.name]  # which execs the command: the pid is the host's
            before, serve = [inside + c for c in before], inside + serve
            env |= {
                "LINLI_HOST": host.address,
                "LINLI_TRUSTED_PROXIES": host.netns.outer,  # the balancer, seen from the host
                "LINLI_DATABASE_URL": PG_SOCKET_URL,
            }
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

    def up(self, count: int, nginx: str, netns: bool = False) -> None:
        """`count` hosts (each in a network namespace of its own with `netns`), then the balancer in front of them."""
        for n in range(count):
            host = Host(f"host{n + 1}", free_port(), self.work / f"host{n + 1}", self.work / f"host{n + 1}.log")
            self.hosts.append(host)
            if netns:
                host.netns = Netns.numbered(n + 1)
                host.netns.up()
            self.start(host)
        listen = free_port()
        config = nginx_config(self.work, listen, [(h.address, h.port) for h in self.hosts])
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
            if host.netns is not None:
                host.netns.down()
        self.hosts = []

    def leaders(self) -> list[Host]:
        """The living hosts whose process holds the projector's lock, as every living host's /healthz names it (by
        pid: each host here is one web process on this machine)."""
        alive = [h for h in self.hosts if h.alive]
        named = {(h.health().get("leader") or {}).get("pid") for h in alive}
        return [h for h in alive if h.process is not None and h.process.pid in named]


def nginx_config(work: Path, listen: int, hosts: list[tuple[str, int]]) -> Path:
    """The shipped site, with these hosts and this port, inside a main config of its own (no root, no daemon)."""
    site = SITE.read_text()
    servers = "".join(f"    server {a}:{p} max_fails=1 fail_timeout=5s;\n" for a, p in hosts)
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
