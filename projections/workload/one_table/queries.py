"""What the 一表通 pages read: each community's counts for a period, made by SQL aggregates over the other contexts'
views (a few grouped statements for the whole street, whatever its size: never a scan of the log), the log position
and chain head they were computed at, and the committee's submissions.

Each source counts one context's figures for many communities at once, and names the projections it reads: the
position a table was computed at is the lowest of theirs, and the table is computed again if the projector moved
while it was being read (so that "computed at position P" is true). A new group of figures (certificates, admitted
tasks) is one more entry in SOURCES."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from backend.community.domain.rules import RULES
from backend.disclosure.domain.schedule import finance_due
from backend.kernel.zone import LOCAL_ZONE
from backend.services.domain.rules import ACTIVE, HELD
from backend.volunteering.domain.honours import STARS
from backend.workload.domain.one_table import Period, counts_needed
from projections.chain.tables import ChainLink
from projections.runner import ProjectionPosition
from projections.workload.admission import queries as admission
from projections.workload.certificates import queries as certificate_views
from projections.workload.errands import queries as errand_views
from projections.workload.one_table.tables import SubmissionView

Counts = dict[str, dict[str, int]]  # community id (text) -> count -> value
GENESIS = "0" * 64
ATTEMPTS = 3  # readings of the same table while the projector moves, before taking the last as it is


@dataclass(frozen=True)
class Window:
    """A period as the statements compare it: its days, its instants in UTC, its months; `now` for what is due."""

    period: Period
    start: datetime
    end: datetime
    now: datetime


def window(period: Period, now: datetime) -> Window:
    def instant(day: date) -> datetime:
        return datetime.combine(day, time(), LOCAL_ZONE).astimezone(UTC)

    return Window(period, instant(period.start), instant(period.end), now)


def _marks(values: Sequence[object]) -> str:
    return ", ".join("{}" for _ in values)


def _ids(community_ids: Sequence[object]) -> list[UUID]:
    return [UUID(str(c)) for c in community_ids]


async def _grouped(into: Counts, sql: str, *args: Any) -> None:
    """Run a statement that yields community_id and named counts; add them into `into`."""
    for row in await ChainLink.raw(sql, *args):
        mine = into.setdefault(str(row["community_id"]), {})
        for key, value in row.items():
            if key != "community_id":
                mine[key] = mine.get(key, 0) + int(value or 0)


def _yes(condition: str) -> str:
    """A count of the rows meeting a condition, the same on SQLite and PostgreSQL."""
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


# Accounts that moved out after the period's end, verified then (and not erased since): verified in the period.
MOVED_VERIFIED = "v.kind = {} AND v.was_verified = {} AND v.moved_on >= {} AND r.registered_at < {} AND r.status = {}"


def moved_verified_args(w: Window) -> tuple[Any, ...]:
    return ("resident_out", True, w.period.end, w.end, "moved_out")


async def residents(ids: list[UUID], w: Window) -> Counts:
    found: Counts = {}
    m = _marks(ids)
    await _grouped(
        found,
        f"SELECT community_id, {_yes('status = {} AND registered_at < {}')} AS residents_verified, "
        f"{_yes('registered_at >= {} AND registered_at < {}')} AS residents_new "
        f"FROM resident WHERE community_id IN ({m}) GROUP BY community_id",
        "verified", w.end, w.start, w.end, *ids,
    )  # fmt: skip
    await _grouped(  # and those verified when they moved out after the period: they were verified all through it
        found, "SELECT r.community_id AS community_id, COUNT(*) AS residents_verified FROM register_move v "
        f"JOIN resident r ON r.id = v.resident_id WHERE v.community_id IN ({m}) AND {MOVED_VERIFIED} "
        "GROUP BY r.community_id", *ids, *moved_verified_args(w),
    )  # fmt: skip
    await _grouped(
        found, f"SELECT community_id, COUNT(*) AS households FROM household WHERE community_id IN ({m}) "
        "GROUP BY community_id", *ids,
    )  # fmt: skip
    await _grouped(
        found,
        f"SELECT community_id, {_yes('kind = {}')} AS households_moved_in, "
        f"{_yes('kind = {}')} AS households_moved_out, {_yes('kind = {}')} AS residents_moved_out "
        f"FROM register_move WHERE community_id IN ({m}) "
        "AND moved_on >= {} AND moved_on < {} GROUP BY community_id",
        "household_in", "household_out", "resident_out", *ids, w.period.start, w.period.end,
    )  # fmt: skip
    return found


async def deliberation(ids: list[UUID], w: Window) -> Counts:
    found: Counts = {}
    m = _marks(ids)
    await _grouped(
        found,
        f"SELECT community_id, {_yes('submitted_at >= {} AND submitted_at < {}')} AS proposals_raised, "
        f"{_yes('agenda_at >= {} AND agenda_at < {}')} AS proposals_agenda, "
        f"{_yes('answered_at >= {} AND answered_at < {}')} AS proposals_answered "
        f"FROM proposal WHERE community_id IN ({m}) GROUP BY community_id",
        w.start, w.end, w.start, w.end, w.start, w.end, *ids,
    )  # fmt: skip
    await _grouped(
        found, f"SELECT community_id, COUNT(*) AS matters_opened FROM matter WHERE community_id IN ({m}) "
        "AND opened_at >= {} AND opened_at < {} GROUP BY community_id", *ids, w.start, w.end,
    )  # fmt: skip
    await _grouped(
        found, "SELECT m.community_id AS community_id, COUNT(*) AS stages_passed FROM matter_timeline t "
        f"JOIN matter m ON m.id = t.matter_id WHERE m.community_id IN ({m}) AND t.kind = {{}} "
        "AND t.at >= {} AND t.at < {} GROUP BY m.community_id", *ids, "passed", w.start, w.end,
    )  # fmt: skip
    await _grouped(
        found,
        f"SELECT community_id, COUNT(*) AS meetings_held, {_yes('outcome IN ({}, {})')} AS meetings_quorate "
        f"FROM meeting WHERE community_id IN ({m}) AND outcome <> {{}} AND starts_at >= {{}} AND starts_at < {{}} "
        "GROUP BY community_id",
        "passed", "failed", *ids, "", w.start, w.end,
    )  # fmt: skip
    return found


async def disclosure(ids: list[UUID], w: Window) -> Counts:
    """Notices first published; objections to notices and to ⑤/⑥ notices, read row by row (a few a period) since
    days between instants differ between the stores' SQL."""
    found: Counts = {}
    m = _marks(ids)
    await _grouped(
        found, f"SELECT community_id, COUNT(*) AS notices_published FROM disclosure_board WHERE community_id IN ({m}) "
        "AND version = 1 AND published_at >= {} AND published_at < {} GROUP BY community_id", *ids, w.start, w.end,
    )  # fmt: skip
    rows = await ChainLink.raw(
        "SELECT community_id, raised_at, answer_due, answered_at FROM disclosure_objection "
        f"WHERE community_id IN ({m}) AND raised_at >= {{}} AND raised_at < {{}}",
        *ids, w.start, w.end,
    )  # fmt: skip
    rows += await ChainLink.raw(
        "SELECT m.community_id AS community_id, o.raised_at AS raised_at, o.answer_due AS answer_due, "
        "o.answered_at AS answered_at FROM matter_objection o JOIN matter m ON m.id = o.matter_id "
        f"WHERE m.community_id IN ({m}) AND o.raised_at >= {{}} AND o.raised_at < {{}}",
        *ids, w.start, w.end,
    )  # fmt: skip
    await _finance_reports(ids, w, found)
    for row in rows:
        mine = found.setdefault(str(row["community_id"]), {})
        mine["objections_raised"] = mine.get("objections_raised", 0) + 1
        answered = instant(row["answered_at"])
        if answered is None:
            continue
        raised = instant(row["raised_at"])
        assert raised is not None
        days = (answered.astimezone(LOCAL_ZONE).date() - raised.astimezone(LOCAL_ZONE).date()).days
        mine["objections_answered"] = mine.get("objections_answered", 0) + 1
        mine["objection_days_total"] = mine.get("objection_days_total", 0) + days
        on_time = answered.astimezone(LOCAL_ZONE).date() <= _day(row["answer_due"])
        mine["objections_in_time"] = mine.get("objections_in_time", 0) + int(on_time)
    return found


