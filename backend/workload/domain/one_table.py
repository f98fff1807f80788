"""一表通: the community's one report, generated from the log. Here, what it is made of: the periods (a month, a
quarter, a year, each [start, end) in China's days), the figures with their definitions (口径) and units, and how a
rate is made from counts. Pure: names, texts and arithmetic; the counts come from the read side
(projections/workload/one_table), never typed by hand.

A figure is a count (one of the read side's counters), or a rate: a numerator count over a denominator count. A
quarter's or a year's rate is pooled — the period's numerators added up over its denominators added up — never an
average of monthly rates (a month with two cases would weigh as much as one with two hundred). A rate with nothing
to count (a zero denominator) is None, shown as —.

Adding a group of figures (the certificates', the admitted tasks') is one entry in FIGURES per figure and one
source in the read side's SOURCES."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from backend.i18n import N_

COUNT, RATE = "count", "rate"


@dataclass(frozen=True)
class Period:
    """A month ("2026-11"), a quarter ("2026-Q4") or a year ("2026"): its days are [start, end)."""

    kind: str  # month | quarter | year
    name: str
    start: date
    end: date

    @property
    def months(self) -> list[str]:
        """The months it covers ("2026-10", …): what month-keyed counters are added up over."""
        found, day = [], self.start
        while day < self.end:
            found.append(f"{day.year:04d}-{day.month:02d}")
            day = _next_month(day)
        return found


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4]))?$")


def period(text: str) -> Period:
    """The period a name gives; ValueError for anything else (the page says what to give)."""
    found = PERIOD.match(text.strip())
    if not found or not 2000 <= int(found[1]) <= 2100:
        raise ValueError(text)
    year = int(found[1])
    if found[2]:
        month = int(found[2])
        if not 1 <= month <= 12:
            raise ValueError(text)
        start = date(year, month, 1)
        return Period("month", f"{year:04d}-{month:02d}", start, _next_month(start))
    if found[3]:
        quarter = int(found[3])
        start = date(year, 3 * quarter - 2, 1)
        end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return Period("quarter", f"{year:04d}-Q{quarter}", start, end)
    return Period("year", f"{year:04d}", date(year, 1, 1), date(year + 1, 1, 1))


def period_of(kind: str, day: date) -> Period:
    """The month, quarter or year a day falls in."""
    if kind == "year":
        return period(f"{day.year:04d}")
    if kind == "quarter":
        return period(f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}")
    return period(f"{day.year:04d}-{day.month:02d}")


@dataclass(frozen=True)
class Figure:
    key: str
    group: str  # msgid of the section it is listed under
    label: str  # msgid
    definition: str  # msgid: the 口径 shown beside it
    unit: str  # msgid
    kind: str = COUNT
    numerator: str = ""  # a rate's counts (keys of COUNT figures, or of the read side's hidden counts)
    denominator: str = ""
    drill: str = ""  # the page that lists what it counts ("" for none)
    per: int = 1  # a count kept in smaller units: hours kept as minutes (60)


RESIDENTS, DELIBERATION, DISCLOSURE, VOLUNTEERING, SERVICES, CASES, CERTIFICATES, TASKS = (
    N_("Residents (居民)"),
    N_("Proposals and matters (民主议事)"),
    N_("Disclosure (居务公开)"),
    N_("Volunteering (志愿服务)"),
    N_("Services (便民服务)"),
    N_("Cases (诉求)"),
    N_("Certificates (证明事项)"),
    N_("Admitted tasks (准入事项)"),
)
ERRANDS = N_("Errands (全程代办)")
PEOPLE, HOUSEHOLDS, ITEMS, TIMES, HOURS, PERCENT, DAYS = (
    N_("people"),
    N_("households"),
    N_("items"),
    N_("sittings"),
    N_("hours"),
    N_("per cent"),
    N_("days"),
)


def _rate(
    key: str, group: str, label: str, definition: str, numerator: str, denominator: str, drill: str = ""
) -> Figure:
    return Figure(key, group, label, definition, PERCENT, RATE, numerator, denominator, drill)


FIGURES: tuple[Figure, ...] = (
    Figure(
        "households", RESIDENTS, N_("Households on the register"),
        N_("Dwellings on the household register, vacant ones included, at the log position named (a stock, not a "
           "flow)."),
        HOUSEHOLDS, drill="/clerk/households",
    ),
    Figure(
        "residents_verified", RESIDENTS, N_("Verified accounts"),
        N_("Residents' accounts registered before the period's end and verified now, or verified when they moved out "
           "after it; erased accounts never count."),
        PEOPLE, drill="/clerk/residents",
    ),
    Figure(
        "residents_new", RESIDENTS, N_("Accounts registered"),
        N_("Accounts registered in the period (online or at the counter), whatever their state now."),
        PEOPLE, drill="/clerk/residents",
    ),
    Figure(
        "households_moved_in", RESIDENTS, N_("Households moved in (迁入)"),
        N_("New households recorded at a vacant dwelling of the register, by the day of the move in the period."),
        HOUSEHOLDS, drill="/clerk/households",
    ),
    Figure(
        "households_moved_out", RESIDENTS, N_("Households moved out (迁出)"),
        N_("Households recorded as leaving their dwelling (left vacant), by the day of the move in the period."),
        HOUSEHOLDS, drill="/clerk/households",
    ),
    Figure(
        "residents_moved_out", RESIDENTS, N_("Accounts moved out"),
        N_("Residents' accounts closed here because the person moved out, by the day of the move in the period."),
        PEOPLE, drill="/clerk/residents",
    ),
    Figure(
        "proposals_raised", DELIBERATION, N_("Proposals raised"),
        N_("Proposals (议题) residents submitted in the period."), ITEMS, drill="/proposals",
    ),
    Figure(
        "proposals_agenda", DELIBERATION, N_("Proposals on the agenda"),
        N_("Proposals that reached the agenda in the period (co-signed to the threshold or taken up)."),
        ITEMS, drill="/proposals",
    ),
    Figure(
        "proposals_answered", DELIBERATION, N_("Proposals answered"),
        N_("Proposals the committee answered in the period (taken up as a matter, answered, merged or made a case)."),
        ITEMS, drill="/proposals",
    ),
    Figure(
        "matters_opened", DELIBERATION, N_("Matters opened"),
        N_("Matters (四议两公开) opened in the period."), ITEMS, drill="/matters",
    ),
    Figure(
        "stages_passed", DELIBERATION, N_("Stages passed"),
        N_("Passings of the six-step procedure's stages in the period (a sitting that passes several stages at once "
           "counts once)."),
        ITEMS, drill="/matters",
    ),
    Figure(
        "meetings_held", DELIBERATION, N_("Meetings held"),
        N_("Sittings that started in the period and whose result was recorded."), TIMES, drill="/matters",
    ),
    Figure(
        "meetings_quorate", DELIBERATION, N_("Meetings with a quorum"),
        N_("Of the meetings held, those that reached their quorum (passed or not passed, but not 不足法定人数)."),
        TIMES, drill="/matters",
    ),
    Figure(
        "notices_published", DISCLOSURE, N_("Notices published"),
        N_("Notices first published on the board in the period (a correction is not a new notice)."),
        ITEMS, drill="/disclosure",
    ),
    _rate(
        "finance_on_time", DISCLOSURE, N_("Finance reports on time"),
        N_("Monthly finance reports published by their day (the rulebook's report day of the next month) ÷ reports "
           "that fell due in the period (published, or past their day)."),
        "finance_in_time", "finance_due", "/disclosure/finance",
    ),
    Figure(
        "objections_raised", DISCLOSURE, N_("Objections raised"),
        N_("Objections (异议) to notices and to ⑤/⑥ resolution notices raised in the period."), ITEMS, drill="/board",
    ),
    Figure(
        "objections_answered", DISCLOSURE, N_("Objections answered"),
        N_("Objections raised in the period that have been answered."), ITEMS,
    ),
    _rate(
        "objections_on_time", DISCLOSURE, N_("Objections answered on time"),
        N_("Objections raised in the period and answered by their answer date ÷ objections raised in the period."),
        "objections_in_time", "objections_raised",
    ),
    Figure(
        "objection_days", DISCLOSURE, N_("Mean days to answer"),
        N_("Days from an objection to its answer, averaged over the objections raised in the period and answered."),
        DAYS, kind=RATE, numerator="objection_days_total", denominator="objections_answered",
    ),
    Figure(
        "volunteer_hours", VOLUNTEERING, N_("Volunteer hours"),
        N_("Hours recorded for shifts served in the period, corrections included (the ledger's totals)."), HOURS,
        drill="/teams", per=60,
    ),
    Figure(
        "volunteers", VOLUNTEERING, N_("Volunteers who served"),
        N_("Residents with at least one service record in the period (counted once however many)."), PEOPLE,
        drill="/teams",
    ),
    *(
        Figure(
            f"volunteers_star_{n}", VOLUNTEERING, label,
            N_("Volunteers whose hours up to the period's end reach this star level and not the next, by the "
               "community's rulebook thresholds (民政部 志愿服务记录办法)."),
            PEOPLE,
        )
        for n, label in enumerate(
            (N_("Volunteers at ★1"), N_("Volunteers at ★2"), N_("Volunteers at ★3"), N_("Volunteers at ★4"),
             N_("Volunteers at ★5")),
            start=1,
        )
    ),
    Figure(
        "bookings", SERVICES, N_("Bookings"),
        N_("Bookings of services whose time falls in the period, cancellations aside."), ITEMS,
        drill="/services/catalog",
    ),
    _rate(
        "service_response", SERVICES, N_("Service response rate (响应率)"),
        N_("Bookings the provider answered ÷ bookings that needed the provider's answer, in the period."),
        "service_answered", "service_asked",
    ),
    _rate(
        "service_completion", SERVICES, N_("Service completion rate (办结率)"),
        N_("Bookings marked done ÷ bookings kept whose time has come (no-shows aside), in the period."),
        "service_done", "service_due",
    ),
    _rate(
        "service_satisfaction", SERVICES, N_("Service satisfaction rate (满意率)"),
        N_("Ratings of 4 or 5 stars ÷ ratings given, of bookings in the period."),
        "service_satisfied", "service_rated",
    ),
    Figure("cases", CASES, N_("Cases raised"), N_("Cases raised in the period (merged duplicates count once)."),
           ITEMS, drill="/cases/rates"),
    _rate(
        "case_response", CASES, N_("Response rate (响应率)"),
        N_("Cases accepted in time ÷ cases whose acceptance was due, of the cases raised in the period."),
        "case_accept_in_time", "case_accept_due", "/cases/rates",
    ),
    _rate(
        "case_completion", CASES, N_("Completion rate (办结率)"),
        N_("Cases answered in time ÷ cases whose answer was due, of the cases raised in the period."),
        "case_answer_in_time", "case_answer_due", "/cases/rates",
    ),
    _rate(
        "case_satisfaction", CASES, N_("Satisfaction rate (满意率)"),
        N_("(满意 + 基本满意) ÷ ratings given, of the last answers to cases raised in the period."),
        "case_satisfied", "case_ratings", "/cases/rates",
    ),
    Figure(
        "certificates_issued", CERTIFICATES, N_("Certificates issued"),
        N_("Certificates issued in the period (a certificate cancelled later still counts as issued)."), ITEMS,
    ),
    Figure(
        "certificates_refused", CERTIFICATES, N_("Certificate requests refused"),
        N_("Requests refused in the period: on the negative list (不应出具), on neither list, or not borne out by the "
           "register."), ITEMS,
    ),
    Figure(
        "certificates_refused_negative", CERTIFICATES, N_("Refused by the negative list"),
        N_("Of the refusals, those of a certificate the national or local negative list says a committee must not "
           "issue (不应出具)."), ITEMS,
    ),
    Figure(
        "certificates_cancelled", CERTIFICATES, N_("Certificates cancelled (作废)"),
        N_("Certificates cancelled in the period, with a reason (never deleted)."), ITEMS,
    ),
    Figure(
        "certificate_hours", CERTIFICATES, N_("Mean hours to issue"),
        N_("Hours from the request to the certificate, averaged over the certificates issued in the period."),
        HOURS, RATE, "certificates_issue_minutes_total", "certificates_issued", per=60,
    ),
    Figure(
        "tasks_assigned", TASKS, N_("Tasks assigned"),
        N_("Tasks departments assigned to the community in the period, each from the admitted list (准入清单)."),
        ITEMS,
    ),
    Figure(
        "tasks_refused", TASKS, N_("Assignments refused (未准入)"),
        N_("Attempts in the period to assign work not on the admitted list, refused and recorded."), ITEMS,
    ),
    Figure(
        "tasks_done", TASKS, N_("Tasks done"), N_("Tasks the committee reported done in the period."), ITEMS,
    ),
    Figure(
        "tasks_overdue", TASKS, N_("Tasks overdue"),
        N_("Tasks still open at the period's end past their deadline, and tasks done in it after their deadline."),
        ITEMS,
    ),
    Figure(
        "errands_opened", ERRANDS, N_("Errands opened"),
        N_("Errands the committee opened for residents in the period."), ITEMS, drill="/desk/errands",
    ),
    Figure(
        "errands_handed_over", ERRANDS, N_("Handovers to an office"),
        N_("Times in the period an errand was handed to the office that decides (again after more documents)."),
        ITEMS,
    ),
    Figure(
        "errands_done", ERRANDS, N_("Errands handed back"),
        N_("Errands handed back to the resident in the period, with the office's answer."), ITEMS,
    ),
    Figure(
        "errands_confirmed", ERRANDS, N_("Receipts confirmed"),
        N_("Errands whose resident confirmed receipt (我已领取) in the period."), ITEMS,
    ),
)  # fmt: skip

BY_KEY = {f.key: f for f in FIGURES}


def counts_needed(figures: Iterable[Figure] = FIGURES) -> list[str]:
    """Every count the figures read: counts themselves, and the parts of the rates."""
    found: dict[str, None] = {}
    for f in figures:
        for key in (f.numerator, f.denominator) if f.kind == RATE else (f.key,):
            found[key] = None
    return list(found)


def pooled(counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Counts added up: a period's months, a street's communities. Rates are made after, from the sums."""
    summed: dict[str, int] = {}
    for one in counts:
        for key, value in one.items():
            summed[key] = summed.get(key, 0) + int(value)
    return summed


def value(figure: Figure, counts: Mapping[str, int]) -> float | int | None:
    """The figure from counts: a count as is; a rate (in % to one decimal, or a mean to one decimal) or None when
    there is nothing to count."""
    if figure.kind == COUNT:
        kept = int(counts.get(figure.key, 0))
        return kept if figure.per == 1 else round(kept / figure.per, 1)
    whole = int(counts.get(figure.denominator, 0))
    if not whole:
        return None
    part = int(counts.get(figure.numerator, 0))
    return round((100 if figure.unit == PERCENT else 1) * part / whole / figure.per, 1)


def values(counts: Mapping[str, int], figures: Iterable[Figure] = FIGURES) -> dict[str, float | int | None]:
    return {f.key: value(f, counts) for f in figures}


def shown(number: float | int | None) -> str:
    """A figure as the page and the file show it: — for nothing to count."""
    if number is None:
        return "—"
    return str(number)
