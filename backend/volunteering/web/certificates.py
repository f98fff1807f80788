"""Routes of the certificates: the volunteer asks for one (the team's records decide what it says), its print view,
and the public verification of a certificate's number."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import segno
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.ports import Commands
from backend.volunteering import commands
from backend.volunteering.web.forms import CertificateForm, certificate_of, certificate_values
from backend.volunteering.web.views import leads, mine_refused, to_uuid
from backend.web.act import Form, act
from backend.web.auth import require
from backend.web.pages import redirect, render
from projections.residents import queries as residents
from projections.volunteering import queries


@post("/certificates", name="volunteering.request_certificate")
async def request_certificate(request: Request[Any, Any, Any], data: URLEncodedBody[CertificateForm]) -> Response[Any]:
    user = await require(request, "volunteering.sign_up")

    async def run(rt: Commands, ctx: Any, form: Form) -> Any:
        team_id, start, end = certificate_of(certificate_values(form))
        records = [r["id"] for r in await queries.records_of(user.id) if str(r["team_id"]) == str(team_id)]
        return await commands.issue_certificate(rt, ctx, team_id, [to_uuid(r) for r in records], start, end)

    return await act(
        request,
        user,
        run,
        then=lambda done: f"/certificates/{done.result['certificate_id']}",
        refused=mine_refused(request, "certificate_error", certificate_values),
    )


@get("/certificates/{certificate_id:uuid}", name="volunteering.certificate")
async def certificate_page(request: Request[Any, Any, Any], certificate_id: FromPath[UUID]) -> Template:
    """The print view (A4) for the volunteer and the team's leaders, with a QR code to the public verification."""
    user = await require(request, "volunteering.sign_up")
    row = await queries.certificate(certificate_id)
    if row is None or not (row["volunteer_id"] == user.id or await leads(user, row["team_id"])):
        raise NotFoundException(_("No such certificate."))
    url = f"{request.base_url}verify/certificates/{row['number']}"
    personal = request.app.state.runtime.personal
    return await render(
        request,
        "volunteering/certificate.html",
        certificate=row,
        team=await queries.team(row["team_id"]),
        name=(await residents.full_names(personal, [row["volunteer_id"]]))[str(row["volunteer_id"])],
        qr=segno.make(url, error="m").svg_inline(scale=3, title=_("Verify this certificate")),
        url=url,
    )


@get("/verify/certificates", name="volunteering.verify_form")
async def verify_form(request: Request[Any, Any, Any], number: FromQuery[str] = "") -> Response[Any]:
    if number.strip():
        return redirect(f"/verify/certificates/{number.strip().upper()}")
    return await render(request, "volunteering/verify.html", certificate=None, number="")


@get("/verify/certificates/{number:str}", name="volunteering.verify")
async def verify(request: Request[Any, Any, Any], number: FromPath[str]) -> Template:
    """Public: whether a certificate with this number was issued, and what it says (the name masked)."""
    row = await queries.certificate_by_number(number.strip().upper())
    name = ""
    if row is not None:
        name = (await residents.masked_names([str(row["volunteer_id"])])).get(str(row["volunteer_id"]), "")
    return await render(
        request,
        "volunteering/verify.html",
        status_code=200 if row else 404,
        certificate=row,
        team=await queries.team(row["team_id"]) if row else None,
        name=name,
        number=number,
    )


routes = [request_certificate, certificate_page, verify_form, verify]