async def _finance_reports(ids: list[UUID], w: Window, found: Counts) -> None:
    """The months whose finance report fell due in the period (by the rulebook's report day, as the disclosure
    schedule reads it: the rule of today), and those published by their day. Read row by row: a few a year."""
    m = _marks(ids)
    today = w.now.astimezone(LOCAL_ZONE).date()
    founded = {str(r["id"]): r["founded_on"] for r in await ChainLink.raw(
        f"SELECT id, founded_on FROM community WHERE id IN ({m})", *ids
    )}  # fmt: skip
    published = {
        (str(r["community_id"]), r["period"]): _day(r["published_on"])
        for r in await ChainLink.raw(
            "SELECT community_id, period, published_on FROM disclosure_notice "
            f"WHERE community_id IN ({m}) AND kind = {{}} AND published_on IS NOT NULL",
            *ids, "finance_report",
        )
    }  # fmt: skip
    rules = await ChainLink.raw(
        "SELECT community_id, value, effective_from, position FROM community_rule "
        f"WHERE community_id IN ({m}) AND rule = {{}}", *ids, "finance_report_day",
    )  # fmt: skip
    in_force = sorted((r for r in rules if _day(r["effective_from"]) <= today), key=lambda r: (
        _day(r["effective_from"]), int(r["position"])
    ))  # fmt: skip
    report_day = {str(r["community_id"]): int(r["value"]) for r in in_force}  # the last in force wins
    for community in (str(c) for c in ids):
        since = _day(founded[community]) if founded.get(community) else today
        day = report_day.get(community, RULES["finance_report_day"].default)
        mine = found.setdefault(community, {})
        for month in _months_before(w.period):
            first = date.fromisoformat(f"{month}-01")
            if first < date(since.year, since.month, 1) or first > today:
                continue
            due, done = finance_due(month, day), published.get((community, month))
            if not w.period.start <= due < w.period.end or (due >= today and done is None):
                continue
            mine["finance_due"] = mine.get("finance_due", 0) + 1
            mine["finance_in_time"] = mine.get("finance_in_time", 0) + int(done is not None and done <= due)


