"""scripts/bench --casework-only: 200 communities of one street, 5 grids each (a 网格员 per grid), and N cases in the
log spread over the past year as they would be (closed when old — rated, some unrated, some reopened by 不满意 and
answered again, some whistled to a department that reported in and answered —, open in the last week: waiting,
in hand, answered; some overdue). Seeded through the aggregates, many per transaction (setup only). Measured: the
views built by the projector; a rebuild of the casework views alone, in events/s; then, through `linli serve`, the
grid worker's queue (`GET /grid`) and the street's dashboard (`GET /street/cases`), each beside a bare Litestar GET
in the same run.

With LINLI_DATABASE_URL set (a PostgreSQL URL) the log and the views live there, in fresh schemas
(`benchcw<pid>_<size>_…`) dropped afterwards; otherwise SQLite in a temporary data dir."""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4, uuid5

import httpx

from backend.casework.domain.case import Case
from backend.casework.domain.deadlines import Handler, Terms
from backend.casework.domain.department import Department
from backend.casework.domain.grid_plan import GridPlan
from backend.casework.domain.rules import CASE_NAMESPACE, DEFAULT_MATTERS, WHISTLE
from backend.community.domain.community import Community, community_id_for
from backend.config import load_settings
from backend.contexts import PASSES
from backend.kernel.context import Ctx
from backend.residents.commands import signin_code_id
from backend.residents.domain.household import Household
from backend.residents.domain.resident import Resident
from backend.residents.domain.signin_code import SignInCode
from backend.runtime import Runtime

STREET = "压测街道"
GRIDS = 5
RAISERS = 10  # residents per community who raise cases
SIGNED_IN = 20  # grid workers whose queues are requested in turn
DEPARTMENTS = (("供电所", "power", "power"), ("城管", "city", "city"), ("派出所", "police", "safety"),
               ("物业公司", "property", "property"), ("市场监管所", "market", "market"))  # fmt: skip


def database_url() -> str:
    """The PostgreSQL URL the bench runs on (LINLI_DATABASE_URL), or "" for SQLite."""
    url = os.environ.get("LINLI_DATABASE_URL", "")
    return url if url.startswith(("postgresql://", "postgres://")) else ""


def database_label() -> str:
    return "PostgreSQL" if database_url() else "SQLite"


async def with_runtime(data_dir: Path, schema: str, body: Any) -> Any:
    """A runtime on the bench's database: SQLite in `data_dir`, or PostgreSQL in the schemas `<schema>_*`."""
    url = database_url()
    settings = load_settings(data_dir=data_dir, database_url=url, **({"pg_schema": schema} if url else {}))
    rt = Runtime(settings, passes=PASSES)
    await rt.start(run_projector=False)
    try:
        return await body(rt)
    finally:
        await rt.stop()


def _on_postgres(statement: str, schema: str, each: str) -> None:
    """On the bench's PostgreSQL (nothing on SQLite): run `each` (formatted with the name found) for every name
    `statement` finds with `schema` as its parameter."""
    url = database_url()
    if not url:
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        for (name,) in db.execute(statement, (schema,)).fetchall():
            db.execute(each.format(name=name))


def drop_schemas(schema: str) -> None:
    _on_postgres(
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
        f"{schema}\\_%",
        'DROP SCHEMA IF EXISTS "{name}" CASCADE',
    )


def analyze(schema: str) -> None:
    """PostgreSQL: VACUUM ANALYZE the views, as autovacuum would have by the time anyone reads them. This machine's
    server runs with autovacuum off; without statistics the planner counts the street's overdue cases with a scan
    of every case (38 ms at 100,000) instead of the (community, due) index, and without the visibility map no count
    is index-only."""
    _on_postgres(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s",
        f"{schema}_views",
        'VACUUM (ANALYZE) "' + schema + '_views"."{name}"',
    )


