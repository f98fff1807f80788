"""What the casework pages, their live updates and the rounds read: grids and who holds them, departments, the
matter list in force, cases (a case's page, the queues of a grid worker, the clerks and a department, a resident's
own cases, a community's public ones) and the rows the deadline rounds act on. The rates and the dashboards are in
projections/casework/dashboard.py.

Private cases: every function that lists or shows cases for a person takes who is looking (`Viewer`) or lists
only what that person may see by construction (their grids, their department, their own). A private case is seen
by its raisers, whoever raised it for them, the community's clerks, its grid's worker, whoever has owned it, the
departments it was whistled to and, once whistled, the operators of its street — never by another resident."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from backend.casework.domain.rules import State
from backend.kernel.authz import Actor
from projections.casework.plan_queries import (  # noqa: F401  (the pages read them here too)
    areas,
    calendar_days,
    department,
    department_names,
    departments,
    departments_of,
    grid,
    grid_narrowings,
    grid_of_household,
    grids,
    grids_of,
    head_of,
    held_grids,
    holders,
    matters,
    street_matters,
)
from projections.casework.tables import (
    CaseView,
    RaiserView,
    StepView,
    WhistleView,
)
from projections.community import queries as communities
from projections.residents import queries as residents

OPEN = [State.QUEUED, State.ACCEPTED, State.ANSWERED]
IN_HAND = [State.QUEUED, State.ACCEPTED]
PREVIEW = 80  # characters of a case's text in a list


# -- live channels -------------------------------------------------------------------------------------------------
def case_channel(case_id: object) -> str:
    return f"case:{case_id}"


def queue_channel(key: object) -> str:
    """A grid's queue (its id), a handler's (their id), the clerks' (the community's id), a department's (its id)."""
    return f"queue:{key}"


def rates_channel(community_id: object) -> str:
    return f"rates:{community_id}"


# -- who is looking --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Viewer:
    id: UUID | None
    community_id: UUID | None
    roles: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()  # ids (text) of the departments they act for
    streets: frozenset[str] = frozenset()

    @classmethod
    def of(cls, actor: Actor, acting_for: frozenset[str] | None = None) -> Viewer:
        """`acting_for`: the departments they act for (queries.departments_of), when the actor does not say."""
        found = acting_for if acting_for is not None else getattr(actor, "departments", frozenset())
        return cls(actor.id, actor.community_id, frozenset(actor.roles), frozenset(found), frozenset(actor.streets))


