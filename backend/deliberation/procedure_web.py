"""Routes of 四议两公开: matters (public), taking up a proposal, scheduling sittings, the meeting page where members
check in and vote and the clerk runs the ballot, and publishing ⑤ and ⑥."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import anyio
import segno
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from backend.community.domain import Share, VoteRule
from backend.deliberation import meetings
from backend.deliberation.procedure import (
    BODY_ROLES,
    PHOTOS_MAX,
    STAGE_BODIES,
    STAGE_LABELS,
    STAGES,
    Body,
    Stage,
    vote_id,
)
from backend.i18n import N_
from backend.i18n import gettext as _
from backend.kernel import codes
from backend.kernel.codes import checkin_code_valid
from backend.kernel.errors import DomainError
from backend.kernel.masking import mask_phone
from backend.kernel.money import parse_yuan, yuan
from backend.kernel.zone import LOCAL_ZONE
from backend.web.auth import ctx_for, current_user, require
from backend.web.pages import command_id_from, error_status, flash, found, is_htmx, now, redirect, render
from backend.web.uploads import prepare_photo, store_photo
from projections import chain, residents
from projections import community as communities
from projections import deliberation as views

BODY_LABELS = {
    Body.PARTY_COMMITTEE: N_("Party organisation (branch committee)"),
    Body.JOINT_COMMITTEES: N_("Joint meeting of the two committees"),
    Body.PARTY_MEETING: N_("Party members' meeting"),
    Body.RESIDENTS_MEETING: N_("Residents' meeting"),
    Body.REPRESENTATIVES: N_("Residents' representatives' meeting"),
}
OUTCOME_LABELS = {"passed": N_("Passed"), "failed": N_("Not passed"), "not_quorate": N_("Not quorate")}
MATTER_STATE_LABELS = {
    "open": N_("In progress"),
    "revising": N_("Sent back for revision"),
    "rejected": N_("Rejected"),
    "completed": N_("Completed"),
}
CHOICE_LABELS = {"yes": N_("For (赞成)"), "no": N_("Against (反对)"), "abstain": N_("Abstain (弃权)")}


async def _matter_or_404(matter_id: UUID) -> dict[str, Any]:
    return found(await views.matter(matter_id), _("No such matter."))


async def _meeting_or_404(meeting_id: UUID) -> dict[str, Any]:
    return found(await views.meeting(meeting_id), _("No such meeting."))


def rule_words(rule: VoteRule) -> str:
    """A sitting's quorum and pass rule in the reader's language, with its source."""

    def share(part: Share) -> str:
        fraction = f"{part.fraction.numerator}/{part.fraction.denominator}"
        return _("more than %(share)s", share=fraction) if part.strict else _("at least %(share)s", share=fraction)

    return _(
        "Quorum: %(quorum)s of the members expected present. Passed with yes votes %(passing)s of those %(base)s. "
        "(%(source)s)",
        quorum=share(rule.quorum),
        passing=share(rule.passing),
        base=_("expected") if rule.base == "expected" else _("present"),
        source=rule.source,
    )


def labels() -> dict[str, Any]:
    return {
        "stage_labels": STAGE_LABELS,
        "body_labels": BODY_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "choice_labels": CHOICE_LABELS,
        "state_labels": MATTER_STATE_LABELS,
        "stages": STAGES,
    }


@get("/matters", name="matters.list")
async def matter_list(request: Request[Any, Any, Any]) -> Template:
    from backend.deliberation.web import board_community

    place = await board_community(request, None)
    return await render(
        request, "deliberation/matters.html", community=place, matters=await views.matters(place["id"]), **labels()
    )


async def _matter_page(
    request: Request[Any, Any, Any], matter_id: UUID, status_code: int = 200, **extra: Any
) -> Template:
    row = await _matter_or_404(matter_id)
    user = await current_user(request)
    done = [Stage(s) for s in row["done"]]
    next_stage = STAGES[len(done)] if len(done) < len(STAGES) and row["state"] == "open" else None
    bodies = sorted(STAGE_BODIES.get(next_stage, frozenset()), key=list(Body).index) if next_stage else []
    timeline = await views.matter_timeline(matter_id)
    sittings = await views.meetings_of(matter_id)
    notices = await views.notices_of(matter_id)
    objections = await views.objections_of(matter_id)
    progress = await views.progress_of(matter_id)
    running = user is not None and user.can("meeting.run", row["community_id"])
    disclosing = user is not None and user.can("matter.disclose", row["community_id"])
    today = datetime.now(LOCAL_ZONE).date()
    unanswered = [o for o in objections if not o["answer"]]
    people = [
        *(t["actor_id"] for t in timeline),
        *(t["on_behalf_of"] for t in timeline),
        *(o["resident_id"] for o in objections),
    ]
    return await render(
        request,
        "deliberation/matter.html",
        status_code=status_code,
        matter=row,
        done=done,
        next_stage=next_stage,
        bodies=bodies if running else [],
        can_publish=disclosing and next_stage in (Stage.RESOLUTION_NOTICE, Stage.RESULT_NOTICE),
        notice_draft=_notice_draft(row, next_stage, sittings, progress),
        notices=notices,
        objections=objections,
        unanswered=unanswered,
        may_object=user is not None and user.can("matter.object", row["community_id"]),
        objected={(o["stage"], str(o["resident_id"])) for o in objections},
        disclosing=disclosing,
        deciding=user is not None and user.can("matter.open", row["community_id"]) and row["state"] == "revising",
        implementing=disclosing and next_stage == Stage.RESULT_NOTICE,
        progress=progress,
        spent=sum(p["spent_fen"] for p in progress),
        today=today,
        timeline=timeline,
        meetings=sittings,
        names=await residents.masked_names(str(p) for p in people if p),
        values=extra.pop("values", {}),
        **labels(),
        **extra,
    )


def _notice_draft(
    matter: dict[str, Any], stage: Stage | None, sittings: list[dict[str, Any]], progress: list[dict[str, Any]]
) -> str:
    """A starting text the clerk edits: the resolution with its vote, or the implementation with the money spent."""
    if stage == Stage.RESOLUTION_NOTICE:
        decided = [m for m in sittings if m["outcome"] == "passed" and Stage.RESOLUTION in m["stages"]]
        if decided:
            m = decided[-1]
            return _(
                "%(body)s of %(date)s resolved: %(motion)s (for %(yes)s, against %(no)s, abstained %(abstain)s; "
                "%(present)s of %(expected)s present).",
                body=_(BODY_LABELS[Body(m["body"])]),
                date=m["starts_at"].astimezone(LOCAL_ZONE).date().isoformat(),
                motion=m["motion"],
                yes=m["yes"],
                no=m["no"],
                abstain=m["abstain"],
                present=m["present_count"],
                expected=len(m["expected"]),
            )
    if stage == Stage.RESULT_NOTICE and progress:
        return _(
            "%(title)s: implemented. %(n)s progress reports; money spent %(spent)s yuan.",
            title=matter["title"],
            n=len(progress),
            spent=yuan(sum(p["spent_fen"] for p in progress)),
        )
    return ""


@get("/matters/{matter_id:uuid}", name="matters.detail")
async def matter_page(request: Request[Any, Any, Any], matter_id: FromPath[UUID]) -> Template:
    return await _matter_page(request, matter_id)


@post("/proposals/{proposal_id:uuid}/matter", name="proposals.take_up")
async def take_up(request: Request[Any, Any, Any], proposal_id: FromPath[UUID]) -> Response[Any]:
    """The committee takes up a proposal on the agenda as a matter of the procedure."""
    user = await require(request, "matter.open")
    form = await request.form()
    proposal = await views.proposal(proposal_id)
    if proposal is None or proposal["community_id"] != user.community_id:
        raise NotFoundException(_("No such proposal."))
    try:
        done = await meetings.open_matter(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            proposal["title"],
            proposal["description"],
            proposal_id,
            collective_asset=form.get("collective_asset") == "1",
        )
    except DomainError as error:
        flash(request, _(error.message), "error")
        return redirect(f"/proposals/{proposal_id}")
    return redirect(f"/matters/{done.result['matter_id']}")


def _local(value: str, field: str = "starts_at") -> datetime:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=LOCAL_ZONE).astimezone(UTC)
    except ValueError:
        if field == "online_until":
            raise DomainError("Please give the date and time the online ballot closes.", field) from None
        raise DomainError("Please give the date and time of the sitting.", field) from None


@post("/matters/{matter_id:uuid}/meetings", name="matters.schedule")
async def schedule(request: Request[Any, Any, Any], matter_id: FromPath[UUID]) -> Response[Any]:
    user = await require(request, "meeting.run")
    row = await _matter_or_404(matter_id)
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("body", "place", "starts_at", "motion", "mode", "online_until")}
    try:
        if values["body"] not in Body.__members__.values():
            raise DomainError("Please choose the body that sits.", "body")
        body = Body(values["body"])
        online = values["mode"] == "online"
        members = await residents.holding(row["community_id"], BODY_ROLES[body], datetime.now(LOCAL_ZONE).date())
        done = await meetings.schedule(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            matter_id,
            body,
            values["place"] or (_("Online") if online else ""),
            _local(values["starts_at"]),
            values["motion"],
            members,
            _local(values["online_until"], "online_until") if online else None,
        )
    except DomainError as error:
        return await _matter_page(
            request, matter_id, error_status(error), values=values, schedule_error=_(error.message)
        )
    flash(request, _("The sitting is scheduled."), "success")
    return redirect(f"/meetings/{done.result['meeting_id']}")


@post("/matters/{matter_id:uuid}/publish", name="matters.publish")
async def publish(request: Request[Any, Any, Any], matter_id: FromPath[UUID]) -> Response[Any]:
    user = await require(request, "matter.disclose")
    form = await request.form()
    stage, text = str(form.get("stage", "")), str(form.get("text", ""))
    try:
        if stage not in (Stage.RESOLUTION_NOTICE, Stage.RESULT_NOTICE):
            raise DomainError("Only ⑤ and ⑥ are published.")
        await meetings.publish(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), matter_id, Stage(stage), text
        )
    except DomainError as error:
        return await _matter_page(
            request, matter_id, error_status(error), publish_error=_(error.message), values={"text": text}
        )
    flash(request, _("The notice is published."), "success")
    return redirect(f"/matters/{matter_id}")


@post("/matters/{matter_id:uuid}/resubmit", name="matters.resubmit")
async def resubmit(request: Request[Any, Any, Any], matter_id: FromPath[UUID]) -> Response[Any]:
    """A matter sent back is revised and goes round again from ①."""
    user = await require(request, "matter.open")
    form = await request.form()
    description = str(form.get("description", ""))
    try:
        await meetings.resubmit(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), matter_id, description
        )
    except DomainError as error:
        return await _matter_page(request, matter_id, error_status(error), revise_error=_(error.message))
    flash(request, _("The matter is resubmitted and starts again from ①."), "success")
    return redirect(f"/matters/{matter_id}")


@post("/matters/{matter_id:uuid}/reject", name="matters.reject")
async def reject(request: Request[Any, Any, Any], matter_id: FromPath[UUID]) -> Response[Any]:
    user = await require(request, "matter.open")
    form = await request.form()
    try:
        await meetings.reject(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            matter_id,
            str(form.get("reasons", "")),
        )
    except DomainError as error:
        return await _matter_page(request, matter_id, error_status(error), revise_error=_(error.message))
    flash(request, _("The matter is closed as rejected."), "success")
    return redirect(f"/matters/{matter_id}")


@post("/matters/{matter_id:uuid}/objections", name="matters.object")
async def raise_objection(request: Request[Any, Any, Any], matter_id: FromPath[UUID]) -> Response[Any]:
    """A resident's 异议 to a published notice."""
    user = await require(request, "matter.object")
    form = await request.form()
    stage, reason = str(form.get("stage", "")), str(form.get("reason", ""))
    try:
        if stage not in (Stage.RESOLUTION_NOTICE, Stage.RESULT_NOTICE):
            raise DomainError("This notice has not been published.", status=404)
        await meetings.raise_objection(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), matter_id, Stage(stage), reason
        )
    except DomainError as error:
        return await _matter_page(
            request,
            matter_id,
            error_status(error),
            objection_error=_(error.message),
            values={"reason": reason, "stage": stage},
        )
    flash(request, _("Your objection is recorded; the committee must answer it."), "success")
    return redirect(f"/matters/{matter_id}#objections")


