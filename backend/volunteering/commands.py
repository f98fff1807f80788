"""Commands of volunteering. Sign-ups, cancellations and offers serialize on the shift (its capacity lives there),
and each saves with the shift the diaries of the volunteers whose place it changed (no two overlapping seats through
sign-ups); hours records are their own aggregates, one per volunteer and shift; certificates are numbered on the
team."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError

from backend.community.reads import load_community
from backend.kernel.authz import may
from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError
from backend.kernel.personal import PersonalData
from backend.kernel.ports import Commands
from backend.kernel.runner import Action, CommandResult
from backend.kernel.store import LinliApp, load_in_community
from backend.kernel.zone import LOCAL_ZONE
from backend.residents.domain.resident import Resident
from backend.residents.reads import acting_for, age_of, authorize
from backend.volunteering.domain.activity import Activity, ActivityTerms
from backend.volunteering.domain.certificate import Certificate
from backend.volunteering.domain.consent import GuardianConsent, consent_id_for
from backend.volunteering.domain.diary import VolunteerDiary, diary_id_for
from backend.volunteering.domain.honours import HonoursChoice, honours_id_for
from backend.volunteering.domain.hours import HoursRecord, record_id_for
from backend.volunteering.domain.shift import Minor, Shift
from backend.volunteering.domain.team import Team

TEAM_NAMESPACE = UUID("6f2e4d1c-8b3a-4c5d-9e6f-1a2b3c4d5e6f")
ACTIVITY_NAMESPACE = UUID("2b4d6f8a-1c3e-4a5b-8d7f-9e0a1b2c3d4e")

Steps = tuple[list[LinliAggregate], dict[str, str]]


def load_team(app: LinliApp, ctx: Ctx, team_id: UUID) -> Team:
    return load_in_community(app, ctx, team_id, Team, "No such team.")


def load_activity(app: LinliApp, ctx: Ctx, activity_id: UUID) -> Activity:
    return load_in_community(app, ctx, activity_id, Activity, "No such activity.")


def load_shift(app: LinliApp, ctx: Ctx, shift_id: UUID) -> Shift:
    return load_in_community(app, ctx, shift_id, Shift, "No such shift.")


def load_record(app: LinliApp, ctx: Ctx, record_id: UUID) -> HoursRecord:
    return load_in_community(app, ctx, record_id, HoursRecord, "No such hours record.")


def load_diary(app: LinliApp, ctx: Ctx, volunteer_id: UUID) -> VolunteerDiary:
    """The volunteer's diary, opened when their place on a shift first changes (for a log written before diaries
    existed: at the first such command after the upgrade)."""
    try:
        return app.repository.get(diary_id_for(volunteer_id))
    except AggregateNotFoundError:
        return VolunteerDiary.open(ctx, volunteer_id)


def diaries_after(
    app: LinliApp, ctx: Ctx, shift: Shift, diaries: dict[UUID, VolunteerDiary] | None = None
) -> list[VolunteerDiary]:
    """The diaries of the volunteers whose place on the shift this command changed, brought in line with the shift
    and saved with it: the one who signed up, cancelled or accepted, and whoever the freed seat or offer moved.
    `diaries`: those the command has loaded already. Only a diary that gained or lost a shift is saved (one just
    opened that holds nothing would say nothing)."""
    found = dict(diaries or {})
    for volunteer in shift.moved():
        diary = found[volunteer] if volunteer in found else load_diary(app, ctx, volunteer)
        found[volunteer] = diary
        shift.enter_in(ctx, diary)
    return [d for d in found.values() if any(not isinstance(e, VolunteerDiary.Opened) for e in d.pending_events)]


async def found_team(rt: Commands, ctx: Ctx, name: str, description: str) -> CommandResult:
    team_id = uuid5(TEAM_NAMESPACE, ctx.command_id)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "volunteering.lead")
        return [Team.found(ctx, team_id, name, description)], {"team_id": str(team_id)}

    return await rt.execute("team.found", ctx, team_id, action)


async def add_leader(rt: Commands, ctx: Ctx, team_id: UUID, resident_id: UUID) -> CommandResult:
    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "volunteering.lead")
        team = load_team(app, ctx, team_id)
        resident: Resident = load_in_community(app, ctx, resident_id, Resident, "No such resident.")
        team.add_leader(ctx, resident_id, may(resident.actor(ctx.today), "volunteering.lead", ctx.community_id))
        return [team], {}

    return await rt.execute("team.add_leader", ctx, team_id, action)


async def create_activity(
    rt: Commands,
    ctx: Ctx,
    team_id: UUID,
    terms: ActivityTerms,
    times: list[tuple[datetime, datetime]],
    capacity: int,
) -> CommandResult:
    activity_id = uuid5(ACTIVITY_NAMESPACE, ctx.command_id)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "volunteering.lead")
        team = load_team(app, ctx, team_id)
        activity, shifts = Activity.create(ctx, activity_id, team, terms, times, capacity)
        return [activity, *shifts], {"activity_id": str(activity_id)}

    return await rt.execute("activity.create", ctx, activity_id, action)


def _manage(ctx: Ctx, activity_id: UUID, change: Callable[[Activity, Team], None]) -> Action:
    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "volunteering.lead")
        activity = load_activity(app, ctx, activity_id)
        change(activity, load_team(app, ctx, activity.team_id))
        return [activity], {}

    return action


async def confirm_insurance(rt: Commands, ctx: Ctx, activity_id: UUID, note: str) -> CommandResult:
    action = _manage(ctx, activity_id, lambda a, t: a.confirm_insurance(ctx, t, note))
    return await rt.execute("activity.insure", ctx, activity_id, action)


async def publish_activity(rt: Commands, ctx: Ctx, activity_id: UUID) -> CommandResult:
    action = _manage(ctx, activity_id, lambda a, t: a.publish(ctx, t))
    return await rt.execute("activity.publish", ctx, activity_id, action)


def sign_up_action(ctx: Ctx, shift_id: UUID, personal: PersonalData, waitlist: bool = False) -> Action:
    volunteer = acting_for(ctx)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "volunteering.sign_up")
        shift = load_shift(app, ctx, shift_id)
        activity = load_in_community(app, ctx, shift.activity_id, Activity, "No such shift.", read_only=True)
        if not activity.published:
            raise DomainError("This activity is not open for sign-up yet.", status=409)
        diary = load_diary(app, ctx, volunteer)
        minor = minor_check(app, ctx, personal, activity, volunteer)
        seated = shift.sign_up(ctx, volunteer, waitlist, minor, diary)
        return [shift, *diaries_after(app, ctx, shift, {volunteer: diary})], {
            "status": "seated" if seated else "waitlisted"
        }

    return action


def minor_check(app: LinliApp, ctx: Ctx, personal: PersonalData, activity: Activity, volunteer: UUID) -> Minor | None:
    """What the shift needs to know of the volunteer's age: nothing when no ID number is on record."""
    age = age_of(app, personal, volunteer, ctx.today)
    if age is None:
        return None
    consent_age = load_community(app, ctx.community_id).rule("volunteer_consent_age", ctx.today)
    try:
        app.repository.get(consent_id_for(activity.id, volunteer))
        consented = True
    except AggregateNotFoundError:
        consented = False
    return Minor(age, activity.min_age, consent_age, consented)