def _uuid(value: object) -> UUID:
    return value if type(value) is UUID else UUID(str(value))  # asyncpg gives its own UUID type


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _case(row: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    for name, value in row.items():
        if isinstance(value, UUID) and type(value) is not UUID:
            row[name] = UUID(str(value))
    for column in ("photos", "deadlines", "raisers", "handlers", "departments", "facts"):
        if column in row:
            row[column] = _json(row[column])
    if now is not None:
        row["overdue"] = row.get("due_at") is not None and row["due_at"] < now
    return row


# -- cases -----------------------------------------------------------------------------------------------------------
_LISTED = (
    "id community_id raised_at category label text building place urgent public grid_id queue queue_reason state "
    "owner_id round reopened extension extension_days department_id reported next_kind next_due due_at raisers"
)
LIST_COLUMNS = tuple(getattr(CaseView, name) for name in _LISTED.split())


async def _listed(rows: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """List rows: a preview of the text, the overdue mark, the owner's masked name, how many raised it."""
    names = await residents.masked_names(r["owner_id"] for r in rows)
    for row in rows:
        _case(row, now)
        row["preview"] = row["text"][:PREVIEW]
        row["owner"] = names.get(str(row["owner_id"]), "") if row["owner_id"] else ""
        row["raisers_count"] = len(row["raisers"])
    return rows


def _order(rows: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Overdue first, then by the next deadline of the handlers, then by the next deadline at all (a case waiting
    for its ratings last)."""
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(rows, key=lambda r: (not r["overdue"], r["due_at"] or far, r["next_due"] or far, str(r["id"])))


async def case(case_id: object) -> dict[str, Any] | None:
    row = await CaseView.select().where(CaseView.id == case_id).first()
    return _case(row) if row else None


async def audiences(positions: list[int]) -> dict[int, dict[str, Any]]:
    """Whom each step at these log positions concerns, with its case's label (StepView.audience): the inbox reads
    those of a batch's case events at once."""
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(positions), 500):
        rows = await StepView.raw(
            "SELECT s.position, s.audience, c.label FROM casework_step s JOIN casework_case c ON c.id = s.case_id "
            f"WHERE s.position IN ({', '.join('{}' for _ in positions[start : start + 500])})",
            *positions[start : start + 500],
        )
        for r in rows:
            audience = json.loads(r["audience"]) if isinstance(r["audience"], str) else r["audience"]
            found[int(r["position"])] = {**audience, "label": r["label"]}
    return found


async def cases(case_ids: list[object]) -> dict[str, dict[str, Any]]:
    """Several cases' rows by id."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(case_ids), 500):
        for row in await CaseView.select().where(CaseView.id.is_in(case_ids[start : start + 500])):
            found[str(row["id"])] = _case(row)
    return found


async def may_see(row: dict[str, Any], viewer: Viewer) -> bool:
    """May `viewer` see this case (see the module's text)."""
    if viewer.id is None:
        return False
    me, same = str(viewer.id), viewer.community_id == row["community_id"]
    if me in row["raisers"] or me in row["handlers"] or row.get("raised_by") == viewer.id:
        return True
    if same and "clerk" in viewer.roles:
        return True
    if same and row["public"] and "resident" in viewer.roles:
        return True
    if same and row["grid_id"] and "grid_worker" in viewer.roles and row["grid_id"] in await grids_of(viewer.id):
        return True
    if set(row["departments"]) & set(viewer.departments) and "department_staff" in viewer.roles:
        return True
    if row["departments"] and viewer.streets and "street_operator" in viewer.roles:
        found = await communities.by_id(row["community_id"])
        return bool(found) and found["street"] in viewer.streets
    return False


async def case_for(case_id: object, viewer: Viewer, now: datetime) -> dict[str, Any] | None:
    """The case when `viewer` may see it, else None (a page answers 404 alike for missing and not theirs)."""
    row = await case(case_id)
    if row is None or not await may_see(row, viewer):
        return None
    row["overdue"] = row["due_at"] is not None and row["due_at"] < now
    return row


async def steps(case_id: object, internal: bool = False) -> list[dict[str, Any]]:
    """The case's timeline, oldest first: who (masked; for whom), when, what. The deadlines' notices (`internal`)
    only for those handling it."""
    query = StepView.select().where(StepView.case_id == case_id)
    if not internal:
        query = query.where(StepView.internal.eq(False))
    rows = await query.order_by(StepView.position).output(load_json=True)
    people: set[object] = set()
    units: set[object] = set()
    for r in rows:
        people.update([r["actor_id"], r["on_behalf_of"]])
        people.update(r["detail"].get(k) for k in ("owner_id", "to_id", "from_id", "resident_id", "raiser_id"))
        units.add(r["detail"].get("department_id"))
    names = await residents.masked_names(people)
    department_name = await department_names(list(units))
    for r in rows:
        r["actor"] = names.get(str(r["actor_id"]), "") if r["actor_id"] else ""
        r["for"] = names.get(str(r["on_behalf_of"]), "") if r["on_behalf_of"] else ""
        r["names"] = {k: names.get(str(v), "") for k, v in r["detail"].items() if k.endswith("_id") and str(v) in names}
        r["department"] = department_name.get(str(r["detail"].get("department_id")), "")
    return rows


async def whistles(case_id: object) -> list[dict[str, Any]]:
    rows = await WhistleView.select().where(WhistleView.case_id == case_id).order_by(WhistleView.whistled_at)
    names = await department_names([r["department_id"] for r in rows])
    return [{**r, "department": names.get(str(r["department_id"]), "")} for r in rows]


async def case_page(case_id: object, viewer: Viewer, now: datetime) -> dict[str, Any] | None:
    """Everything a case's page shows to `viewer`, or None when they may not see it. `as_` says in which
    capacities they look (a raiser rates; a handler acts; a department reports in and answers)."""
    row = await case_for(case_id, viewer, now)
    if row is None:
        return None
    me = str(viewer.id)
    same = viewer.community_id == row["community_id"]
    grids_held = await grids_of(viewer.id) if "grid_worker" in viewer.roles else []
    handler = same and (
        "clerk" in viewer.roles or row["owner_id"] == viewer.id or (row["grid_id"] in grids_held and row["grid_id"])
    )
    of_unit = bool(set(row["departments"]) & set(viewer.departments))
    names = await residents.masked_names([*row["raisers"], row["owner_id"], row["raised_by"]])
    ratings = [s for s in await steps(case_id) if s["kind"] == "Rated" and s["detail"]["round"] == row["round"]]
    return {
        "case": row,
        "steps": await steps(case_id, internal=bool(handler or of_unit)),
        "whistles": await whistles(case_id),
        "raisers": [names.get(r, "") for r in row["raisers"]] if handler or me in row["raisers"] else [],
        "owner": names.get(str(row["owner_id"]), "") if row["owner_id"] else "",
        "raised_by": names.get(str(row["raised_by"]), "") if row["raised_by"] else "",
        "ratings": ratings,
        "rated": any(r["detail"]["resident_id"] == me for r in ratings),
        "as_": {
            "raiser": me in row["raisers"],
            "owner": row["owner_id"] == viewer.id,
            "handler": bool(handler),
            "clerk": same and "clerk" in viewer.roles,
            "department": of_unit
            and row["department_id"] is not None
            and str(row["department_id"]) in viewer.departments,
        },
    }


async def worker_queue(
    worker_id: object, now: datetime, limit: int = 100, held: Sequence[UUID] | None = None
) -> list[dict[str, Any]]:
    """A 网格员's queue: the open cases of their grids (`held`, read when not given) and those they hold (handed to
    them from anywhere), overdue first, then by the next deadline; in one statement."""
    held = await grids_of(worker_id) if held is None else held
    # Each side of the OR whole, so that SQLite searches both indexes (grid, state) and (state, owner) and unites
    # them (MULTI-INDEX OR); `state IN … AND (owner OR grid)` would read every open case.
    theirs = CaseView.state.is_in(OPEN) & (CaseView.owner_id == worker_id)
    if held:
        theirs = theirs | (CaseView.grid_id.is_in(list(held)) & CaseView.state.is_in(OPEN))
    rows = await CaseView.select(*LIST_COLUMNS).where(theirs)
    return _order(await _listed(rows, now), now)[:limit]


async def clerk_queue(community_id: object, now: datetime, limit: int = 100) -> dict[str, list[dict[str, Any]]]:
    """The clerks' desk: cases waiting in their queue (no grid covers the place, reopened, or their owner left),
    extensions to decide, and every overdue case of the community."""
    waiting = await CaseView.select(*LIST_COLUMNS).where(
        (CaseView.community_id == community_id) & (CaseView.state == State.QUEUED) & (CaseView.queue == "clerk")
    )
    extensions = await CaseView.select(*LIST_COLUMNS).where(
        (CaseView.community_id == community_id)
        & (CaseView.state == State.ACCEPTED)
        & (CaseView.extension == "requested")
    )
    overdue = await (
        CaseView.select(*LIST_COLUMNS)
        .where((CaseView.community_id == community_id) & (CaseView.due_at < now))
        .order_by(CaseView.due_at)
        .limit(limit)
    )
    return {
        "waiting": _order(await _listed(waiting, now), now)[:limit],
        "extensions": _order(await _listed(extensions, now), now)[:limit],
        "overdue": await _listed(overdue, now),
    }


async def department_queue(department_id: object, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
    """The cases with a department now (whistled, not yet answered or returned): late to report in or answer
    first, then by its next deadline. Each row: the whistle, and the case's category, text and place."""
    rows = await WhistleView.select().where((WhistleView.department_id == department_id) & WhistleView.open.eq(True))
    if not rows:
        return []
    cases = {
        str(c["id"]): c
        for c in await CaseView.select(*LIST_COLUMNS).where(CaseView.id.is_in([r["case_id"] for r in rows]))
    }
    found = []
    for r in rows:
        due = r["answer_due"] if r["reported_at"] is not None else min(r["report_due"], r["answer_due"])
        c = cases.get(str(r["case_id"]))
        if c is None:
            continue
        found.append({**_case(c, now), **r, "id": r["case_id"], "whistle_id": r["id"], "due": due, "late": due < now})
    found.sort(key=lambda r: (not r["late"], r["due"]))
    return found[:limit]


async def my_cases(
    resident_id: object, now: datetime, limit: int = 50, with_steps: bool = False
) -> list[dict[str, Any]]:
    """A resident's own cases (raised, joined, or come with a merged duplicate), newest first; with every step
    when asked."""
    mine = await (
        RaiserView.select(RaiserView.case_id, RaiserView.how)
        .where(RaiserView.resident_id == resident_id)
        .order_by(RaiserView.since, ascending=False)
        .limit(limit)
    )
    if not mine:
        return []
    how = {str(r["case_id"]): r["how"] for r in mine}
    rows = await CaseView.select(*LIST_COLUMNS, CaseView.answer, CaseView.outcome, CaseView.merged_into).where(
        CaseView.id.is_in([r["case_id"] for r in mine])
    )
    listed = await _listed(rows, now)
    for row in listed:
        row["how"] = how[str(row["id"])]
        if with_steps:
            row["steps"] = await steps(row["id"])
    return sorted(listed, key=lambda r: r["raised_at"], reverse=True)


async def public_cases(community_id: object, now: datetime, limit: int = 30) -> list[dict[str, Any]]:
    """The community's public cases not yet answered (neighbours add 我也遇到 instead of raising them again)."""
    rows = await (
        CaseView.select(*LIST_COLUMNS)
        .where((CaseView.community_id == community_id) & CaseView.state.is_in(IN_HAND) & CaseView.public.eq(True))
        .order_by(CaseView.raised_at, ascending=False)
        .limit(limit)
    )
    return await _listed(rows, now)


# -- the rounds -------------------------------------------------------------------------------------------------------
async def case_notices_due(now: datetime, limit: int = 500) -> list[dict[str, Any]]:
    """Cases whose rounds have something to do (a deadline's notice, or closing the rating window), soonest first."""
    return await (
        CaseView.select(CaseView.id, CaseView.community_id, CaseView.notice_at)
        .where(CaseView.notice_at.is_not_null() & (CaseView.notice_at <= now))
        .order_by(CaseView.notice_at)
        .limit(limit)
    )


async def cases_of_lapsed_owners(today: date, limit: int = 500) -> list[dict[str, Any]]:
    """Accepted cases whose owner holds neither grid_worker nor clerk in force on `today` (their term ended)."""
    owners = await CaseView.raw(
        "SELECT DISTINCT owner_id FROM casework_case WHERE state = {} AND owner_id IS NOT NULL", State.ACCEPTED
    )
    found = await residents.by_ids([r["owner_id"] for r in owners])
    lapsed = [
        _uuid(r["owner_id"])
        for r in owners
        if not {"grid_worker", "clerk"} & set(residents.roles_in_force(found.get(str(r["owner_id"]), {}), today))
    ]
    if not lapsed:
        return []
    return await (
        CaseView.select(CaseView.id, CaseView.community_id, CaseView.owner_id)
        .where((CaseView.state == State.ACCEPTED) & CaseView.owner_id.is_in(lapsed))
        .order_by(CaseView.position)
        .limit(limit)
    )