@post("/matters/{matter_id:uuid}/objections/{number:int}/answer", name="matters.answer")
async def answer_objection(
    request: Request[Any, Any, Any], matter_id: FromPath[UUID], number: FromPath[int]
) -> Response[Any]:
    user = await require(request, "matter.disclose")
    form = await request.form()
    answer = str(form.get("answer", ""))
    try:
        await meetings.answer_objection(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), matter_id, number, answer
        )
    except DomainError as error:
        return await _matter_page(
            request, matter_id, error_status(error), answer_error={number: _(error.message)}, values={"answer": answer}
        )
    flash(request, _("The answer is published."), "success")
    return redirect(f"/matters/{matter_id}#objections")


@post("/matters/{matter_id:uuid}/progress", name="matters.progress", request_max_body_size=24 * 1024 * 1024)
async def post_progress(request: Request[Any, Any, Any], matter_id: FromPath[UUID]) -> Response[Any]:
    """Implementation progress: date, what was done, money spent, photos."""
    user = await require(request, "matter.disclose")
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("on", "text", "spent")}
    uploads = [
        f for f in (form.getall("photos") if "photos" in form else []) if isinstance(f, UploadFile) and f.filename
    ]
    try:
        try:
            on = date.fromisoformat(values["on"])
        except ValueError:
            raise DomainError("Please give the date of the work.", "on") from None
        spent = parse_yuan(values["spent"], "spent")
        if len(uploads) > PHOTOS_MAX:
            raise DomainError("At most 4 photos per update.", "photos")
        photos = [prepare_photo(await upload.read()) for upload in uploads]
        for photo in photos:
            await anyio.to_thread.run_sync(store_photo, request.app.state.runtime.settings.uploads_dir, photo)
        await meetings.post_progress(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            matter_id,
            on,
            values["text"],
            spent,
            [p.name for p in photos],
        )
    except DomainError as error:
        return await _matter_page(
            request, matter_id, error_status(error), progress_error=_(error.message), values=values
        )
    flash(request, _("Progress reported."), "success")
    return redirect(f"/matters/{matter_id}#implementation")


