"""The server watches its own record (issue 24): at start-up and every WATCH_MINUTES it reads the stored events again
and compares each with what the projector made of it — its leaf in the Merkle tree, its link in the hash chain — and
folds the tree again from the events up to every checkpoint the log signed, to compare with the signed root. What
it finds wrong raises the alarm in the log itself (TransparencyLog.VerificationFailed), so that every host sees it:
the pages of clerks and street operators carry a banner, the street dashboard an entry, the public board says that
verification is failing; every failing pass writes one error line to the server's log. The first pass that finds
the record whole again clears it (VerificationRestored). Nothing is recorded while nothing changes.

It reads only as far as both the chain and the tree have been projected: an event beyond that is one the projector
has not reached yet, not a forgery, and the projector's lag raises no alarm. An event inserted *below* that point (in
a gap of the log's positions) is caught: the tree and the chain do not have it. An event forged and appended at the
end of the log before the projector reaches it is projected like any other — it becomes part of the tree, the chain
and the next checkpoint, and no comparison of hashes tells it from a real one — but it carries no command's seal:
each pass also reads the commands' records to the log's end (backend/record/sealed.py, from where the last pass
stopped; from the start at start-up and while the alarm is raised) and names an event no sealed record names. Such
an event stays in the log, so its alarm stays until the record is restored from a backup. Someone who rewrites an
event together with its leaf, every node above it, its link, every later link and the signed roots as the views
hold them escapes the comparison of hashes; the witnesses' copies of the checkpoints are what show that.

What one pass covers:

- the first pass of a process (start-up), and every pass while the alarm is raised: the whole log, so that an alarm
  is cleared only by a check of everything;
- otherwise: every event projected since the last pass, and a window of WINDOW older ones after where the last
  pass's window ended (from the start again once it passes the end), so that a log of N events is read whole at
  least every ceil(N / WINDOW) passes. A log of at most WINDOW events is read whole every pass.

Measured on SQLite (a 2-core VM shared with other work): a whole check of 100,000 events takes 2.5–3 s — about 1.7 s
beside the tree (reading the events is 0.5 s of it; the hashing runs in a worker thread, a batch at a time, so that
the event loop serves pages in between) and 1 s beside the chain; on PostgreSQL about 6 s (reading the events takes
1.7 s each time). So a pass costs at most that, every WATCH_MINUTES: 1–2 % of a core."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

import anyio
from eventsourcing.persistence import Notification

from backend.kernel import merkle
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.seals import seal_key
from backend.kernel.store import LinliApp
from backend.record import commands
from backend.record.domain.log import DEPLOYMENT
from backend.record.sealed import Seals
from projections.chain import merkle as tree
from projections.chain import queries as chain
from projections.chain import verification

log = logging.getLogger(__name__)
WATCH_MINUTES = 5  # a pass at most this often (and at start-up)
WINDOW = 100_000  # older events a pass reads again besides the new ones (the whole log when it is no larger)
BATCH = 2000  # events read at a time

# What a finding says in the server's log (English, as the log is); pages say it in the reader's language
# (frontend/templates/record/_verification_alarm.html).
SAYS = {
    "altered": "the event at position {position} no longer matches its leaf in the tree: it was altered",
    "moved": "the event at position {position} is the one the tree has at position {other}: the log was reordered",
    "missing": "the tree has an event at position {position} that the log no longer holds: it was deleted",
    "unexpected": "the log holds an event at position {position} that the tree and chain never had: it was inserted",
    "chain": "the event at position {position} no longer matches its link in the hash chain",
    "tree": "the tree's nodes at position {position} no longer give the root the log signed for {other} events",
    "forged": "the event at position {position} was written by no command of this deployment (no sealed record names "
    "it, or its record's seal does not hold): it was added behind the application's back",
}


@dataclass(frozen=True)
class Finding:
    position: int  # the first log position found wrong
    finding: str  # one of backend.record.domain.log.FINDINGS
    other: int = 0  # where a moved event was; the size of the checkpoint whose root the tree no longer gives

    def __str__(self) -> str:
        if self.finding == "tree" and not self.other:
            return f"the tree no longer matches the events at position {self.position}: a node or leaf was changed"
        return SAYS[self.finding].format(position=self.position, other=self.other)


@dataclass(frozen=True)
class Outcome:
    """What a pass checked: the ranges of positions read, how many events, and what it found (None: nothing)."""

    ranges: tuple[tuple[int, int], ...]
    checked: int
    finding: Finding | None


async def check(app: LinliApp, start: int, stop: int) -> tuple[Finding | None, int]:
    """Compare the stored events at positions `start`..`stop` with the tree and the chain: the first thing found
    wrong (None: nothing), and how many events were read beside the tree."""
    if stop < start:
        return None, 0
    found, read = await _against_tree(app, start, stop)
    # The chain up to what the tree found: a link that does not match where the leaf does is the chain's own finding.
    verdict = await chain.verify(app, stop=found.position - 1 if found else stop, start=start, batch=BATCH)
    if not verdict.ok and verdict.first_bad is not None:
        return Finding(verdict.first_bad, "chain"), read
    return found, read


async def _against_tree(app: LinliApp, start: int, stop: int) -> tuple[Finding | None, int]:
    index = await tree.size_at(start - 1)  # the leaf the event at `start` (or after it) should be
    wanted = merkle.parts(0, index)
    edge = await tree.nodes(wanted)  # the tree's right edge before it: the next nodes are folded onto it
    if len(edge) != len(wanted):
        return Finding(max(start, 1), "tree"), 0
    folding = _Folding(index, edge, await verification.signed_roots(index))
    position, read = start, 0
    while position <= stop:
        records = await anyio.to_thread.run_sync(
            lambda first=position: app.recorder.select_notifications(first, BATCH, stop=stop)
        )
        end = records[-1].id if len(records) == BATCH else stop
        leaves = await verification.leaves(position, end)
        above = await verification.nodes(_completed(folding.size, folding.size + len(leaves)))
        # The hashing in a thread: the event loop (pages, the projector) goes on between its slices.
        found = await anyio.to_thread.run_sync(folding.compare, records, leaves, above)
        if found is not None:
            return found, read
        read += len(records)
        position = end + 1
    return None, read


class _Folding:
    """The tree folded again from the events, leaf by leaf, beside the stored one: its size and right edge so far,
    and the roots the log signed, by size."""

    def __init__(self, size: int, edge: dict[merkle.Node, bytes], roots: dict[int, bytes]) -> None:
        self.size, self.edge, self.roots = size, edge, roots

    def compare(
        self, records: Sequence[Notification], leaves: dict[int, tuple[int, bytes]], above: dict[merkle.Node, bytes]
    ) -> Finding | None:
        """The first thing wrong among these events, their stored leaves and the nodes above them, or None."""
        events = {r.id: r for r in records}
        for at in sorted(events.keys() | leaves.keys()):
            if at not in leaves:
                return Finding(at, "unexpected")
            leaf_index, stored = leaves[at]
            if leaf_index != self.size:
                return Finding(at, "tree")
            if at not in events:
                return Finding(at, "missing")
            leaf = merkle.leaf_hash(tree.canonical(events[at]))
            if leaf != stored:
                return _moved(events[at], leaves) or Finding(at, "altered")
            for node, value in merkle.appended(self.size, leaf, self.edge.__getitem__):
                if node[0] and above.get(node) != value:
                    return Finding(at, "tree")
                self.edge[node] = value
            self.size += 1
            signed = self.roots.get(self.size)
            if signed is not None and merkle.fold([self.edge[n] for n in merkle.parts(0, self.size)]) != signed:
                return Finding(at, "tree", self.size)
        self.edge = {n: self.edge[n] for n in merkle.parts(0, self.size)}
        return None


def _completed(first: int, end: int) -> list[merkle.Node]:
    """The nodes above the leaves (level 1 and up) that appending leaves `first`..`end - 1` completes."""
    found = []
    for leaf in range(first, end):
        level, index = 0, leaf
        while index % 2:
            level, index = level + 1, index // 2
            found.append((level, index))
    return found


def _moved(record: Notification, leaves: dict[int, tuple[int, bytes]]) -> Finding | None:
    """An event that does not match its own leaf but would match another position's (of the same batch): moved."""
    for other, (_, stored) in leaves.items():
        if other != record.id and merkle.leaf_hash(tree.canonical(replace(record, id=other))) == stored:
            return Finding(record.id, "moved", other)
    return None


