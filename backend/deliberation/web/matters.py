"""Routes of 四议两公开 for matters: the list and a matter's page (public), taking up a proposal, scheduling a
sitting, sending a matter round again or closing it, publishing ⑤ and ⑥, objections and their answers, and
implementation progress. Each form runs its command through act(): refused, the matter's page comes back with the
message where the form is."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, MultipartBody, URLEncodedBody
from litestar.response import Template

from backend.deliberation.commands import matters, meetings
from backend.deliberation.domain.matter import PHOTOS_MAX
from backend.deliberation.domain.rules import BODY_ROLES
from backend.deliberation.web import forms, views
from backend.i18n import gettext as _
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.money import parse_yuan
from backend.kernel.ports import Commands
from backend.kernel.runner import CommandResult
from backend.kernel.zone import LOCAL_ZONE
from backend.web.act import Form, Refused, act, text
from backend.web.auth import require
from backend.web.pages import board_community, error_status, error_text, flash, redirect, render
from projections.deliberation import queries
from projections.residents import queries as residents


async def _list_page(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    place = await board_community(request, None)
    user = request.state.get("user")
    return await render(
        request,
        "deliberation/matters.html",
        status_code=status_code,
        community=place,
        matters=await queries.matters(place["id"]),
        may_open=user is not None and user.can("matter.open", place["id"]),
        **views.labels(),
        **extra,
    )


@get("/matters", name="matters.list")
async def matter_list(request: Request[Any, Any, Any]) -> Template:
    return await _list_page(request)


@post("/matters", name="matters.open")
async def open_matter(request: Request[Any, Any, Any], data: URLEncodedBody[forms.OpenMatterForm]) -> Response[Any]:
    """The committee (clerk or party committee) opens a matter from the web, without a resident's proposal; a matter
    of collective assets (集体资产) is resolved by the collective-asset rule."""
    user = await require(request, "matter.open")

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        collective = form.get("collective_asset") == "1"
        return await matters.open_matter(
            rt, ctx, text(form, "title"), text(form, "description"), collective_asset=collective
        )

    async def refused(error: DomainError, form: Form) -> Template:
        values = {name: text(form, name) for name in ("title", "description", "collective_asset")}
        return await _list_page(request, error_status(error), values=values, open_error=error_text(error))

    return await act(request, user, run, then=lambda done: f"/matters/{done.result['matter_id']}", refused=refused)


async def _matter_page(
    request: Request[Any, Any, Any], matter_id: UUID, status_code: int = 200, **extra: Any
) -> Template:
    context = await views.matter_context(request, matter_id, **extra)
    return await render(request, "deliberation/matter.html", status_code=status_code, **context)


def _again(
    request: Request[Any, Any, Any], matter_id: UUID, error_key: str, *kept: str, stripped: bool = False
) -> Refused:
    """The refusal of a form on the matter's page: the page again, the message under `error_key`, and the fields
    `kept` as they were typed (without surrounding blanks when `stripped`)."""

    async def refused(error: DomainError, form: Form) -> Template:
        values = forms.stripped(form, *kept) if stripped else {name: text(form, name) for name in kept}
        return await _matter_page(
            request, matter_id, error_status(error), values=values, **{error_key: error_text(error)}
        )

    return refused


@get("/matters/{matter_id:uuid}", name="matters.detail")
async def matter_page(request: Request[Any, Any, Any], matter_id: FromPath[UUID]) -> Template:
    return await _matter_page(request, matter_id)


@post("/proposals/{proposal_id:uuid}/matter", name="proposals.take_up")
async def take_up(
    request: Request[Any, Any, Any], proposal_id: FromPath[UUID], data: URLEncodedBody[forms.TakeUpForm]
) -> Response[Any]:
    """The committee takes up a proposal on the agenda as a matter of the procedure."""
    user = await require(request, "matter.open")

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        proposal = await queries.proposal(proposal_id)
        if proposal is None or proposal["community_id"] != user.community_id:
            raise NotFoundException(_("No such proposal."))
        collective = form.get("collective_asset") == "1"
        return await matters.open_matter(
            rt, ctx, proposal["title"], proposal["description"], proposal_id, collective_asset=collective
        )

    async def refused(error: DomainError, _sent: Form) -> Response[Any]:
        flash(request, error_text(error), "error")
        return redirect(f"/proposals/{proposal_id}")

    return await act(request, user, run, then=lambda done: f"/matters/{done.result['matter_id']}", refused=refused)


@post("/matters/{matter_id:uuid}/meetings", name="matters.schedule")
async def schedule(
    request: Request[Any, Any, Any], matter_id: FromPath[UUID], data: URLEncodedBody[forms.ScheduleForm]
) -> Response[Any]:
    user = await require(request, "meeting.run")
    row = await views.matter_or_404(matter_id)
    fields = ("body", "place", "starts_at", "motion", "mode", "online_until")

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        values = forms.stripped(form, *fields)
        body = forms.body_of(values["body"])
        online = values["mode"] == "online"
        members = await residents.holding(row["community_id"], BODY_ROLES[body], datetime.now(LOCAL_ZONE).date())
        return await meetings.schedule(
            rt,
            ctx,
            matter_id,
            body,
            values["place"] or (_("Online") if online else ""),
            forms.local_time(values["starts_at"]),
            values["motion"],
            members,
            forms.local_time(values["online_until"], "online_until") if online else None,
        )

    return await act(
        request,
        user,
        run,
        then=lambda done: f"/meetings/{done.result['meeting_id']}",
        refused=_again(request, matter_id, "schedule_error", *fields, stripped=True),
        done=_("The sitting is scheduled."),
    )


@post("/matters/{matter_id:uuid}/publish", name="matters.publish")
async def publish(
    request: Request[Any, Any, Any], matter_id: FromPath[UUID], data: URLEncodedBody[forms.PublishForm]
) -> Response[Any]:
    """⑤/⑥ by the committee: to the supervisors for review while the rulebook requires it, else on the board."""

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        stage = forms.notice_stage(text(form, "stage"), "Only ⑤ and ⑥ are published.")
        done = await matters.publish(rt, ctx, matter_id, stage, text(form, "text"))
        published = done.result.get("published") == "1"
        message = _("The notice is published.") if published else _("The draft is sent to the supervisors.")
        flash(request, message, "success")
        return done

    return await act(
        request,
        "matter.disclose",
        run,
        then=f"/matters/{matter_id}",
        refused=_again(request, matter_id, "publish_error", "text"),
    )


@post("/matters/{matter_id:uuid}/resubmit", name="matters.resubmit")
async def resubmit(
    request: Request[Any, Any, Any], matter_id: FromPath[UUID], data: URLEncodedBody[forms.ResubmitForm]
) -> Response[Any]:
    """A matter sent back is revised and goes round again from ①."""
    return await act(
        request,
        "matter.open",
        lambda rt, ctx, form: matters.resubmit(rt, ctx, matter_id, text(form, "description")),
        then=f"/matters/{matter_id}",
        refused=_again(request, matter_id, "revise_error"),
        done=_("The matter is resubmitted and starts again from ①."),
    )


@post("/matters/{matter_id:uuid}/reject", name="matters.reject")
async def reject(
    request: Request[Any, Any, Any], matter_id: FromPath[UUID], data: URLEncodedBody[forms.RejectForm]
) -> Response[Any]:
    return await act(
        request,
        "matter.open",
        lambda rt, ctx, form: matters.reject(rt, ctx, matter_id, text(form, "reasons")),
        then=f"/matters/{matter_id}",
        refused=_again(request, matter_id, "revise_error"),
        done=_("The matter is closed as rejected."),
    )


@post("/matters/{matter_id:uuid}/objections", name="matters.object")
async def raise_objection(
    request: Request[Any, Any, Any], matter_id: FromPath[UUID], data: URLEncodedBody[forms.ObjectionForm]
) -> Response[Any]:
    """A resident's 异议 to a published notice."""

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        stage = forms.notice_stage(text(form, "stage"), "This notice has not been published.", status=404)
        return await matters.raise_objection(rt, ctx, matter_id, stage, text(form, "reason"))

    return await act(
        request,
        "matter.object",
        run,
        then=f"/matters/{matter_id}#objections",
        refused=_again(request, matter_id, "objection_error", "reason", "stage"),
        done=_("Your objection is recorded; the committee must answer it."),
    )


