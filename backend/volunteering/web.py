"""Routes of volunteering: activities to browse and sign up for (public to read), the leader's teams, activities
and shift rosters (check-in and check-out, hours), the volunteer's own page (shifts, hours, stars, corrections,
certificates), the certificate's print view and its public verification."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import segno
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from backend.i18n import N_
from backend.i18n import gettext as _
from backend.kernel.codes import checkin_code, checkin_code_valid
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.residents.domain import years_before
from backend.volunteering import commands
from backend.volunteering.domain import CATEGORIES, ActivityTerms, recurring, served_minutes, star_level
from backend.web.auth import User, ctx_for, current_user, require
from backend.web.pages import command_id_from, error_status, flash, found, is_htmx, now, redirect, render, whole_number
from projections import community as communities
from projections import residents
from projections import volunteering as views

ACTIVE = ("seated", "offered", "waitlisted")  # a roster row's statuses that hold a place


def hours(minutes: int) -> str:
    """Minutes as hours with one decimal (志愿服务时长)."""
    return f"{minutes / 60:.1f}"


async def star_thresholds(community_id: object, day: date) -> list[int]:
    """The star levels' hours in force (rulebook)."""
    return [await communities.rule(community_id, name, day) for name in commands.STAR_RULES]


def _uuid(value: object) -> UUID:
    return value if type(value) is UUID else UUID(str(value))  # type: ignore[return-value]


async def _activity_or_404(activity_id: UUID) -> dict[str, Any]:
    return found(await views.activity(activity_id), _("No such activity."))


async def _shift_or_404(shift_id: UUID) -> dict[str, Any]:
    return found(await views.shift(shift_id), _("No such shift."))


async def _leads(user: User | None, team_id: object) -> bool:
    if user is None or not user.can("volunteering.lead"):
        return False
    team = await views.team(team_id)
    return team is not None and str(user.id) in team["leaders"] and team["community_id"] == user.community_id


async def _leader_of(request: Request[Any, Any, Any], team_id: object) -> User:
    user = await require(request, "volunteering.lead")
    if not await _leads(user, team_id):
        raise PermissionDeniedException(_("Only the team's leaders do this."))
    return user


# -- browsing and signing up ------------------------------------------------------------------------------------
@get("/volunteer", name="volunteering.list")
async def activity_list(
    request: Request[Any, Any, Any], category: FromQuery[str] = "", on: FromQuery[str] = ""
) -> Template:
    from backend.deliberation.web import board_community

    place = await board_community(request, None)
    user = await current_user(request)
    day = None
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        on = ""
    led = await views.teams_led_by(place["id"], user.id) if user else []
    today = now().astimezone(LOCAL_ZONE).date()
    thresholds = await star_thresholds(place["id"], today)
    honours = await views.honours(place["id"], today.replace(day=1), thresholds)
    people = [v for v, _ in honours["month"]] + [v for _, v in honours["stars"]]
    rows = await views.activities(
        place["id"], now(), category if category in CATEGORIES else "", day, team_ids=[t["id"] for t in led]
    )
    return await render(
        request,
        "volunteering/list.html",
        community=place,
        activities=rows,
        categories=CATEGORIES,
        category=category,
        on=on,
        honours=honours,
        names=await residents.masked_names(people),
    )


async def _activity_page(
    request: Request[Any, Any, Any], activity_id: UUID, status_code: int = 200, **extra: Any
) -> Template:
    row = await _activity_or_404(activity_id)
    user = await current_user(request)
    leads = await _leads(user, row["team_id"])
    if not row["published"] and not leads:
        raise NotFoundException(_("No such activity."))
    shifts = await views.shifts_of(activity_id)
    mine = await views.statuses([s["id"] for s in shifts], user.id, ACTIVE) if user else {}
    team = await views.team(row["team_id"])
    minors = await _minors(user) if user and row["published"] else []
    return await render(
        request,
        "volunteering/activity.html",
        minors=minors,
        consented=await views.consents(activity_id, [m["id"] for m in minors]),
        status_code=status_code,
        activity=row,
        team=team,
        shifts=shifts,
        mine={k: v["status"] for k, v in mine.items()},
        offers={k: v["offer_until"] for k, v in mine.items() if v["status"] == "offered"},
        may_sign_up=user is not None and user.can("volunteering.sign_up", row["community_id"]),
        leads=leads,
        categories=CATEGORIES,
        started=now(),
        **extra,
    )


