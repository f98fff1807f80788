"""A rebuild far behind the head reads large batches (projections/runner.py): the casework views it makes, the
rates' counters included, are those the live projector made batch by batch; a projection failing in the middle of
a large batch leaves its position and its rows as the batch before left them, and catches up to the same views;
the live batches keep their size; and the cheaper decoding of the rebuild gives the library's events."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import ClassVar
from uuid import UUID, uuid4, uuid5

import pytest
from eventsourcing.utils import get_topic

from backend.casework.commands import cases, whistles
from backend.runtime import Runtime
from projections.casework.handlers import CaseworkProjection
from projections.runner import fast_decoder
from tests.factories import snapshot
from tests.test_casework import T0, World, quiet_runtime, world

runtime = pytest.fixture(quiet_runtime, name="runtime")


async def _cases(rt: Runtime, w: World, count: int = 12) -> None:
    """Cases taken as far as their number says: raised, accepted, whistled to 供电所 and answered by it,
    answered, rated (some 不满意: reopened), some joined by a neighbour."""
    for n in range(count):
        t = T0 + timedelta(hours=n)
        category = "power" if n % 3 == 0 else "facilities"
        raiser = w.ctx(w.resident, t, command_id=f"raise-{n}")
        done = await cases.raise_case(rt, raiser, category, f"第{n}件", public=n % 4 == 1)
        case_id = UUID(done.result["case_id"])
        if n % 4 == 1:
            await cases.join(rt, w.ctx(w.residents[6], t + timedelta(minutes=1)), case_id)
        if n % 5 == 4:
            continue  # waiting in the queue
        await cases.accept(rt, w.ctx(w.worker_a, t + timedelta(minutes=5)), case_id)
        if category == "power":
            await whistles.whistle(rt, w.ctx(w.worker_a, t + timedelta(minutes=6)), case_id)
            await whistles.report_in(rt, w.ctx(w.power_staff, t + timedelta(minutes=30)), case_id)
            await whistles.department_answer(rt, w.ctx(w.power_staff, t + timedelta(hours=2)), case_id, "已修复")
        if n % 2 == 0:
            continue
        await cases.answer(rt, w.ctx(w.worker_a, t + timedelta(hours=3)), case_id, "已处理")
        level = "dissatisfied" if n % 7 == 3 else "satisfied"
        await cases.rate(rt, w.ctx(w.resident, t + timedelta(hours=4)), case_id, level, level == "satisfied")


async def _live_build(rt: Runtime) -> dict[str, list[str]]:
    w = await world(rt)
    await _cases(rt, w)
    assert await rt.projector.wait_for(rt.event_count(), timeout=30)
    return await snapshot()


def _large_batches(rt: Runtime, size: int = 40) -> None:
    """Far behind means more than 10 events behind here, and a large batch is `size` events."""
    rt.projector.rebuild_after = 10
    rt.projector.rebuild_batch_size = size


async def test_a_rebuild_in_large_batches_reads_as_the_live_build_counters_included(runtime):
    live = await _live_build(runtime)
    assert live["RateView"] and live["StepView"] and live["WhistleView"]
    await runtime.projector.stop()
    sizes: list[int] = []
    apply = CaseworkProjection.apply

    async def counted(self, items):  # type: ignore[no-untyped-def]
        sizes.append(len(items))
        return await apply(self, items)

    _large_batches(runtime, size=25)  # of casework's events (only those are read): some 60 here
    runtime.projector.batch_size = 7  # small live batches: a large batch is known from them
    CaseworkProjection.apply = counted  # type: ignore[method-assign]
    try:
        await runtime.projector.reset(["casework"])
        await runtime.projector.catch_up()
    finally:
        CaseworkProjection.apply = apply  # type: ignore[method-assign]
    assert max(sizes) > 7 and len(sizes) > 2  # several batches, the large ones larger than the live ones
    assert await snapshot() == live
    assert gc.isenabled()  # the collector held off during the large batches is back


async def test_a_failure_in_the_middle_of_a_large_batch_leaves_the_batch_before_and_catches_up_the_same(runtime):
    live = await _live_build(runtime)
    await runtime.projector.stop()
    _large_batches(runtime)
    projection = next(p for p in runtime.projector.projections if p.name == "casework")
    apply = CaseworkProjection.apply
    calls = 0

    async def failing(self, items):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:
            await apply(self, items[: len(items) // 2])  # half of the batch written, then the crash
            raise RuntimeError("crash in the middle of a batch")
        return await apply(self, items)

    await runtime.projector.reset(["casework"])
    CaseworkProjection.apply = failing  # type: ignore[method-assign]
    try:
        while calls < 2:  # up to the large batch that fails
            before = (await runtime.projector.positions())["casework"]
            rows_before = await snapshot()
            read = await runtime.projector.step()
        assert read == 0  # casework failed on it, and nothing else was behind
        assert 0 < before == (await runtime.projector.positions())["casework"] < runtime.event_count() - 10
        assert await snapshot() == rows_before  # none of the half-written batch stayed
        assert gc.isenabled()
    finally:
        CaseworkProjection.apply = apply  # type: ignore[method-assign]
    await runtime.projector.catch_up()
    assert (await runtime.projector.positions())[projection.name] == runtime.event_count()
    assert await snapshot() == live


async def test_live_batches_keep_their_size_and_only_far_behind_reads_large_ones(runtime):
    await _live_build(runtime)
    await runtime.projector.stop()
    projector = runtime.projector
    head = runtime.event_count()
    # only the events of the projections behind are read, and decoded (here casework's)
    wanted = {get_topic(cls) for cls in CaseworkProjection.handles}
    theirs = [n.id for n in runtime.store.recorder.select_notifications(1, head) if n.topic in wanted]
    assert 0 < len(theirs) < head
    behind = {p.name: head for p in projector.projections} | {"casework": head - 8}
    _, limit, items = projector._read(head - 7, behind)
    assert limit == projector.batch_size == 1000
    assert [i.position for i in items] == [n for n in theirs if n >= head - 7]
    assert projector.rebuild_batch_size == 20_000 and projector.rebuild_after == 5_000
    _large_batches(runtime, size=len(theirs) - 5)
    far = {p.name: head for p in projector.projections} | {"casework": 0}
    _, limit, items = projector._read(1, far)
    assert limit == len(theirs) - 5 and [i.position for i in items] == theirs[:limit]
    assert all(i.event is not None for i in items)
    # a projection behind that takes every notification: all of them are read, only the wanted ones decoded
    projector.projections.append(Everything())
    projector._topics["everything"] = set()
    _, _, items = projector._read(head - 7, behind | {"everything": head - 8})
    assert [i.position for i in items] == list(range(head - 7, head + 1))
    assert all((i.event is not None) == (i.notification.topic in wanted) for i in items)


class Everything:
    name = "everything"
    tables: ClassVar[Sequence[type]] = ()
    handles: ClassVar[Sequence[type]] = ()


async def test_the_cheaper_decoding_gives_the_librarys_events(runtime):
    await _live_build(runtime)
    notifications = runtime.store.recorder.select_notifications(1, 100_000)
    decode = fast_decoder(runtime.store.mapper)
    assert decode is not runtime.store.mapper.to_domain_event
    for notification in notifications:
        ours, theirs = decode(notification), runtime.store.mapper.to_domain_event(notification)
        assert type(ours) is type(theirs) and vars(ours) == vars(theirs)
        assert {k: type(v) for k, v in vars(ours).items()} == {k: type(v) for k, v in vars(theirs).items()}


async def test_the_cheaper_decoding_gives_the_librarys_state_where_its_parser_refuses(runtime):
    """What msgspec refuses (Infinity, a number out of its range) goes through json, to the same state; nested
    objects are decoded innermost first, as json's hook does."""
    await _live_build(runtime)
    first = runtime.store.recorder.select_notifications(1, 1)[0]
    mapper, decode = runtime.store.mapper, fast_decoder(runtime.store.mapper)
    state = mapper.transcoder.decode(first.state)
    for extra in (
        {"far": float("inf")},
        {"huge": 10**30, "nested": {"ids": [UUID(int=7), {"at": T0}], "day": T0.date()}},
        {"deep": [[{"_type_": "plain", "_data_": 1, "x": 2}]]},
    ):
        stored = replace(first, state=mapper.transcoder.encode({**state, **extra}))
        ours, theirs = decode(stored), mapper.to_domain_event(stored)
        assert type(ours) is type(theirs) and vars(ours) == vars(theirs)


def test_a_raisers_row_id_written_from_the_digest_is_uuid5s():
    from projections.casework.cases import RAISER_NAMESPACE
    from projections.casework.texts import uuid5_text

    for n in range(500):
        name = f"{uuid4()}|{uuid4()}" if n % 2 else f"第{n}号|{n}"
        assert uuid5_text(RAISER_NAMESPACE, name) == str(uuid5(RAISER_NAMESPACE, name))