def _months_before(period: Period) -> list[str]:
    """The months whose reports fall due in the period: each of its months' previous one."""
    found = []
    for month in period.months:
        year, number = (int(p) for p in month.split("-"))
        found.append(f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}")
    return found


def instant(value: Any) -> datetime | None:
    """A timestamp as a raw statement returns it: a datetime on PostgreSQL, text on SQLite."""
    if value is None or isinstance(value, datetime):
        return value
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def _star_thresholds(ids: list[UUID], on: date) -> dict[str, list[int]]:
    """Each community's star thresholds in hours in force on a day (the rulebook's, else the defaults)."""
    names = [f"volunteer_star_{n}_hours" for n in STARS]
    rows = await ChainLink.raw(
        "SELECT community_id, rule, value, effective_from, position FROM community_rule "
        f"WHERE community_id IN ({_marks(ids)}) AND rule IN ({_marks(names)})", *ids, *names,
    )  # fmt: skip
    in_force = sorted((r for r in rows if _day(r["effective_from"]) <= on), key=lambda r: (
        _day(r["effective_from"]), int(r["position"])
    ))  # fmt: skip
    set_ = {(str(r["community_id"]), r["rule"]): int(r["value"]) for r in in_force}  # the last in force wins
    return {str(c): [set_.get((str(c), name), RULES[name].default) for name in names] for c in ids}


