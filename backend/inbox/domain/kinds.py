"""The kinds of notice a resident can turn on and off (/me/notices), and the notification kinds each covers. One
table for everyone who needs it: the preference command (which names are known), the inbox projection (which kinds
are opt-in: recorded only for those who asked), the push round (which kinds are off, which are emergencies that
quiet hours never hold back) and the preferences page (their labels). A new source of notices (community news, say)
adds its Kind here. Pure data: no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from backend.i18n import N_


@dataclass(frozen=True)
class Kind:
    """A kind of notice as the resident chooses it: `rows` are the notification kinds (the view's `kind`) it
    covers. `opt_in`: recorded in the inbox only for those who turned it on (off by default). `emergency`: pushed at
    once even in quiet hours (DESIGN 10: quiet hours never hold back an emergency notice)."""

    name: str
    label: str
    rows: tuple[str, ...]
    opt_in: bool = False
    emergency: bool = False


KINDS: dict[str, Kind] = {}


def register(*kinds: Kind) -> None:
    """Known kinds, in the order the preferences page lists them; registering a name again replaces it."""
    for kind in kinds:
        KINDS[kind.name] = kind


def kind_of(row_kind: str) -> Kind | None:
    """The kind a notification (by its view `kind`) belongs to; None for one no kind covers."""
    for kind in KINDS.values():
        if row_kind in kind.rows:
            return kind
    return None


def opt_in_kinds() -> frozenset[str]:
    return frozenset(k.name for k in KINDS.values() if k.opt_in)


# The notices of a case's steps (projections/inbox/cases.py).
CASES = (
    "case_accepted", "case_answered", "case_reopened", "case_downgraded", "case_rate", "case_new", "case_assigned",
    "case_due_soon", "case_overdue", "case_whistled", "case_returned", "case_dept_answered",
)  # fmt: skip
register(
    Kind(
        "bookings",
        N_("Bookings: a seat from the waitlist, confirmations, reminders"),
        ("promoted", "passed", "confirmed", "declined", "reminder_day", "reminder_hour"),
    ),
    Kind(
        "cases",
        N_("Requests and cases: each step of yours and of those you handle"),
        CASES,
    ),
    Kind("sitting", N_("Called to a sitting"), ("sitting_called",)),
    Kind("ballot_opened", N_("A ballot you may vote in opened"), ("ballot_opened",)),
    Kind("ballot_closing", N_("A ballot you have not voted in closes within 24 hours"), ("ballot_closing",)),
    Kind(
        "shift_offer",
        N_("A volunteering seat from the waitlist, offered or given to you"),
        ("shift_offer", "shift_seated"),
    ),
    Kind("registration", N_("Your registration verified or rejected"), ("reg_verified", "reg_rejected")),
    Kind("objection", N_("An answer to your objection"), ("objection_answered",)),
    Kind("proposal", N_("News of a proposal you made or co-signed"), ("proposal_stage",)),
    Kind("roles", N_("A role given to you, or ended"), ("role_granted", "role_ended")),
    Kind("board_notice", N_("Every notice published on your community's board"), ("board_notice",), opt_in=True),
    Kind(
        "news_important",
        N_("An important notice from the committee (it asks you to confirm you read it)"),
        ("news_important",),
    ),
    Kind("news", N_("Every news item the committee posts"), ("news",), opt_in=True),
)