async def _minors(user: User) -> list[dict[str, Any]]:
    """The residents of the user's household young enough to need a guardian's consent (none for a minor)."""
    me = await residents.by_id(user.id)
    if not me or not me["household_id"] or not user.can("volunteering.sign_up"):
        return []
    today = now().astimezone(LOCAL_ZONE).date()
    consent_age = await communities.rule(user.community_id, "volunteer_consent_age", today)
    if me["birth_date"] and me["birth_date"] > years_before(today, 18):
        return []
    born_after = years_before(today, consent_age)
    return [m for m in await residents.minors_in_household(me["household_id"], born_after) if m["id"] != user.id]


@get("/activities/{activity_id:uuid}", name="volunteering.activity")
async def activity_page(request: Request[Any, Any, Any], activity_id: FromPath[UUID]) -> Template:
    return await _activity_page(request, activity_id)


async def _on_shift(
    request: Request[Any, Any, Any], shift_id: UUID, run: Any, success: str | Callable[[Any], str]
) -> Response[Any]:
    """Sign up, cancel or accept, then back to the activity; a refusal re-renders it with the reason. `success`: the
    message (to translate), or a function of the command's result giving it."""
    user = await require(request, "volunteering.sign_up")
    shift = await _shift_or_404(shift_id)
    form = await request.form()
    ctx = ctx_for(user, now(), command_id_from(form))
    try:
        done = await run(request.app.state.runtime, ctx, shift, form)
    except DomainError as error:
        return await _activity_page(request, shift["activity_id"], error_status(error), shift_error=_(error.message))
    flash(request, success(done) if callable(success) else _(success), "success")
    return redirect(f"/activities/{shift['activity_id']}#shift-{shift_id}")


@post("/shifts/{shift_id:uuid}/signup", name="volunteering.sign_up")
async def sign_up(request: Request[Any, Any, Any], shift_id: FromPath[UUID]) -> Response[Any]:
    async def run(rt: Any, ctx: Any, shift: dict[str, Any], form: Any) -> Any:
        return await commands.sign_up(rt, ctx, shift_id, waitlist=form.get("waitlist") == "1", row=shift)

    def said(done: Any) -> str:
        return _("You have a seat.") if done.result["status"] == "seated" else _("You are on the waitlist.")

    return await _on_shift(request, shift_id, run, said)


@post("/shifts/{shift_id:uuid}/cancel", name="volunteering.cancel")
async def cancel(request: Request[Any, Any, Any], shift_id: FromPath[UUID]) -> Response[Any]:
    async def run(rt: Any, ctx: Any, shift: dict[str, Any], form: Any) -> Any:
        return await commands.cancel(rt, ctx, shift_id)

    return await _on_shift(request, shift_id, run, N_("You are no longer signed up for this shift."))


@post("/shifts/{shift_id:uuid}/accept", name="volunteering.accept")
async def accept(request: Request[Any, Any, Any], shift_id: FromPath[UUID]) -> Response[Any]:
    async def run(rt: Any, ctx: Any, shift: dict[str, Any], form: Any) -> Any:
        return await commands.accept_offer(rt, ctx, shift_id)

    return await _on_shift(request, shift_id, run, N_("You have a seat."))


@post("/activities/{activity_id:uuid}/consent", name="volunteering.consent")
async def consent(request: Request[Any, Any, Any], activity_id: FromPath[UUID]) -> Response[Any]:
    """A guardian consents to a minor of their household volunteering in this activity."""
    user = await require(request, "volunteering.sign_up")
    await _activity_or_404(activity_id)
    form = await request.form()
    try:
        try:
            minor = UUID(str(form.get("minor_id", "")))
        except ValueError:
            raise DomainError("No such resident.", status=404) from None
        await commands.give_consent(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), activity_id, minor
        )
    except DomainError as error:
        return await _activity_page(request, activity_id, error_status(error), manage_error=_(error.message))
    flash(request, _("Consent given: your child can now sign up for this activity."), "success")
    return redirect(f"/activities/{activity_id}")