# -- the meeting page ------------------------------------------------------------------------------------------------
async def _meeting_page(
    request: Request[Any, Any, Any], meeting_id: UUID, status_code: int = 200, **extra: Any
) -> Template:
    row = await _meeting_or_404(meeting_id)
    user = await current_user(request)
    key = await _member_key(row, user)
    running = user is not None and user.can("meeting.run", row["community_id"])
    if row["online_until"]:  # thousands of members: only the reader's own vote, and no member list
        mine = await views.vote(vote_id(meeting_id, UUID(key))) if key else None
        votes, people = [mine] if mine else [], []
    else:
        votes = await views.meeting_votes(meeting_id)
        mine = next((v for v in votes if str(v["household_id"] or v["resident_id"]) == key), None)
        people = row["expected"] + [str(v["entered_by"]) for v in votes if v["entered_by"]]
    member = key in row["expected"]
    attended = user is not None and str(user.id) in row["attendees"]
    return await render(
        request,
        "deliberation/meeting.html",
        status_code=status_code,
        meeting=row,
        code=str(request.query_params.get("code", ""))[:6],
        may_sign=attended and row["minutes"] and str(user.id) not in {s[0] for s in row["signed"]},
        signers=await residents.masked_names(s[0] for s in row["signed"]),
        matter=await views.matter(row["matter_id"]),
        tally=await views.tally(meeting_id),
        rule=rule_words(views.meeting_rule(row)),
        mine=mine,
        member=member,
        checked_in=user is not None and str(user.id) in row["present"],
        running=running,
        votes={str(v["resident_id"]): v for v in votes},
        names=await residents.masked_names(people),
        full_names=await residents.full_names(row["expected"]) if running and not row["online_until"] else {},
        **labels(),
        **extra,
    )


