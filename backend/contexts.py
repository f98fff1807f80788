"""The contexts' timed passes, registered with the runtime by whoever makes one (the app factory, the CLI, the
tests), and the texts of the inbox's notifications, registered with the inbox. With the app factory, the runtime, the
CLI and the demo loader, this is where every context is named."""

from __future__ import annotations

import importlib.util
import pkgutil

from eventsourcing.utils import get_topic

import backend
from backend.casework.rounds import keep_case_deadlines, requeue_lapsed_owners
from backend.casework.web import notices as case_notices
from backend.deliberation.domain.matter import Matter
from backend.deliberation.rounds import close_due_ballots
from backend.disclosure.domain.notice import Notice
from backend.inbox import texts as notification_texts
from backend.inbox.rounds import push_notifications
from backend.kernel.ports import Pass
from backend.record.rounds import sign_at_publication, sign_checkpoints
from backend.record.watch import watch_record
from backend.services.rounds import remind_bookings
from backend.services.web.notices import notification_text
from backend.volunteering.rounds import keep_shifts


def load_aggregates() -> None:
    """Import every context's domain modules. An aggregate that keeps the topics of the module it came from
    (backend.kernel.topics) registers them when its own module is imported; a process that never imported it (the
    CLI exporting the log, a restore checking it) could not load its events. Found, not listed, so that a new
    context's aggregates are loaded without anyone remembering to add them here."""
    for context in pkgutil.iter_modules(backend.__path__):
        name = f"backend.{context.name}.domain"
        if context.ispkg and importlib.util.find_spec(name) is not None:
            for module in pkgutil.iter_modules(importlib.import_module(name).__path__):
                importlib.import_module(f"{name}.{module.name}")


load_aggregates()

# The case rounds before the push, so that a deadline's notice goes out in the same round.
PASSES: tuple[Pass, ...] = (
    close_due_ballots,
    keep_shifts,
    remind_bookings,
    keep_case_deadlines,
    requeue_lapsed_owners,
    push_notifications,
    sign_checkpoints,  # the checkpoint covers what this round wrote
    watch_record,  # at start-up and every few minutes, after the others: the stored events against the tree and chain
)

# What the inbox's notifications say: those the inbox projection derives from services' slots (a seat from the
# waitlist, a place passed on, a booking confirmed or declined, the reminders) read as services words them.
notification_texts.register(
    ("promoted", "passed", "confirmed", "declined", "reminder_day", "reminder_hour"), notification_text
)
# Those derived from a case's steps (projections/inbox/cases.py) read as casework words them.
notification_texts.register(case_notices.CASE_KINDS, case_notices.notification_text)

# A notice's publication is signed into a checkpoint at the next round, so its print view carries its proof (issue 24):
# the board's notices and a matter's ⑤ resolution and ⑥ result notices.
sign_at_publication(get_topic(Notice.Published), get_topic(Matter.NoticePublished))
