"""全实效评价: what each of the casework rates counts, in words the pages show beside the figure (DESIGN 10: every
rate states its definition). The projection (projections/casework) counts them from the events by exactly these
rules; nothing here is typed in by anyone. Pure: names and texts only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.i18n import N_
from backend.kernel.zone import LOCAL_ZONE


@dataclass(frozen=True)
class Rate:
    name: str  # the key of the figure in the read side's rows
    label: str  # msgid
    definition: str  # msgid: what is counted over what
    percent: bool = True  # a share in % (else a mean in hours)


RATES: tuple[Rate, ...] = (
    Rate(
        "response",
        N_("Response rate (响应率)"),
        N_(
            "Cases accepted in time ÷ cases whose acceptance was due (accepted, or past the rulebook's deadline to "
            "accept). A reopened case counts by its first acceptance."
        ),
    ),
    Rate(
        "completion",
        N_("Completion rate (办结率)"),
        N_(
            "Cases answered in time ÷ cases whose answer was due (answered, or past the deadline to answer, which an "
            "approved extension moves). A reopened case counts once, by its last answer."
        ),
    ),
    Rate(
        "satisfaction",
        N_("Satisfaction rate (满意率)"),
        N_(
            "(满意 + 基本满意) ÷ ratings given: each raiser's rating of the last answer, a merged duplicate's raisers "
            "too. A case nobody rated (未评价) never counts as satisfied."
        ),
    ),
    Rate(
        "solved_rate",
        N_("Solved rate (解决率)"),
        N_("Ratings saying the problem was solved ÷ ratings given, of the last answer."),
    ),
    Rate(
        "participation",
        N_("Rating rate (参评率)"),
        N_("Cases rated by at least one raiser ÷ cases answered."),
    ),
    Rate(
        "accept_hours",
        N_("Mean hours to accept"),
        N_("Clock hours from raising to the first acceptance, averaged over the cases accepted."),
        percent=False,
    ),
    Rate(
        "answer_hours",
        N_("Mean hours to answer"),
        N_("Clock hours from raising to the last answer, averaged over the cases answered."),
        percent=False,
    ),
)

# What every figure shares, said once on the pages.
COUNTING_RULES = N_(
    "A case counts in the month it was raised; merged duplicates count once (as the case they were merged into); a "
    "rate with nothing to count shows —. Figures are counted from the record of events, never typed in."
)
# A department's figures read the same columns with a department's meaning.
DEPARTMENT_RULES = N_(
    "For a department: response is its report-in (报到) within the report hours of the whistle, completion its answer "
    "within the category's working days; ratings are those of the cases it answered. A whistle it returned (退单) or "
    "the street re-routed counts for none."
)


def month_of(moment: datetime) -> str:
    """The month a case belongs to: that of its raising, in China ("2026-11")."""
    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m")