async def _member_key(row: dict[str, Any], user: Any) -> str:
    """Whose vote the reader's is: their household's on a ballot by household, otherwise their own."""
    household = (await residents.by_id(user.id) or {}).get("household_id") if user and row["per_household"] else None
    return str(household) if household else str(user.id) if user else ""


@get("/meetings/{meeting_id:uuid}", name="meetings.detail")
async def meeting_page(request: Request[Any, Any, Any], meeting_id: FromPath[UUID]) -> Template:
    return await _meeting_page(request, meeting_id)


async def _act(request: Request[Any, Any, Any], meeting_id: UUID, run: Any, success: str | None) -> Response[Any]:
    """Run, then back to the meeting page; `success` as a flash, unless the page itself shows the outcome."""
    try:
        await run()
    except DomainError as error:
        return await _meeting_page(request, meeting_id, error_status(error), meeting_error=_(error.message))
    if success:
        flash(request, success, "success")
    return redirect(f"/meetings/{meeting_id}")


@post("/meetings/{meeting_id:uuid}/vote", name="meetings.vote")
async def vote(request: Request[Any, Any, Any], meeting_id: FromPath[UUID]) -> Response[Any]:
    user = await require(request, "meeting.vote")
    form = await request.form()
    ctx = ctx_for(user, now(), command_id_from(form))
    choice = str(form.get("choice", ""))
    rt = request.app.state.runtime
    if not is_htmx(request):

        async def run() -> None:
            await meetings.vote(rt, ctx, meeting_id, choice)

        # The page says "您的投票：…" itself; no flash keeps a burst of votes from rewriting every session.
        return await _act(request, meeting_id, run, None)
    # With htmx the vote panel alone comes back, rendered from the command's own result: nothing is read back from
    # the views, so the answer does not wait for them. The tally follows over the websocket.
    try:
        done = await meetings.vote(rt, ctx, meeting_id, choice, wait=False)
    except DomainError as error:
        row = await _meeting_or_404(meeting_id)
        key = await _member_key(row, user)
        return await render(
            request,
            "deliberation/_vote.html",
            status_code=error_status(error),
            meeting_id=meeting_id,
            mine=await views.vote(vote_id(meeting_id, UUID(key))),
            vote_error=_(error.message),
            **labels(),
        )
    mine = {"choice": done.result["choice"], "paper": False}
    return await render(request, "deliberation/_vote.html", meeting_id=meeting_id, mine=mine, **labels())


