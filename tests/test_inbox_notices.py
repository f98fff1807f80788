"""Issue 23 item 3, notices for everything that concerns a resident, against the real stores (SQLite, and PostgreSQL
with LINLI_TEST_DATABASE=postgres): each kind reaches whom it concerns once, through the real commands (and the
preferences through their page); a rebuild gives the same rows; the closing reminder of a ballot is recorded once,
for those who have not voted; the opt-in notice of the board only for those who asked; quiet hours hold a push until
they end (the clock given to the round, as the runtime's rounds give it) while the inbox has it at once; an emergency
kind is never held; a kind turned off is not pushed."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from uuid import UUID

import http_ece
import pytest

from backend.deliberation.commands import matters, meetings, proposals
from backend.deliberation.domain.rules import Body
from backend.disclosure import commands as disclosure
from backend.inbox import commands as inbox_commands
from backend.inbox.domain.inbox import inbox_id_for
from backend.inbox.domain.kinds import KINDS
from backend.inbox.domain.preferences import Preferences
from backend.inbox.domain.reminder import Reminder
from backend.inbox.rounds import push_notifications
from backend.inbox.texts import text_of
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.residents import commands as residents
from backend.volunteering import commands as volunteering
from backend.volunteering.domain.activity import ActivityTerms, recurring
from projections.inbox import queries as inbox
from projections.volunteering import queries as shifts
from tests.conftest import NOW
from tests.factories import app_runtime, community, count_topic, grant, sign_in, snapshot
from tests.test_meetings import UP_TO_THREE, resolve
from tests.test_residents_http import form_post
from tests.test_services import FakePushService, phone_keys
from tests.test_volunteering import START

QUIET_NIGHT = NOW + timedelta(hours=6)  # 15:00 UTC: 23:00 in China, in the default quiet hours (22:00–07:00)


def at(place, index: int, when=NOW) -> Ctx:
    return Ctx(place.community_id, place.residents[index], when)


async def kinds(rt, resident_id) -> Counter[str]:
    await rt.projector.wait_for(rt.event_count(), timeout=10)
    return Counter(n["kind"] for n in await inbox.notifications(resident_id, limit=500))


async def rebuilt_equal(rt) -> None:
    await rt.projector.wait_for(rt.event_count(), timeout=10)
    before = await snapshot()
    await rt.projector.stop()
    await rt.projector.reset(["inbox"])
    await rt.projector.catch_up()
    assert await snapshot() == before, "a rebuild of the inbox from zero gives the same rows"


async def test_sittings_ballots_and_a_proposals_steps_reach_those_they_concern_once(runtime):
    """Resident 0 the clerk; 1–3 the party committee (and members); 4 proposes, 5 co-signs, 6 looks on."""
    place = await community(runtime, NOW, residents=7, threshold=1, passwords=False)
    await grant(runtime, place, 0, "clerk", now=NOW)
    for index in (1, 2, 3):
        await grant(runtime, place, index, "party_committee", "party_member", now=NOW)
    made = await proposals.submit(runtime, at(place, 4), "加装电梯", "3栋加装电梯", "other", [])
    proposal_id = UUID(made.result["proposal_id"])
    await proposals.cosign(runtime, at(place, 5), proposal_id)  # the threshold (1): on the agenda
    clerk = at(place, 0)
    matter = await matters.open_matter(runtime, clerk, "加装电梯", "3栋加装电梯", proposal_id)
    matter_id = UUID(matter.result["matter_id"])
    members = place.residents[1:4]
    await resolve(runtime, place, clerk, matter_id, members, UP_TO_THREE)

    for member in members:  # three sittings called, three ballots opened, each once
        got = await kinds(runtime, member)
        assert (got["sitting_called"], got["ballot_opened"]) == (3, 3)
        assert got["role_granted"] == 2, "party committee and party member"
    author, cosigner = await kinds(runtime, place.residents[4]), await kinds(runtime, place.residents[5])
    # the author: on the agenda, taken up, three stages passed; the co-signer took the agenda step themselves
    assert author["proposal_stage"] == 5 and cosigner["proposal_stage"] == 4
    assert not await kinds(runtime, place.residents[6]), "a resident it does not concern hears nothing"
    clerk_kinds = await kinds(runtime, place.residents[0])
    assert "sitting_called" not in clerk_kinds, "whoever took the step is not told of it"
    rows = await inbox.notifications(place.residents[4])
    steps = [json.loads(r["params"]) if isinstance(r["params"], str) else r["params"] for r in rows]
    assert [s["step"] for s in steps if "step" in s][::-1] == ["agenda", "matter", "passed", "passed", "passed"]
    await rebuilt_equal(runtime)


async def test_an_online_ballot_opened_then_a_reminder_once_to_those_who_have_not_voted(runtime):
    place = await community(runtime, NOW, residents=6, threshold=1, passwords=False)
    await grant(runtime, place, 0, "clerk", now=NOW)
    for index in (1, 2, 3):
        await grant(runtime, place, index, "party_committee", "party_member", now=NOW)
    clerk = at(place, 0)
    matter_id = UUID((await matters.open_matter(runtime, clerk, "加装电梯", "3栋加装电梯")).result["matter_id"])
    await resolve(runtime, place, clerk, matter_id, place.residents[1:4], UP_TO_THREE)
    opens = NOW + timedelta(days=11)
    closes = opens + timedelta(days=3)
    ballot = UUID(
        (
            await meetings.schedule(
                runtime, clerk, matter_id, Body.RESIDENTS_MEETING, "网上", opens, "同意加装电梯", place.residents,
                closes,
            )
        ).result["meeting_id"]
    )  # fmt: skip
    await meetings.open_ballot(runtime, at(place, 0, opens), ballot)
    for index in range(1, 6):
        rows = await inbox.notifications(place.residents[index], limit=500)
        assert [r["kind"] for r in rows if r["subject_id"] == ballot] == ["ballot_opened"]
    await meetings.vote(runtime, at(place, 4, opens + timedelta(hours=1)), ballot, "yes")

    assert await push_notifications(runtime, opens + timedelta(days=1)) == []  # two days left: no reminder yet
    for minutes in (0, 1, 30):  # the rounds within the last day: one reminder, recorded once
        await push_notifications(runtime, closes - timedelta(hours=20, minutes=-minutes))
    assert count_topic(runtime, Reminder.Sent) == 1
    reminded = {i for i in range(6) if (await kinds(runtime, place.residents[i]))["ballot_closing"]}
    assert reminded == {0, 1, 2, 3, 5}, "everyone who may vote and has not (resident 4 voted)"
    for index in range(6):
        assert (await kinds(runtime, place.residents[index]))["ballot_closing"] <= 1
    await rebuilt_equal(runtime)


async def test_registration_decisions_and_roles_reach_the_resident(runtime):
    place = await community(runtime, NOW, residents=3, passwords=False)
    await grant(runtime, place, 0, "clerk", now=NOW)
    clerk = at(place, 0)
    pending = []
    for index, phone in enumerate(("13800000001", "13800000002")):
        made = await residents.register(
            runtime, Ctx(place.community_id, None, NOW), f"新居民{index}", phone, place.households[1], "secret123"
        )
        pending.append(UUID(made.result["resident_id"]))
    await residents.verify(runtime, clerk, pending[0])
    await residents.reject(runtime, Ctx(place.community_id, place.residents[0], NOW), pending[1], "房号不对")
    await residents.grant_role(
        runtime, Ctx(place.community_id, place.residents[0], NOW), place.residents[1], "representative"
    )
    await residents.revoke_role(
        runtime, Ctx(place.community_id, place.residents[0], NOW), place.residents[1], "representative", "任期调整"
    )
    assert await kinds(runtime, pending[0]) == Counter({"reg_verified": 1})
    assert await kinds(runtime, pending[1]) == Counter({"reg_rejected": 1})
    assert (await inbox.notifications(pending[1]))[0]["reason"] == "房号不对"
    assert await kinds(runtime, place.residents[1]) == Counter({"role_granted": 1, "role_ended": 1})
    assert "reg_verified" not in await kinds(runtime, place.residents[2]), "registered at the counter: told there"
    await rebuilt_equal(runtime)


async def test_an_objections_answer_and_the_opt_in_notice_of_the_board(runtime):
    """Resident 0 the clerk, 1 the supervisor; 2 objects; 3 opted in to the board's notices; 4 did not."""
    place = await community(runtime, NOW, residents=5, passwords=False)
    await grant(runtime, place, 0, "clerk", now=NOW)
    await grant(runtime, place, 1, "supervisor", now=NOW)
    await inbox_commands.set_preferences(runtime, at(place, 3), Preferences(opted_in=frozenset({"board_notice"})))
    made = await disclosure.draft(runtime, at(place, 0), "affairs", "第四季度居务公开", "活动室改造完成。")
    notice_id = UUID(made.result["notice_id"])
    await disclosure.submit(runtime, at(place, 0), notice_id)
    await disclosure.approve(runtime, at(place, 1), notice_id)
    await disclosure.publish(runtime, at(place, 0), notice_id)
    await disclosure.raise_objection(runtime, at(place, 2), notice_id, "费用明细在哪里？")
    await disclosure.answer(runtime, at(place, 0, NOW + timedelta(days=1)), notice_id, 1, "见财务公开。")

    assert (await kinds(runtime, place.residents[3]))["board_notice"] == 1
    for index in (2, 4):
        assert "board_notice" not in await kinds(runtime, place.residents[index]), "opt-in: absent unless asked"
    assert (await kinds(runtime, place.residents[2]))["objection_answered"] == 1
    row = next(r for r in await inbox.notifications(place.residents[2]) if r["kind"] == "objection_answered")
    _title, text, url = await text_of(row)
    assert url == f"/board/notices/{notice_id}" and "第四季度居务公开" in text
    await rebuilt_equal(runtime)