async def sign_up(rt: Commands, ctx: Ctx, shift_id: UUID, waitlist: bool = False) -> CommandResult:
    """A seat, or (when asked) the waitlist. A seat or offer on an overlapping shift is refused: the volunteer's
    diary says, and it is saved with the shift, so two sign-ups at the same instant for overlapping shifts cannot
    both pass (a promotion from a waitlist does not ask; it is entered in the diary all the same)."""
    return await rt.execute("shift.sign_up", ctx, shift_id, sign_up_action(ctx, shift_id, rt.personal, waitlist))


def _on_shift(ctx: Ctx, shift_id: UUID, change: Callable[[Shift], object], right: str) -> Action:
    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, right)
        shift = load_shift(app, ctx, shift_id)
        change(shift)
        return [shift, *diaries_after(app, ctx, shift)], {}

    return action


async def cancel(rt: Commands, ctx: Ctx, shift_id: UUID) -> CommandResult:
    volunteer = acting_for(ctx)
    action = _on_shift(ctx, shift_id, lambda s: s.cancel(ctx, volunteer), "volunteering.sign_up")
    return await rt.execute("shift.cancel", ctx, shift_id, action)


async def accept_offer(rt: Commands, ctx: Ctx, shift_id: UUID) -> CommandResult:
    volunteer = acting_for(ctx)
    action = _on_shift(ctx, shift_id, lambda s: s.accept_offer(ctx, volunteer), "volunteering.sign_up")
    return await rt.execute("shift.accept_offer", ctx, shift_id, action)