@post("/meetings/{meeting_id:uuid}/checkin", name="meetings.check_in")
async def check_in(request: Request[Any, Any, Any], meeting_id: FromPath[UUID]) -> Response[Any]:
    """A member at the venue checks in with the code on the clerk's screen; a clerk ticks a member's name."""
    user = await require(request, "meeting.vote")
    form = await request.form()
    raw = str(form.get("resident_id", "")) or str(user.id)
    ctx = ctx_for(user, now(), command_id_from(form))
    rt = request.app.state.runtime

    async def run() -> None:
        try:
            resident_id = UUID(raw)
        except ValueError:
            raise DomainError("No such resident.", status=404) from None
        code = str(form.get("code", ""))
        if resident_id == user.id and not checkin_code_valid(rt.personal.digest, meeting_id, code, ctx.now):
            raise DomainError("That check-in code is not the one on the screen; please type the current one.", "code")
        await meetings.check_in(rt, ctx, meeting_id, resident_id)

    return await _act(request, meeting_id, run, _("Checked in."))


@post("/meetings/{meeting_id:uuid}/ballot/{action:str}", name="meetings.ballot")
async def ballot(request: Request[Any, Any, Any], meeting_id: FromPath[UUID], action: FromPath[str]) -> Response[Any]:
    user = await require(request, "meeting.run")
    form = await request.form()
    ctx = ctx_for(user, now(), command_id_from(form))
    rt = request.app.state.runtime

    async def run() -> None:
        if action == "open":
            await meetings.open_ballot(rt, ctx, meeting_id)
        elif action == "close":
            await meetings.close_ballot(rt, ctx, meeting_id)
        else:
            raise DomainError("Not found.", status=404)

    return await _act(request, meeting_id, run, _("Done."))