# -- the leader's teams and activities ---------------------------------------------------------------------------
@get("/teams", name="volunteering.teams")
async def team_list(request: Request[Any, Any, Any]) -> Template:
    user = await require(request, "volunteering.lead")
    return await render(
        request, "volunteering/teams.html", teams=await views.teams_led_by(user.community_id, user.id), values={}
    )


@post("/teams", name="volunteering.found_team")
async def found_team(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await require(request, "volunteering.lead")
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("name", "description")}
    try:
        done = await commands.found_team(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            values["name"],
            values["description"],
        )
    except DomainError as error:
        return await render(
            request,
            "volunteering/teams.html",
            status_code=error_status(error),
            teams=await views.teams_led_by(user.community_id, user.id),
            values=values,
            team_error=_(error.message),
        )
    return redirect(f"/teams/{done.result['team_id']}")


async def _team_page(request: Request[Any, Any, Any], team_id: UUID, status_code: int = 200, **extra: Any) -> Template:
    user = await _leader_of(request, team_id)
    team = await views.team(team_id)
    today = now().astimezone(LOCAL_ZONE).date()
    leaders = [str(r) for r in await residents.holding(user.community_id, ["volunteer_leader"], today)]
    candidates = [r for r in leaders if r not in team["leaders"]]  # type: ignore[index]
    records = await views.team_records(team_id)
    rows = await views.activities(team["community_id"], now() - timedelta(days=30), published_only=False)  # type: ignore[index]
    return await render(
        request,
        "volunteering/team.html",
        status_code=status_code,
        team=team,
        activities=[a for a in rows if a["team_id"] == team["id"]],  # type: ignore[index]
        requests=[r for r in records if r["request_minutes"] is not None],
        names=await residents.masked_names(str(r["volunteer_id"]) for r in records),
        leader_names=await residents.full_names([*team["leaders"], *candidates]),  # type: ignore[index]
        candidates=candidates,
        categories=CATEGORIES,
        values=extra.pop("values", {"offer_hours": "12", "weeks": "1", "capacity": "10", "min_age": "0"}),
        **extra,
    )


@get("/teams/{team_id:uuid}", name="volunteering.team")
async def team_page(request: Request[Any, Any, Any], team_id: FromPath[UUID]) -> Template:
    return await _team_page(request, team_id)


@post("/teams/{team_id:uuid}/leaders", name="volunteering.add_leader")
async def add_leader(request: Request[Any, Any, Any], team_id: FromPath[UUID]) -> Response[Any]:
    user = await _leader_of(request, team_id)
    form = await request.form()
    try:
        try:
            resident = UUID(str(form.get("resident_id", "")))
        except ValueError:
            raise DomainError("Choose a volunteer leader.", "resident_id") from None
        await commands.add_leader(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), team_id, resident
        )
    except DomainError as error:
        return await _team_page(request, team_id, error_status(error), leader_error=_(error.message))
    flash(request, _("The co-leader is added."), "success")
    return redirect(f"/teams/{team_id}")


FIELDS = (
    "title",
    "description",
    "place",
    "category",
    "beneficiary",
    "min_age",
    "offer_hours",
    "day",
    "start",
    "end",
    "weeks",
    "capacity",
)


def _times(values: dict[str, str]) -> list[tuple[datetime, datetime]]:
    try:
        day = date.fromisoformat(values["day"])
        start, end = time.fromisoformat(values["start"]), time.fromisoformat(values["end"])
    except ValueError:
        raise DomainError("Give the day and the start and end times of the first shift.", "day") from None
    if day > now().astimezone(LOCAL_ZONE).date() + timedelta(days=366):
        raise DomainError("The first shift must be within the coming year.", "day")
    if day.year < 2000:
        raise DomainError("A shift must start in the future.", "day")
    first = datetime.combine(day, start, LOCAL_ZONE).astimezone(UTC)
    # An end at or before the start is on the next day (a night patrol 22:00–02:00).
    last = datetime.combine(day + timedelta(days=int(end <= start)), end, LOCAL_ZONE).astimezone(UTC)
    return recurring(first, last, whole_number(values["weeks"] or "1", "weeks", "Repeat for 1 to 60 weeks."))


