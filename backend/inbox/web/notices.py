"""/me/notices: the resident chooses which kinds of notice are pushed to their phones, which opt-in kinds they want
in the inbox at all (a notice published on the community's board), and their quiet hours (the community's time;
22:00–07:00 unless changed), when pushes wait until the morning. The inbox itself lists every notice either way."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.inbox import commands
from backend.inbox.domain.kinds import KINDS
from backend.inbox.domain.preferences import Preferences, clock, minutes
from backend.inbox.web.forms import NoticesForm
from backend.kernel.errors import DomainError
from backend.web.act import Form, act, text, texts
from backend.web.auth import require_signed_in
from backend.web.pages import error_text, render
from projections.inbox import queries as views


def _ticked(form: Form, name: str) -> set[str]:
    return set(texts(form, name))


def parse(form: Form) -> Preferences:
    """The page's form as preferences: a kind not ticked for push is off; quiet hours unticked are none."""
    pushed = _ticked(form, "push")
    start = minutes(text(form, "quiet_start"), "quiet_start")
    end = minutes(text(form, "quiet_end"), "quiet_end") if text(form, "quiet") else start
    if text(form, "quiet") and start == end:
        raise DomainError("Quiet hours must end at another time than they start.", "quiet_end")
    return Preferences(frozenset(KINDS) - pushed, frozenset(_ticked(form, "opt_in")), start, end)


async def _page(request: Request[Any, Any, Any], prefs: Preferences, status: int = 200, error: str = "") -> Template:
    quiet = prefs.quiet_start != prefs.quiet_end
    return await render(
        request,
        "inbox/notices.html",
        status_code=status,
        kinds=list(KINDS.values()),
        prefs=prefs,
        quiet=quiet,
        quiet_start=clock(prefs.quiet_start),
        quiet_end=clock(prefs.quiet_end) if quiet else "07:00",
        notices_error=error,
    )


@get("/me/notices", name="inbox.notices")
async def notices_page(request: Request[Any, Any, Any]) -> Template:
    user = await require_signed_in(request)
    return await _page(request, await views.preferences(user.id))


@post("/me/notices", name="inbox.notices_set")
async def set_notices(request: Request[Any, Any, Any], data: URLEncodedBody[NoticesForm]) -> Response[Any]:
    user = await require_signed_in(request)

    async def refused(error: DomainError, form: Form) -> Template:
        return await _page(request, await views.preferences(user.id), 422, error_text(error))

    return await act(
        request,
        user,
        lambda rt, ctx, form: commands.set_preferences(rt, ctx, parse(form)),
        refused=refused,
        done=_("Your choices of notices were saved."),
        then="/me/notices",
    )


routes = [notices_page, set_notices]
