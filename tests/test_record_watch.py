"""The server watches its own record (issue 24, backend/record/watch.py), on SQLite or PostgreSQL: the stored events
are tampered with the way someone holding the database would — an event's bytes altered, an event deleted, two
swapped, one inserted below what the projector reached, a link of the chain or a node of the tree changed, a signed
root no longer matched — and each time the check raises the alarm in the log, saying what it found where, and writes
a line to the server's log; the alarm is recorded once, however many passes find the same; the clerks' and the street
operator's pages carry it, a resident's do not, the public board says verification is failing; once the record is
put back, the next pass clears it. The projector's lag is no alarm; an event forged at the end of the log before the
projector reaches it becomes part of the tree (no comparison of hashes tells it), but no command's seal names it:
the check says so."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from uuid import uuid4

import anyio
import pytest

from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.record import watch
from backend.record.domain.log import DEPLOYMENT, TransparencyLog
from backend.record.rounds import sign_checkpoints
from backend.residents import commands as resident_commands
from projections.chain import verification
from projections.chain.tables import ChainLink, CheckpointView, MerkleNode
from projections.db import write_transaction
from tests.conftest import NOW, POSTGRES
from tests.factories import app_runtime, community, count_topic, sign_in

# -- the store, as someone holding the database would change it -------------------------------------------------------


@contextlib.contextmanager
def events_table(settings: Any) -> Iterator[tuple[Callable[..., list[tuple[Any, ...]]], str, str]]:
    """A way to run SQL on the stored events (`?` placeholders), the table's name and its position column."""
    if POSTGRES:
        import psycopg

        with psycopg.connect(settings.database_url, autocommit=True) as conn:

            def run(sql: str, *params: Any) -> list[tuple[Any, ...]]:
                cursor = conn.execute(sql.replace("?", "%s"), params)
                return cursor.fetchall() if cursor.description else []

            yield run, f'"{settings.pg_schema}_events".linli_events', "notification_id"
    else:
        conn = sqlite3.connect(settings.events_path)
        try:

            def run(sql: str, *params: Any) -> list[tuple[Any, ...]]:
                with conn:
                    return conn.execute(sql, params).fetchall()

            yield run, "stored_events", "rowid"
        finally:
            conn.close()


COLUMNS = "originator_id, originator_version, topic, state"


def take_out(settings: Any, position: int) -> tuple[Any, ...]:
    """Delete the event at `position`; what it was, to put back."""
    with events_table(settings) as (run, table, at):
        [row] = run(f"SELECT {COLUMNS} FROM {table} WHERE {at} = ?", position)
        run(f"DELETE FROM {table} WHERE {at} = ?", position)
    return row


def put_back(settings: Any, position: int, row: tuple[Any, ...]) -> None:
    with events_table(settings) as (run, table, at):
        run(f"INSERT INTO {table} ({COLUMNS}, {at}) VALUES (?, ?, ?, ?, ?)", *row, position)


def alter(settings: Any, position: int) -> bytes:
    """Add a space to the stored event's bytes; the bytes it had."""
    with events_table(settings) as (run, table, at):
        [(state,)] = run(f"SELECT state FROM {table} WHERE {at} = ?", position)
        run(f"UPDATE {table} SET state = ? WHERE {at} = ?", bytes(state) + b" ", position)
    return bytes(state)


def restate(settings: Any, position: int, state: bytes) -> None:
    with events_table(settings) as (run, table, at):
        run(f"UPDATE {table} SET state = ? WHERE {at} = ?", state, position)


def swap(settings: Any, first: int, second: int) -> None:
    """The two events change places in the log (each keeps its aggregate, version and bytes)."""
    with events_table(settings) as (run, table, at):
        run(f"UPDATE {table} SET {at} = -1 WHERE {at} = ?", first)
        run(f"UPDATE {table} SET {at} = ? WHERE {at} = ?", first, second)
        run(f"UPDATE {table} SET {at} = ? WHERE {at} = -1", second)


