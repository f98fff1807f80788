"""The command runner against the real store: idempotency, and co-signs under real thread concurrency."""

from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

import pytest

from backend.deliberation.commands import proposals
from backend.deliberation.domain.proposal import Proposal
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.runner import CommandRunner
from backend.kernel.store import open_event_store
from projections.deliberation import queries as views
from tests.conftest import NOW
from tests.factories import community, count_topic


async def test_a_command_sent_twice_returns_the_first_result_and_writes_nothing(runtime):
    place = await community(runtime, NOW, residents=1)
    ctx = Ctx(place.community_id, place.residents[0], NOW, command_id="a" * 32)
    first = await proposals.submit(runtime, ctx, "路灯", "坏了", "facilities", [])
    events = runtime.event_count()
    again = await proposals.submit(runtime, ctx, "路灯", "坏了", "facilities", [])
    assert again.duplicate
    assert again.result == first.result
    assert runtime.event_count() == events


async def test_500_concurrent_cosign_attempts_by_50_residents_record_exactly_50(runtime, settings):
    place = await community(runtime, NOW, residents=51, threshold=10, passwords=False)
    result = await proposals.submit(
        runtime, Ctx(place.community_id, place.residents[0], NOW), "充电桩", "东门", "safety", []
    )
    proposal_id = UUID(result.result["proposal_id"])
    residents = place.residents[1:]
    # A second application instance over the same store stands for another server process: its locks are its
    # own, so the two collide in the store and must retry.
    other_process = CommandRunner(open_event_store(settings))

    def attempt(n: int) -> str:
        ctx = Ctx(place.community_id, residents[n % 50], NOW)
        runner = runtime.commands if n % 2 else other_process
        try:
            runner.run("proposal.cosign", ctx, proposal_id, proposals.cosign_action(ctx, proposal_id))
        except DomainError as refused:
            return refused.message
        return "ok"

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(attempt, range(500)))
    other_process.app.close()

    assert outcomes.count("ok") == 50
    assert set(outcomes) == {"ok", "You have already co-signed this proposal."}
    assert count_topic(runtime, Proposal.CoSigned) == 50
    assert count_topic(runtime, Proposal.ReachedAgenda) == 1
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    row = await views.proposal(proposal_id)
    assert row["cosigns"] == 50
    assert row["state"] == "on_agenda"
    assert await views.cosign_count(proposal_id) == 50


async def test_one_ctx_for_different_commands_is_not_taken_for_a_repeat(runtime):
    place = await community(runtime, NOW, residents=2, threshold=1, passwords=False)
    ctx = Ctx(place.community_id, place.residents[0], NOW)
    first = await proposals.submit(runtime, ctx, "一", "x", "other", [])
    other_ctx = Ctx(place.community_id, place.residents[1], NOW, command_id=ctx.command_id)
    cosigned = await proposals.cosign(runtime, other_ctx, UUID(first.result["proposal_id"]))
    assert not cosigned.duplicate
    assert cosigned.result["cosigns"] == "1"


def test_the_writer_reads_a_batch_in_one_snapshot_and_sees_what_was_saved_since_after_releasing_it(settings):
    from backend.community.domain.community import Community
    from backend.kernel.sqlite_store import HeldReadsDatastore

    app, other_process = open_event_store(settings), open_event_store(settings)
    datastore = app.recorder.datastore
    if settings.is_postgres:
        assert not isinstance(datastore, HeldReadsDatastore)  # each read is its own transaction there
        return
    assert isinstance(datastore, HeldReadsDatastore)
    ctx = Ctx(UUID(int=1), None, NOW)
    place = Community.found(ctx, "晨光社区", "chenguang")
    app.save(place)
    datastore.hold()
    try:
        assert len(app.recorder.select_events(place.id)) == 1
        changed = other_process.repository.get(place.id)
        changed.set_street(ctx, "和平街道")
        other_process.save(changed)
        assert len(app.recorder.select_events(place.id)) == 1, "the batch's reads are as of its start"
        datastore.hold()  # already holding: the same snapshot
        assert len(app.recorder.select_events(place.id)) == 1
    finally:
        datastore.release()
    assert len(app.recorder.select_events(place.id)) == 2
    app.close()
    other_process.close()


def test_processes_writing_one_sqlite_log_take_turns_through_the_writer_lock(settings):
    """A writer waits in the kernel's queue for another process's write to end (SQLite's own busy handler would poll
    with sleeps), and nothing is written meanwhile."""
    import threading

    from backend.community.domain.community import Community

    if settings.is_postgres:
        return
    app, other_process = open_event_store(settings), open_event_store(settings)
    ctx = Ctx(UUID(int=1), None, NOW)
    place = Community.found(ctx, "晨光社区", "chenguang")
    app.save(place)
    changed = other_process.repository.get(place.id)
    changed.set_street(ctx, "和平街道")
    saving = threading.Thread(target=other_process.save, args=(changed,))
    with app.recorder.datastore._writers:  # this process is writing
        saving.start()
        saving.join(0.3)
        assert saving.is_alive(), "the other process waits"
        assert len(app.recorder.select_events(place.id)) == 1
    saving.join(10)
    assert not saving.is_alive()
    assert len(app.recorder.select_events(place.id)) == 2
    app.close()
    other_process.close()


