"""The inbox's notices of casework: each case step that concerns a resident (accepted, answered, reopened, the
urgency downgraded, a rating asked for) reaches the case's raisers, and each that concerns a handler (a new case in
their queue — a new case in a grid's queue reaches the clerks too —, a case handed to them, a deadline near or
passed, a whistle to their department, the department's answer or its return) reaches them — never the person who
took the step. Whom a step concerns (raisers, owner, the grid's worker, the department's staff, who has yet to rate)
is read from the casework timeline's row of that very event (StepView.audience, written by the casework projection,
which runs before the inbox and is never behind it): as the case stood then, not as it stands now, so a rebuild
gives the notices a live run gave. The clerks are the residents' roles on the day of the event."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from backend.casework.domain.case import Case
from backend.casework.domain.rules import BEFORE, GRID_QUEUE
from backend.kernel.zone import LOCAL_ZONE
from projections.casework import queries as casework
from projections.residents import queries as residents
from projections.types import Item

CASE_NOTICE_NAMESPACE = uuid5(NAMESPACE_URL, "linli:inbox:case")
# What a raiser hears of their case, by event.
TO_RAISERS = {
    Case.Accepted: "case_accepted",
    Case.Answered: "case_answered",
    Case.Reopened: "case_reopened",
    Case.UrgencyDowngraded: "case_downgraded",
}
CASE_KINDS = (
    "case_accepted",
    "case_answered",
    "case_reopened",
    "case_downgraded",
    "case_rate",
    "case_new",
    "case_assigned",
    "case_due_soon",
    "case_overdue",
    "case_whistled",
    "case_returned",
    "case_dept_answered",
)
EVENTS = (
    Case.Raised,
    Case.Accepted,
    Case.HandedOver,
    Case.Requeued,
    Case.Reopened,
    Case.UrgencyDowngraded,
    Case.Whistled,
    Case.Rerouted,
    Case.WhistleReturned,
    Case.DepartmentAnswered,
    Case.Answered,
    Case.Reminded,
)


class CaseNotices:
    """Works out the recipients of a batch's case events (caching the clerks)."""

    events: ClassVar[tuple[type, ...]] = EVENTS

    def __init__(self) -> None:
        self._audiences: dict[int, dict[str, Any]] = {}
        self._clerks: dict[tuple[UUID, date], list[UUID]] = {}
        self._residents: dict[UUID, list[dict[str, Any]]] = {}  # each community's, as the batch reads them

    async def load(self, items: list[Item]) -> None:
        """Whom the batch's case events concern, in one read."""
        self._audiences = await casework.audiences([i.position for i in items if isinstance(i.event, EVENTS)])

    async def flush(self) -> None:
        return None

    async def rows(self, item: Item) -> list[dict[str, Any]]:
        e = item.event
        audience = self._audiences.get(item.position)
        if audience is None:
            return []
        raisers = [UUID(r) for r in audience["raisers"]]
        params: dict[str, Any] = {"label": audience["label"]}
        found: list[tuple[UUID | None, str]] = []
        reason = getattr(e, "reason", "")
        if type(e) in TO_RAISERS:
            found += [(r, TO_RAISERS[type(e)]) for r in raisers]
        if isinstance(e, Case.Raised | Case.Requeued | Case.Reopened):
            queue = GRID_QUEUE if isinstance(e, Case.Raised) and e.grid_id else ""  # else the clerks'
            found += [(p, "case_new") for p in await self._queue(e, audience, queue)]
            if queue == GRID_QUEUE:  # a new case in a grid's queue: the clerks hear of it too
                found += [(p, "case_new") for p in await self._queue(e, audience, "")]
        elif isinstance(e, Case.HandedOver):
            found.append((e.to_id, "case_assigned"))
            if e.from_id is None:  # taken from the queue: the raisers hear it was accepted
                found += [(r, "case_accepted") for r in raisers]
        elif isinstance(e, Case.Whistled | Case.Rerouted):
            found += [(UUID(p), "case_whistled") for p in audience["staff"]]
        elif isinstance(e, Case.WhistleReturned | Case.DepartmentAnswered):
            kind = "case_returned" if isinstance(e, Case.WhistleReturned) else "case_dept_answered"
            found.append((_id(audience["owner"]), kind))
        elif isinstance(e, Case.Reminded):
            params |= {"deadline": e.kind, "due": e.due.isoformat()}
            found += await self._reminded(e, audience)
        return self._made(item, found, reason, params)

    def _made(
        self, item: Item, found: list[tuple[UUID | None, str]], reason: str, params: dict[str, Any]
    ) -> list[dict[str, Any]]:
        e, rows, seen = item.event, [], set()
        for resident_id, kind in found:
            if resident_id is None or resident_id == e.actor_id or resident_id in seen:
                continue
            seen.add(resident_id)
            rows.append(
                {
                    "id": uuid5(CASE_NOTICE_NAMESPACE, f"{e.originator_id}|{e.originator_version}|{resident_id}"),
                    "resident_id": resident_id,
                    "kind": kind,
                    "slot_id": None,
                    "reason": reason,
                    "created_at": e.timestamp,
                    "position": item.position,
                    "pushed": False,
                    "subject_id": e.originator_id,
                    "params": params,
                }
            )
        return rows

    async def _reminded(self, e: Any, audience: dict[str, Any]) -> list[tuple[UUID | None, str]]:
        if e.kind == "rating":  # the raisers who have not rated this answer yet are asked again
            return [(UUID(r), "case_rate") for r in audience["unrated"]]
        kind = "case_due_soon" if e.stage == BEFORE else "case_overdue"
        people: list[UUID | None] = []
        if e.kind in ("report", "department") and e.department_id is not None:
            people += [UUID(p) for p in audience["staff"]]
        if e.owner_id is not None:
            people.append(e.owner_id)
        elif e.kind not in ("report", "department"):
            people += await self._queue(e, audience, e.queue)
        return [(p, kind) for p in people]

    async def _queue(self, e: Any, audience: dict[str, Any], queue: str) -> list[UUID]:
        """Who serves the case's queue: its grid's worker, else (the clerks' queue, or a grid without one) the
        clerks."""
        if queue == GRID_QUEUE and audience["worker"]:
            return [UUID(audience["worker"])]
        day = e.timestamp.astimezone(LOCAL_ZONE).date()
        key = (e.community_id, day)
        if key not in self._clerks:  # cases of a year in one batch: the residents read once, the days in memory
            if e.community_id not in self._residents:
                self._residents[e.community_id] = await residents.verified_roles(e.community_id)
            self._clerks[key] = residents.holding_among(self._residents[e.community_id], ["clerk"], day)
        return self._clerks[key]


def _id(value: str | None) -> UUID | None:
    return UUID(value) if value else None