def forge_at_end(settings: Any, rt: Any) -> None:
    """A command's record copied under a new aggregate id, appended where the next event would go."""
    with events_table(settings) as (run, table, at):
        [row] = run(f"SELECT {COLUMNS} FROM {table} WHERE topic LIKE ? ORDER BY {at} LIMIT 1", "%CommandRecord%")
        forged = (uuid4().hex if not POSTGRES else uuid4(), 1, *row[2:])
        run(f"INSERT INTO {table} ({COLUMNS}, {at}) VALUES (?, ?, ?, ?, ?)", *forged, rt.event_count() + 1)


async def views_sql(rt: Any, sql: str, *params: Any) -> None:
    """Change a view row (the tree's, the chain's, a checkpoint's) in place."""
    async with write_transaction(rt.projector.engine):
        await MerkleNode.raw(sql, *params)


# -- the aggregate -----------------------------------------------------------------------------------------------------


def test_the_log_records_an_alarm_once_what_it_says_changes_and_when_it_is_cleared():
    ctx = Ctx(DEPLOYMENT, None, NOW)
    log = TransparencyLog.open(ctx, "linli/test", b"k" * 32)
    log.collect_events()
    with pytest.raises(DomainError):
        log.restore_verification(ctx, 10)  # nothing to clear
    log.fail_verification(ctx, 7, "altered")
    assert log.alarm == (7, "altered", 0)
    with pytest.raises(DomainError):
        log.fail_verification(ctx, 7, "altered")  # the same finding again: no event
    log.fail_verification(ctx, 5, "moved", 9)  # a different one: an event
    for position, finding, other in ((0, "altered", 0), (3, "nonsense", 0), (3, "tree", -1)):
        with pytest.raises(DomainError):
            log.fail_verification(ctx, position, finding, other)
    log.restore_verification(ctx, 40)
    assert log.alarm is None
    events = log.collect_events()
    assert [type(e).__name__ for e in events] == ["VerificationFailed", "VerificationFailed", "VerificationRestored"]
    assert (events[1].position, events[1].finding, events[1].other) == (5, "moved", 9)
    assert events[2].checked == 40


# -- the check on a real store ---------------------------------------------------------------------------------------


async def built(rt: Any) -> int:
    """A community's worth of events, projected, with a signed checkpoint, and a clean check: the log's size."""
    await community(rt, NOW, residents=6, passwords=False)
    await rt.projector.catch_up()
    assert await sign_checkpoints(rt, NOW) is not None
    await rt.projector.catch_up()
    outcome = await watch.check_record(rt, NOW, whole=True)
    assert outcome.finding is None and outcome.checked == rt.event_count() > 30
    return rt.event_count()


async def passes_until_cleared(rt: Any, found: watch.Finding, caplog: Any) -> None:
    """The alarm is raised (in the log, the view and the server's log), the same finding again records nothing."""
    await rt.projector.catch_up()
    alarm = await verification.alarm()
    assert alarm is not None and (alarm["first_bad"], alarm["finding"], alarm["other"]) == (
        found.position,
        found.finding,
        found.other,
    )
    assert any(r.levelno == logging.ERROR and str(found) in r.getMessage() for r in caplog.records)
    again = await watch.check_record(rt, NOW + timedelta(minutes=5))
    assert again.finding == found and again.ranges == ((1, await verification.projected()),), "while failing: all"
    await rt.projector.catch_up()
    assert count_topic(rt, TransparencyLog.VerificationFailed) == 1, "one event, however many passes find it"


async def cleared(rt: Any) -> None:
    outcome = await watch.check_record(rt, NOW + timedelta(minutes=10))
    assert outcome.finding is None
    await rt.projector.catch_up()
    assert await verification.alarm() is None
    assert count_topic(rt, TransparencyLog.VerificationRestored) == 1