async def check_in(rt: Commands, ctx: Ctx, shift_id: UUID, volunteer_id: UUID, by_leader: bool) -> CommandResult:
    """The volunteer with the rotating code (checked by the route), or a leader of the team for them."""
    action = _attendance(
        ctx,
        shift_id,
        volunteer_id,
        by_leader,
        lambda s: s.check_in(ctx, volunteer_id, "leader" if by_leader else "code"),
    )
    return await rt.execute("shift.check_in", ctx, shift_id, action)


async def check_out(rt: Commands, ctx: Ctx, shift_id: UUID, volunteer_id: UUID, by_leader: bool) -> CommandResult:
    action = _attendance(ctx, shift_id, volunteer_id, by_leader, lambda s: s.check_out(ctx, volunteer_id))
    return await rt.execute("shift.check_out", ctx, shift_id, action)


def _attendance(
    ctx: Ctx, shift_id: UUID, volunteer_id: UUID, by_leader: bool, change: Callable[[Shift], None]
) -> Action:
    def action(app: LinliApp) -> Steps:
        shift = load_shift(app, ctx, shift_id)
        if by_leader:
            _leader(app, ctx, shift)
        else:
            authorize(app, ctx, "volunteering.sign_up")
            if volunteer_id != ctx.actor_id:
                raise DomainError("You can only check yourself in or out.", status=403)
        change(shift)
        return [shift], {}

    return action


def _leader(app: LinliApp, ctx: Ctx, shift: Shift) -> Team:
    authorize(app, ctx, "volunteering.lead")
    team = load_team(app, ctx, shift.team_id)
    if not team.led_by(ctx.actor_id):
        raise DomainError("Only the team's leaders do this.", status=403)
    return team


async def keep_shift(rt: Commands, ctx: Ctx, shift_id: UUID) -> CommandResult:
    """The system's rounds: pass on lapsed offers, check out whoever forgot at the shift's end."""
    action = _on_shift(ctx, shift_id, lambda s: s.lapse_offers(ctx) + s.check_out_forgotten(ctx), "volunteering.lead")
    return await rt.execute("shift.keep", ctx, shift_id, action)


async def confirm_hours(rt: Commands, ctx: Ctx, shift_id: UUID, volunteer_id: UUID) -> CommandResult:
    record_id = record_id_for(shift_id, volunteer_id)

    def action(app: LinliApp) -> Steps:
        shift = load_shift(app, ctx, shift_id)
        team = _leader(app, ctx, shift)
        activity = load_activity(app, ctx, shift.activity_id)
        served_on = shift.starts_at.astimezone(LOCAL_ZONE).date()
        record = HoursRecord.confirm(ctx, team, activity, shift, volunteer_id, served_on)
        return [record], {"record_id": str(record_id), "minutes": str(record.total)}

    return await rt.execute("hours.confirm", ctx, record_id, action)


