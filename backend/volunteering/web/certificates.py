"""Routes of the certificates: the volunteer asks for one (the team's records decide what it says), its print view,
and the public verification of a certificate by its number and its check code (the print view's QR carries both). A
number alone shows nothing, only a form asking for the code: numbers are guessable (2026-TEAMHEX-00001), codes not."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

import segno
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.codes import check_code, check_code_valid
from backend.kernel.ports import Commands
from backend.volunteering import commands
from backend.volunteering.web.forms import CertificateForm, certificate_of, certificate_values
from backend.volunteering.web.views import leads, mine_refused, to_uuid
from backend.web.act import Form, act
from backend.web.auth import require
from backend.web.pages import redirect, render
from projections.residents import queries as residents
from projections.volunteering import queries

CHECK_KIND = "volunteer-certificate"  # what a volunteer certificate's check code is derived for


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
    personal = request.app.state.runtime.personal
    code = check_code(personal.digest, CHECK_KIND, certificate_id)
    url = f"{request.base_url}verify/certificates/{row['number']}/{code}"
    return await render(
        request,
        "volunteering/certificate.html",
        certificate=row,
        team=await queries.team(row["team_id"]),
        name=(await residents.full_names(personal, [row["volunteer_id"]]))[str(row["volunteer_id"])],
        qr=segno.make(url, error="m").svg_inline(scale=3, title=_("Verify this certificate")),
        url=url,
        code=code,
    )


@get("/verify/certificates", name="volunteering.verify_form")
async def verify_form(
    request: Request[Any, Any, Any], number: FromQuery[str] = "", code: FromQuery[str] = ""
) -> Response[Any]:
    number, code = number.strip().upper(), "".join(code.split())
    if number and code:
        return redirect(f"/verify/certificates/{quote(number, safe='')}/{quote(code, safe='')}")
    return await render(request, "volunteering/verify.html", certificate=None, number=number, asked=bool(number))


@get("/verify/certificates/{number:str}", name="volunteering.verify_number")
async def verify_number(request: Request[Any, Any, Any], number: FromPath[str]) -> Template:
    """A number alone: the form asking for the check code, whether or not such a number was issued."""
    return await render(request, "volunteering/verify.html", certificate=None, number=number.strip().upper())


@get("/verify/certificates/{number:str}/{code:str}", name="volunteering.verify")
async def verify(request: Request[Any, Any, Any], number: FromPath[str], code: FromPath[str]) -> Template:
    """Public: whether a certificate with this number and check code was issued, and what it says (the name
    masked). A wrong code (altered, mistyped) shows nothing of the certificate, as an unknown number does."""
    row = await queries.certificate_by_number(number.strip().upper())
    digest = request.app.state.runtime.personal.digest
    if row is not None and not check_code_valid(digest, CHECK_KIND, UUID(str(row["id"])), code):
        row = None
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
        asked=True,
    )


routes = [request_certificate, certificate_page, verify_form, verify_number, verify]
