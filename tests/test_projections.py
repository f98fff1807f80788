"""The projector applies each batch exactly once; a crash loses nothing; a rebuild equals the incremental result;
the hash chain names the first altered or missing event."""

import asyncio
import threading
from collections.abc import Sequence
from typing import ClassVar
from uuid import UUID, uuid4

import pytest

from backend import cli
from backend.contexts import PASSES
from backend.deliberation.commands import proposals
from backend.kernel.context import Ctx
from backend.runtime import Runtime
from projections.chain.queries import verify
from projections.db import LinliSQLiteEngine
from projections.deliberation.handlers import DeliberationProjection
from projections.registry import all_projections
from projections.runner import Projector
from tests.conftest import NOW, POSTGRES
from tests.factories import community, grant, snapshot


async def busy_log(rt: Runtime) -> UUID:
    place = await community(rt, NOW, residents=6, threshold=3, passwords=False)
    result = await proposals.submit(rt, Ctx(place.community_id, place.residents[0], NOW), "t", "d", "other", [])
    proposal_id = UUID(result.result["proposal_id"])
    for signer in place.residents[1:]:
        await proposals.cosign(rt, Ctx(place.community_id, signer, NOW), proposal_id)
    return proposal_id


async def test_a_batch_already_applied_is_refused(quiet):
    await busy_log(quiet)
    stale = await quiet.projector.positions()
    second = Projector(quiet.store, quiet.engine, all_projections(quiet.personal))
    await quiet.projector.catch_up()
    before = await snapshot()
    applied = await quiet.projector.positions()

    async def stale_positions():
        return stale

    second.positions = stale_positions  # the second projector read its positions before the first committed
    await second.step()
    assert await snapshot() == before, "the duplicate batch changed nothing"
    assert await quiet.projector.positions() == applied


async def test_a_projection_failing_in_the_middle_of_a_batch_leaves_nothing_half_done(quiet):
    await busy_log(quiet)
    notifications = quiet.store.recorder.select_notifications(1, 10_000)
    first_proposal_event = next(n.id for n in notifications if "Proposal" in n.topic)
    quiet.projector.batch_size = first_proposal_event + 2  # the next batch holds deliberation events
    await quiet.projector.step()
    after_first = await quiet.projector.positions()
    rows_after_first = await snapshot()
    deliberation = next(p for p in quiet.projector.projections if isinstance(p, DeliberationProjection))
    real_apply = deliberation.apply

    async def crash(items):
        await real_apply(items)  # rows are written, then the process "dies" before commit
        raise RuntimeError("power cut")

    deliberation.apply = crash
    await quiet.projector.step()  # the deliberation's views fail on this batch; the others go on
    positions = await quiet.projector.positions()
    assert positions["deliberation"] == after_first["deliberation"]
    assert positions["chain"] > after_first["chain"]
    mine = {t.__name__ for t in DeliberationProjection.tables}
    rows = await snapshot()
    assert {t: v for t, v in rows.items() if t in mine} == {t: v for t, v in rows_after_first.items() if t in mine}
    deliberation.apply = real_apply
    await quiet.projector.catch_up()
    incremental = await snapshot()

    await quiet.projector.reset([p.name for p in quiet.projector.projections])
    quiet.projector.batch_size = 1000
    await quiet.projector.catch_up()
    assert await snapshot() == incremental, "a rebuild from zero equals the incremental result"