async def test_a_volunteering_seat_offered_from_the_waitlist(runtime):
    place = await community(runtime, NOW, residents=4, passwords=False)
    await grant(runtime, place, 0, "volunteer_leader", now=NOW)
    leader = at(place, 0)
    team_id = UUID((await volunteering.found_team(runtime, leader, "志愿服务队", "")).result["team_id"])
    terms = ActivityTerms("巡逻", "夜间巡逻", "小区", "safety", "全体居民", offer_hours=12)
    made = await volunteering.create_activity(
        runtime, at(place, 0), team_id, terms, recurring(START, START + timedelta(hours=2), 1), 1
    )
    activity_id = UUID(made.result["activity_id"])
    await volunteering.publish_activity(runtime, at(place, 0), activity_id)
    shift_id = UUID(str((await shifts.shifts_of(activity_id))[0]["id"]))
    await volunteering.sign_up(runtime, at(place, 1), shift_id)
    await volunteering.sign_up(runtime, at(place, 2), shift_id, waitlist=True)
    await volunteering.cancel(runtime, at(place, 1), shift_id)
    assert (await kinds(runtime, place.residents[2]))["shift_offer"] == 1
    row = next(r for r in await inbox.notifications(place.residents[2]) if r["kind"] == "shift_offer")
    assert (await text_of(row))[2] == f"/activities/{activity_id}"
    await volunteering.accept_offer(runtime, at(place, 2), shift_id)
    assert (await kinds(runtime, place.residents[2]))["shift_seated"] == 0, "her own acceptance tells nobody"

    # Without an offer period the freed seat is the first waiting volunteer's at once: she is told so.
    direct = replace(terms, title="打扫楼道", offer_hours=0)
    made = await volunteering.create_activity(
        runtime,
        at(place, 0),
        team_id,
        direct,
        recurring(START + timedelta(days=1), START + timedelta(days=1, hours=2), 1),
        1,
    )
    other = UUID(made.result["activity_id"])
    await volunteering.publish_activity(runtime, at(place, 0), other)
    other_shift = UUID(str((await shifts.shifts_of(other))[0]["id"]))
    await volunteering.sign_up(runtime, at(place, 1), other_shift)
    await volunteering.sign_up(runtime, at(place, 3), other_shift, waitlist=True)
    await volunteering.cancel(runtime, at(place, 1), other_shift)
    assert await kinds(runtime, place.residents[3]) == Counter({"shift_seated": 1})
    await rebuilt_equal(runtime)


