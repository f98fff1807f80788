"""The cases' events of one batch, applied in memory and written at the end in a few bulk statements (a rebuild
reads hundreds of thousands of them): each case's row (state, owner, deadlines, counting facts), its raisers, a
timeline row per event and its whistles; then the rates' counters move by what the touched cases add now less what
they added before the batch (projections.casework.rates)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from operator import itemgetter
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from piccolo import columns

from backend.casework.domain.case import Case
from backend.casework.domain.counting import month_of
from backend.casework.domain.deadlines import next_deadline
from backend.casework.domain.rules import AT, BASICALLY, CLERK_QUEUE, SATISFIED, State
from projections.casework import rates
from projections.casework.queries import case_channel, queue_channel, rates_channel
from projections.casework.tables import COUNTERS, CaseView, RaiserView, RateView, StepView, WhistleView
from projections.casework.texts import audience_json as _audience_json
from projections.casework.texts import id_text as _id
from projections.casework.texts import plain_json as _plain_json
from projections.casework.texts import text as _text
from projections.casework.texts import to_json as _json
from projections.casework.texts import uuid5_text
from projections.db import _connection, _placeholders, bulk_execute, bulk_insert
from projections.types import Item, LiveMessage

RAISER_NAMESPACE = uuid5(NAMESPACE_URL, "linli:casework:raiser")
WHISTLE_NAMESPACE = uuid5(NAMESPACE_URL, "linli:casework:whistle")
HANDLERS_DEADLINES = ("accept", "answer", "report", "department")  # a case is overdue when one of these has passed
Deadlines = dict[str, list[datetime]]
WHISTLE_EVENTS = (Case.Whistled, Case.Rerouted, Case.ReportedIn, Case.WhistleReturned, Case.DepartmentAnswered)


def _iso(deadlines: Deadlines) -> dict[str, list[str]]:
    return {kind: [moment.isoformat() for moment in pair] for kind, pair in deadlines.items()}


def _parsed(deadlines: dict[str, list[str]]) -> Deadlines:
    return {kind: [datetime.fromisoformat(m) for m in pair] for kind, pair in deadlines.items()}


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class CaseBatch:
    """The touched cases of a batch, in memory."""

    def __init__(self, workers: dict[UUID, UUID | None], staff: dict[UUID, list[str]] | None = None) -> None:
        self.workers = workers  # each grid's worker as the batch knows them (the plan's events keep it current)
        self.staff = staff if staff is not None else {}  # each department's staff, kept current the same way
        self.rows: dict[UUID, dict[str, Any]] = {}
        self.deadlines: dict[UUID, Deadlines] = {}
        self.before: dict[UUID, rates.Contribution] = {}
        self.stored: set[UUID] = set()  # rows already in the table (replaced at the end)
        self.steps: list[tuple[Any, ...]] = []
        self.raisers: list[dict[str, Any]] = []
        self.whistles: dict[UUID, dict[str, Any]] = {}
        self.open_whistle: dict[UUID, dict[str, Any]] = {}  # per case
        self.stored_whistles: set[UUID] = set()
        self.queues: set[str] = set()  # queue channels to tell

    # -- loading ---------------------------------------------------------------------------------------------------
    async def load(self, case_ids: set[UUID]) -> None:
        """The rows of the cases the batch touches (those raised in it are made by it) and their open whistles."""
        ids = list(case_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for row in await CaseView.select().where(CaseView.id.is_in(chunk)):
                row.update({k: UUID(str(v)) for k, v in row.items() if isinstance(v, UUID) and type(v) is not UUID})
                case_id = row["id"]
                for column in ("photos", "deadlines", "raisers", "handlers", "departments", "facts"):
                    row[column] = _loaded(row[column])
                self.rows[case_id] = row
                self.deadlines[case_id] = _parsed(row["deadlines"])
                self.before[case_id] = rates.contributions(row["facts"])
                self.stored.add(case_id)
                self._queues(row)  # where it was (where it is now is told at the end)
            for whistle in await WhistleView.select().where(
                WhistleView.case_id.is_in(chunk) & WhistleView.open.eq(True)
            ):
                self.open_whistle[_uuid(whistle["case_id"])] = whistle
                self.whistles[_uuid(whistle["id"])] = whistle
                self.stored_whistles.add(_uuid(whistle["id"]))

    # -- applying --------------------------------------------------------------------------------------------------
    def apply(self, item: Item) -> None:
        e = item.event
        # the case's row looked up once: its id is a new object each event, and a UUID's hash is a Python call
        if isinstance(e, Case.Raised):
            row = self._raised(item)
        else:
            row = self.rows[e.originator_id]
            self._step(item, row)
        self._timeline(item, row)

    def _raised(self, item: Item) -> dict[str, Any]:
        e = item.event
        case_id, community = e.originator_id, _id(e.community_id)
        month = month_of(e.timestamp)
        responder = self.workers.get(e.grid_id) if e.grid_id else None
        row = {
            "id": case_id,
            "community_id": e.community_id,
            "raised_at": e.timestamp,
            "month": month,
            "raiser_id": e.raiser_id,
            "raised_by": e.actor_id if e.on_behalf_of else None,
            "authority": e.authority,
            "category": e.category,
            "label": e.label,
            "handling": e.handling,
            "answer_days": e.answer_days,
            "text": e.text,
            "building": e.building,
            "place": e.place,
            "photos": list(e.photos),
            "urgent": e.urgent,
            "public": e.public,
            "grid_id": e.grid_id,
            "queue": e.queue,
            "queue_reason": "grid" if e.grid_id else "no_grid",
            "state": State.QUEUED,
            "owner_id": None,
            "round": 0,
            "reopened": False,
            "extension": "",
            "extension_days": 0,
            "department_id": None,
            "reported": False,
            "whistles": 0,
            "deadlines": {},
            "next_kind": "",
            "next_due": None,
            "due_at": None,
            "notice_at": None,
            "answer": "",
            "answered_at": None,
            "closed_at": None,
            "outcome": "",
            "merged_into": None,
            "raisers": [_id(e.raiser_id)],
            "handlers": [],
            "departments": [],
            "facts": rates.new_facts(month, community, _text(e.grid_id), e.category, e.timestamp, _text(responder)),
            "updated_at": e.timestamp,
            "position": item.position,
        }
        self.rows[case_id] = row
        self.before[case_id] = {}
        self._deadlines(row, case_id, e.deadlines, e.notice_at)
        self._raiser(case_id, e.raiser_id, "raised", e.timestamp)
        return row

    def _deadlines(self, row: dict[str, Any], case_id: UUID, deadlines: Deadlines, notice_at: datetime | None) -> None:
        """The deadlines after the event (what the columns read from them is worked out once, at the end)."""
        self.deadlines[case_id] = deadlines
        row["notice_at"] = notice_at

    def _columns(self, case_id: UUID, row: dict[str, Any]) -> None:
        deadlines = self.deadlines[case_id]
        row["deadlines"] = _iso(deadlines)
        soonest = next_deadline(deadlines)
        row["next_kind"], row["next_due"] = soonest if soonest else ("", None)
        handlers = [pair[1] for kind, pair in deadlines.items() if kind in HANDLERS_DEADLINES]
        row["due_at"] = min(handlers) if handlers else None

    def _raiser(self, case_id: UUID, resident_id: UUID, how: str, at: datetime) -> None:
        row = {
            "id": uuid5_text(RAISER_NAMESPACE, f"{_id(case_id)}|{_id(resident_id)}"),  # ids as text (_text)
            "case_id": _id(case_id),
            "resident_id": _id(resident_id),
            "how": how,
            "since": at,
        }
        self.raisers.append(row)

    def _queues(self, row: dict[str, Any]) -> None:
        """The queues a change of this case shows in: its grid's, its owner's, the community's (the clerks')."""
        for key in (row["grid_id"], row["owner_id"], row["community_id"]):
            if key is not None:
                self.queues.add(queue_channel(_id(key)))

    def _step(self, item: Item, row: dict[str, Any]) -> None:
        e = item.event
        case_id = row["id"]  # the row's: the same object event after event (a cheaper key than the event's)
        before = self.deadlines[case_id]  # the deadlines in force just before this event
        facts = row["facts"]
        self._deadlines(row, case_id, e.deadlines, e.notice_at)
        row["updated_at"], row["position"] = e.timestamp, item.position
        if isinstance(e, Case.Accepted):
            self._owner(row, e.owner_id, "")
            rates.accepted(facts, _id(e.owner_id), e.timestamp, before.get("accept"))
        elif isinstance(e, Case.HandedOver):
            self._owner(row, e.to_id, "")
            if e.from_id is None:  # taken from the queue: it counts as the case's acceptance
                rates.accepted(facts, _id(e.to_id), e.timestamp, before.get("accept"))
            facts["holder"] = _id(e.to_id)
        elif isinstance(e, Case.Requeued | Case.Reopened):
            self._owner(row, None, CLERK_QUEUE, "requeued" if isinstance(e, Case.Requeued) else "reopened")
            row["reopened"] = row["reopened"] or isinstance(e, Case.Reopened)
            facts["holder"] = None
        elif isinstance(e, Case.UrgencyDowngraded):
            row["urgent"] = False
        elif isinstance(e, Case.Joined):
            row["raisers"].append(_id(e.resident_id))
            self._raiser(case_id, e.resident_id, "joined", e.timestamp)
        elif isinstance(e, Case.Absorbed):
            for resident_id in e.raisers:
                if _id(resident_id) not in row["raisers"]:
                    row["raisers"].append(_id(resident_id))
                    self._raiser(case_id, resident_id, "merged", e.timestamp)
        elif isinstance(e, Case.Merged):
            self._owner(row, None, "", state=State.MERGED)
            row["merged_into"], row["closed_at"] = e.into_id, e.timestamp
            facts["merged"] = 1
        elif isinstance(e, WHISTLE_EVENTS):
            self._whistle(item, row, before)
        else:
            self._later(item, row, before)

    def _owner(self, row: dict[str, Any], owner: UUID | None, queue: str, why: str = "", state: str = "") -> None:
        row["owner_id"], row["queue"], row["queue_reason"] = owner, queue, why
        row["state"] = state or (State.ACCEPTED if owner else State.QUEUED)
        if owner is not None and _id(owner) not in row["handlers"]:
            row["handlers"].append(_id(owner))

    def _later(self, item: Item, row: dict[str, Any], before: Deadlines) -> None:
        e, facts = item.event, row["facts"]
        if isinstance(e, Case.ExtensionRequested):
            row["extension"], row["extension_days"] = "requested", e.days
        elif isinstance(e, Case.ExtensionApproved):
            row["extension"] = "approved"
        elif isinstance(e, Case.ExtensionDeclined):
            row["extension"] = "declined"
        elif isinstance(e, Case.Answered):
            row["state"], row["round"] = State.ANSWERED, e.round
            row["answer"], row["answered_at"] = e.text, e.timestamp
            rates.answered(facts, _text(e.actor_id), e.timestamp, before.get("answer"))
        elif isinstance(e, Case.Rated):
            if e.round == row["round"]:
                facts["ratings"][_id(e.resident_id)] = [int(e.level in (SATISFIED, BASICALLY)), int(e.solved)]
        elif isinstance(e, Case.Closed):
            self._owner(row, None, "", state=State.CLOSED)
            row["closed_at"], row["outcome"] = e.timestamp, e.outcome
            facts["unrated"] = int(e.outcome == "unrated")
        elif isinstance(e, Case.Reminded) and e.stage == AT:
            if e.kind in ("accept", "answer"):
                rates.overdue(facts, e.kind)
            elif e.kind in ("report", "department"):
                rates.unit_overdue(facts, _text(e.department_id), "rep" if e.kind == "report" else "ans")

    def _whistle(self, item: Item, row: dict[str, Any], before: Deadlines) -> None:
        e, facts, case_id = item.event, row["facts"], item.event.originator_id
        if isinstance(e, Case.Whistled | Case.Rerouted):
            if isinstance(e, Case.Rerouted) and row["department_id"] is not None:
                rates.voided(facts, _id(row["department_id"]))
                self._close_whistle(case_id, e, "rerouted", e.reason)
            whistle = {
                "id": uuid5(WHISTLE_NAMESPACE, f"{_id(case_id)}|{e.originator_version}"),
                "case_id": case_id,
                "community_id": e.community_id,
                "number": e.number if isinstance(e, Case.Whistled) else row["whistles"],
                "department_id": e.department_id,
                "whistled_at": e.timestamp,
                "reason": e.reason,
                "report_due": e.deadlines["report"][1],
                "answer_due": e.deadlines["department"][1],
                "reported_at": None,
                "open": True,
                "closed_at": None,
                "closed_how": "",
                "close_text": "",
            }
            self.whistles[whistle["id"]] = whistle
            self.open_whistle[case_id] = whistle
            row["department_id"], row["reported"] = e.department_id, False
            row["whistles"] = whistle["number"]
            department = _id(e.department_id)
            if department not in row["departments"]:
                row["departments"].append(department)
            rates.whistled(facts, department, e.timestamp)
            self.queues.add(queue_channel(e.department_id))
            return
        self.queues.add(queue_channel(e.department_id))
        if isinstance(e, Case.ReportedIn):
            row["reported"] = True
            if case_id in self.open_whistle:
                self.open_whistle[case_id]["reported_at"] = e.timestamp
            rates.unit_event(facts, _id(e.department_id), "rep", e.timestamp, before.get("report"))
            return
        row["department_id"], row["reported"] = None, False
        if isinstance(e, Case.WhistleReturned):
            rates.voided(facts, _id(e.department_id))
            self._close_whistle(case_id, e, "returned", e.reason)
        else:  # DepartmentAnswered
            rates.unit_event(facts, _id(e.department_id), "ans", e.timestamp, before.get("department"))
            self._close_whistle(case_id, e, "answered", e.text)

    def _close_whistle(self, case_id: UUID, e: Any, how: str, text: str) -> None:
        whistle = self.open_whistle.pop(case_id, None)
        if whistle is not None:
            whistle.update({"open": False, "closed_at": e.timestamp, "closed_how": how, "close_text": text})
            self.queues.add(queue_channel(whistle["department_id"]))

    def _timeline(self, item: Item, row: dict[str, Any]) -> None:
        e = item.event
        kind = type(e)
        names = _DETAIL.get(kind)
        if names is None:
            names = _DETAIL[kind] = [n for n in vars(e) if n not in _NOT_DETAIL and not n.startswith("_")]
        # what a case said when raised is its row's; a step keeps what it adds
        detail = _plain_json({name: getattr(e, name) for name in names}) if kind is not Case.Raised else "{}"
        self.steps.append(
            (  # the ids as text: written as text (SQLite) or taken as text (asyncpg), made once each (_text)
                item.position,
                _id(e.originator_id),
                e.timestamp,
                kind.__name__,
                _text(e.actor_id),
                _text(e.on_behalf_of),
                detail,
                kind is Case.Reminded,
                self._audience(e, row),
            )
        )

    def _audience(self, e: Any, row: dict[str, Any]) -> str:
        """Whom the step concerns, as the case stands after it (StepView.audience), as JSON."""
        # vars(e).get, not getattr with a default: most events have no department_id, and a missed getattr costs an
        # exception inside (a timeline row per event of a rebuild)
        grid_id, department_id = row["grid_id"], vars(e).get("department_id") or row["department_id"]
        worker = self.workers.get(_uuid(grid_id)) if grid_id else None
        rated = row["facts"]["ratings"] if row["state"] == State.ANSWERED else {}
        raisers = row["raisers"]
        staff = self.staff.get(_uuid(department_id), []) if department_id else []
        unrated = [r for r in raisers if r not in rated] if rated else raisers
        return _audience_json(raisers, _text(row["owner_id"]), _text(worker), staff, unrated)

    # -- writing ---------------------------------------------------------------------------------------------------
    async def write(self) -> list[LiveMessage]:
        delta: rates.Contribution = {}
        for case_id, row in self.rows.items():
            rates.difference(self.before.get(case_id, {}), rates.contributions(row["facts"]), delta)
            self._columns(case_id, row)
            self._queues(row)  # where it is now
        await bulk_execute(CaseView, "DELETE FROM casework_case WHERE id = ?", [(i,) for i in self.stored])
        # cases and raisers in the order of their keys' text (as their indexes hold them): each index page is
        # then read once per batch, not once per row (the timeline is in the order of its key already)
        cases = sorted(self.rows.values(), key=_key_text)
        await insert_rows(CaseView, CASE_COLUMNS, [_case_row(row) for row in cases])
        await insert_rows(StepView, STEP_COLUMNS, self.steps)
        await bulk_insert(RaiserView, sorted(self.raisers, key=itemgetter("id")))
        await _replace(WhistleView, "casework_whistle", self.stored_whistles, list(self.whistles.values()))
        communities = await _move_counters(delta)
        messages: list[LiveMessage] = [
            (case_channel(_id(case_id)), {"id": _id(case_id), "state": row["state"], "position": row["position"]})
            for case_id, row in self.rows.items()
        ]
        messages += [(channel, {"queue": channel}) for channel in sorted(self.queues)]
        messages += [(rates_channel(c), {"community": c}) for c in sorted(communities)]
        return messages


_NOT_DETAIL = {"originator_id", "originator_version", "timestamp", "community_id", "actor_id", "on_behalf_of",
               "command_id", "deadlines", "notice_at", "originator_topic"}  # fmt: skip


_DETAIL: dict[type, list[str]] = {}  # per event class, the fields a timeline row keeps


def _uuid(value: object) -> UUID:
    return value if type(value) is UUID else UUID(str(value))  # asyncpg gives its own UUID type


CASE_COLUMNS = tuple(c._meta.name for c in CaseView._meta.columns)
CASE_JSON = frozenset({"photos", "deadlines", "raisers", "handlers", "departments", "facts"})
STEP_COLUMNS = ("position", "case_id", "at", "kind", "actor_id", "on_behalf_of", "detail", "internal", "audience")


_CASE_VALUES = itemgetter(*CASE_COLUMNS)
_CASE_JSON_AT = tuple(i for i, c in enumerate(CASE_COLUMNS) if c in CASE_JSON)


_CASE_IDS_AT = tuple(i for i, c in enumerate(CaseView._meta.columns) if isinstance(c, columns.UUID))


def _case_row(row: dict[str, Any]) -> tuple[Any, ...]:
    values = list(_CASE_VALUES(row))  # the columns in order in one call, then the JSON ones written, ids as text
    for i in _CASE_JSON_AT:
        values[i] = _json(values[i])
    for i in _CASE_IDS_AT:
        values[i] = _text(values[i])
    return tuple(values)


async def insert_rows(table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """bulk_insert for rows already in column order with their JSON written (a rebuild writes hundreds of
    thousands: converting each value again costs more than the statement)."""
    marks = ", ".join("?" * len(columns))
    await _executemany(table, f'INSERT INTO "{table._meta.tablename}" ({", ".join(columns)}) VALUES ({marks})', rows)


async def _executemany(table: Any, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """projections.db.bulk_execute without its conversion of each value (the values here are ready)."""
    if rows:
        engine = table._meta.db
        await _connection(engine).executemany(_placeholders(engine, sql), rows)


async def _replace(table: Any, name: str, stored: set[UUID], rows: list[dict[str, Any]]) -> None:
    await bulk_execute(table, f"DELETE FROM {name} WHERE id = ?", [(i,) for i in stored])
    await bulk_insert(table, rows)


def _key_text(row: dict[str, Any]) -> str:
    return _id(row["id"])


def _id_number(row: tuple[Any, ...]) -> int:
    return row[0].int  # type: ignore[no-any-return]


async def _move_counters(delta: rates.Contribution) -> set[str]:
    """Add the batch's changes to the counters (a row made on first use), and drop rows back to all zeros (so that
    the counters are the same whichever batches the events came in)."""
    moves = list(rates.changes(delta))
    if not moves:
        return set()
    columns = ", ".join(COUNTERS)
    updates = ", ".join(f"{c} = casework_rate.{c} + excluded.{c}" for c in COUNTERS)
    rows = [
        (rates.rate_id(month, scope, key), month, scope, key, UUID(community) if community else None, *values)
        for (month, scope, key, community), values in moves
    ]
    # In the order of their ids (as the key's index holds them): a rebuild's batch moves tens of thousands of rows,
    # and in that order each page of the index is read once, not once per row (the number: the text's order)
    rows.sort(key=_id_number)
    await _executemany(
        RateView,
        f"INSERT INTO casework_rate (id, month, scope, key, community_id, {columns}) VALUES "
        f"(?, ?, ?, ?, ?, {', '.join('?' * len(COUNTERS))}) ON CONFLICT (id) DO UPDATE SET {updates}",
        rows,
    )
    # A row only counts down when a case takes back what it added (a merged duplicate, an answer replaced): only
    # then may it be back to zeros, and is dropped (so that the rows are the same whichever batches came).
    # (min, not any() over a generator: one call for each of a rebuild's hundreds of thousands of moves)
    down = [(month, scope, key) for (month, scope, key, _), values in moves if min(values) < 0]
    zero = " AND ".join(f"{c} = 0" for c in COUNTERS)
    await bulk_execute(
        RateView,
        f"DELETE FROM casework_rate WHERE id = ? AND {zero}",
        [(rates.rate_id(month, scope, key),) for month, scope, key in down],
    )
    communities: defaultdict[str, int] = defaultdict(int)
    for (_, _, _, community), _values in moves:
        if community:
            communities[community] += 1
    return set(communities)
