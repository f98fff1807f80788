"""`linli verify`'s second half: every event of the log was written by a command whose record seals it
(backend/kernel/seals.py). Finds an event no sealed record names (added behind the application's back), a record
whose seal does not hold (forged), and a record without a seal once sealing began. Events written before this
deployment began sealing (an older log) are let be: the check starts with the first sealed command."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from eventsourcing.persistence import Notification

from backend.kernel import seals
from backend.kernel.store import LinliApp

BATCH = 2000
BEFORE = 10_000  # events kept in view before the first sealed record (the first sealed command's are among them)


@dataclass(frozen=True)
class Forged:
    position: int
    reason: str


class Seals:
    """The check kept across reads, so that a process's passes (backend/record/watch.py) read only what is new: where
    it got to, whether sealing has begun, the events no sealed record has named yet, and what it found."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.next = 1
        self.read = 0
        self.sealing = False
        self.unnamed: OrderedDict[str, int] = OrderedDict()  # by name, the position
        self.found: list[Forged] = []

    def advance(self, app: LinliApp) -> Forged | None:
        """Read the log from where the last read stopped to its end; the first thing found wrong so far, or None.
        Read to the end, every command's record is there (saved in the transaction of its events): an event still
        unnamed then was written by no sealed command. Synchronous (run it in a thread)."""
        while records := app.recorder.select_notifications(self.next, BATCH):
            for record in records:
                self._take(app, record)
            self.read += len(records)
            self.next = records[-1].id + 1
        if self.sealing:
            self.found.extend(Forged(at, "an event no command wrote") for at in self.unnamed.values())
            self.unnamed.clear()
        self.found.sort(key=lambda f: f.position)
        return self.found[0] if self.found else None

    def _take(self, app: LinliApp, record: Notification) -> None:
        if not record.topic.endswith("CommandRecord.Recorded"):
            self.unnamed[f"{record.originator_id}:{record.originator_version}"] = record.id
            if not self.sealing and len(self.unnamed) > BEFORE:
                self.unnamed.popitem(last=False)  # written before sealing began
            return
        event = app.mapper.to_domain_event(record)
        covers, seal = list(getattr(event, "covers", None) or []), getattr(event, "seal", "")
        if not seal:
            if self.sealing:
                self.found.append(Forged(record.id, "a command's record without a seal, after sealing began"))
            return
        if not seals.holds(self.key, record.originator_id, covers, seal):
            self.found.append(Forged(record.id, "a command's record whose seal does not hold"))
            return
        if not self.sealing:  # what came before this first sealed command's own events was written before sealing
            first = min((self.unnamed[name] for name in covers if name in self.unnamed), default=record.id)
            for name in [n for n, at in self.unnamed.items() if at < first]:
                del self.unnamed[name]
            self.sealing = True
        for name in covers:
            self.unnamed.pop(name, None)


def check(app: LinliApp, key: bytes) -> tuple[int, list[Forged]]:
    """(events read, what is wrong, by position): the whole log. Synchronous (run it in a thread)."""
    whole = Seals(key)
    whole.advance(app)
    return whole.read, whole.found
