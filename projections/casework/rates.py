"""The rates (全实效评价) as the projection keeps them: each case carries its counting facts (what its events have
established so far), the facts say what the case adds to the counters of each scope, and an event's (or a batch's)
change to the counters is the difference of what the case added before and after. So a merged duplicate takes back
what it added, a reopened case replaces its answer and ratings, a hand-over moves the case's outcome to its new
owner — and the counters stay the sum over the cases, kept per (month, scope) so that no page ever recounts.

The rules are those of backend.casework.domain.counting (the words the pages show):
- 响应 (accept): due once the case is accepted (its first acceptance, or a hand-over from the queue) or the
  deadline's "at" notice is recorded; in time when the acceptance came by the deadline in force just before it.
- 办结 (answer): due once answered or the answer deadline's "at" notice is recorded; in time when the LAST answer
  came by the deadline in force just before it (an approved extension moved it), and no later answer deadline of a
  reopened round has passed unanswered.
- ratings: each raiser's rating of the last answer; a case is rated when one of them rated it.
- a department: per whistle to it that it did not return and the street did not re-route (its last one per case):
  报到 in time and its answer in time, from the whistle; the ratings of the case once it has answered.
Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from projections.casework.tables import COUNTERS

Facts = dict[str, Any]
Key = tuple[str, str, str, str | None]  # month, scope, key, community id
Contribution = dict[Key, list[int]]  # in COUNTERS order

RATE_NAMESPACE = uuid5(NAMESPACE_URL, "linli:casework:rate")
OPEN = [0, 0, None]  # [due, in time, seconds from the start] of a deadline not yet due


@lru_cache(maxsize=200_000)  # the same few keys come back in every batch
def rate_id(month: str, scope: str, key: str) -> UUID:
    return uuid5(RATE_NAMESPACE, f"{month}|{scope}|{key}")


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def new_facts(
    month: str, community: str, grid: str | None, category: str, raised: datetime, responder: str | None
) -> Facts:
    return {
        "month": month,
        "community": community,
        "grid": grid,
        "category": category,
        "merged": 0,
        "raised": epoch(raised),
        "responder": responder,  # the grid's worker when it was raised; the first to accept it once accepted
        "holder": None,
        "answerer": None,
        "acc": list(OPEN),
        "ans": list(OPEN),
        "ratings": {},
        "unrated": 0,
        "whistled": 0,
        "units": {},
    }


def met(at: datetime, deadline: list[datetime] | None) -> int:
    """1 when `at` is by the deadline (a missing deadline is no deadline missed)."""
    return int(deadline is None or at <= deadline[1])


def accepted(facts: Facts, owner: str, at: datetime, deadline: list[datetime] | None) -> None:
    """The first acceptance counts (a reopened or re-queued case taken again does not count again)."""
    facts["holder"] = owner
    if facts["acc"][2] is None:
        facts["acc"] = [1, met(at, deadline), epoch(at) - facts["raised"]]
        facts["responder"] = owner


def answered(facts: Facts, owner: str | None, at: datetime, deadline: list[datetime] | None) -> None:
    facts["ans"] = [1, met(at, deadline), epoch(at) - facts["raised"]]
    facts["answerer"] = owner
    facts["ratings"] = {}  # the ratings of this answer now count, not those of an earlier one
    facts["unrated"] = 0


def overdue(facts: Facts, kind: str) -> None:
    """The "at" notice of a deadline: due, and (until met) not in time."""
    if kind == "accept" and facts["acc"][2] is None:
        facts["acc"] = [1, 0, None]
    elif kind == "answer":
        facts["ans"] = [1, 0, facts["ans"][2]]


def whistled(facts: Facts, department: str, at: datetime) -> None:
    facts["whistled"] = 1
    facts["units"][department] = {"at": epoch(at), "rep": list(OPEN), "ans": list(OPEN)}


def unit_event(facts: Facts, department: str, part: str, at: datetime, deadline: list[datetime] | None) -> None:
    """The department reported in (`rep`) or answered (`ans`)."""
    unit = facts["units"].get(department)
    if unit is not None:
        unit[part] = [1, met(at, deadline), epoch(at) - unit["at"]]


def unit_overdue(facts: Facts, department: str | None, part: str) -> None:
    unit = facts["units"].get(department) if department else None
    if unit is not None and unit[part][2] is None:
        unit[part] = [1, 0, None]


def voided(facts: Facts, department: str) -> None:
    """A whistle returned (退单) or re-routed counts for no department."""
    facts["units"].pop(department, None)


# A contribution is a vector in COUNTERS order: cases, whistled, accept_due, accept_in_time, accepted,
# accept_seconds, answer_due, answer_in_time, answered, answer_seconds, rated_cases, ratings, satisfied, solved,
# unrated (lists, not dicts: a rebuild adds up millions of them).
def _deadlines(accept: list[Any], answer: list[Any]) -> list[int]:
    return [
        0, 0, accept[0], accept[1], int(accept[2] is not None), accept[2] or 0,
        answer[0], answer[1], int(answer[2] is not None), answer[2] or 0, 0, 0, 0, 0, 0,
    ]  # fmt: skip


def _rated(facts: Facts, into: list[int]) -> None:
    given = facts["ratings"].values()
    if given:
        into[10], into[11] = 1, len(given)
        into[12], into[13] = sum(g[0] for g in given), sum(g[1] for g in given)


def contributions(facts: Facts | None) -> Contribution:
    """What the case adds to the counters, by (month, scope, key, community)."""
    if not facts or facts["merged"]:
        return {}
    month, community = facts["month"], facts["community"]
    accept = _deadlines(facts["acc"], OPEN)
    outcome = _deadlines(OPEN, facts["ans"])
    outcome[0], outcome[1], outcome[14] = 1, facts["whistled"], facts["unrated"]
    _rated(facts, outcome)
    whole = [a + o for a, o in zip(accept, outcome, strict=True)]
    found: Contribution = {
        (month, "community", community, community): whole,
        (month, "category", f"{community}:{facts['category']}", community): whole,
    }
    if facts["grid"]:
        found[(month, "grid", facts["grid"], community)] = whole
    responder = facts["responder"]
    worker = facts["answerer"] or facts["holder"] or responder
    if responder:
        found[(month, "worker", responder, community)] = accept
    if worker:
        _add(found, (month, "worker", worker, community), outcome, 1)
    for department, unit in facts["units"].items():
        figures = _deadlines(unit["rep"], unit["ans"])
        figures[0] = figures[1] = 1
        if unit["ans"][2] is not None:
            _rated(facts, figures)
        found[(month, "department", department, None)] = figures
    return found


def _add(into: Contribution, key: Key, figures: list[int], sign: int) -> None:
    mine = into.get(key)
    if mine is None:
        into[key] = list(figures) if sign == 1 else [-v for v in figures]  # what sign * v gives, made cheaper
    elif sign == 1:
        into[key] = [m + v for m, v in zip(mine, figures, strict=True)]
    else:
        into[key] = [m - v for m, v in zip(mine, figures, strict=True)]


def difference(before: Contribution, after: Contribution, into: Contribution) -> None:
    """Add `after` - `before` into `into` (the batch's changes to the counters)."""
    for key, figures in after.items():
        _add(into, key, figures, 1)
    for key, figures in before.items():
        _add(into, key, figures, -1)


def changes(delta: Contribution) -> Iterable[tuple[Key, list[int]]]:
    """The counters to move, in COUNTERS order, leaving out keys nothing changed."""
    for key, values in delta.items():
        if any(values):
            yield key, values


# -- reading the counters -----------------------------------------------------------------------------------------
def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _hours(seconds: int, count: int) -> float | None:
    return round(seconds / count / 3600, 1) if count else None


def figures(row: dict[str, Any] | None) -> dict[str, Any]:
    """A counter row's rates (None: nothing to count, shown as —) with the counts behind them."""
    counts = {name: int((row or {}).get(name) or 0) for name in COUNTERS}
    return {
        **counts,
        "response": _share(counts["accept_in_time"], counts["accept_due"]),
        "completion": _share(counts["answer_in_time"], counts["answer_due"]),
        "satisfaction": _share(counts["satisfied"], counts["ratings"]),
        "solved_rate": _share(counts["solved"], counts["ratings"]),
        "participation": _share(counts["rated_cases"], counts["answered"]),
        "accept_hours": _hours(counts["accept_seconds"], counts["accepted"]),
        "answer_hours": _hours(counts["answer_seconds"], counts["answered"]),
    }


def total(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Counter rows added up (a street's communities, a community's months)."""
    summed = dict.fromkeys(COUNTERS, 0)
    for row in rows:
        for name in COUNTERS:
            summed[name] += int(row.get(name) or 0)
    return summed
