"""What a figure of the 一表通 counts, one line per counted thing: the drill-down behind each number. A line is the
moment that put it in the period, what it is (a title, an address, a masked name: nothing a clerk's list would not
show), the page it is on, and — where its view keeps it — the log position of the very event counted, whose
inclusion proof in the log anyone can ask for (`/proof/inclusion?position=`).

Each drill reads the same view with the same conditions as the count in `queries` (a test holds every drill's
lines to its count on the demo street's year and on hypothesis streams). A figure without a drill here links to the
page that lists what it counts (its Figure.drill), as the stocks and rates made of other counts do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from backend.kernel.zone import LOCAL_ZONE
from backend.services.domain.rules import HELD
from backend.workload.domain.certificates import BY_LIST, CANCELLED
from projections.chain.tables import ChainLink
from projections.workload.one_table.queries import MOVED_VERIFIED, Window, instant, moved_verified_args

Args = Callable[[UUID, Window], tuple[Any, ...]]


@dataclass(frozen=True)
class Drill:
    statements: tuple[str, ...]  # each yields at, what, ref, position; their lines are put together
    args: Args  # the statements' arguments, for one community and the period
    href: str = ""  # the page of a line, "{}" its ref ("" for none)
    personal: bool = False  # its lines name people (masked): shown to the community's own clerk only


def _times(c: UUID, w: Window) -> tuple[Any, ...]:
    return (c, w.start, w.end)


def _days(c: UUID, w: Window) -> tuple[Any, ...]:
    return (c, w.period.start, w.period.end)


def _move(kind: str) -> Drill:
    return Drill(
        ("SELECT m.moved_on AS at, h.label AS what, m.household_id AS ref, m.position AS position FROM register_move m "
         "LEFT JOIN household h ON h.id = m.household_id WHERE m.community_id = {} AND m.kind = {} "
         "AND m.moved_on >= {} AND m.moved_on < {}",),
        lambda c, w: (c, kind, w.period.start, w.period.end),
        "/clerk/households/{}",
    )  # fmt: skip


def _proposals(column: str) -> Drill:
    return Drill(
        (f"SELECT {column} AS at, title AS what, id AS ref, NULL AS position FROM proposal WHERE community_id = {{}} "
         f"AND {column} >= {{}} AND {column} < {{}}",),
        _times, "/proposals/{}",
    )  # fmt: skip


def _meetings(condition: str, *values: str) -> Drill:
    return Drill(
        ("SELECT starts_at AS at, motion AS what, id AS ref, NULL AS position FROM meeting WHERE community_id = {} "
         f"AND {condition} AND starts_at >= {{}} AND starts_at < {{}}",),
        lambda c, w: (c, *values, w.start, w.end), "/meetings/{}",
    )  # fmt: skip


def _objections(answered: bool) -> Drill:
    also = " AND o.answered_at IS NOT NULL" if answered else ""
    return Drill(
        ("SELECT o.raised_at AS at, b.title AS what, o.notice_id AS ref, NULL AS position FROM disclosure_objection o "
         "LEFT JOIN disclosure_board b ON b.notice_id = o.notice_id AND b.version = 1 WHERE o.community_id = {} "
         f"AND o.raised_at >= {{}} AND o.raised_at < {{}}{also}",
         "SELECT o.raised_at AS at, m.title AS what, NULL AS ref, NULL AS position FROM matter_objection o "
         f"JOIN matter m ON m.id = o.matter_id WHERE m.community_id = {{}} AND o.raised_at >= {{}} "
         f"AND o.raised_at < {{}}{also}"),
        lambda c, w: (c, w.start, w.end, c, w.start, w.end), "/board/notices/{}",
    )  # fmt: skip


def _certificates(condition: str, column: str, *values: Any) -> Drill:
    return Drill(
        (f"SELECT {column} AS at, CASE WHEN item_code = {{}} THEN {{}} ELSE item_name END AS what, NULL AS ref, "
         "NULL AS position FROM workload_certificate "
         f"WHERE community_id = {{}} AND {condition} AND {column} >= {{}} AND {column} < {{}}",),
        lambda c, w: ("", OFF_LIST, c, *values, w.start, w.end),
    )  # fmt: skip


def _tasks(column: str) -> Drill:
    return Drill(
        (f"SELECT {column} AS at, title AS what, NULL AS ref, NULL AS position FROM workload_task "
         f"WHERE community_id = {{}} AND {column} >= {{}} AND {column} < {{}}",),
        _times,
    )  # fmt: skip


def _errands(kind: str) -> Drill:
    return Drill(
        ("SELECT s.at AS at, e.item_name AS what, NULL AS ref, s.position AS position FROM workload_errand_step s "
         "JOIN workload_errand e ON e.id = s.errand_id WHERE s.community_id = {} AND s.kind = {} AND s.at >= {} "
         "AND s.at < {}",),
        lambda c, w: (c, kind, w.start, w.end),
    )  # fmt: skip


HELD_MARKS = ", ".join("{}" for _ in HELD)
# A certificate on neither list is named by what the resident typed: its line says only that it was on neither.
OFF_LIST = "（不在清单内）"

DRILLS: dict[str, Drill] = {
    "households": Drill(
        ("SELECT NULL AS at, label AS what, id AS ref, NULL AS position FROM household WHERE community_id = {}",),
        lambda c, w: (c,), "/clerk/households/{}",
    ),
    "residents_verified": Drill(
        ("SELECT registered_at AS at, name_masked AS what, id AS ref, NULL AS position FROM resident "
         "WHERE community_id = {} AND status = {} AND registered_at < {}",
         "SELECT r.registered_at AS at, r.name_masked AS what, r.id AS ref, NULL AS position FROM register_move v "
         f"JOIN resident r ON r.id = v.resident_id WHERE v.community_id = {{}} AND {MOVED_VERIFIED}"),
        lambda c, w: (c, "verified", w.end, c, *moved_verified_args(w)), "/clerk/residents/{}", personal=True,
    ),
    "residents_new": Drill(
        ("SELECT registered_at AS at, name_masked AS what, id AS ref, NULL AS position FROM resident "
         "WHERE community_id = {} AND registered_at >= {} AND registered_at < {}",),
        _times, "/clerk/residents/{}", personal=True,
    ),
    "households_moved_in": _move("household_in"),
    "households_moved_out": _move("household_out"),
    "residents_moved_out": _move("resident_out"),
    "proposals_raised": _proposals("submitted_at"),
    "proposals_agenda": _proposals("agenda_at"),
    "proposals_answered": _proposals("answered_at"),
    "matters_opened": Drill(
        ("SELECT opened_at AS at, title AS what, id AS ref, NULL AS position FROM matter WHERE community_id = {} "
         "AND opened_at >= {} AND opened_at < {}",),
        _times, "/matters/{}",
    ),
    "stages_passed": Drill(
        ("SELECT t.at AS at, m.title AS what, m.id AS ref, t.position AS position FROM matter_timeline t "
         "JOIN matter m ON m.id = t.matter_id WHERE m.community_id = {} AND t.kind = {} AND t.at >= {} AND t.at < {}",),
        lambda c, w: (c, "passed", w.start, w.end), "/matters/{}",
    ),
    "meetings_held": _meetings("outcome <> {}", ""),
    "meetings_quorate": _meetings("outcome IN ({}, {})", "passed", "failed"),
    "notices_published": Drill(
        ("SELECT published_at AS at, title AS what, notice_id AS ref, position AS position FROM disclosure_board "
         "WHERE community_id = {} AND version = 1 AND published_at >= {} AND published_at < {}",),
        _times, "/board/notices/{}",
    ),
    "objections_raised": _objections(answered=False),
    "objections_answered": _objections(answered=True),
    "volunteers": Drill(
        ("SELECT MIN(v.served_on) AS at, r.name_masked AS what, v.volunteer_id AS ref, NULL AS position "
         "FROM volunteer_record v LEFT JOIN resident r ON r.id = v.volunteer_id WHERE v.community_id = {} "
         "AND v.minutes > 0 AND v.served_on >= {} AND v.served_on < {} GROUP BY v.volunteer_id, r.name_masked",),
        _days, personal=True,
    ),
    "bookings": Drill(  # the service's name, never the address a resident gave for a home visit
        ("SELECT b.starts_at AS at, s.name AS what, NULL AS ref, NULL AS position FROM service_booking b "
         "LEFT JOIN service_catalog s ON s.id = b.service_id "
         f"WHERE b.community_id = {{}} AND b.status IN ({HELD_MARKS}) AND b.starts_at >= {{}} AND b.starts_at < {{}}",),
        lambda c, w: (c, *HELD, w.start, w.end),
    ),
    "cases": Drill(
        ("SELECT raised_at AS at, label AS what, id AS ref, NULL AS position FROM casework_case "
         "WHERE community_id = {} AND merged_into IS NULL AND raised_at >= {} AND raised_at < {}",),
        _times, "/cases/{}",
    ),  # a case counts in the month it was raised (China time), a merged duplicate not at all, as the counters do
    "certificates_issued": _certificates("number > {}", "answered_at", 0),
    "certificates_refused": _certificates("refusal <> {}", "answered_at", ""),
    "certificates_refused_negative": _certificates("refusal = {}", "answered_at", BY_LIST),
    "certificates_cancelled": _certificates("status = {}", "cancelled_at", CANCELLED),
    "tasks_assigned": _tasks("assigned_at"),
    "tasks_done": _tasks("done_at"),
    "tasks_refused": Drill(
        ("SELECT at AS at, title AS what, NULL AS ref, NULL AS position FROM workload_refused WHERE community_id = {} "
         "AND at >= {} AND at < {}",),
        _times,
    ),
    "errands_opened": _errands("opened"),
    "errands_handed_over": _errands("handed_over"),
    "errands_done": _errands("handed_back"),
    "errands_confirmed": _errands("confirmed"),
}  # fmt: skip


async def lines(key: str, community_id: UUID, w: Window) -> list[dict[str, Any]]:
    """The lines a figure counts for one community and period, in the order they happened (undated last)."""
    drill = DRILLS[key]
    args = list(drill.args(community_id, w))
    found: list[dict[str, Any]] = []
    for sql in drill.statements:
        wanted = sql.count("{}")
        found += [dict(r) for r in await ChainLink.raw(sql, *args[:wanted])]
        args = args[wanted:]
    for line in found:
        line["href"] = drill.href.format(line["ref"]) if drill.href and line["ref"] else ""
        line["position"] = int(line["position"]) if line["position"] else None
        line["when"] = _when(line["at"])
    return sorted(found, key=lambda r: (not r["when"], r["when"]))


def _when(at: Any) -> str:
    """A line's moment as shown, in China time: a day as it is, a moment to the minute ("" for none). The stores'
    raw statements give a datetime (PostgreSQL) or text (SQLite)."""
    if at is None:
        return ""
    if isinstance(at, date) and not isinstance(at, datetime):
        return at.isoformat()
    text = str(at)
    if len(text) <= 10:
        return text
    moment = instant(at)
    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M") if moment else text
