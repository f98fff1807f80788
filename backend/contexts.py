"""The contexts' timed passes, registered with the runtime by whoever makes one (the app factory, the CLI, the
tests), and the texts of the inbox's notifications, registered with the inbox. With the app factory, the runtime, the
CLI and the demo loader, this is where every context is named."""

from __future__ import annotations

from backend.casework.rounds import keep_case_deadlines, requeue_lapsed_owners
from backend.casework.web import notices as case_notices
from backend.deliberation.rounds import close_due_ballots
from backend.inbox import texts as notification_texts
from backend.inbox.rounds import push_notifications
from backend.kernel.ports import Pass
from backend.record.rounds import sign_checkpoints
from backend.services.rounds import remind_bookings
from backend.services.web.notices import notification_text
from backend.volunteering.rounds import keep_shifts

# The case rounds before the push, so that a deadline's notice goes out in the same round.
PASSES: tuple[Pass, ...] = (
    close_due_ballots,
    keep_shifts,
    remind_bookings,
    keep_case_deadlines,
    requeue_lapsed_owners,
    push_notifications,
    sign_checkpoints,  # last: the checkpoint covers what this round wrote
)

# What the inbox's notifications say: those the inbox projection derives from services' slots (a seat from the
# waitlist, a place passed on, a booking confirmed or declined, the reminders) read as services words them.
notification_texts.register(
    ("promoted", "passed", "confirmed", "declined", "reminder_day", "reminder_hour"), notification_text
)
# Those derived from a case's steps (projections/inbox/cases.py) read as casework words them.
notification_texts.register(case_notices.CASE_KINDS, case_notices.notification_text)