async def test_the_preferences_page_saves_the_choices_and_refuses_bad_times(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=1)
    await sign_in(client, place.phones[0])
    page = await client.get("/me/notices")
    assert page.status_code == 200 and 'value="22:00"' in page.text and 'value="07:00"' in page.text
    assert 'name="opt_in" value="board_notice">' in page.text, "the opt-in kind is off until chosen"
    pushed = [k for k in KINDS if k != "cases"]
    fields = {"push": pushed, "opt_in": ["board_notice"], "quiet": "on", "quiet_start": "21:30", "quiet_end": "06:45"}
    saved = await form_post(client, "/me/notices", "/me/notices", fields)
    assert saved.status_code == 303
    prefs = rt.store.repository.get(inbox_id_for(place.residents[0])).preferences  # the views are the app's loop's
    assert prefs == Preferences(frozenset({"cases"}), frozenset({"board_notice"}), 21 * 60 + 30, 6 * 60 + 45)
    again = (await client.get("/me/notices")).text
    assert 'value="21:30"' in again and 'name="opt_in" value="board_notice" checked' in again
    assert 'name="push" value="cases">' in again and 'name="push" value="roles" checked' in again
    before = rt.event_count()
    bad = await form_post(client, "/me/notices", "/me/notices", {**fields, "quiet_start": "25:00"})
    assert bad.status_code == 422 and "00:00" in bad.text
    assert rt.event_count() == before, "bad input changes nothing"
    await client.get("/signout")