def _on_record(ctx: Ctx, record_id: UUID, right: str, change: Callable[[HoursRecord, LinliApp], None]) -> Action:
    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, right)
        record = load_record(app, ctx, record_id)
        change(record, app)
        return [record], {}

    return action


async def request_correction(rt: Commands, ctx: Ctx, record_id: UUID, minutes: int, reason: str) -> CommandResult:
    def change(record: HoursRecord, app: LinliApp) -> None:
        record.request_correction(ctx, minutes, reason)

    action = _on_record(ctx, record_id, "volunteering.sign_up", change)
    return await rt.execute("hours.request_correction", ctx, record_id, action)


async def decide_correction(rt: Commands, ctx: Ctx, record_id: UUID, approve: bool, reason: str = "") -> CommandResult:
    def change(record: HoursRecord, app: LinliApp) -> None:
        record.decide_request(ctx, load_team(app, ctx, record.team_id), approve, reason)

    action = _on_record(ctx, record_id, "volunteering.lead", change)
    return await rt.execute("hours.decide_correction", ctx, record_id, action)


async def correct_hours(rt: Commands, ctx: Ctx, record_id: UUID, minutes: int, reason: str) -> CommandResult:
    def change(record: HoursRecord, app: LinliApp) -> None:
        record.correct(ctx, load_team(app, ctx, record.team_id), minutes, reason)

    action = _on_record(ctx, record_id, "volunteering.lead", change)
    return await rt.execute("hours.correct", ctx, record_id, action)


async def give_consent(rt: Commands, ctx: Ctx, activity_id: UUID, minor_id: UUID) -> CommandResult:
    """A guardian consents, in the app, to a minor of their household volunteering in this activity."""
    consent_id = consent_id_for(activity_id, minor_id)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "volunteering.sign_up")
        activity = load_activity(app, ctx, activity_id)
        guardian: Resident = load_in_community(app, ctx, ctx.actor_id, Resident, "No such resident.")
        minor: Resident = load_in_community(app, ctx, minor_id, Resident, "No such resident.")
        try:
            app.repository.get(consent_id)
            raise DomainError("Consent is already given.", status=409)
        except AggregateNotFoundError:
            pass
        consent = GuardianConsent.give(
            ctx,
            activity,
            minor_id,
            guardian.household_id == minor.household_id and minor.status == "verified",
            age_of(app, rt.personal, minor_id, ctx.today),
            age_of(app, rt.personal, guardian.id, ctx.today),
            load_community(app, ctx.community_id).rule("volunteer_consent_age", ctx.today),
        )
        return [consent], {}

    return await rt.execute("activity.consent", ctx, consent_id, action)


async def choose_honours(rt: Commands, ctx: Ctx, show: bool) -> CommandResult:
    volunteer = acting_for(ctx)
    choice_id = honours_id_for(volunteer)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "volunteering.sign_up")
        try:
            choice: HonoursChoice = app.repository.get(choice_id)
        except AggregateNotFoundError:
            return [HonoursChoice.choose(ctx, volunteer, show)], {}
        choice.change(ctx, show)
        return [choice], {}

    return await rt.execute("volunteer.honours", ctx, choice_id, action)


async def issue_certificate(
    rt: Commands, ctx: Ctx, team_id: UUID, record_ids: list[UUID], period_from: date, period_to: date
) -> CommandResult:
    """The volunteer asks; the team's records decide. `record_ids` are the volunteer's records as the views list
    them; each is read from the log, so the certificate states what the ledger says."""
    volunteer = acting_for(ctx)

    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "volunteering.sign_up")
        team = load_team(app, ctx, team_id)
        records = [load_record(app, ctx, r) for r in record_ids]
        certificate = Certificate.issue(ctx, team, volunteer, period_from, period_to, records)
        return [team, certificate], {"certificate_id": str(certificate.id), "number": certificate.number}

    return await rt.execute("certificate.issue", ctx, team_id, action)
