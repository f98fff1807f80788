"""The verification of a chain head (typed, or scanned from a poster's QR code) or of an event's position."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Template

from backend.i18n import gettext as _
from backend.web.pages import render
from projections.chain import queries as chain
from projections.disclosure import queries as views


@get("/verify", name="disclosure.verify")
async def verify_page(
    request: Request[Any, Any, Any], head: FromQuery[str] = "", position: FromQuery[int] = 0
) -> Template:
    """A chain head (typed, or scanned from a poster's QR code) or an event's position: does the record still match?"""
    head = head.strip().lower()
    status, result = 200, None
    if position and not head:
        # a position past what a log's 64-bit positions hold has no event (nor would it go into the query)
        head = (await chain.link_at(position) if 0 < position < 2**63 else None) or ""
        if not head:
            status, result = 404, {"ok": False, "message": _("There is no event at this position.")}
    if head and result is None:
        at = await chain.position_of(head) if len(head) == 64 else None
        if at is None:
            status, result = (
                404,
                {"ok": False, "message": _("This chain head is not in the record: check the characters you typed.")},
            )
        else:
            verdict = await chain.verify(request.app.state.runtime.store, stop=at)
            ok = verdict.ok and verdict.head == head
            result = {
                "ok": ok,
                "position": at,
                "checked": verdict.checked,
                "first_bad": verdict.first_bad,
                "message": _("The record up to event #%(n)s matches this chain head.", n=at)
                if ok
                else _("The record does not match: event #%(n)s was altered or is missing.", n=verdict.first_bad or at),
                "notices": await views.notices_under(head),
            }
            status = 200 if ok else 409
    return await render(request, "disclosure/verify.html", status_code=status, head=head, result=result)


routes = [verify_page]