async def test_quiet_hours_hold_a_push_until_they_end_an_emergency_is_not_held_and_a_kind_off_is_not_sent(
    runtime, monkeypatch
):
    """Residents 1 and 2 each have a phone; 2 turned roles off. A role given at 23:00 (China) is in both inboxes at
    once; 1's phone gets it at 07:00; 2's never."""
    place = await community(runtime, NOW, residents=3, passwords=False)
    runtime.settings = replace(runtime.settings, push_local=True)
    push = FakePushService()
    phones = {}
    try:
        for index in (1, 2):
            private, p256dh, auth, auth_b64 = phone_keys()
            phones[index] = (private, auth)
            await inbox_commands.subscribe(runtime, at(place, index), f"{push.url}/push/{index}", p256dh, auth_b64)
        await inbox_commands.set_preferences(runtime, at(place, 2), Preferences(push_off=frozenset({"roles"})))
        for index in (1, 2):
            await residents.grant_role(
                runtime, Ctx(place.community_id, None, QUIET_NIGHT), place.residents[index], "representative"
            )
        for index in (1, 2):
            assert (await kinds(runtime, place.residents[index]))["role_granted"] == 1, "in the inbox at once"
        assert await push_notifications(runtime, QUIET_NIGHT + timedelta(minutes=5)) == []
        assert await push_notifications(runtime, QUIET_NIGHT + timedelta(hours=7, minutes=59)) == [], "06:59"
        morning = QUIET_NIGHT + timedelta(hours=8, minutes=1)  # 07:01
        assert len(await push_notifications(runtime, morning)) == 1
        assert await push_notifications(runtime, morning + timedelta(minutes=1)) == [], "pushed at most once"
        assert [path for path, _, _ in push.received] == ["/push/1"]

        # The same at night with the roles kind flagged an emergency (this test's emergency kind): sent at once.
        monkeypatch.setitem(KINDS, "roles", replace(KINDS["roles"], emergency=True))
        night = QUIET_NIGHT + timedelta(days=1)
        await residents.grant_role(runtime, Ctx(place.community_id, None, night), place.residents[1], "supervisor")
        await runtime.projector.wait_for(runtime.event_count(), timeout=10)
        assert len(await push_notifications(runtime, night + timedelta(minutes=1))) == 1
        assert [path for path, _, _ in push.received] == ["/push/1", "/push/1"]
    finally:
        push.close()
    private, auth = phones[1]
    plain = http_ece.decrypt(push.received[-1][2], private_key=private, auth_secret=auth, version="aes128gcm")
    assert json.loads(plain)["url"] == "/me"
    await rebuilt_equal(runtime)  # the pushed marks too: a notice and its push in one batch of a rebuild


async def test_preferences_are_the_residents_own_and_name_known_kinds(runtime):
    place = await community(runtime, NOW, residents=2, passwords=False)
    before = runtime.event_count()
    with pytest.raises(DomainError, match="Unknown kind"):
        await inbox_commands.set_preferences(runtime, at(place, 0), Preferences(push_off=frozenset({"nonsense"})))
    with pytest.raises(DomainError, match="always in the inbox"):
        await inbox_commands.set_preferences(runtime, at(place, 0), Preferences(opted_in=frozenset({"cases"})))
    with pytest.raises(DomainError):
        await inbox_commands.set_preferences(
            runtime, Ctx(place.community_id, None, NOW), Preferences(push_off=frozenset({"cases"}))
        )
    assert runtime.event_count() == before
    done = await inbox_commands.set_preferences(runtime, at(place, 0), Preferences())
    assert done.result["result"] == "", "the defaults again: nothing changed, nothing recorded"