@dataclass
class _Watch:
    """A process's passes: when it last checked, how far the log was checked whole, where the next window starts."""

    last: datetime | None = None
    checked_to: int = 0
    window: int = 1
    seals: Seals | None = None  # the commands' seals, read up to the log's end (backend/record/sealed.py)


_watches: WeakKeyDictionary[Any, _Watch] = WeakKeyDictionary()  # by runtime: each process (each test) its own


async def watch_record(rt: Commands, now: datetime) -> Outcome | None:
    """The pass (backend.contexts): at start-up and then every WATCH_MINUTES, check the record; None when not due."""
    watch = _watches.setdefault(rt, _Watch())
    if watch.last is not None and watch.last <= now < watch.last + timedelta(minutes=WATCH_MINUTES):
        return None
    first, watch.last = watch.last is None, now
    return await check_record(rt, now, whole=first)


async def _forged(rt: Commands, watch: _Watch, fresh: bool) -> Finding | None:
    """An event no sealed command wrote (an event appended behind the application's back, which the tree and the
    chain take in like any other): read from the last pass's end to the log's, or from the start when `fresh`."""
    if fresh or watch.seals is None:
        watch.seals = Seals(seal_key(rt.settings.ensure_secret()))
    forged = await anyio.to_thread.run_sync(watch.seals.advance, rt.store)
    return Finding(forged.position, "forged") if forged else None


