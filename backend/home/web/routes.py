"""The home page, `/` (首页): a signed-in resident sees what needs them now, soonest first (ballots to vote in,
sittings they are called to, waitlist offers to answer, bookings and shifts today and tomorrow), the answers they
were given, the board's open notices and the community's news; staff see their desks' queues on the same page; a
visitor sees the board and how to register. Read only: every button on it posts to its own context's route."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Template

from backend.home.web import views
from backend.web.auth import current_user
from backend.web.kept import KEPT
from backend.web.pages import board_community, now, render, today


@get("/", name="home", opt=KEPT)
async def home(request: Request[Any, Any, Any], community: FromQuery[str | None] = None) -> Template:
    user = await current_user(request)
    if user is None:
        try:
            place = await board_community(request, community)
        except NotFoundException:
            if community:
                raise
            return await render(request, "home/home.html", community=None)  # a fresh install: nothing to show yet
        return await render(request, "home/home.html", community=place, **await views.visitor_home(place, today()))
    moment = now()
    mine = await views.resident_home(user, moment, today()) if user.can("proposal.submit") else {}
    return await render(
        request,
        "home/home.html",
        resident=bool(mine),
        queue=await views.staff_queue(user, moment),
        **mine,
    )


routes = [home]