@pytest.mark.parametrize("tampering", ["altered", "missing", "moved", "chain", "tree", "signed"])
async def test_each_tampering_raises_the_alarm_saying_what_and_where_and_the_next_pass_clears_it(
    quiet, settings, caplog, tampering
):
    rt = quiet
    size = await built(rt)
    caplog.set_level(logging.INFO, logger="backend.record.watch")
    at = 9
    if tampering == "altered":
        kept = alter(settings, at)
        expected = watch.Finding(at, "altered")
    elif tampering == "missing":
        kept = take_out(settings, at)
        expected = watch.Finding(at, "missing")
    elif tampering == "moved":
        swap(settings, at, at + 4)
        expected = watch.Finding(at, "moved", at + 4)
    elif tampering == "chain":
        [row] = await ChainLink.select(ChainLink.link).where(ChainLink.position == at)
        kept = row["link"]
        await views_sql(rt, "UPDATE chain_link SET link = {} WHERE position = {}", "0" * 64, at)
        expected = watch.Finding(at, "chain")
    elif tampering == "tree":  # a node above the leaves: the one over leaves 8..15, completed by the event at 16
        [row] = await MerkleNode.select(MerkleNode.hash).where(MerkleNode.node == 1 * 64 + 3)
        kept = row["hash"]
        await views_sql(rt, "UPDATE merkle_node SET hash = {} WHERE node = {}", "0" * 64, 1 * 64 + 3)
        expected = watch.Finding(16, "tree")
    else:  # the root signed for the checkpoint no longer what the tree gives
        [row] = await CheckpointView.select(CheckpointView.size, CheckpointView.root)
        kept = row["root"]
        await views_sql(rt, "UPDATE chain_checkpoint SET root = {} WHERE size = {}", "0" * 64, row["size"])
        expected = watch.Finding(row["size"], "tree", row["size"])  # positions and leaves agree: nothing skipped

    outcome = await watch.check_record(rt, NOW + timedelta(minutes=1))
    assert outcome.finding == expected, outcome
    await passes_until_cleared(rt, expected, caplog)

    if tampering == "altered":
        restate(settings, at, kept)
    elif tampering == "missing":
        put_back(settings, at, kept)
    elif tampering == "moved":
        swap(settings, at, at + 4)
    elif tampering == "chain":
        await views_sql(rt, "UPDATE chain_link SET link = {} WHERE position = {}", kept, at)
    elif tampering == "tree":
        await views_sql(rt, "UPDATE merkle_node SET hash = {} WHERE node = {}", kept, 1 * 64 + 3)
    else:
        await views_sql(rt, "UPDATE chain_checkpoint SET root = {} WHERE size = {}", kept, row["size"])
    await cleared(rt)
    assert rt.event_count() > size


async def test_an_event_inserted_below_what_was_projected_or_appended_by_no_command_is_caught_but_lag_is_not(
    quiet, settings, caplog
):
    rt = quiet
    await community(rt, NOW, residents=4, passwords=False)
    gap = rt.event_count() - 3
    row = take_out(settings, gap)  # a gap in the log's positions (as a rolled-back transaction leaves)
    await community(rt, NOW, residents=2, passwords=False, code="another")
    await rt.projector.catch_up()
    assert (await watch.check_record(rt, NOW, whole=True)).finding is None, "a gap is no finding"

    await community(rt, NOW, residents=2, passwords=False, code="third")  # not projected yet: lag
    assert await verification.projected() < rt.event_count()
    outcome = await watch.check_record(rt, NOW, whole=True)
    assert outcome.finding is None and outcome.ranges == ((1, await verification.projected()),)

    put_back(settings, gap, row)  # an event slipped into the gap, below what the tree and chain reached
    outcome = await watch.check_record(rt, NOW + timedelta(minutes=1))
    assert outcome.finding == watch.Finding(gap, "unexpected")
    await rt.projector.catch_up()
    assert (await verification.alarm())["finding"] == "unexpected"
    take_out(settings, gap)
    outcome = await watch.check_record(rt, NOW + timedelta(minutes=2))
    assert outcome.finding is None
    await rt.projector.catch_up()
    assert await verification.alarm() is None

    # Forged at the end before the projector got there, it is projected like any event: the tree and the chain
    # hold it, and the next checkpoint signs it. No check of hashes tells it from a real one; the commands' seals
    # do: no command's record names it.
    forge_at_end(settings, rt)
    forged_at = rt.event_count()
    await rt.projector.catch_up()
    outcome = await watch.check_record(rt, NOW + timedelta(minutes=3))
    assert outcome.finding == watch.Finding(forged_at, "forged")
    await rt.projector.catch_up()
    assert (await verification.alarm())["finding"] == "forged"
    assert (await watch.check_record(rt, NOW + timedelta(minutes=4))).finding == watch.Finding(forged_at, "forged")


