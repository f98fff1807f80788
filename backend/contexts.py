"""The contexts' timed passes, registered with the runtime by whoever makes one (the app factory, the CLI, the
tests). With the app factory, the runtime, the CLI and the demo loader, this is where every context is named."""

from __future__ import annotations

from backend.deliberation.rounds import close_due_ballots
from backend.inbox.push import push_notifications
from backend.kernel.ports import Pass
from backend.services.rounds import remind_bookings
from backend.volunteering.rounds import keep_shifts

PASSES: tuple[Pass, ...] = (close_due_ballots, keep_shifts, remind_bookings, push_notifications)