@post("/matters/{matter_id:uuid}/objections/{number:int}/answer", name="matters.answer")
async def answer_objection(
    request: Request[Any, Any, Any],
    matter_id: FromPath[UUID],
    number: FromPath[int],
    data: URLEncodedBody[forms.AnswerForm],
) -> Response[Any]:
    async def refused(error: DomainError, form: Form) -> Template:
        # The message goes under the objection answered, one form of several on the page.
        answer_error = {number: error_text(error)}
        values = {"answer": text(form, "answer")}
        return await _matter_page(request, matter_id, error_status(error), answer_error=answer_error, values=values)

    return await act(
        request,
        "matter.disclose",
        lambda rt, ctx, form: matters.answer_objection(rt, ctx, matter_id, number, text(form, "answer")),
        then=f"/matters/{matter_id}#objections",
        refused=refused,
        done=_("The answer is published."),
    )


@post("/matters/{matter_id:uuid}/progress", name="matters.progress", request_max_body_size=24 * 1024 * 1024)
async def post_progress(
    request: Request[Any, Any, Any], matter_id: FromPath[UUID], data: MultipartBody[forms.ProgressForm]
) -> Response[Any]:
    """Implementation progress: date, what was done, money spent, photos."""

    async def run(rt: Commands, ctx: Ctx, form: Form) -> CommandResult:
        values = forms.stripped(form, "on", "text", "spent")
        uploads = forms.photo_uploads(form)
        on = forms.work_day(values["on"])
        spent = parse_yuan(values["spent"], "spent")
        if len(uploads) > PHOTOS_MAX:
            raise DomainError("At most 4 photos per update.", "photos")
        photos = await forms.stored_photos(rt, uploads)
        return await matters.post_progress(rt, ctx, matter_id, on, values["text"], spent, photos)

    return await act(
        request,
        "matter.disclose",
        run,
        then=f"/matters/{matter_id}#implementation",
        refused=_again(request, matter_id, "progress_error", "on", "text", "spent", stripped=True),
        done=_("Progress reported."),
    )


routes = [
    matter_list,
    open_matter,
    matter_page,
    take_up,
    schedule,
    publish,
    resubmit,
    reject,
    raise_objection,
    answer_objection,
    post_progress,
]