async def test_the_pass_runs_at_start_up_then_every_few_minutes_on_new_events_and_a_rolling_window(
    quiet, settings, monkeypatch
):
    rt = quiet
    monkeypatch.setattr(watch, "WINDOW", 10)
    await community(rt, NOW, residents=4, passwords=False)
    await rt.projector.catch_up()
    first = await watch.watch_record(rt, NOW)
    stop = await verification.projected()
    assert first is not None and first.ranges == ((1, stop),) and first.checked == stop, "at start-up: everything"
    assert await watch.watch_record(rt, NOW + timedelta(minutes=watch.WATCH_MINUTES - 1)) is None, "not yet due"

    await community(rt, NOW, residents=1, passwords=False, code="another")
    await rt.projector.catch_up()
    later = NOW + timedelta(minutes=watch.WATCH_MINUTES)
    second = await watch.watch_record(rt, later)
    new_stop = await verification.projected()
    assert second.ranges == ((1, 10), (stop + 1, new_stop)), "a window of old events and all the new ones"
    tampered = 15
    kept = alter(settings, tampered)
    passes = 0
    while True:  # a log of N events is read whole within ceil(N / WINDOW) passes
        later += timedelta(minutes=watch.WATCH_MINUTES)
        outcome = await watch.watch_record(rt, later)
        passes += 1
        if outcome.finding is not None:
            break
        assert passes <= new_stop // 10 + 1
    assert outcome.finding == watch.Finding(tampered, "altered")
    await rt.projector.catch_up()
    restate(settings, tampered, kept)
    outcome = await watch.watch_record(rt, later + timedelta(minutes=watch.WATCH_MINUTES))
    assert outcome.finding is None and outcome.ranges[0][0] == 1, "the alarm is cleared only by a whole check"


# -- the pages -------------------------------------------------------------------------------------------------------

BANNER = "记录未通过自检"
BOARD = "记录核验未通过"


async def test_clerks_and_the_street_operator_see_the_alarm_residents_do_not_and_the_board_says_failing(
    client, settings
):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=3)
    system = Ctx(place.community_id, None, NOW)
    await resident_commands.grant_role(rt, system, place.residents[0], "clerk")
    await resident_commands.grant_role(rt, system, place.residents[1], "street_operator", street="和平街道")

    async def run_pass(minutes: int) -> watch.Outcome:
        # In the app's own event loop (on PostgreSQL the views' connections belong to it).
        now = NOW + timedelta(days=1, minutes=minutes)
        outcome = await anyio.to_thread.run_sync(client.blocking_portal.call, watch.check_record, rt, now)
        await rt.projector.wait_for(rt.event_count(), timeout=10)
        return outcome

    async def pages() -> dict[str, str]:
        seen = {}
        for who, phone in (("clerk", place.phones[0]), ("operator", place.phones[1]), ("resident", place.phones[2])):
            client.cookies.clear()
            await sign_in(client, phone)
            seen[who] = (await client.get("/proposals")).text
            if who == "operator":
                seen["street"] = (await client.get("/street")).text
        client.cookies.clear()
        seen["board"] = (await client.get("/board")).text
        return seen

    assert (await run_pass(0)).finding is None
    before = await pages()
    assert not any(BANNER in page for page in before.values()) and BOARD not in before["board"]
    assert "无警报" in before["street"]

    kept = alter(settings, 5)
    assert (await run_pass(1)).finding == watch.Finding(5, "altered")
    during = await pages()
    assert BANNER in during["clerk"] and BANNER in during["operator"] and BANNER not in during["resident"]
    assert "第 5 条事件在记入后被改动" in during["clerk"]
    assert "第 5 条事件在记入后被改动" in during["street"] and "无警报" not in during["street"]
    assert BOARD in during["board"] and BANNER not in during["board"], "the board's own words, not the staff's"

    restate(settings, 5, kept)
    assert (await run_pass(2)).finding is None
    after = await pages()
    assert not any(BANNER in page for page in after.values()) and BOARD not in after["board"]
