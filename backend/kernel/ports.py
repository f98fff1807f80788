"""What the contexts program against instead of the process that runs them (the runtime, the composition root):
a command needs the writer and the personal data keys; a timed pass is a function the runtime calls every round."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from backend.config import Settings
from backend.kernel.context import Ctx
from backend.kernel.personal import PersonalData
from backend.kernel.runner import Action, CommandResult
from backend.kernel.store import LinliApp


class Commands(Protocol):
    """The process a command runs in (backend.runtime.Runtime is one)."""

    settings: Settings
    personal: PersonalData
    store: LinliApp  # the log itself, for a pass that reads events (not views) to decide

    async def execute(
        self, name: str, ctx: Ctx, lock_key: UUID, action: Action, wait: bool = True
    ) -> CommandResult: ...


# A context's timed pass (an online ballot's close, a lapsed offer, a reminder): called with the process and the
# time, it finds what is due and runs a command for each. Registered with the runtime by the composition root.
Pass = Callable[[Commands, datetime], Awaitable[Any]]
