"""The resident's certificates (ask for one on the phone, see the answers: the basis of a refusal and where to go
instead), the A4 print view of an issued one (number, 盖章处, valid until, a QR code carrying its check code), and
the public verification by check code alone (type, masked name, validity, status): nothing is found by number."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import segno
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.codes import check_code_valid, check_lookup
from backend.kernel.errors import DomainError
from backend.web.act import Form, act, text
from backend.web.auth import current_user, require
from backend.web.pages import error_status, error_text, render, today
from backend.workload.commands import certificates as commands
from backend.workload.web.certificate_forms import AskForm
from backend.workload.web.certificate_views import printed_name, shown
from projections.community import queries as communities
from projections.residents import queries as residents
from projections.workload.certificates import queries

MINE = "/me/certificates"


async def _mine(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "certificate.request")
    place = await communities.by_id(user.community_id) or {"street": "", "code": ""}
    day = today()
    return await render(
        request,
        "workload/certificate_mine.html",
        status_code=status_code,
        lists=await queries.lists_on(place["street"], day),
        community=place,
        requests=[shown(r, day) for r in await queries.requests_of(user.id)],
        values=extra.pop("values", {}),
        **extra,
    )


@get(MINE, name="certificates.mine")
async def mine(request: Request[Any, Any, Any]) -> Template:
    return await _mine(request)


@post(MINE, name="certificates.ask")
async def ask(request: Request[Any, Any, Any], data: URLEncodedBody[AskForm]) -> Response[Any]:
    async def refused(error: DomainError, form: Form) -> Template:
        values = {k: text(form, k) for k in ("code", "asked", "purpose")}
        return await _mine(request, error_status(error), values=values, error=error_text(error))

    return await act(
        request,
        "certificate.request",
        lambda rt, ctx, form: commands.request(rt, ctx, text(form, "code"), text(form, "asked"), text(form, "purpose")),
        then=MINE,
        refused=refused,
        done=_("Asked. The committee answers here; come to the office to collect it once it is issued."),
    )


@get("/certificates/issued/{certificate_id:uuid}", name="certificates.print")
async def print_view(request: Request[Any, Any, Any], certificate_id: FromPath[UUID]) -> Template:
    """The A4 print view, for the resident it certifies and the community's clerks."""
    user = await current_user(request)
    row = await queries.certificate(certificate_id)
    allowed = (
        user is not None
        and row is not None
        and (str(row["resident_id"]) == str(user.id) or user.can("certificate.issue", row["community_id"]))
    )
    if row is None or not allowed or not row["number"]:
        raise NotFoundException(_("No such certificate."))
    personal = request.app.state.runtime.personal
    code = commands.certificate_check_code(personal, UUID(str(row["id"])))
    url = f"{request.base_url}verify/c/{code}"
    name = await printed_name(personal, row)
    return await render(
        request,
        "workload/certificate_print.html",
        certificate=shown(row, today()),
        community=await communities.by_id(row["community_id"]),
        body=row["text"].replace("{name}", name or _("(erased)")),
        clerk=user is not None and user.can("certificate.issue", row["community_id"]),
        qr=segno.make(url, error="m").svg_inline(scale=3, title=_("Verify this certificate")),
        url=url,
    )


@get("/verify/c/{code:str}", name="certificates.verify")
async def verify(request: Request[Any, Any, Any], code: FromPath[str]) -> Template:
    """Public: what the certificate with this check code is, its holder's name masked, and whether it stands. A code
    matching none (altered, mistyped) is a 404 that says so; the digest is checked against the id as well."""
    row = await queries.by_check(check_lookup(code))
    digest = request.app.state.runtime.personal.digest
    if row is not None and not check_code_valid(digest, commands.CHECK_KIND, UUID(str(row["id"])), code):
        row = None
    if row is None:
        return await render(request, "workload/certificate_verify.html", status_code=404, certificate=None)
    masked = await residents.masked_names([row["resident_id"]])
    return await render(
        request,
        "workload/certificate_verify.html",
        certificate=shown(row, today()),
        name=masked.get(str(row["resident_id"]), ""),
        community=await communities.by_id(row["community_id"]),
    )


routes = [mine, ask, print_view, verify]