PAPER_LISTED = 200  # unconfirmed paper ballots listed on the desk at once


async def _paper_desk(
    request: Request[Any, Any, Any], meeting_id: UUID, query: str, status_code: int = 200, **extra: Any
) -> Template:
    """The clerks' desk for paper ballots on an online ballot of thousands: find a member by name, phone or room,
    enter their paper ballot, and confirm the ones another clerk entered."""
    user = await require(request, "meeting.run")
    row = await _meeting_or_404(meeting_id)
    if row["community_id"] != user.community_id:
        raise NotFoundException(_("No such meeting."))
    query = query.strip()[:30]
    people = await residents.in_community(row["community_id"], "verified", query, limit=20) if query else []
    keys = [person["household_id"] if row["per_household"] else person["id"] for person in people]
    members = [key if key is not None and str(key) in row["expected"] else None for key in keys]
    votes = await views.votes_by_id(vote_id(meeting_id, key) for key in members if key)
    awaiting = await views.unconfirmed_paper(meeting_id, PAPER_LISTED)
    return await render(
        request,
        "deliberation/paper.html",
        status_code=status_code,
        meeting=row,
        matter=await views.matter(row["matter_id"]),
        open=row["ballot"] == "open",
        q=query,
        found=[(p, m, m and votes.get(str(vote_id(meeting_id, m)))) for p, m in zip(people, members, strict=True)],
        awaiting=awaiting,
        awaiting_count=f"{len(awaiting)}+" if len(awaiting) == PAPER_LISTED else str(len(awaiting)),
        mask_phone=mask_phone,
        names=await residents.full_names([*(v["resident_id"] for v in awaiting), *(v["entered_by"] for v in awaiting)]),
        **labels(),
        **extra,
    )


@get("/meetings/{meeting_id:uuid}/paper", name="meetings.paper_desk")
async def paper_desk(request: Request[Any, Any, Any], meeting_id: FromPath[UUID]) -> Template:
    return await _paper_desk(request, meeting_id, str(request.query_params.get("q", "")))


@post("/meetings/{meeting_id:uuid}/paper", name="meetings.paper")
async def paper(request: Request[Any, Any, Any], meeting_id: FromPath[UUID]) -> Response[Any]:
    """A clerk enters a member's paper ballot (a second clerk confirms it) or confirms one. On an online ballot the
    clerk works from the paper desk and returns to it; at a sitting, from the meeting page."""
    user = await require(request, "meeting.run")
    form = await request.form()
    rt = request.app.state.runtime
    row = await _meeting_or_404(meeting_id)
    confirm = form.get("confirm") == "yes"
    query = str(form.get("q", "")).strip()[:30]

    async def run() -> None:
        try:
            member = UUID(str(form.get("member" if confirm else "resident_id", "")))
        except ValueError:
            raise DomainError("Please choose the member.", "resident_id") from None
        if confirm:
            await meetings.confirm_paper(rt, ctx_for(user, now(), command_id_from(form)), meeting_id, member)
        else:
            ctx = ctx_for(user, now(), command_id_from(form), on_behalf_of=member)
            await meetings.vote(rt, ctx, meeting_id, str(form.get("choice", "")), paper=True)

    saved = _("Paper ballot confirmed: it counts.") if confirm else _("Paper ballot saved; a second clerk confirms it.")
    if not row["online_until"]:
        return await _act(request, meeting_id, run, saved)
    try:
        await run()
    except DomainError as error:
        return await _paper_desk(request, meeting_id, query, error_status(error), paper_error=_(error.message))
    flash(request, saved, "success")
    return redirect(f"/meetings/{meeting_id}/paper" + (f"?{urlencode({'q': query})}" if query else ""))