@post("/teams/{team_id:uuid}/activities", name="volunteering.create_activity")
async def create_activity(request: Request[Any, Any, Any], team_id: FromPath[UUID]) -> Response[Any]:
    user = await _leader_of(request, team_id)
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in FIELDS}
    values["risky"] = "1" if form.get("risky") == "1" else ""
    try:
        terms = ActivityTerms(
            values["title"],
            values["description"],
            values["place"],
            values["category"],
            values["beneficiary"],
            whole_number(values["min_age"] or "0", "min_age", "The minimum age must be between 0 and 80."),
            values["risky"] == "1",
            whole_number(values["offer_hours"] or "0", "offer_hours", "An offer lasts between 0 and 72 hours."),
        )
        capacity = whole_number(values["capacity"], "capacity", "A shift needs between 1 and 1000 seats.")
        done = await commands.create_activity(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            team_id,
            terms,
            _times(values),
            capacity,
        )
    except DomainError as error:
        return await _team_page(request, team_id, error_status(error), values=values, activity_error=_(error.message))
    flash(request, _("The activity is saved. Publish it when it is ready."), "success")
    return redirect(f"/activities/{done.result['activity_id']}")


async def _manage(request: Request[Any, Any, Any], activity_id: UUID, run: Any, success: str) -> Response[Any]:
    row = await _activity_or_404(activity_id)
    user = await _leader_of(request, row["team_id"])
    form = await request.form()
    try:
        await run(request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), form)
    except DomainError as error:
        return await _activity_page(request, activity_id, error_status(error), manage_error=_(error.message))
    flash(request, _(success), "success")
    return redirect(f"/activities/{activity_id}")


@post("/activities/{activity_id:uuid}/publish", name="volunteering.publish")
async def publish(request: Request[Any, Any, Any], activity_id: FromPath[UUID]) -> Response[Any]:
    async def run(rt: Any, ctx: Any, form: Any) -> None:
        await commands.publish_activity(rt, ctx, activity_id)

    return await _manage(request, activity_id, run, N_("The activity is published; residents can sign up."))


@post("/activities/{activity_id:uuid}/insurance", name="volunteering.insurance")
async def insurance(request: Request[Any, Any, Any], activity_id: FromPath[UUID]) -> Response[Any]:
    async def run(rt: Any, ctx: Any, form: Any) -> None:
        await commands.confirm_insurance(rt, ctx, activity_id, str(form.get("note", "")))

    return await _manage(request, activity_id, run, N_("Insurance confirmed."))


# -- the shift at the venue ------------------------------------------------------------------------------------
async def _roster_page(
    request: Request[Any, Any, Any], shift_id: UUID, status_code: int = 200, **extra: Any
) -> Template:
    shift = await _shift_or_404(shift_id)
    await _leader_of(request, shift["team_id"])
    rows = await views.roster(shift_id)
    return await render(
        request,
        "volunteering/roster.html",
        status_code=status_code,
        shift=shift,
        activity=await views.activity(shift["activity_id"]),
        roster=rows,
        names=await residents.full_names(str(r["volunteer_id"]) for r in rows),
        minutes={str(r["volunteer_id"]): _served(shift, r) for r in rows},
        **extra,
    )


def _served(shift: dict[str, Any], row: dict[str, Any]) -> int:
    if not (row["checked_in_at"] and row["checked_out_at"]):
        return 0
    return served_minutes(row["checked_in_at"], row["checked_out_at"], shift["starts_at"], shift["ends_at"])


@get("/shifts/{shift_id:uuid}", name="volunteering.roster")
async def roster_page(request: Request[Any, Any, Any], shift_id: FromPath[UUID]) -> Template:
    return await _roster_page(request, shift_id)


@get("/shifts/{shift_id:uuid}/code", name="volunteering.code")
async def code_page(request: Request[Any, Any, Any], shift_id: FromPath[UUID]) -> Template:
    """The leader's screen at the venue: the rotating code and its QR, refreshed while the page is open."""
    shift = await _shift_or_404(shift_id)
    await _leader_of(request, shift["team_id"])
    code = checkin_code(request.app.state.runtime.personal.digest, shift_id, now())
    url = f"{request.base_url}shifts/{shift_id}/checkin?code={code}"
    qr = segno.make(url, error="m").svg_inline(scale=4, omitsize=True, title=_("Check-in QR code"))
    if is_htmx(request):  # the poll: the fragment alone, leaving any flash for the next page
        return Template(template_name="volunteering/_code.html", context={"code": code, "qr": qr})
    return await render(request, "volunteering/code.html", shift=shift, code=code, qr=qr)


