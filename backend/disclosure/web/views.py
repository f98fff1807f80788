"""What the pages of 居务公开 show, built from the views: the labels of kinds and states; the finance book's figures;
and the text of notices drafted from another context's views (volunteer honours, the services' rates)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from backend.disclosure.domain.finance import month_bounds, month_of
from backend.i18n import N_, speaking
from backend.i18n import gettext as _
from backend.volunteering.domain.hours import hours_text
from backend.web.pages import now, today
from projections.residents import queries as residents
from projections.services import queries as service_views
from projections.volunteering import queries as volunteering_views

KINDS = {
    "notice": N_("Notice"),
    "finance_report": N_("Monthly finance report"),
    "honours": N_("Volunteer honours"),
    "service_rates": N_("Service rates"),
    "resolution": N_("Resolution (⑤)"),
    "result": N_("Implementation result (⑥)"),
}
STATES = {
    "draft": N_("Draft"),
    "in_review": N_("With the supervisors"),
    "approved": N_("Approved"),
    "published": N_("Published"),
}


def by_notice(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found_rows: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        found_rows.setdefault(str(row["notice_id"]), []).append(row)
    return found_rows


def finance_book(rows: list[dict[str, Any]], reports: dict[str, dict[str, Any]], day: date) -> dict[str, Any]:
    """The finance page's figures: the entries, each entry's amount after its corrections, the balance, and the
    months that are over and not reported yet."""
    first_month = min((r["dated"] for r in rows), default=day)
    months, month = [], date(first_month.year, first_month.month, 1)
    while month_bounds(month_of(month))[1] < day:
        if month_of(month) not in reports:
            months.append(month_of(month))
        month = (month + timedelta(days=32)).replace(day=1)
    balance = sum(r["amount_fen"] if r["kind"] == "income" else -r["amount_fen"] for r in rows)
    return dict(
        entries=rows,
        amounts={
            r["number"]: sum(e["amount_fen"] for e in rows if r["number"] in (e["number"], e["corrects"]))
            for r in rows
            if not r["corrects"]
        },
        balance=balance,
        to_report=months,
    )


# -- notices drafted from another context's views ----------------------------------------------------------------------
async def derived_text(community_id: UUID, kind: str) -> tuple[str, str, str]:
    """A notice's title, text (in Chinese, as posted) and period, from the volunteering or the services views."""
    day = today()
    last = day.replace(day=1) - timedelta(days=1)
    period = month_of(last)
    with speaking("zh"):
        if kind == "honours":
            honours = await volunteering_views.honours(
                community_id, last.replace(day=1), await volunteering_views.star_thresholds(community_id, day)
            )
            names = await residents.masked_names([v for v, _m in honours["month"]] + [v for _s, v in honours["stars"]])
            lines = [
                _("%(name)s: %(hours)s hours", name=names.get(str(v), ""), hours=hours_text(m))
                for v, m in honours["month"]
            ]
            lines += [_("%(name)s reached %(n)s stars", name=names.get(str(v), ""), n=s) for s, v in honours["stars"]]
            title = _("Volunteer honours for %(month)s", month=period)
            return title, "\n".join(lines) or _("No volunteer agreed to be shown this month."), period
        rates = await service_views.rates(community_id, now())
        lines = []
        for service in await service_views.services(community_id):
            r = rates.get(str(service["id"]))
            if not r:
                continue
            shares = [
                f"{label} {value}%" if value is not None else f"{label} —"
                for label, value in (
                    (_("Response rate"), r["response"]),
                    (_("Completion rate"), r["completion"]),
                    (_("Satisfaction"), r["satisfaction"]),
                )
            ]
            lines.append(f"{service['name']}: " + "，".join(shares))
        title = _("Community services: response, completion and satisfaction up to %(day)s", day=day.isoformat())
        return title, "\n".join(lines) or _("No bookings yet."), period