def test_a_store_closed_twice_leaves_the_next_store_s_writer_lock_alone(settings):
    """The datastore is closed by the runtime and again when collected; the lock file's descriptor number may by
    then belong to the next store opened."""
    from backend.community.domain.community import Community

    closed = open_event_store(settings)
    closed.close()
    app = open_event_store(settings)
    closed.close()
    app.save(Community.found(Ctx(UUID(int=1), None, NOW), "晨光社区", "chenguang"))
    app.close()


def test_in_a_held_snapshot_each_aggregate_is_read_from_the_store_once_and_a_batch_of_new_ids_together(settings):
    from backend.community.domain.community import Community
    from backend.kernel.sqlite_store import HeldReadsDatastore

    app = open_event_store(settings)
    datastore = app.recorder.datastore
    if not isinstance(datastore, HeldReadsDatastore):
        app.close()
        return
    ctx = Ctx(UUID(int=1), None, NOW)
    place = Community.found(ctx, "晨光社区", "chenguang")
    place.set_street(ctx, "和平街道")
    app.save(place)
    new = [UUID(int=n) for n in range(100, 700)]  # more than one statement's worth
    assert datastore.hold()
    statements: list[str] = []
    datastore._held.connection._sqlite_conn.set_trace_callback(statements.append)
    try:
        app.read_ahead([place.id, *new])
        assert len(statements) == 2, "600 ids in two statements"
        assert [e.originator_version for e in app.recorder.select_events(place.id)] == [1, 2]
        assert [e.originator_version for e in app.recorder.select_events(place.id, gt=1)] == [2]
        assert all(app.recorder.select_events(i) == [] for i in new)
        assert len(statements) == 2, "what was read ahead is not read again"
        assert app.repository.get(place.id).street == "和平街道"
        app.repository.get(place.id)  # cached now: fast-forwarded from what the snapshot has read
        assert len(statements) == 2
        assert len(app.recorder.select_events(place.id, lte=1)) == 1  # other shapes of read go to the store
        assert len(statements) == 3
    finally:
        datastore.release()
    place.set_street(ctx, "朝阳街道")
    app.save(place)
    assert datastore.hold()
    statements = []
    datastore._held.connection._sqlite_conn.set_trace_callback(statements.append)
    try:
        app.read_ahead([place.id])  # cached at version 2: only what came after
        assert app.repository.get(place.id).street == "朝阳街道"
        assert len(statements) == 1
    finally:
        datastore.release()
    app.close()


def test_on_postgresql_a_batch_reads_each_aggregate_once_and_its_ids_together(settings, monkeypatch):
    """The writer's reads between two saves: one statement for a batch's aggregates (600 ids: two), each aggregate
    from the database once; once released, what was saved since is read."""
    from backend.community.domain.community import Community
    from backend.kernel.postgres_store import HeldReadsPostgresRecorder

    if not settings.is_postgres:
        pytest.skip("PostgreSQL only (LINLI_TEST_DATABASE=postgres)")
    app, other_process = open_event_store(settings), open_event_store(settings)
    assert isinstance(app.recorder, HeldReadsPostgresRecorder)
    ctx = Ctx(UUID(int=1), None, NOW)
    place = Community.found(ctx, "晨光社区", "chenguang")
    place.set_street(ctx, "和平街道")
    app.save(place)
    new = [UUID(int=n) for n in range(100, 700)]
    trips: list[int] = []
    taken = app.recorder.datastore.get_connection
    monkeypatch.setattr(app.recorder.datastore, "get_connection", lambda: trips.append(1) or taken())
    assert app.hold_reads()
    try:
        app.read_ahead([place.id, *new])
        assert len(trips) == 2, "600 ids in two statements"
        assert [e.originator_version for e in app.recorder.select_events(place.id)] == [1, 2]
        assert [e.originator_version for e in app.recorder.select_events(place.id, gt=1)] == [2]
        assert all(app.recorder.select_events(i) == [] for i in new)
        assert app.repository.get(place.id).street == "和平街道"
        assert len(trips) == 2, "what was read ahead is not read again"
        changed = other_process.repository.get(place.id)
        changed.set_street(ctx, "朝阳街道")
        other_process.save(changed)
        assert not app.hold_reads(), "already holding"
        assert len(app.recorder.select_events(place.id)) == 2, "read once in the batch"
        assert len(app.recorder.select_events(place.id, lte=1)) == 1  # other shapes of read go to the database
        assert len(trips) == 3
    finally:
        app.release_reads()
    assert app.repository.get(place.id).street == "朝阳街道"
    app.close()
    other_process.close()


def test_command_ids_are_distinct_random_uuid4s():
    from backend.kernel.context import new_command_id

    ids = [new_command_id() for _ in range(5000)]  # several reads of the OS's randomness
    assert len(set(ids)) == len(ids)
    assert {UUID(i).version for i in ids} == {4}