@get("/meetings/{meeting_id:uuid}/code", name="meetings.code")
async def checkin_code(request: Request[Any, Any, Any], meeting_id: FromPath[UUID]) -> Template:
    """The clerk's screen at the venue: the current check-in code and its QR, refreshed while the page is open."""
    user = await require(request, "meeting.run")
    row = await _meeting_or_404(meeting_id)
    if row["community_id"] != user.community_id:
        raise NotFoundException(_("No such meeting."))
    code = codes.checkin_code(request.app.state.runtime.personal.digest, meeting_id, now())
    url = f"{request.base_url}meetings/{meeting_id}?code={code}"
    qr = segno.make(url, error="m").svg_inline(scale=4, omitsize=True, title=_("Check-in QR code"))
    if request.headers.get("hx-request"):  # the poll: the fragment alone, leaving any flash for the next page
        return Template(template_name="deliberation/_code.html", context={"code": code, "qr": qr})
    return await render(request, "deliberation/code.html", meeting_id=meeting_id, code=code, qr=qr)


@post("/meetings/{meeting_id:uuid}/minutes", name="meetings.minutes")
async def minutes(request: Request[Any, Any, Any], meeting_id: FromPath[UUID]) -> Response[Any]:
    user = await require(request, "meeting.run")
    form = await request.form()
    text = str(form.get("minutes", ""))

    async def run() -> None:
        await meetings.write_minutes(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), meeting_id, text
        )

    return await _act(request, meeting_id, run, _("The minutes are saved."))


@post("/meetings/{meeting_id:uuid}/sign", name="meetings.sign")
async def sign(request: Request[Any, Any, Any], meeting_id: FromPath[UUID]) -> Response[Any]:
    user = await require(request, "meeting.vote")
    form = await request.form()

    async def run() -> None:
        await meetings.sign_off(request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), meeting_id)

    return await _act(request, meeting_id, run, _("You have signed the minutes."))


@get("/meetings/{meeting_id:uuid}/record", name="meetings.record")
async def record(request: Request[Any, Any, Any], meeting_id: FromPath[UUID]) -> Template:
    """The meeting record (会议记录) on A4: result with the rule, attendance, minutes, sign-offs, and a QR code to
    this page with the chain link of the sitting's latest event, so a printed copy can be checked against the log."""
    row = await _meeting_or_404(meeting_id)
    if not row["outcome"]:
        raise NotFoundException(_("The record exists once the result is recorded."))
    user = await current_user(request)
    clerk = user is not None and user.can("resident.read_private", row["community_id"])
    people = [*row["expected"], *(s[0] for s in row["signed"])]
    url = f"{request.base_url}meetings/{meeting_id}/record"
    return await render(
        request,
        "deliberation/record.html",
        meeting=row,
        matter=await views.matter(row["matter_id"]),
        community=await communities.by_id(row["community_id"]),
        names=await (residents.full_names(people) if clerk else residents.masked_names(people)),
        signed=[(who, datetime.fromisoformat(at)) for who, at in row["signed"]],
        chain_link=await chain.link_at(row["position"]),
        url=url,
        qr=segno.make(url, error="m").svg_inline(scale=3, omitsize=True, title=_("QR code of this record")),
        rule=rule_words(views.meeting_rule(row)),
        **labels(),
    )


routes = [
    matter_list,
    matter_page,
    take_up,
    schedule,
    publish,
    resubmit,
    reject,
    raise_objection,
    answer_objection,
    post_progress,
    meeting_page,
    vote,
    check_in,
    ballot,
    paper_desk,
    paper,
    checkin_code,
    minutes,
    sign,
    record,
]