async def _leader_attendance(request: Request[Any, Any, Any], shift_id: UUID, out: bool) -> Response[Any]:
    shift = await _shift_or_404(shift_id)
    user = await _leader_of(request, shift["team_id"])
    form = await request.form()
    try:
        volunteer = UUID(str(form.get("volunteer_id", "")))
        run = commands.check_out if out else commands.check_in
        await run(request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), shift_id, volunteer, True)
    except ValueError:
        return await _roster_page(request, shift_id, 404, roster_error=_("No such volunteer."))
    except DomainError as error:
        return await _roster_page(request, shift_id, error_status(error), roster_error=_(error.message))
    back = str(form.get("back", ""))
    return redirect(back if back.startswith("/volunteers/") else f"/shifts/{shift_id}")


@post("/shifts/{shift_id:uuid}/roster/checkin", name="volunteering.tick_in")
async def tick_in(request: Request[Any, Any, Any], shift_id: FromPath[UUID]) -> Response[Any]:
    return await _leader_attendance(request, shift_id, out=False)


@post("/shifts/{shift_id:uuid}/roster/checkout", name="volunteering.tick_out")
async def tick_out(request: Request[Any, Any, Any], shift_id: FromPath[UUID]) -> Response[Any]:
    return await _leader_attendance(request, shift_id, out=True)


@post("/shifts/{shift_id:uuid}/hours", name="volunteering.confirm_hours")
async def confirm_hours(request: Request[Any, Any, Any], shift_id: FromPath[UUID]) -> Response[Any]:
    shift = await _shift_or_404(shift_id)
    user = await _leader_of(request, shift["team_id"])
    form = await request.form()
    try:
        volunteer = UUID(str(form.get("volunteer_id", "")))
        await commands.confirm_hours(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), shift_id, volunteer
        )
    except ValueError:
        return await _roster_page(request, shift_id, 404, roster_error=_("No such volunteer."))
    except DomainError as error:
        return await _roster_page(request, shift_id, error_status(error), roster_error=_(error.message))
    flash(request, _("Hours confirmed."), "success")
    return redirect(f"/shifts/{shift_id}")


@get("/volunteers/{volunteer_id:uuid}/scan", name="volunteering.scan")
async def scan(request: Request[Any, Any, Any], volunteer_id: FromPath[UUID]) -> Template:
    """What the leader's phone opens on scanning a volunteer's personal QR code: that volunteer's seats on the
    leader's shifts of today, to check them in or out."""
    user = await require(request, "volunteering.lead")
    volunteer = await residents.by_id(volunteer_id)
    if volunteer is None or volunteer["community_id"] != user.community_id:
        raise NotFoundException(_("No such volunteer."))
    led = {str(t["id"]) for t in await views.teams_led_by(user.community_id, user.id)}
    today = now().astimezone(LOCAL_ZONE).date()
    rows = [
        r
        for r in await views.my_shifts(volunteer_id, now() - timedelta(hours=1))
        if str(r["shift"]["team_id"]) in led
        and r["status"] == "seated"
        and r["shift"]["starts_at"].astimezone(LOCAL_ZONE).date() == today
    ]
    # The full name only to the leader of a shift the volunteer is on today (to tell them apart at the door).
    name = volunteer["name"] if rows else volunteer["name_masked"]
    return await render(request, "volunteering/scan.html", volunteer_id=volunteer_id, name=name, rows=rows)


async def _checkin_page(
    request: Request[Any, Any, Any], user: User, shift: dict[str, Any], code: str, status_code: int = 200, **extra: Any
) -> Template:
    return await render(
        request,
        "volunteering/checkin.html",
        status_code=status_code,
        shift=shift,
        activity=await views.activity(shift["activity_id"]),
        row=(await views.statuses([shift["id"]], user.id)).get(str(shift["id"])),
        code=code[:6],
        **extra,
    )


