"""Routes of the ledgers (台账) the committee is inspected on, a period at a time (`/ledgers/{kind}`): the meeting
book (会议记录簿), the disclosure ledger (居务公开台账), the volunteering ledger (志愿服务台账) and the visit diary
(民情日志). Each prints on A4 (the page's tools are left off the print) and exports as XLSX or CSV (formula-safe,
backend.web.exports). Generated from the record: nothing is typed into a ledger. The community's clerks only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from backend.disclosure.domain.notice import CATEGORIES
from backend.i18n import N_
from backend.i18n import gettext as _
from backend.kernel.zone import LOCAL_ZONE
from backend.web.auth import require
from backend.web.exports import table_response
from backend.web.pages import now, render, today
from backend.workload.web.one_table import period_asked
from backend.workload.web.one_table_views import periods_before
from projections.community import queries as communities
from projections.residents import queries as residents
from projections.workload.ledgers import queries as ledgers
from projections.workload.one_table.queries import window

BODIES = {
    "party_committee": N_("Party committee (党组织)"),
    "joint_committees": N_("Joint meeting of the two committees (两委联席会议)"),
    "party_meeting": N_("Party members' meeting (党员大会)"),
    "residents_meeting": N_("Residents' meeting (居民会议)"),
    "representatives": N_("Residents' representatives (居民代表会议)"),
}
OUTCOMES = {"passed": N_("Passed"), "failed": N_("Not passed"), "not_quorate": N_("Not quorate"), "": N_("Open")}
TITLES = {
    "meetings": N_("Meeting book (会议记录簿)"),
    "disclosure": N_("Disclosure ledger (居务公开台账)"),
    "volunteering": N_("Volunteering ledger (志愿服务台账)"),
    "visits": N_("Visit diary (民情日志)"),
}
COLUMNS = {
    "meetings": (
        N_("Time"), N_("Body"), N_("Place"), N_("Motion"), N_("Expected (应到)"), N_("Present (实到)"),
        N_("Yes/No/Abstain"), N_("Result"), N_("Minutes"), N_("Signed"),
    ),
    "disclosure": (
        N_("Published"), N_("Category"), N_("Title"), N_("Version"), N_("On the board until"), N_("Correction"),
    ),
    "volunteering": (
        N_("Day"), N_("Volunteer"), N_("Activity"), N_("Place"), N_("Content"), N_("For whom"), N_("Hours"),
    ),
    "visits": (N_("Day"), N_("Household"), N_("Visitor"), N_("What was found (民情)"), N_("Case raised")),
}  # fmt: skip


def _when(moment: Any) -> str:
    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M") if moment else ""


def _meeting(r: dict[str, Any], _names: dict[str, str]) -> list[Any]:
    return [
        _when(r["starts_at"]), _(BODIES.get(r["body"], r["body"])), r["place"], r["motion"], r["expected"],
        r["present"], r["votes"], _(OUTCOMES.get(r["outcome"], r["outcome"])), r["minutes"], r["signed"],
    ]  # fmt: skip


def _notice(r: dict[str, Any], _names: dict[str, str]) -> list[Any]:
    correction = r["correction_reason"] or ""
    return [
        _when(r["published_at"]), _(CATEGORIES.get(r["category"], r["category"])), r["title"], r["version"],
        r["until"].isoformat() if r["until"] else "", correction,
    ]  # fmt: skip


def _service(r: dict[str, Any], names: dict[str, str]) -> list[Any]:
    return [
        r["served_on"].isoformat(), names.get(str(r["volunteer_id"]), ""), r["activity"], r["place"], r["content"],
        r["beneficiary"], round(int(r["minutes"]) / 60, 1),
    ]  # fmt: skip


def _visit(r: dict[str, Any], names: dict[str, str]) -> list[Any]:
    case = _("yes") if r["case_id"] else ""
    return [r["visited_on"].isoformat(), r["household"], names.get(str(r["visitor_id"]), ""), r["found"], case]


LINES: dict[str, Callable[[dict[str, Any], dict[str, str]], list[Any]]] = {
    "meetings": _meeting,
    "disclosure": _notice,
    "volunteering": _service,
    "visits": _visit,
}
PEOPLE = {"volunteering": "volunteer_id", "visits": "visitor_id"}


@get("/ledgers/{kind:str}", name="workload.ledger")
async def ledger(
    request: Request[Any, Any, Any], kind: FromPath[str], period: FromQuery[str] = "", fmt: FromQuery[str] = ""
) -> Template | Response[bytes]:
    if kind not in TITLES:
        raise NotFoundException(_("No such ledger."))
    user = await require(request, "one_table.submit")
    place = await communities.by_id(user.community_id)
    if place is None:
        raise PermissionDeniedException()
    p = period_asked(period)
    rows = await ledgers.LEDGERS[kind](user.community_id, window(p, now()))
    column = PEOPLE.get(kind)
    names = await residents.masked_names(r[column] for r in rows) if column else {}
    lines = [LINES[kind](r, names) for r in rows]
    header = [_(c) for c in COLUMNS[kind]]
    title = f"{place['name']} {_(TITLES[kind])} {p.name}"
    if fmt in ("xlsx", "csv"):
        return table_response(fmt, f"ledger-{kind}-{p.name}.{fmt}", _(TITLES[kind]), header, lines)
    return await render(
        request,
        "workload/ledger.html",
        kind=kind,
        titles=TITLES,
        title=title,
        period=p,
        periods=periods_before(today()),
        header=header,
        lines=lines,
        generated=today(),
    )


routes = [ledger]
