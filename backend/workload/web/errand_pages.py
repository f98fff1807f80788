"""The resident's errands (全程代办) on the phone: each errand's steps as a timeline, the documents still missing, the
certificates its office may ask for that the committee never issues (and where to get them), and 我已领取 to confirm
receipt once it is handed back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from backend.i18n import gettext as _
from backend.kernel.errors import DomainError
from backend.web.act import Form, act
from backend.web.auth import require
from backend.web.pages import error_status, error_text, render
from backend.workload.commands import errands as commands
from backend.workload.domain.errands import CATALOG, RESULTS, STATUSES, STEPS
from backend.workload.web.errand_forms import StepForm
from projections.workload.errands import queries

MINE = "/me/errands"


async def _mine(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "errand.follow")
    rows = await queries.of_resident(user.id)
    return await render(
        request,
        "workload/errand_mine.html",
        status_code=status_code,
        errands=[{**r, "item": CATALOG.get(r["item_code"])} for r in rows],
        statuses=STATUSES,
        results=RESULTS,
        steps=STEPS,
        **extra,
    )


@get(MINE, name="errands.mine")
async def mine(request: Request[Any, Any, Any]) -> Template:
    return await _mine(request)


@post(f"{MINE}/{{errand_id:uuid}}/confirm", name="errands.confirm")
async def confirm(
    request: Request[Any, Any, Any], errand_id: FromPath[UUID], data: URLEncodedBody[StepForm]
) -> Response[Any]:
    user = await require(request, "errand.follow")
    row = await queries.errand(errand_id)
    if row is None or str(row["resident_id"]) != str(user.id):
        raise NotFoundException(_("No such errand."))

    async def refused(error: DomainError, _form: Form) -> Template:
        return await _mine(request, error_status(error), error=error_text(error))

    return await act(
        request,
        user,
        lambda rt, ctx, form: commands.confirm(rt, ctx, errand_id),
        then=MINE,
        refused=refused,
        done=_("Thank you: receipt confirmed."),
    )


routes = [mine, confirm]
