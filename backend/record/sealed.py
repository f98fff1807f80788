"""`linli verify`'s second half: every event of the log was written by a command whose record seals it
(backend/kernel/seals.py). Finds an event no sealed record names (added behind the application's back), a record
whose seal does not hold (forged), and a record without a seal once sealing began. Events written before this
deployment began sealing (an older log) are let be: the check starts with the first sealed command."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from backend.kernel import seals
from backend.kernel.store import LinliApp

BATCH = 2000
BEFORE = 10_000  # events kept in view before the first sealed record (the first sealed command's are among them)


@dataclass(frozen=True)
class Forged:
    position: int
    reason: str


def check(app: LinliApp, key: bytes) -> tuple[int, list[Forged]]:
    """(events read, what is wrong, by position). Synchronous: it reads the whole log (run it in a thread)."""
    unnamed: OrderedDict[str, int] = OrderedDict()  # events no sealed record has named yet, by name
    found: list[Forged] = []
    sealing = False
    start, read = 1, 0
    while records := app.recorder.select_notifications(start, BATCH):
        for record in records:
            read += 1
            if not record.topic.endswith("CommandRecord.Recorded"):
                unnamed[f"{record.originator_id}:{record.originator_version}"] = record.id
                if not sealing and len(unnamed) > BEFORE:
                    unnamed.popitem(last=False)  # written before sealing began
                continue
            event = app.mapper.to_domain_event(record)
            covers, seal = list(getattr(event, "covers", None) or []), getattr(event, "seal", "")
            if not seal:
                if sealing:
                    found.append(Forged(record.id, "a command's record without a seal, after sealing began"))
                continue
            if not seals.holds(key, record.originator_id, covers, seal):
                found.append(Forged(record.id, "a command's record whose seal does not hold"))
                continue
            if not sealing:  # what came before this first sealed command's own events was written before sealing
                first = min((unnamed[name] for name in covers if name in unnamed), default=record.id)
                for name in [n for n, at in unnamed.items() if at < first]:
                    del unnamed[name]
                sealing = True
            for name in covers:
                unnamed.pop(name, None)
        start = records[-1].id + 1
    if sealing:
        found.extend(Forged(at, "an event no command wrote") for at in unnamed.values())
    return read, sorted(found, key=lambda f: f.position)