class World:
    def __init__(self) -> None:
        self.workers: dict[UUID, list[tuple[UUID, UUID]]] = {}  # community -> [(grid, worker)]
        self.raisers: dict[UUID, list[UUID]] = {}
        self.departments: dict[str, UUID] = {}
        self.signed_in: list[UUID] = []


def _resident(rt: Runtime, ctx: Ctx, household: Household, name: str, *roles: str) -> Resident:
    resident_id = uuid4()
    resident = Resident.register(
        ctx, resident_id, household, rt.personal.seal(resident_id, name), rt.personal.seal(resident_id, ""), "", ""
    )
    resident.verify(ctx)
    for role in roles:
        resident.grant(ctx, role, street=STREET if role == "street_operator" else "")
    return resident


def seed_places(rt: Runtime, communities: int, now: datetime) -> World:
    """The street's communities, their grids, workers and raisers, the departments, and sign-in codes "cw-<k>" for
    the first SIGNED_IN workers and "cw-operator" for the street's operator."""
    world, start = World(), now - timedelta(days=400)
    batch: list[Any] = []
    for c in range(communities):
        cid = community_id_for(f"cw{c}")
        ctx = Ctx(cid, None, start)
        community = Community.found(ctx, f"压测社区{c}", f"cw{c}")
        community.set_street(ctx, STREET)
        plan = GridPlan.open(ctx)
        batch += [community, plan]
        world.workers[cid], world.raisers[cid] = [], []
        for g in range(GRIDS):
            building = f"{g + 1}栋"
            household = Household.register(ctx, building, "1单元", "101室", "")
            worker = _resident(rt, ctx, household, f"网格员{c}-{g}", "grid_worker")
            grid_id = plan.draw(ctx, f"第{g + 1}网格")
            plan.add_building(ctx, grid_id, building)
            plan.assign_worker(ctx, grid_id, worker.id, holds_role=True)
            world.workers[cid].append((grid_id, worker.id))
            batch += [household, worker]
            if len(world.signed_in) < SIGNED_IN and g == c % GRIDS:
                code = SignInCode.issue(
                    ctx, signin_code_id(rt, f"cw-{len(world.signed_in)}"), worker, now + timedelta(days=2)
                )
                world.signed_in.append(worker.id)
                batch.append(code)
        for r in range(RAISERS):
            household = Household.register(ctx, f"{r % GRIDS + 1}栋", "2单元", f"{r + 1}01室", "")
            raiser = _resident(rt, ctx, household, f"居民{c}-{r}")
            world.raisers[cid].append(raiser.id)
            batch += [household, raiser]
        if c == 0:
            household = Household.register(ctx, "1栋", "3单元", "301室", "")
            operator = _resident(rt, ctx, household, "街道工作人员", "street_operator")
            code = SignInCode.issue(ctx, signin_code_id(rt, "cw-operator"), operator, now + timedelta(days=2))
            batch += [household, operator, code]
            for name, kind, category in DEPARTMENTS:
                department = Department.register(ctx, STREET, name, kind, [category])
                world.departments[category] = department.id
                batch.append(department)
        if len(batch) >= 300:
            rt.store.save(*batch)
            batch = []
    if batch:
        rt.store.save(*batch)
    return world


def _item(world: World, n: int) -> Any:
    item = DEFAULT_MATTERS[n % len(DEFAULT_MATTERS)]
    return replace(item, department_id=world.departments.get(item.code)) if item.handling == WHISTLE else item


