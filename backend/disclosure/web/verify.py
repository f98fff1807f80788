"""The verification of a chain head (typed, or scanned from a poster's QR code), of an event's position, or of a
notice's signed proof (pasted, or from the offline verifier): a proof signed by the record's key that today's record
no longer holds tells a rewrite from a typing mistake."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel import proofs
from backend.web.pages import render
from projections.chain import proofs as chain_proofs
from projections.chain import queries as chain
from projections.disclosure import queries as views


async def _proof_result(request: Request[Any, Any, Any], text: str) -> tuple[int, dict[str, Any]]:
    try:
        proof = proofs.parse(text) if text.startswith(proofs.HEADER) else proofs.from_compact(text)
    except ValueError:
        return 422, {"ok": False, "message": _("This is not a proof: check that you copied all of it.")}
    verdict = await chain_proofs.verified(proof)
    if verdict is None or not verdict.ok:
        message = _("This proof is not signed by this record's key: it was changed or mistyped, or it belongs to "
                    "another record.")  # fmt: skip
        return 409, {"ok": False, "message": message}
    witnessed = [{"name": name, "at": at} for name, at in verdict.witnesses]
    if not await chain_proofs.still_holds(request.app.state.runtime.store.recorder, proof, verdict):
        message = _("This proof is well-formed and signed by this record's key, but the record no longer contains "
                    "it: the record was rewritten.")  # fmt: skip
        return 409, {"ok": False, "rewritten": True, "message": message, "witnessed": witnessed}
    message = _("Event #%(n)s is in today's record, as in the record's signed tree of %(size)s events.",
                n=proof.position, size=verdict.size)  # fmt: skip
    return 200, {"ok": True, "position": proof.position, "message": message, "witnessed": witnessed}


@get("/verify", name="disclosure.verify")
async def verify_page(
    request: Request[Any, Any, Any], head: FromQuery[str] = "", position: FromQuery[int] = 0, proof: FromQuery[str] = ""
) -> Template:
    """A chain head (typed, or scanned from a poster's QR code), an event's position or a notice's signed proof:
    does the record still match?"""
    head = head.strip().lower()
    status, result = 200, None
    if proof.strip():
        status, result = await _proof_result(request, proof.strip())
        return await render(request, "disclosure/verify.html", status_code=status, proof=proof, result=result)
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
                {
                    "ok": False,
                    "message": _(
                        "This chain head is not in the record. If you typed it, check the characters; if they are "
                        "right, the record may have been rewritten: paste the notice's proof below (or scan its QR "
                        "code) to know which."
                    ),
                },
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
