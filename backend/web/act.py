"""The one way a form runs a command: who acts (the policy decides), the form's idempotency key, the command, and
then either the next page (with a flash) or the same page again with the refusal (HTTP 4xx, swappable by htmx).
Every POST handler of the contexts that changes something goes through `act`, so the rules of DESIGN 4.10 (bad
input gets a clear error and changes nothing) are kept in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from uuid import UUID

from litestar import Request, Response
from litestar.response import Template

from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.web.auth import User, ctx_for, require
from backend.web.pages import command_id_from, flash, now, redirect

Form = Mapping[str, Any]
# What the handler wants done: the process's commands, the context (actor, time, idempotency key) and the form.
Run = Callable[[Commands, Any, Form], Awaitable[Any]]
# The page again, saying why not: given the refusal and the form as it was sent (to keep what was typed).
Refused = Callable[[DomainError, Form], Awaitable[Template | Response[Any]]]
# Where to go when done: a path, or a path made from what the command returned (an id it made).
Then = str | Callable[[Any], str]


async def act(
    request: Request[Any, Any, Any],
    who: str | User,
    run: Run,
    *,
    then: Then,
    refused: Refused,
    done: str | None = None,
    on_behalf_of: UUID | None = None,
) -> Template | Response[Any]:
    """`who`: the action the signed-in user must be allowed (asked of the policy), or a user already checked.
    `done`: the flash shown on the next page (already translated), or None when that page says it itself."""
    user = who if isinstance(who, User) else await require(request, who)
    form = await request.form()
    ctx = ctx_for(user, now(), command_id_from(form), on_behalf_of)
    try:
        result = await run(request.app.state.runtime, ctx, form)
    except DomainError as error:
        return await refused(error, form)
    if done:
        flash(request, done, "success")
    return redirect(then(result) if callable(then) else then)


def text(form: Form, name: str) -> str:
    """A text field as sent (missing: empty)."""
    return str(form.get(name, ""))


def uuid_field(form: Form, name: str, message: str, status: int = 400) -> UUID:
    """A field naming a resident, a slot, a shift…: its id, or `message` on that field (or, with another status,
    e.g. 404 as for a wrong path, on the page)."""
    try:
        return UUID(text(form, name))
    except ValueError:
        raise DomainError(message, name if status == 400 else None, status=status) from None
