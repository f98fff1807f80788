"""The phone's outbox (/me/outbox, issue 23 item 5): what was done offline and waits to be sent, and what was sent
lately. The list lives on the phone (IndexedDB, frontend/static/js/outbox.js fills the page); the server serves only
the page around it."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from backend.web.pages import render


@get("/me/outbox", name="me.outbox")
async def outbox_page(request: Request[Any, Any, Any]) -> Template:
    """For anyone, signed in or not: the service worker keeps the page as a visitor sees it (no one's name on it), so
    that it opens offline on any phone, and nothing on it comes from the server but its words."""
    return await render(request, "residents/outbox.html")


routes = [outbox_page]