@get("/shifts/{shift_id:uuid}/checkin", name="volunteering.checkin_form")
async def checkin_form(
    request: Request[Any, Any, Any], shift_id: FromPath[UUID], code: FromQuery[str] = ""
) -> Template:
    """What the rotating code's QR opens on the volunteer's phone (the code filled in)."""
    user = await require(request, "volunteering.sign_up")
    return await _checkin_page(request, user, await _shift_or_404(shift_id), code)


@post("/shifts/{shift_id:uuid}/checkin", name="volunteering.check_in")
async def check_in(request: Request[Any, Any, Any], shift_id: FromPath[UUID]) -> Response[Any]:
    user = await require(request, "volunteering.sign_up")
    shift = await _shift_or_404(shift_id)
    form = await request.form()
    rt = request.app.state.runtime
    code = str(form.get("code", ""))
    try:
        if not checkin_code_valid(rt.personal.digest, shift_id, code, now()):
            raise DomainError("That code is not the one on the leader's screen now (it changes every 30 seconds).")
        await commands.check_in(rt, ctx_for(user, now(), command_id_from(form)), shift_id, user.id, False)
    except DomainError as error:
        return await _checkin_page(request, user, shift, code, error_status(error), checkin_error=_(error.message))
    flash(request, _("You are checked in. Thank you!"), "success")
    return redirect(f"/shifts/{shift_id}/checkin")


@post("/shifts/{shift_id:uuid}/checkout", name="volunteering.check_out")
async def check_out(request: Request[Any, Any, Any], shift_id: FromPath[UUID]) -> Response[Any]:
    user = await require(request, "volunteering.sign_up")
    shift = await _shift_or_404(shift_id)
    form = await request.form()
    try:
        await commands.check_out(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), shift_id, user.id, False
        )
    except DomainError as error:
        return await _checkin_page(request, user, shift, "", error_status(error), checkin_error=_(error.message))
    flash(request, _("You are checked out."), "success")
    return redirect(f"/shifts/{shift_id}/checkin")