async def check_record(rt: Commands, now: datetime, whole: bool = False) -> Outcome:
    """One pass: check the record (what it covers: the module's docstring), say what was found in the server's log,
    and raise, change or clear the alarm when what it says changed."""
    watch = _watches.setdefault(rt, _Watch())
    raised = await verification.alarm()
    stop = await verification.projected()
    checked_to = min(watch.checked_to, stop)  # less when the views are being rebuilt
    if whole or raised is not None or stop <= WINDOW:
        ranges = [(1, stop)]
    else:
        start = watch.window if watch.window <= checked_to else 1
        end = min(start + WINDOW - 1, checked_to)
        ranges = [(start, end), (checked_to + 1, stop)]
        watch.window = end + 1
    found, checked = None, 0
    for start, end in ranges:
        found, read = await check(rt.store, start, end)
        checked += read
        if found is not None:
            break
    if found is None:
        found = await _forged(rt, watch, fresh=whole or raised is not None)
    outcome = Outcome(tuple(ranges), checked, found)
    ctx = Ctx(DEPLOYMENT, None, now)
    try:
        if found is not None:
            log.error("the record's check failed: %s (positions %s checked)", found, ranges)
            if raised is None or (raised["first_bad"], raised["finding"], raised["other"]) != (
                found.position,
                found.finding,
                found.other,
            ):
                await commands.raise_alarm(rt, ctx, found.position, found.finding, found.other)
            return outcome
        watch.checked_to = stop
        if raised is not None and stop >= raised["first_bad"]:  # not before the views reach the place it named
            log.warning("the record's check finds the log whole again (%s events checked)", checked)
            await commands.clear_alarm(rt, ctx, checked)
    except DomainError as error:  # another process said it first
        log.info("the record's alarm not changed: %s", error.message)
    return outcome