async def test_rebuild_command(settings, monkeypatch, capsys):
    rt = Runtime(settings, passes=PASSES)
    await rt.start(run_projector=True)
    await busy_log(rt)
    await rt.projector.wait_for(rt.event_count())
    await rt.stop()
    monkeypatch.setenv("LINLI_DATA_DIR", str(settings.data_dir))
    if POSTGRES:
        monkeypatch.setenv("LINLI_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("LINLI_PG_SCHEMA", settings.pg_schema)
    assert await _run_cli(["projections", "rebuild", "deliberation"]) == 0
    assert "rebuilt deliberation" in capsys.readouterr().out
    assert await _run_cli(["projections", "rebuild", "nonsense"]) != 0


async def _run_cli(argv: list[str]) -> int:
    import anyio

    try:
        return await anyio.to_thread.run_sync(cli.main, argv)
    except KeyError:
        return 2


def tamper(settings, position: int, delete: bool = False) -> None:
    if POSTGRES:
        import psycopg

        table = f'"{settings.pg_schema}_events".linli_events'
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            if delete:
                conn.execute(f"DELETE FROM {table} WHERE notification_id = %s", (position,))
            else:
                conn.execute(
                    f"UPDATE {table} SET state = state || '\\x20'::bytea WHERE notification_id = %s", (position,)
                )
    else:
        import sqlite3

        conn = sqlite3.connect(settings.events_path)
        with conn:
            if delete:
                conn.execute("DELETE FROM stored_events WHERE rowid = ?", (position,))
            else:
                conn.execute(
                    "UPDATE stored_events SET state = CAST(state || x'20' AS BLOB) WHERE rowid = ?", (position,)
                )
        conn.close()


async def test_verify_names_the_first_altered_event(quiet, settings, monkeypatch, capsys):
    await busy_log(quiet)
    await quiet.projector.catch_up()
    verdict = await verify(quiet.store)
    assert verdict.ok and verdict.checked == quiet.event_count()
    tamper(settings, 9)
    verdict = await verify(quiet.store)
    assert not verdict.ok
    assert verdict.first_bad == 9
    monkeypatch.setenv("LINLI_DATA_DIR", str(settings.data_dir))
    if POSTGRES:
        monkeypatch.setenv("LINLI_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("LINLI_PG_SCHEMA", settings.pg_schema)
    assert await _run_cli(["verify"]) == 1
    assert "ALTERED at position 9" in capsys.readouterr().out
    assert await _run_cli(["projections", "rebuild", "chain"]) == 1, "a chain over an altered log is not rebuilt"


async def test_verify_notices_a_deleted_event(quiet, settings):
    await busy_log(quiet)
    await quiet.projector.catch_up()
    tamper(settings, 4, delete=True)
    verdict = await verify(quiet.store)
    assert not verdict.ok
    assert verdict.first_bad == 4


class Probe:
    """A projection that remembers what it was given, and fails while told to."""

    tables: ClassVar[Sequence[type]] = ()
    handles: ClassVar[Sequence[type]] = ()

    def __init__(self, name: str, failing: bool = False) -> None:
        self.name = name
        self.failing = failing
        self.seen: list[int] = []

    async def apply(self, items: list) -> list:
        if self.failing:
            raise RuntimeError("a bug in this projection")
        self.seen += [i.position for i in items]
        return []


async def test_a_failing_projection_stops_only_itself_and_catches_up_when_it_works(runtime):
    await community(runtime, NOW, residents=2, passwords=False)
    await runtime.projector.stop()
    healthy, broken = Probe("probe_healthy"), Probe("probe_broken", failing=True)
    projector = Projector(runtime.store, runtime.engine, [healthy, broken])
    await projector.ensure_positions()
    head = runtime.event_count()
    assert await projector.step() == head  # the healthy one advanced
    assert healthy.seen == list(range(1, head + 1)) and broken.seen == []
    positions = await projector.positions()
    assert positions == {"probe_healthy": head, "probe_broken": 0}
    assert await projector.step() == 0, "only the failing one is behind: no busy loop"
    broken.failing = False
    await projector.catch_up()
    assert broken.seen == list(range(1, head + 1)) and healthy.seen == list(range(1, head + 1))
    assert await projector.positions() == {"probe_healthy": head, "probe_broken": head}


async def test_a_signed_in_residents_row_read_by_its_fixed_statement_is_the_row_piccolo_selects(runtime):
    from projections.residents.queries import by_id
    from projections.residents.tables import ResidentView

    place = await community(runtime, NOW, residents=2, passwords=False)
    await grant(runtime, place, 0, "clerk", "representative", now=NOW)
    for resident_id in place.residents:
        selected = await ResidentView.select().where(ResidentView.id == resident_id).output(load_json=True).first()
        assert await by_id(resident_id) == selected
    assert await by_id(uuid4()) is None


async def test_a_projector_keeps_its_positions_between_batches_and_reads_them_again_when_another_moved_them(runtime):
    """Two projectors over one log and one view store (as two processes would be): each event is applied once,
    by whichever got there first, though each keeps the positions it last committed instead of reading them."""
    place = await community(runtime, NOW, residents=6, threshold=3, passwords=False)
    await runtime.projector.stop()
    first_probe, second_probe = Probe("probe"), Probe("probe")
    first = Projector(runtime.store, runtime.engine, [first_probe])
    second = Projector(runtime.store, runtime.engine, [second_probe])
    await first.ensure_positions()
    await first.catch_up()
    for n, signer in enumerate(place.residents[1:5]):
        await proposals.submit(runtime, Ctx(place.community_id, signer, NOW), f"t{n}", "d", "other", [])
        await (second if n % 2 else first).catch_up()  # the other one's kept positions are now behind
    await first.catch_up()
    await second.catch_up()
    head = runtime.event_count()
    applied = sorted(first_probe.seen + second_probe.seen)
    assert applied == list(range(1, head + 1)), "every event once"
    assert second_probe.seen and first_probe.seen[-1] > min(second_probe.seen), "both took turns"
    assert await first.positions() == {"probe": head}


def _view_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if "(_connection_worker_thread)" in t.name and t.is_alive()}


async def _settled(threads: set[threading.Thread]) -> set[threading.Thread]:
    for _ in range(100):  # a closed connection's thread ends on its own, a moment later
        if not (alive := {t for t in threads if t.is_alive()}):
            return alive
        await asyncio.sleep(0.01)
    return alive


async def test_first_reads_at_once_share_one_view_connection_and_a_cancelled_one_is_still_closed(tmp_path):
    if POSTGRES:
        pytest.skip("the kept connections are SQLite's")
    engine = LinliSQLiteEngine(path=str(tmp_path / "views.sqlite3"))
    before = _view_threads()
    rows = await asyncio.gather(*(engine._run_in_new_connection("SELECT 1 AS one") for _ in range(5)))
    assert rows == [[{"one": 1}]] * 5
    assert len(_view_threads() - before) == 1, "one reader for the loop, not one per first read"
    await engine.close_connections()
    assert not await _settled(_view_threads() - before)

    cancelled = asyncio.get_running_loop().create_task(engine._run_in_new_connection("SELECT 1"))
    await asyncio.sleep(0)  # it has begun opening the connection
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    await engine.close_connections()  # what a stopping app does: the half-opened connection is closed too
    assert not await _settled(_view_threads() - before), "no thread left that would keep the process alive"
