"""The Inbox aggregate's preference events under any sequence of choices (hypothesis): an accepted choice is what the
inbox holds after, and an event is recorded only when something changed; a refused one (an unknown kind, opting in to
a kind that is always in the inbox, a time that is no time of day, someone else choosing) records nothing and changes
nothing; the events replayed give the same preferences. And quiet hours: a push is held until they end, never longer
than a day, never in them, and an emergency is never held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.inbox.domain.inbox import Inbox
from backend.inbox.domain.kinds import KINDS, opt_in_kinds
from backend.inbox.domain.preferences import DEFAULT, Preferences
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE

COMMUNITY = UUID(int=7)
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
NAMES = [*sorted(KINDS), "nonsense", "Bad Name"]

choices = st.builds(
    Preferences,
    push_off=st.frozensets(st.sampled_from(NAMES), max_size=4),
    opted_in=st.frozensets(st.sampled_from(NAMES), max_size=2),
    quiet_start=st.integers(-5, 24 * 60 + 5),
    quiet_end=st.integers(-5, 24 * 60 + 5),
)


def valid(prefs: Preferences) -> bool:
    return (
        prefs.push_off | prefs.opted_in <= set(KINDS)
        and prefs.opted_in <= opt_in_kinds()
        and all(0 <= m < 24 * 60 for m in (prefs.quiet_start, prefs.quiet_end))
    )


@settings(max_examples=200, deadline=None)
@given(steps=st.lists(st.tuples(choices, st.booleans()), max_size=12))
def test_any_sequence_of_choices_keeps_the_last_accepted_one_and_replays_to_it(steps) -> None:
    resident = uuid4()
    own = Ctx(COMMUNITY, resident, NOW)
    inbox = Inbox.open(own, resident)
    expected = DEFAULT
    recorded = 0
    for prefs, by_someone_else in steps:
        ctx = Ctx(COMMUNITY, uuid4(), NOW) if by_someone_else else own
        before = len(inbox.pending_events)
        try:
            changed = inbox.set_preferences(ctx, prefs, frozenset(KINDS), opt_in_kinds())
        except DomainError:
            assert by_someone_else or not valid(prefs)
            assert len(inbox.pending_events) == before, "a refused choice records nothing"
            assert inbox.preferences == expected
            continue
        assert not by_someone_else and valid(prefs)
        assert changed == (prefs != expected)
        assert len(inbox.pending_events) == before + int(changed), "an event only when something changed"
        recorded += int(changed)
        expected = prefs
        assert inbox.preferences == expected
    events = inbox.collect_events()
    assert sum(isinstance(e, Inbox.PreferencesSet) for e in events) == recorded
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)
    assert replayed is not None and replayed.preferences == expected
    assert all(e.actor_id == resident for e in events), "every event names its actor: the resident"


@settings(max_examples=300, deadline=None)
@given(
    start=st.integers(0, 24 * 60 - 1),
    end=st.integers(0, 24 * 60 - 1),
    minutes=st.integers(0, 14 * 24 * 60),
    emergency=st.booleans(),
)
def test_a_push_is_due_at_once_or_when_the_quiet_hours_end(start, end, minutes, emergency) -> None:
    prefs = Preferences(quiet_start=start, quiet_end=end)
    made = NOW + timedelta(minutes=minutes)
    due = prefs.due_at(made, LOCAL_ZONE, emergency)
    local = made.astimezone(LOCAL_ZONE)
    quiet_then = prefs.quiet_at(local.hour * 60 + local.minute)
    if emergency or not quiet_then:
        assert due == made
        return
    assert made < due <= made + timedelta(days=1), "held, but never longer than a day"
    due_local = due.astimezone(LOCAL_ZONE)
    assert due_local.hour * 60 + due_local.minute == end and not prefs.quiet_at(end), "released as they end"
    assert all(
        prefs.quiet_at((made + timedelta(minutes=m)).astimezone(LOCAL_ZONE).hour * 60
                       + (made + timedelta(minutes=m)).astimezone(LOCAL_ZONE).minute)
        for m in range(0, int((due - made).total_seconds() // 60), 17)
    ), "never released inside them"  # fmt: skip


def test_the_defaults_are_22_to_7_and_hold_a_push_made_at_23_until_7() -> None:
    assert (DEFAULT.quiet_start, DEFAULT.quiet_end) == (22 * 60, 7 * 60)
    made = datetime(2026, 11, 1, 23, 30, tzinfo=LOCAL_ZONE)
    assert DEFAULT.due_at(made, LOCAL_ZONE) == datetime(2026, 11, 2, 7, 0, tzinfo=LOCAL_ZONE)
    assert DEFAULT.due_at(made, LOCAL_ZONE, emergency=True) == made
    noon = datetime(2026, 11, 1, 12, 0, tzinfo=LOCAL_ZONE)
    assert DEFAULT.due_at(noon, LOCAL_ZONE) == noon
