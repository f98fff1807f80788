"""`scripts/bench --inbox-only [--inbox-residents N]`: a notice to every resident of a community recorded in the inbox
(issue 23: 5,000 residents in <= 5 s), on SQLite, or on PostgreSQL with LINLI_DATABASE_URL set (fresh schemas,
dropped afterwards).

Seeded through the aggregates, many per transaction (setup only): one community, N verified residents in N / 5
households (and a clerk and a supervisor), each of the N opted in on /me/notices to the board's notices (an
Inbox.PreferencesSet of their own); the views caught up. Measured: from the clerk's publish command (the real command,
after the draft was reviewed) until the inbox projection has applied it — N notification rows recorded, one statement
for the batch — as the projector does live. Also: the inbox views rebuilt from zero over the whole log."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from backend.community.domain.community import Community, community_id_for
from backend.config import load_settings
from backend.contexts import PASSES
from backend.disclosure import commands as disclosure
from backend.inbox.domain.inbox import Inbox
from backend.inbox.domain.kinds import KINDS, opt_in_kinds
from backend.inbox.domain.preferences import Preferences
from backend.kernel.context import Ctx
from backend.residents.domain.household import Household
from backend.residents.domain.resident import Resident
from backend.runtime import Runtime
from projections.inbox.tables import NotificationView

PER_HOUSEHOLD = 5
BATCH = 500  # aggregates saved per transaction while seeding


def _database_url() -> str:
    url = os.environ.get("LINLI_DATABASE_URL", "")
    return url if url.startswith(("postgresql://", "postgres://")) else ""


def seed(rt: Runtime, residents: int, now: datetime) -> tuple[Ctx, Ctx]:
    """The community, its households, a clerk and a supervisor, and `residents` residents who opted in (the clerk who
    publishes is not told of their own step); the clerk's and the supervisor's contexts."""
    cid = community_id_for("inboxbench")
    ctx = Ctx(cid, None, now)
    rt.store.save(Community.found(ctx, "压测社区", "inboxbench"))
    batch: list[Any] = []
    household: Household | None = None
    people = []
    wanted = Preferences(opted_in=frozenset({"board_notice"}))
    for n in range(residents + 2):
        if n % PER_HOUSEHOLD == 0:
            household = Household.register(ctx, f"{n // 500 + 1}栋", "1单元", f"{n // PER_HOUSEHOLD + 101}室", "")
            batch.append(household)
        assert household is not None
        resident_id = uuid4()
        resident = Resident.register(
            ctx, resident_id, household, rt.personal.seal(resident_id, f"居民{n}"), rt.personal.seal(resident_id, ""),
            "", "",
        )  # fmt: skip
        resident.verify(ctx)
        if n < 2:
            resident.grant(ctx, ("clerk", "supervisor")[n])
        batch.append(resident)
        if n >= 2:
            own = Ctx(cid, resident_id, now)
            inbox = Inbox.open(own, resident_id)
            inbox.set_preferences(own, wanted, frozenset(KINDS), opt_in_kinds())
            batch.append(inbox)
        people.append(resident_id)
        if len(batch) >= BATCH:
            rt.store.save(*batch)
            batch = []
    if batch:
        rt.store.save(*batch)
    later = now + timedelta(minutes=1)
    return Ctx(cid, people[0], later), Ctx(cid, people[1], later)


async def recorded(rt: Runtime, notice_id: object) -> int:
    return await NotificationView.count().where(
        (NotificationView.kind == "board_notice") & (NotificationView.subject_id == notice_id)
    )


async def main(residents: int) -> dict[str, Any]:
    url = _database_url()
    schema = f"benchinbox{os.getpid()}"
    settings = load_settings(data_dir=Path(tempfile.mkdtemp(prefix="linli-bench-inbox-")), database_url=url,
                             pg_schema=schema, demo=False)  # fmt: skip
    label = "PostgreSQL" if url else "SQLite"
    rt = Runtime(settings, passes=PASSES)
    await rt.start(run_projector=False)
    try:
        began = time.perf_counter()
        clerk, supervisor = seed(rt, residents, datetime.now(UTC) - timedelta(hours=1))
        await rt.projector.catch_up()
        print(f"[{label}] seeded {residents:,} verified residents, opted in, views caught up, "
              f"in {time.perf_counter() - began:.0f} s", flush=True)  # fmt: skip
        made = await disclosure.draft(rt, clerk, "affairs", "停水通知", "12月10日 8:00–12:00 停水检修。")
        notice_id = UUID(made.result["notice_id"])
        await disclosure.submit(rt, clerk, notice_id)
        await disclosure.approve(rt, supervisor, notice_id)
        await rt.projector.catch_up()

        began = time.perf_counter()
        await disclosure.publish(rt, Ctx(clerk.community_id, clerk.actor_id, clerk.now), notice_id)
        await rt.projector.catch_up()
        live = time.perf_counter() - began
        rows = await recorded(rt, notice_id)

        await rt.projector.reset(["inbox"])
        began = time.perf_counter()
        await rt.projector.catch_up()
        rebuild = time.perf_counter() - began
        again = await recorded(rt, notice_id)
        verdict = "met" if live <= 5 and rows == residents else "NOT met"
        events = rt.event_count()
        print(f"[{label}] a notice to every resident of a {residents:,}-resident community: {rows:,} inbox rows "
              f"recorded {live:.2f} s after the publish command began (goal <= 5 s: {verdict}); the inbox rebuilt "
              f"from zero ({events:,} events, {again:,} rows of the notice) in {rebuild:.2f} s")  # fmt: skip
        return {"database": label, "residents": residents, "rows": rows, "seconds": live, "rebuild": rebuild}
    finally:
        await rt.stop()
        if url:
            import psycopg

            with psycopg.connect(url, autocommit=True) as conn:
                for suffix in ("", "_events", "_views", "_keys"):
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}{suffix}" CASCADE')


if __name__ == "__main__":
    import sys

    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5_000))
