"""A burst of simultaneous connections to a real `linli serve` (two web processes on SQLite, one on PostgreSQL)
loses none (issue 27: one of 300 simultaneous votes had its connection reset, and the retry was accepted).

Each vote comes on a connection of its own, all at once; then the same voters, each on the keep-alive connection
it loaded a page over, change their vote after about 5 s idle — as long as uvicorn's default keep-alive timeout,
which closed such connections as the votes arrived and answered them with resets. Every vote must be answered,
and written to the log exactly once."""

from __future__ import annotations

import asyncio
from uuid import UUID

from backend.config import Settings
from backend.contexts import PASSES
from backend.runtime import Runtime
from scripts.bench_burst import Ballot, fresh, get_request, reused, sign_in
from scripts.bench_votes import seed_ballot
from tests.test_workers import serving

VOTERS = 300
IDLE = 5.0  # seconds each kept connection waits before its vote: uvicorn's default keep-alive timeout


async def seeded(settings: Settings) -> UUID:
    rt = Runtime(settings, passes=PASSES)
    await rt.start()
    try:
        meeting_id = seed_ballot(rt, VOTERS)
        await rt.projector.catch_up()
        return meeting_id
    finally:
        await rt.stop()


def test_a_burst_of_simultaneous_votes_and_reads_loses_none(settings):
    meeting_id = asyncio.run(seeded(settings))
    # On PostgreSQL one web process: each holds up to ~30 connections under a burst, and the server is shared
    with serving(settings, LINLI_WORKERS="1" if settings.is_postgres else "2") as (base, _server):
        port = int(base.rsplit(":", 1)[1])
        sessions = asyncio.run(sign_in(port, range(VOTERS)))
        ballot = Ballot(settings.data_dir, meeting_id, sessions)

        votes = asyncio.run(fresh(port, ballot.votes("yes")))
        assert votes.summary()["statuses"] == {200: VOTERS}, votes.summary()

        reads = asyncio.run(fresh(port, [get_request("/healthz")] * VOTERS))
        assert reads.summary()["statuses"] == {200: VOTERS}, reads.summary()

        pages = [get_request("/healthz")] * VOTERS
        changed = asyncio.run(reused(port, pages, ballot.votes("no"), IDLE, 0.25))
        assert (changed.reset, changed.timed_out) == (0, 0), changed.summary()
        assert changed.summary()["statuses"] == {200: VOTERS}, changed.summary()
    # every vote answered was written once, and none unanswered: a first vote and a change from each voter
    assert asyncio.run(votes_in_log(settings)) == {"cast": VOTERS, "changed": VOTERS}


async def votes_in_log(settings: Settings) -> dict[str, int]:
    """Votes written to the log: first votes and changes."""
    rt = Runtime(settings, passes=PASSES)
    await rt.start()
    try:
        written, start = {"cast": 0, "changed": 0}, 1
        while batch := rt.store.recorder.select_notifications(start, 5000):
            written["cast"] += sum(1 for n in batch if n.topic.endswith("Vote.Cast"))
            written["changed"] += sum(1 for n in batch if n.topic.endswith("Vote.Changed"))
            start = batch[-1].id + 1
        return written
    finally:
        await rt.stop()