def _raised(world: World, n: int, cid: UUID, at: datetime, rng: random.Random) -> Case:
    """The n-th case as it is raised at `at` in a grid of the community."""
    grid_id, _ = world.workers[cid][n // len(world.workers) % GRIDS]
    raiser = world.raisers[cid][n % RAISERS]
    return Case.raise_case(
        Ctx(cid, raiser, at), uuid5(CASE_NAMESPACE, f"bench-{n}"), raiser, "", _item(world, n),
        f"第{n}件诉求：楼道灯不亮。", f"{n // len(world.workers) % GRIDS + 1}栋", "", [], rng.random() < 0.05,
        rng.random() < 0.3, grid_id, Terms(),
    )  # fmt: skip


def _case(world: World, n: int, cid: UUID, now: datetime, rng: random.Random) -> Case:
    """The n-th case: raised in a grid of the community at a moment of the past year, taken as far as its age and
    chance say."""
    age = timedelta(days=365) * rng.random() ** 1.0
    at = now - age
    case = _raised(world, n, cid, at, rng)
    grid_id, worker_id = world.workers[cid][n // len(world.workers) % GRIDS]
    raiser, item, terms = world.raisers[cid][n % RAISERS], _item(world, n), Terms()
    handler = Handler(worker_id, grids=frozenset({grid_id}))
    clerk = Handler(worker_id, clerk=True, grids=frozenset({grid_id}))
    young = age < timedelta(days=7)
    if young and rng.random() < 0.3:
        return case  # waiting in the grid's queue (overdue once its time to accept has passed)
    at += timedelta(minutes=rng.uniform(5, 240))
    if at > now:
        return case
    ctx = Ctx(cid, worker_id, at)
    case.accept(ctx, handler)
    if item.department_id and rng.random() < 0.5:
        unit = item.department_id
        case.whistle_to(ctx, handler, unit, "需要部门处理", terms)
        at += timedelta(hours=rng.uniform(1, 30))
        if at > now:
            return case
        case.report_in(Ctx(cid, None, at), unit)
        at += timedelta(days=rng.uniform(0.2, 4))
        if at > now:
            return case
        case.department_answer(Ctx(cid, None, at), unit, "已处理完毕。", [])
    at += timedelta(days=rng.uniform(0.1, 6))
    if at > now or (young and rng.random() < 0.5):
        return case
    case.answer(Ctx(cid, worker_id, at), handler, "已经处理，请您评价。", [], terms)
    return _rated(case, cid, raiser, worker_id, clerk, at, now, rng, terms)


def _rated(case: Case, cid: UUID, raiser: UUID, worker_id: UUID, clerk: Handler, at: datetime, now: datetime,
           rng: random.Random, terms: Terms) -> Case:  # fmt: skip
    chance = rng.random()
    if chance < 0.2:  # nobody rated within the window: closed as 未评价 by the rounds
        if at + timedelta(days=3, minutes=1) < now:
            case.keep_deadlines(Ctx(cid, None, at + timedelta(days=3, minutes=1)))
        return case
    at += timedelta(hours=rng.uniform(1, 60))
    if at > now:
        return case
    level = "dissatisfied" if chance < 0.28 else "basically_satisfied" if chance < 0.4 else "satisfied"
    outcome = case.rate(Ctx(cid, raiser, at), raiser, level, chance > 0.3, "", "self", terms)
    if outcome != "reopened":
        return case
    at += timedelta(hours=rng.uniform(1, 20))
    if at > now:
        return case
    case.accept(Ctx(cid, worker_id, at), clerk)
    at += timedelta(days=rng.uniform(0.5, 5))
    if at > now:
        return case
    case.answer(Ctx(cid, worker_id, at), clerk, "重新处理了。", [], terms)
    at += timedelta(hours=rng.uniform(1, 60))
    if at < now:
        case.rate(Ctx(cid, raiser, at), raiser, "basically_satisfied", True, "", "self", terms)
    return case


def seed_cases(rt: Runtime, world: World, cases: int, now: datetime) -> None:
    rng = random.Random(22)
    communities = list(world.workers)
    batch: list[Case] = []
    for n in range(cases):
        batch.append(_case(world, n, communities[n % len(communities)], now, rng))
        if len(batch) >= 500:
            rt.store.save(*batch)
            batch = []
    if batch:
        rt.store.save(*batch)


async def code_sign_in(base: str, codes: list[str]) -> list[str]:
    """A session cookie per sign-in code (no argon2)."""

    async def one(code: str) -> str:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            await client.get(f"/signin/code/{code}")
            token = client.cookies["csrftoken"]
            response = await client.post(f"/signin/code/{code}", data={"_csrf_token": token})
            assert response.status_code == 303, response.status_code
            return "; ".join(f"{k}={v}" for k, v in client.cookies.items())

    return [await one(code) for code in codes]


def settle(base: str, seeded: int, quiet: float = 20.0, limit: float = 300.0) -> dict[str, Any]:
    """Wait until the server's deadline rounds have caught up with the seeded log (no event written for `quiet`
    seconds, more than the 15 s between two rounds): the seeding bypasses the rounds, so a fresh server first sends
    the reminders of every deadline the seeded cases have passed (hundreds with 100,000 cases, up to 500 a round),
    which is not what a running street does each second."""
    started = time.perf_counter()
    last = httpx.get(base + "/healthz", timeout=30).json()["events"]
    still = time.perf_counter()
    while time.perf_counter() - still < quiet and time.perf_counter() - started < limit:
        time.sleep(0.5)
        events = httpx.get(base + "/healthz", timeout=30).json()["events"]
        if events != last:
            last, still = events, time.perf_counter()
    return {"settled_seconds": time.perf_counter() - started - quiet, "rounds_events": last - seeded}


def seed_and_build(data_dir: Path, schema: str, communities: int, cases: int) -> tuple[dict[str, Any], World]:
    """Seed, let the projector build every view, then rebuild the casework views alone (timed)."""

    async def body(rt: Runtime) -> tuple[dict[str, Any], World]:
        now = datetime.now(UTC)
        started = time.perf_counter()
        world = seed_places(rt, communities, now)
        seed_cases(rt, world, cases, now)
        seeded = time.perf_counter() - started
        events = rt.event_count()
        started = time.perf_counter()
        await rt.projector.catch_up()
        projected = time.perf_counter() - started
        started, cpu = time.perf_counter(), time.process_time()
        await rt.projector.reset(["casework"])
        await rt.projector.catch_up()
        rebuilt, rebuilt_cpu = time.perf_counter() - started, time.process_time() - cpu
        casework = _casework_events(rt)
        return world, {
            "cases": cases,
            "events": events,
            "casework_events": casework,
            "seeded_seconds": seeded,
            "projected_seconds": projected,
            "rebuild_seconds": rebuilt,
            "rebuild_eps": events / rebuilt,
            "rebuild_casework_eps": casework / rebuilt,
            # per second of this process's CPU: on SQLite the whole rebuild; steady on a machine shared with others
            "rebuild_cpu_eps": events / rebuilt_cpu,
            "signed_in": len(world.signed_in),
        }

    world, built = asyncio.run(with_runtime(data_dir, schema, body))
    return built, world


class Raising(threading.Thread):
    """A new case raised somewhere in the street every `every` seconds, saved through the aggregate straight into
    the log the server reads (as a phone's form would through the app): each moves every web process's projector,
    so every page kept for a reader is stale and rendered again on its next request."""

    def __init__(self, data_dir: Path, schema: str, world: World, first: int, every: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.data_dir, self.schema, self.world, self.first, self.every = data_dir, schema, world, first, every
        self.done = threading.Event()
        self.raised = 0

    def run(self) -> None:
        async def body(rt: Runtime) -> None:
            rng, communities = random.Random(7), list(self.world.workers)
            while not self.done.wait(self.every):
                n = self.first + self.raised
                rt.store.save(_raised(self.world, n, communities[n % len(communities)], datetime.now(UTC), rng))
                self.raised += 1

        asyncio.run(with_runtime(self.data_dir, self.schema, body))


def _casework_events(rt: Runtime) -> int:
    total, start = 0, 1
    while batch := rt.store.recorder.select_notifications(start, 5000):
        total += sum(1 for n in batch if n.topic.startswith("backend.casework.domain:"))
        start = batch[-1].id + 1
    return total


def bench_casework(
    seconds: int, concurrency: int, sizes: tuple[int, ...], communities: int, tools: dict[str, Any]
) -> dict[str, Any]:
    """`tools`: the bench's free_port, start_server, stop, drive and BIN."""
    found: dict[str, Any] = {"sizes": {}, "database": database_label()}
    for size in sizes:
        data_dir = Path(tempfile.mkdtemp(prefix=f"linli-bench-casework-{size}-"))
        schema = f"benchcw{os.getpid()}_{size}"
        print(f"  {size:,} cases: seeding and projecting ({database_label()})…", flush=True)
        try:
            found["sizes"][size] = _measure(data_dir, schema, communities, size, seconds, concurrency, tools)
        finally:
            drop_schemas(schema)
    print("  bare Litestar GET…", flush=True)
    port = tools["free_port"]()
    base = f"http://127.0.0.1:{port}"
    workers = os.environ.get("LINLI_WORKERS", "1")  # as many uvicorn workers as the server has web processes
    server = tools["start_server"](
        [str(tools["BIN"] / "uvicorn"), "scripts.bench_bare:app", "--port", str(port), "--log-level", "warning",
         "--workers", workers],
        {},
        base + "/bare",
    )  # fmt: skip
    try:
        found["bare"] = tools["drive"](base, ["GET\t/bare\t\t\t"], concurrency, seconds)
    finally:
        tools["stop"](server)
    found["workers"] = int(workers)
    return found


def _measure(
    data_dir: Path, schema: str, communities: int, size: int, seconds: int, concurrency: int, tools: dict[str, Any]
) -> dict[str, Any]:
    built, world = seed_and_build(data_dir, schema, communities, size)
    started = time.perf_counter()
    analyze(schema)
    built["analyzed_seconds"] = time.perf_counter() - started if database_url() else None
    print(
        f"  {size:,} cases: {built['events']:,} events seeded in {built['seeded_seconds']:.0f} s, projected in "
        f"{built['projected_seconds']:.0f} s, casework rebuilt at {built['rebuild_eps']:,.0f} events/s; serving…",
        flush=True,
    )
    port = tools["free_port"]()
    base = f"http://127.0.0.1:{port}"
    env = {"LINLI_DATA_DIR": str(data_dir), "LINLI_PORT": str(port), "LINLI_SIGNIN_PER_MINUTE": "100000"}
    if database_url():
        env |= {"LINLI_DATABASE_URL": database_url(), "LINLI_PG_SCHEMA": schema}
    server = tools["start_server"]([str(tools["BIN"] / "linli"), "serve"], env, base + "/healthz")
    try:
        settled = settle(base, built["events"])
        workers = asyncio.run(code_sign_in(base, [f"cw-{k}" for k in range(built["signed_in"])]))
        [operator] = asyncio.run(code_sign_in(base, ["cw-operator"]))
        month = datetime.now(UTC).strftime("%Y-%m")
        check = httpx.get(base + "/grid", headers={"Cookie": workers[0]}, timeout=30)
        board = httpx.get(base + f"/street/cases?month={month}", headers={"Cookie": operator}, timeout=30)
        assert check.status_code == 200 and board.status_code == 200, (check.status_code, board.status_code)
        queue = tools["drive"](base, [f"GET\t/grid\t{c}\t\t" for c in workers], concurrency, seconds)
        street = tools["drive"](base, [f"GET\t/street/cases?month={month}\t{operator}\t\t"], concurrency, seconds)
        raising = Raising(data_dir, schema, world, first=size)
        raising.start()
        try:
            busy = tools["drive"](base, [f"GET\t/grid\t{c}\t\t" for c in workers], concurrency, seconds)
        finally:
            raising.done.set()
            raising.join()
    finally:
        tools["stop"](server)
    return {**built, **settled, "queue": queue, "street": street, "busy": busy, "raised": raising.raised,
            "queue_bytes": len(check.content), "street_bytes": len(board.content)}  # fmt: skip


def report_casework(result: dict[str, Any], args: Any) -> str:
    bare, database = result["bare"], result["database"]
    workers = result["workers"]
    url = " LINLI_DATABASE_URL=…" if database == "PostgreSQL" else ""
    sizes = ",".join(str(s) for s in result["sizes"])
    lines = [
        f"### Casework — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, {database}, "
        f"{workers} web process{'es' if workers > 1 else ''}",
        "",
        f"`{url.strip()}{' ' if url else ''}scripts/bench --casework-only --seconds {args.seconds} --concurrency "
        f"{args.concurrency} --casework-sizes {sizes} --casework-communities {args.casework_communities}`: "
        f"{args.casework_communities} communities of one street × {GRIDS} grids, the cases spread over the past year "
        "(old ones closed: rated, unrated, reopened and answered again, whistled; the last week's open). Through a "
        f"real server ({database}): a grid worker's queue `GET /grid` ({SIGNED_IN} workers in turn) and the street's "
        "dashboard `GET /street/cases` (its communities and departments ranked, with the overdue backlog), beside a "
        f"bare Litestar GET ({workers} uvicorn worker{'s' if workers > 1 else ''}) in the same run, measured once the "
        "server's deadline rounds had caught up with the seeded cases (no event written for 20 s); the queue again "
        "while a new case is saved into the log every second (each one makes every page kept for its reader stale: "
        "backend/web/kept.py); before serving, "
        "the casework views rebuilt alone (`Projector.reset(['casework'])`, then `catch_up()` over the whole log)"
        + (
            "; then `VACUUM (ANALYZE)` of the views (this machine's PostgreSQL runs with autovacuum off)."
            if database == "PostgreSQL"
            else "."
        ),
        "",
        "| cases | events in the log | queue req/s | ratio to bare | queue p50 / p95 / p99 (ms) | dashboard req/s | "
        "ratio to bare | dashboard p50 / p95 / p99 (ms) | queue req/s, a case raised each second (ratio; p99 ms) | "
        "rebuild: log events/s (casework events/s; per CPU-second) | seeded / projected in (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, r in result["sizes"].items():
        queue, street = r["queue"], r["street"]
        lines.append(
            f"| {size:,} | {r['events']:,} | {queue['rps']:.0f} | {queue['rps'] / bare['rps']:.3f} | "
            f"{queue['p50']:.1f} / {queue['p95']:.1f} / {queue['p99']:.1f} | {street['rps']:.0f} | "
            f"{street['rps'] / bare['rps']:.3f} | {street['p50']:.1f} / {street['p95']:.1f} / {street['p99']:.1f} | "
            f"{r['busy']['rps']:.0f} ({r['busy']['rps'] / bare['rps']:.3f}; {r['busy']['p99']:.1f}; "
            f"{r['raised']} raised) | {r['rebuild_eps']:,.0f} ({r['rebuild_casework_eps']:,.0f}; "
            f"{r['rebuild_cpu_eps']:,.0f}) | "
            f"{r['seeded_seconds']:.0f} / {r['projected_seconds']:.0f} |"
        )
    lines.append(
        f"| bare GET | | {bare['rps']:.0f} | 1.00 | {bare['p50']:.1f} / {bare['p95']:.1f} / {bare['p99']:.1f} "
        "| | | | | | |"
    )
    lines += [
        "",
        "Before measuring, the deadline rounds wrote (from the server's start) "
        + "; ".join(
            f"{r['rounds_events']:,} events in {r['settled_seconds']:.0f} s ({size:,} cases)"
            for size, r in result["sizes"].items()
        )
        + ".",
    ]
    errors = [
        f"{size:,}: queue {r['queue']['non2xx']} non-2xx, {r['queue']['socket_errors']} socket errors; dashboard "
        f"{r['street']['non2xx']}, {r['street']['socket_errors']}"
        for size, r in result["sizes"].items()
    ]
    lines += ["", "Errors: " + "; ".join(errors) + f"; bare {bare['non2xx']}, {bare['socket_errors']}."]
    return "\n".join(lines)