async def volunteering(ids: list[UUID], w: Window) -> Counts:
    found: Counts = {}
    # Stars by all hours served up to the period's end (a star is earned once and kept), each volunteer once.
    last_day = min(w.period.end - timedelta(days=1), w.now.astimezone(LOCAL_ZONE).date())
    thresholds = await _star_thresholds(ids, last_day)
    alike: dict[tuple[int, ...], list[UUID]] = {}  # communities with the same thresholds: one statement for them
    for c in ids:
        alike.setdefault(tuple(thresholds[str(c)]), []).append(c)
    for hours, group in alike.items():
        # A volunteer's level is the number of thresholds their hours reach (star_level), counted in the database:
        # a street has tens of thousands of volunteers, and only the levels' counts are wanted.
        level = " + ".join("CASE WHEN m >= {} THEN 1 ELSE 0 END" for _ in hours)
        for row in await ChainLink.raw(
            f"SELECT community_id, {level} AS level, COUNT(*) AS n FROM (SELECT community_id, volunteer_id, "
            "SUM(minutes) AS m FROM volunteer_record "
            f"WHERE community_id IN ({_marks(group)}) AND served_on < {{}} GROUP BY community_id, volunteer_id) v "
            "GROUP BY community_id, level",
            *(h * 60 for h in hours), *group, w.period.end,
        ):  # fmt: skip
            if int(row["level"]):
                mine = found.setdefault(str(row["community_id"]), {})
                key = f"volunteers_star_{int(row['level'])}"
                mine[key] = mine.get(key, 0) + int(row["n"])
    await _grouped(
        found,
        "SELECT community_id, SUM(minutes) AS volunteer_hours, "
        "COUNT(DISTINCT CASE WHEN minutes > 0 THEN volunteer_id END) AS volunteers FROM volunteer_record "
        f"WHERE community_id IN ({_marks(ids)}) AND served_on >= {{}} AND served_on < {{}} GROUP BY community_id",
        *ids, w.period.start, w.period.end,
    )  # fmt: skip
    return found


async def services(ids: list[UUID], w: Window) -> Counts:
    """The rules of the services' own rates (projections.services.queries.rates), over the period's bookings."""
    found: Counts = {}
    held, active = _marks(HELD), _marks(ACTIVE)
    await _grouped(
        found,
        f"SELECT community_id, {_yes(f'status IN ({held})')} AS bookings, "
        f"{_yes('needs_answer')} AS service_asked, "
        f"{_yes('needs_answer AND answered_at IS NOT NULL')} AS service_answered, "
        f"{_yes(f'status = {{}} OR (status IN ({active}) AND starts_at <= {{}})')} AS service_due, "
        f"{_yes('status = {}')} AS service_done, "
        f"{_yes('stars IS NOT NULL')} AS service_rated, {_yes('stars >= 4')} AS service_satisfied "
        f"FROM service_booking WHERE community_id IN ({_marks(ids)}) AND status IN ({held}, {{}}) "
        "AND starts_at >= {} AND starts_at < {} GROUP BY community_id",
        *HELD, "done", *ACTIVE, w.now, "done", *ids, *HELD, "declined", w.start, w.end,
    )  # fmt: skip
    return found


async def cases(ids: list[UUID], w: Window) -> Counts:
    """The casework projection's counters of the community scope, added up over the period's months (a case counts
    in the month it was raised)."""
    found: Counts = {}
    months = w.period.months
    await _grouped(
        found,
        "SELECT community_id, SUM(cases) AS cases, SUM(accept_due) AS case_accept_due, "
        "SUM(accept_in_time) AS case_accept_in_time, SUM(answer_due) AS case_answer_due, "
        "SUM(answer_in_time) AS case_answer_in_time, SUM(ratings) AS case_ratings, SUM(satisfied) AS case_satisfied "
        f"FROM casework_rate WHERE scope = {{}} AND community_id IN ({_marks(ids)}) AND month IN ({_marks(months)}) "
        "GROUP BY community_id",
        "community", *ids, *months,
    )  # fmt: skip
    return found


