"""The several-hosts test's cluster (scripts/cluster.py): three hosts and nginx, on fresh PostgreSQL schemas dropped
afterwards; each host in a network namespace of its own, behind a veth pair, when the test runs as root. Seeded
before the hosts start: residents with one-time sign-in codes and a residents' meeting with its
ballot open (scripts/bench_votes.py's seeding)."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.runtime import Runtime  # noqa: E402
from scripts.bench_votes import seed_ballot  # noqa: E402
from scripts.cluster import BIN, PG_URL, Cluster, cluster_env, drop_schemas, netns_usable  # noqa: E402

HOSTS = 3
VOTERS = 400

__all__ = ["BIN", "ROOT", "VOTERS", "Cluster"]


def _required(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: required)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        _required("nginx is not installed (scripts/test installs it as root)")
    try:
        import psycopg

        psycopg.connect(PG_URL, connect_timeout=3).close()
    except Exception:  # any failure to connect means no PostgreSQL here
        _required(f"PostgreSQL not reachable at {PG_URL}")
    work = Path(tempfile.mkdtemp(prefix="linli-hosts-"))
    prefix = f"hosts{os.getpid()}"
    env = cluster_env(prefix, secrets.token_urlsafe(48))
    seeding = Cluster(env, prefix, work, UUID(int=0))

    async def seed() -> UUID:
        rt = Runtime(seeding.settings(work / "seed"))
        await rt.start(run_projector=False)
        try:
            meeting_id = seed_ballot(rt, VOTERS)
            await rt.projector.catch_up()
            return meeting_id
        finally:
            await rt.stop()

    cluster = Cluster(env, prefix, work, asyncio.run(seed()))
    shutil.rmtree(work / "seed", ignore_errors=True)  # the seeding's data dir: no host has it
    try:
        # Each host in a network namespace of its own where that can be made (as root, as in scripts/test and CI)
        cluster.up(HOSTS, nginx, netns=netns_usable())
        yield cluster
    finally:
        cluster.down()
        drop_schemas(prefix)
        shutil.rmtree(work, ignore_errors=True)