# -- the volunteer's own page: hours, stars, corrections, certificates ------------------------------------------
async def _mine_page(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Template:
    user = await require(request, "volunteering.sign_up")
    records = await views.records_of(user.id)
    total = sum(r["minutes"] for r in records)
    by_year: dict[int, int] = defaultdict(int)
    for r in records:
        by_year[r["served_on"].year] += r["minutes"]
    today = now().astimezone(LOCAL_ZONE).date()
    thresholds = await star_thresholds(user.community_id, today)
    teams = {str(r["team_id"]) for r in records}
    qr = segno.make(f"{request.base_url}volunteers/{user.id}/scan", error="m").svg_inline(
        scale=4, title=_("My volunteer code")
    )
    shifts = await views.my_shifts(user.id, now())
    return await render(
        request,
        "volunteering/mine.html",
        status_code=status_code,
        shifts=shifts,
        helpers=await residents.masked_names(str(r["assisted_by"]) for r in shifts if r["assisted_by"]),
        records=records,
        entries=await views.entries([r["id"] for r in records]),
        total=total,
        by_year=sorted(by_year.items(), reverse=True),
        stars=star_level(total, thresholds),
        next_star=next((t for t in thresholds if total < t * 60), None),
        teams=[await views.team(t) for t in sorted(teams)],
        certificates=await views.certificates_of(user.id),
        qr=qr,
        in_honours=await views.shows_in_honours(user.id),
        values=extra.pop("values", {}),
        **extra,
    )


@get("/me/volunteering", name="volunteering.mine")
async def mine(request: Request[Any, Any, Any]) -> Template:
    return await _mine_page(request)


@post("/me/volunteering/honours", name="volunteering.honours")
async def honours_choice(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await require(request, "volunteering.sign_up")
    form = await request.form()
    try:
        await commands.choose_honours(
            request.app.state.runtime, ctx_for(user, now(), command_id_from(form)), form.get("show") == "1"
        )
    except DomainError as error:
        return await _mine_page(request, error_status(error), honours_error=_(error.message))
    flash(request, _("Your choice is saved."), "success")
    return redirect("/me/volunteering")


def _minutes(form: Any) -> int:
    return round(float(str(form.get("hours", "")).strip()) * 60)


@post("/hours/{record_id:uuid}/correction", name="volunteering.request_correction")
async def request_correction(request: Request[Any, Any, Any], record_id: FromPath[UUID]) -> Response[Any]:
    user = await require(request, "volunteering.sign_up")
    form = await request.form()
    try:
        try:
            minutes = _minutes(form)
        except (ValueError, OverflowError):  # "abc", "nan", "1e999"
            raise DomainError("Give the hours as a number, e.g. 2.5.", "hours") from None
        await commands.request_correction(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            record_id,
            minutes,
            str(form.get("reason", "")),
        )
    except DomainError as error:
        return await _mine_page(request, error_status(error), correction_error=_(error.message))
    flash(request, _("Your request is with the team leader."), "success")
    return redirect("/me/volunteering")


@post("/hours/{record_id:uuid}/decide", name="volunteering.decide_correction")
async def decide_correction(request: Request[Any, Any, Any], record_id: FromPath[UUID]) -> Response[Any]:
    record = found(await views.record(record_id), _("No such hours record."))
    user = await _leader_of(request, record["team_id"])
    form = await request.form()
    try:
        await commands.decide_correction(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            record_id,
            form.get("decision") == "approve",
            str(form.get("reason", "")),
        )
    except DomainError as error:
        return await _team_page(request, record["team_id"], error_status(error), decide_error=_(error.message))
    flash(request, _("The correction is decided."), "success")
    return redirect(f"/teams/{record['team_id']}")


@post("/certificates", name="volunteering.request_certificate")
async def request_certificate(request: Request[Any, Any, Any]) -> Response[Any]:
    user = await require(request, "volunteering.sign_up")
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("team_id", "period_from", "period_to")}
    try:
        try:
            team_id = UUID(values["team_id"])
            start, end = date.fromisoformat(values["period_from"]), date.fromisoformat(values["period_to"])
        except ValueError:
            raise DomainError("Choose the team and the period.", "period_from") from None
        records = [r["id"] for r in await views.records_of(user.id) if str(r["team_id"]) == str(team_id)]
        done = await commands.issue_certificate(
            request.app.state.runtime,
            ctx_for(user, now(), command_id_from(form)),
            team_id,
            [_uuid(r) for r in records],
            start,
            end,
        )
    except DomainError as error:
        return await _mine_page(request, error_status(error), certificate_error=_(error.message), values=values)
    return redirect(f"/certificates/{done.result['certificate_id']}")


@get("/certificates/{certificate_id:uuid}", name="volunteering.certificate")
async def certificate_page(request: Request[Any, Any, Any], certificate_id: FromPath[UUID]) -> Template:
    """The print view (A4) for the volunteer and the team's leaders, with a QR code to the public verification."""
    user = await require(request, "volunteering.sign_up")
    row = await views.certificate(certificate_id)
    if row is None or not (row["volunteer_id"] == user.id or await _leads(user, row["team_id"])):
        raise NotFoundException(_("No such certificate."))
    url = f"{request.base_url}verify/certificates/{row['number']}"
    return await render(
        request,
        "volunteering/certificate.html",
        certificate=row,
        team=await views.team(row["team_id"]),
        name=(await residents.full_names([str(row["volunteer_id"])])).get(str(row["volunteer_id"]), ""),
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
    row = await views.certificate_by_number(number.strip().upper())
    name = ""
    if row is not None:
        name = (await residents.masked_names([str(row["volunteer_id"])])).get(str(row["volunteer_id"]), "")
    return await render(
        request,
        "volunteering/verify.html",
        status_code=200 if row else 404,
        certificate=row,
        team=await views.team(row["team_id"]) if row else None,
        name=name,
        number=number,
    )


routes = [
    activity_list,
    activity_page,
    sign_up,
    cancel,
    accept,
    consent,
    team_list,
    found_team,
    team_page,
    add_leader,
    create_activity,
    publish,
    insurance,
    roster_page,
    code_page,
    tick_in,
    tick_out,
    confirm_hours,
    scan,
    checkin_form,
    check_in,
    check_out,
    mine,
    honours_choice,
    request_correction,
    decide_correction,
    request_certificate,
    certificate_page,
    verify_form,
    verify,
]