def _prefixed(prefix: str, found: dict[str, dict[str, int]]) -> Counts:
    return {c: {f"{prefix}_{k}": int(v) for k, v in counts.items()} for c, counts in found.items()}


async def certificates(ids: list[UUID], w: Window) -> Counts:
    """证明事项 (their own projection's counts): issued, refused (by kind), cancelled, minutes to issue."""
    return _prefixed("certificates", await certificate_views.certificate_counts_by_community(ids, w.start, w.end))


async def errands(ids: list[UUID], w: Window) -> Counts:
    """全程代办 (their own projection's counts): opened, handed over, handed back, receipts confirmed."""
    return _prefixed("errands", await errand_views.errand_counts(ids, w.start, w.end))


async def tasks(ids: list[UUID], w: Window) -> Counts:
    """准入事项 (their own projection's counts, over the period's days, the last one included)."""
    last_day = w.period.end - timedelta(days=1)
    return _prefixed("tasks", await admission.task_counts(ids, w.period.start, last_day))


@dataclass(frozen=True)
class Source:
    reads: tuple[str, ...]  # the projections whose views it reads
    count: Callable[[list[UUID], Window], Awaitable[Counts]]


SOURCES: list[Source] = [
    Source(("residents",), residents),
    Source(("deliberation", "procedure"), deliberation),
    Source(("disclosure", "procedure", "community"), disclosure),
    Source(("volunteering",), volunteering),
    Source(("services",), services),
    Source(("casework",), cases),
    Source(("workload_certificates",), certificates),
    Source(("workload_admission",), tasks),
    Source(("workload_errands",), errands),
]


async def _position(names: set[str]) -> int:
    rows = await ProjectionPosition.select(ProjectionPosition.name, ProjectionPosition.position).where(
        ProjectionPosition.name.is_in(sorted(names))
    )
    stored = {r["name"]: int(r["position"]) for r in rows}
    return min((stored.get(n, 0) for n in names), default=0)


async def chain_head_at(position: int) -> str:
    """The chain's link at the position (the last link at or before it: the log's positions may skip a number)."""
    row = await (
        ChainLink.select(ChainLink.link)
        .where(ChainLink.position <= position)
        .order_by(ChainLink.position, ascending=False)
        .first()
    )
    return row["link"] if row else GENESIS


async def tables(community_ids: Sequence[object], period: Period, now: datetime) -> dict[str, Any]:
    """Every community's counts for the period (each community present, with zeros when nothing happened), and the
    log position and chain head they were computed at."""
    ids = _ids(community_ids)
    names = {"chain"} | {n for s in SOURCES for n in s.reads}
    wanted = counts_needed()
    w = window(period, now)
    position = await _position(names)
    for _ in range(ATTEMPTS):
        found: Counts = {str(c): dict.fromkeys(wanted, 0) for c in ids}
        if ids:
            for source in SOURCES:
                for community, counted in (await source.count(ids, w)).items():
                    if community in found:
                        found[community].update({k: found[community].get(k, 0) + v for k, v in counted.items()})
        after = await _position(names)
        if after == position:
            break
        position = after
    return {"counts": found, "position": position, "chain_head": await chain_head_at(position)}


# -- submissions --------------------------------------------------------------------------------------------------
async def submissions(community_ids: Sequence[object], period_name: str) -> dict[str, list[dict[str, Any]]]:
    """Each community's submissions of the period, first to last."""
    found: dict[str, list[dict[str, Any]]] = {str(c): [] for c in community_ids}
    if not community_ids:
        return found
    rows = await (
        SubmissionView.select()
        .where(SubmissionView.community_id.is_in(_ids(community_ids)) & (SubmissionView.period == period_name))
        .order_by(SubmissionView.number)
        .output(load_json=True)
    )
    for row in rows:
        found.setdefault(str(row["community_id"]), []).append(row)
    return found
