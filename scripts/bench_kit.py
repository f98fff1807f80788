"""The bench's shared kit: servers started and stopped, wrk driving request lines, residents and proposals seeded
straight through the application, sign-ins, a bare Litestar baseline, process sizes."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx

from backend.community.domain.community import Community, community_id_for
from backend.config import load_settings
from backend.contexts import PASSES
from backend.deliberation.domain.proposal import Proposal
from backend.kernel.context import Ctx
from backend.residents.commands import hasher, phone_claim_id, signin_code_id
from backend.residents.domain.household import Household
from backend.residents.domain.phone_claim import PhoneClaim
from backend.residents.domain.resident import Resident
from backend.residents.domain.signin_code import SignInCode
from backend.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench2026"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args: list[str], env: dict[str, str], health: str) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        args, env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(health, timeout=1).status_code < 500:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit(f"server {args} did not start")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def drive(base: str, lines: list[str], concurrency: int, seconds: int) -> dict[str, Any]:
    """Replay request lines with wrk (C, one thread) for `seconds`: the load generator must not be the limit."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as listing:
        listing.write("\n".join(lines) + "\n")
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "-s",
            str(ROOT / "scripts" / "bench_wrk.lua"),
            base,
            "--",
            listing.name,
            "1",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(listing.name)
    result = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def seed(rt: Runtime, residents: int, proposals: int, cosigns_each: int = 0) -> tuple[UUID, list[str], list[UUID]]:
    """Residents, proposals and optional co-signs saved straight through the application, many per transaction.
    (Setup only: the measured paths go through the web app or the projector.)"""
    now = datetime.now(UTC)
    cid = community_id_for("bench")
    ctx = Ctx(cid, None, now)
    community = Community.found(ctx, "压测社区", "bench")
    community.set_rule(ctx, "cosign_threshold", 10_000, now.date())
    rt.store.save(community)
    password_hash = hasher.hash(PASSWORD)
    phones, ids, batch = [], [], []
    households: dict[str, Household] = {}
    for n in range(residents):
        phone = f"137{n:08d}"
        resident_id = uuid4()
        room = f"{n % 4 + 1}01室"
        if f"{n // 4}|{room}" not in households:
            households[f"{n // 4}|{room}"] = household = Household.register(ctx, f"{n // 4}栋", "", room, "")
            batch.append(household)
        resident = Resident.register(
            Ctx(cid, None, now),
            resident_id,
            households[f"{n // 4}|{room}"],
            rt.personal.seal(resident_id, f"居民{n}"),
            rt.personal.seal(resident_id, phone),
            "",
            password_hash,
        )
        resident.verify(ctx)
        claim = PhoneClaim.start(
            PhoneClaim.Claimed, Ctx(cid, None, now), phone_claim_id(rt, phone), resident_id=resident.id
        )
        batch += [resident, claim]
        phones.append(phone)
        ids.append(resident.id)
        if len(batch) >= 400:
            rt.store.save(*batch)
            batch = []
    proposal_ids = []
    for n in range(proposals):
        author = ids[n % len(ids)]
        proposal = Proposal.submit(
            Ctx(cid, author, now), uuid4(), f"议题 {n}", "压测用的议题说明。" * 5, "other", [], 10_000
        )
        for k in range(cosigns_each):
            signer = ids[(n + 1 + k) % len(ids)]
            if signer != author:
                proposal.cosign(Ctx(cid, signer, now), signer)
        batch.append(proposal)
        proposal_ids.append(proposal.id)
        if len(batch) >= 50:
            rt.store.save(*batch)
            batch = []
    if batch:
        rt.store.save(*batch)
    return cid, phones, proposal_ids


async def with_runtime(data_dir: Path, body: Any, run_projector: bool = False) -> Any:
    rt = Runtime(load_settings(data_dir=data_dir, database_url=""), passes=PASSES)
    await rt.start(run_projector=run_projector)
    try:
        return await body(rt)
    finally:
        await rt.stop()


async def sign_in_all(base: str, phones: list[str]) -> list[tuple[dict[str, str], str]]:
    semaphore = asyncio.Semaphore(4)

    async def one(phone: str) -> tuple[dict[str, str], str]:
        async with semaphore, httpx.AsyncClient(base_url=base, timeout=30) as client:
            await client.get("/signin")
            token = client.cookies["csrftoken"]
            response = await client.post("/signin", data={"phone": phone, "password": PASSWORD, "_csrf_token": token})
            assert response.status_code == 303, response.status_code
            return dict(client.cookies), client.cookies["csrftoken"]

    return await asyncio.gather(*(one(p) for p in phones))


def seed_with_codes(rt: Runtime, residents: int) -> tuple[UUID, list[UUID]]:
    """`residents` with one-time sign-in codes "bench-<n>" (no argon2 per sign-in)."""
    cid, _, _ = seed(rt, residents, 0)
    now = datetime.now(UTC)
    ctx = Ctx(cid, None, now)
    ids = [
        n.originator_id
        for n in rt.store.recorder.select_notifications(1, 10 * residents + 10)
        if n.topic.endswith("Resident.Registered")
    ]
    codes = [
        SignInCode.issue(ctx, signin_code_id(rt, f"bench-{k}"), rt.store.repository.get(r), now + timedelta(days=1))
        for k, r in enumerate(ids)
    ]
    for start in range(0, len(codes), 500):
        rt.store.save(*codes[start : start + 500])
    return cid, ids


async def code_sign_in_all(base: str, count: int) -> list[tuple[dict[str, str], str]]:
    semaphore = asyncio.Semaphore(8)

    async def one(k: int) -> tuple[dict[str, str], str]:
        async with semaphore, httpx.AsyncClient(base_url=base, timeout=30) as client:
            await client.get(f"/signin/code/bench-{k}")
            token = client.cookies["csrftoken"]
            response = await client.post(f"/signin/code/bench-{k}", data={"_csrf_token": token})
            assert response.status_code == 303, response.status_code
            return dict(client.cookies), client.cookies["csrftoken"]

    return await asyncio.gather(*(one(k) for k in range(count)))


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (the supervisor and its web processes under LINLI_WORKERS)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(descendant for child in children for descendant in process_tree(int(child)))]


def rss_kb_of(pid: int) -> int:
    return int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))


def processes() -> str:
    workers = int(os.environ.get("LINLI_WORKERS", "1"))
    return "one web process" if workers == 1 else f"{workers} web processes (`LINLI_WORKERS={workers}`)"


def database_name() -> str:
    url = os.environ.get("LINLI_DATABASE_URL", "")
    return "PostgreSQL" if url.startswith(("postgresql://", "postgres://")) else "SQLite"


def bench_bare(seconds: int, concurrency: int) -> dict[str, Any]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(
        [
            str(BIN / "uvicorn"),
            "scripts.bench_bare:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--ws",
            "websockets-sansio",
            "--workers",
            os.environ.get("LINLI_WORKERS", "1"),
        ],
        {},
        base + "/bare",
    )
    try:
        return drive(base, ["POST\t/bare\t\tx=1\t"], concurrency, seconds)
    finally:
        stop(server)
