"""A proposal gets an answer (issue 22): one that has not reached the agenda within the rulebook's
`proposal_answer_days` is owed the committee's written answer — taken up as a matter, answered, merged or turned into
a request (诉求) — shown on the proposal, and marked overdue (on it, on the board, on the committee's desk) until
then. Real stores, through the commands and through HTTP."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from backend.casework.commands.cases import NewCase, case_id_for, new_case
from backend.casework.domain.case import Case
from backend.community import commands as community_commands
from backend.deliberation.commands import answers, matters, proposals
from backend.deliberation.commands.matters import matter_id_for
from backend.deliberation.domain.matter import Matter
from backend.deliberation.domain.proposal import Proposal, answer_overdue
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from projections.deliberation import queries
from tests.conftest import NOW
from tests.factories import Place, app_runtime, community, count_topic, grant, sign_in
from tests.test_residents_http import form_post, settle

TODAY = datetime.now(LOCAL_ZONE).date()


async def _place(rt, threshold: int = 5) -> Place:
    place = await community(rt, NOW, residents=5, threshold=threshold, passwords=False)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "party_committee", now=NOW)
    return place


async def _submit(rt, place: Place, when: datetime = NOW, author: int = 4, title: str = "修路") -> UUID:
    done = await proposals.submit(
        rt, Ctx(place.community_id, place.residents[author], when), title, "坑洼", "other", []
    )
    return UUID(done.result["proposal_id"])


async def _refused(rt, call, words: str, status: int) -> None:
    before = rt.event_count()
    with pytest.raises(DomainError) as refused:
        await call
    assert words in refused.value.message and refused.value.status == status, (
        refused.value.message,
        refused.value.status,
    )
    assert rt.event_count() == before, "a refused answer writes nothing"


def _case(category: str, text: str = "楼道灯坏了"):
    draft = NewCase(category=category, text=text, public=True)
    return lambda app, ctx: new_case(app, ctx, case_id_for(ctx), draft)


# -- the due day ---------------------------------------------------------------------------------------------------
async def test_the_answer_is_due_by_the_rule_in_force_when_the_proposal_was_submitted(runtime):
    place = await _place(runtime)
    founder = Ctx(place.community_id, None, NOW)
    await community_commands.set_rule(runtime, founder, "proposal_answer_days", 7, NOW.date() + timedelta(days=10))
    before = await _submit(runtime, place)  # the default (15 days) is still in force
    later = NOW + timedelta(days=12)
    after = await _submit(runtime, place, later)
    assert runtime.store.repository.get(before).answer_due == NOW.date() + timedelta(days=15)
    assert runtime.store.repository.get(after).answer_due == later.date() + timedelta(days=7)
    await runtime.projector.catch_up()
    rows = await queries.awaiting_answer(place.community_id)
    assert [r["id"] for r in rows] == [before, after], "the soonest due first"
    assert [r["answer_due"] for r in rows] == [NOW.date() + timedelta(days=15), later.date() + timedelta(days=7)]


def test_overdue_means_collecting_unanswered_and_past_the_due_day():
    due = date(2026, 11, 16)
    assert not answer_overdue("collecting", False, due, due), "the due day itself is in time"
    assert answer_overdue("collecting", False, due, due + timedelta(days=1))
    assert not answer_overdue("collecting", True, due, due + timedelta(days=1)), "answered"
    assert not answer_overdue("on_agenda", False, due, due + timedelta(days=1)), "it reached the agenda"
    assert not answer_overdue("withdrawn", False, due, due + timedelta(days=1))


async def test_a_proposal_submitted_before_the_rule_loads_with_the_default_due_day(runtime):
    place = await _place(runtime)
    pid = await _submit(runtime, place)
    event = next(e for e in runtime.store.events.get(pid) if isinstance(e, Proposal.Submitted))
    stored = runtime.store.mapper.to_stored_event(event)
    state = json.loads(stored.state)
    assert state.pop("answer_due")
    old = type(stored)(stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode())
    loaded = runtime.store.mapper.to_domain_event(old)
    assert loaded.answer_due is None
    proposal = loaded.mutate(None)
    assert proposal.answer_due == NOW.astimezone(LOCAL_ZONE).date() + timedelta(days=15)


# -- the answers ---------------------------------------------------------------------------------------------------
async def test_the_committee_answers_once_in_words_and_the_view_shows_it(runtime):
    place = await _place(runtime)
    pid = await _submit(runtime, place)
    clerk = Ctx(place.community_id, place.residents[0], NOW + timedelta(days=20))
    resident = Ctx(place.community_id, place.residents[3], NOW + timedelta(days=20))
    await _refused(runtime, answers.answer(runtime, resident, pid, "answered", "好"), "not allowed", 403)
    await _refused(runtime, answers.answer(runtime, clerk, pid, "answered", "  "), "committee's answer", 400)
    await _refused(runtime, answers.answer(runtime, clerk, pid, "shelved", "好"), "Choose what", 400)
    await runtime.projector.catch_up()
    assert (await queries.proposal(pid))["answer_kind"] == ""
    await answers.answer(runtime, clerk, pid, "answered", "已请物业在月底前修补，费用由维修基金列支。")
    await _refused(
        runtime,
        answers.answer(runtime, replace(clerk, command_id="again"), pid, "answered", "again"),
        "answered this",
        409,
    )
    await runtime.projector.catch_up()
    row = await queries.proposal(pid)
    assert (row["answer_kind"], row["answer_text"], row["answer_target"]) == (
        "answered",
        "已请物业在月底前修补，费用由维修基金列支。",
        None,
    )
    assert row["answered_at"] == clerk.now
    assert not answer_overdue(row["state"], True, row["answer_due"], TODAY)
    assert [h["kind"] for h in await queries.history(pid)] == ["submitted", "answered"]
    assert pid not in [r["id"] for r in await queries.awaiting_answer(place.community_id)]


async def test_merged_into_another_proposal_takes_no_more_cosigns(runtime):
    place = await _place(runtime)
    pid = await _submit(runtime, place)
    other = await _submit(runtime, place, author=3, title="修小区道路")
    withdrawn = await _submit(runtime, place, author=2, title="撤回的")
    await proposals.withdraw(runtime, Ctx(place.community_id, place.residents[2], NOW), withdrawn, "")
    clerk = Ctx(place.community_id, place.residents[1], NOW + timedelta(days=2))  # a party committee member
    await _refused(runtime, answers.answer(runtime, clerk, pid, "merged", "同一件事", pid), "other proposal", 400)
    await _refused(runtime, answers.answer(runtime, clerk, pid, "merged", "同一件事", None), "other proposal", 400)
    await _refused(runtime, answers.answer(runtime, clerk, pid, "merged", "同一件事", withdrawn), "not withdrawn", 400)
    await _refused(runtime, answers.answer(runtime, clerk, withdrawn, "answered", "好"), "withdrawn", 409)
    await answers.answer(runtime, clerk, pid, "merged", "与《修小区道路》是同一件事，请到那里附议。", other)
    signer = Ctx(place.community_id, place.residents[0], NOW + timedelta(days=3))
    await _refused(runtime, proposals.cosign(runtime, signer, pid), "merged into another", 409)
    await proposals.cosign(runtime, signer, other)
    await runtime.projector.catch_up()
    row = await queries.proposal(pid)
    assert (row["answer_kind"], row["answer_target"]) == ("merged", other)


async def test_taken_up_as_a_matter_opens_it_in_the_same_save(runtime):
    place = await _place(runtime)
    pid = await _submit(runtime, place)
    clerk = Ctx(place.community_id, place.residents[0], NOW + timedelta(days=16))
    done = await answers.answer(runtime, clerk, pid, "matter", "", collective_asset=True)
    matter: Matter = runtime.store.repository.get(matter_id_for(pid))
    assert done.result["target_id"] == str(matter.id) and matter.collective_asset
    assert runtime.store.repository.get(pid).answer == ("matter", matter.id)
    await runtime.projector.catch_up()
    assert (await queries.matter(matter.id))["proposal_id"] == pid
    assert (await queries.proposal(pid))["answer_target"] == matter.id


async def test_a_proposal_on_the_agenda_taken_up_records_that_answer(runtime):
    place = await _place(runtime, threshold=1)
    pid = await _submit(runtime, place)
    await proposals.cosign(runtime, Ctx(place.community_id, place.residents[3], NOW), pid)
    await matters.open_matter(runtime, Ctx(place.community_id, place.residents[0], NOW), "修路", "坑洼", pid)
    await runtime.projector.catch_up()
    row = await queries.proposal(pid)
    assert (row["state"], row["answer_kind"], row["answer_target"]) == ("on_agenda", "matter", matter_id_for(pid))


async def test_turned_into_a_request_raises_the_case_for_the_author_in_the_same_save(runtime):
    place = await _place(runtime)
    pid = await _submit(runtime, place)
    clerk = Ctx(place.community_id, place.residents[0], NOW + timedelta(days=3))
    cases = count_topic(runtime, Case.Raised)
    await _refused(
        runtime, answers.answer(runtime, clerk, pid, "case", "转为诉求", None, _case("nonsense")), "matter list", 400
    )
    await _refused(runtime, answers.answer(runtime, clerk, pid, "case", "转为诉求"), "category", 400)
    party = Ctx(place.community_id, place.residents[1], clerk.now)  # may answer, but raises no case for a resident
    await _refused(
        runtime, answers.answer(runtime, party, pid, "case", "转为诉求", None, _case("facilities")), "not allowed", 403
    )
    done = await answers.answer(runtime, clerk, pid, "case", "转为诉求，由网格员跟进。", None, _case("facilities"))
    case: Case = runtime.store.repository.get(UUID(done.result["target_id"]))
    raised = next(iter(runtime.store.events.get(case.id)))
    assert isinstance(raised, Case.Raised) and count_topic(runtime, Case.Raised) == cases + 1
    assert (raised.raiser_id, raised.actor_id, raised.on_behalf_of) == (
        place.residents[4],
        place.residents[0],
        place.residents[4],
    )
    assert raised.authority == "clerk" and raised.category == "facilities"
    assert runtime.store.repository.get(pid).answer == ("case", case.id)


# -- through the pages ---------------------------------------------------------------------------------------------
async def test_the_desk_and_the_proposal_mark_the_overdue_and_the_clerk_answers_there(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=5, threshold=5)
    await grant(rt, place, 0, "clerk", now=NOW)
    late = await _submit(rt, place)  # submitted on NOW: due 15 days later, long past
    fresh = await _submit(rt, place, datetime.now(UTC), author=3, title="加装路灯")
    await settle(rt)

    await sign_in(client, place.phones[3])
    assert (await client.get("/proposals/answers")).status_code == 403
    page = await client.get(f"/proposals/{late}")
    assert "逾期未答复" in page.text and 'action="/proposals/' + str(late) + '/answer"' not in page.text
    assert "逾期未答复" not in (await client.get(f"/proposals/{fresh}")).text
    assert "逾期未答复" in (await client.get("/proposals?community=test")).text

    await client.post("/signout", data={"_csrf_token": client.cookies.get("csrftoken")})
    await sign_in(client, place.phones[0])
    desk = await client.get("/proposals/answers")
    assert desk.status_code == 200
    assert desk.text.index(str(late)) < desk.text.index(str(fresh)), "the overdue head the desk"
    assert "1 件逾期未答复" in desk.text
    before = rt.event_count()
    refused = await form_post(
        client, f"/proposals/{late}", f"/proposals/{late}/answer", {"kind": "answered", "text": ""}
    )
    assert refused.status_code == 422 and "书面答复" in refused.text and rt.event_count() == before
    sent = await form_post(
        client, f"/proposals/{late}", f"/proposals/{late}/answer", {"kind": "answered", "text": "已列入明年修缮计划。"}
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"/proposals/{late}"
    await settle(rt)
    page = await client.get(f"/proposals/{late}")
    assert "已列入明年修缮计划。" in page.text and "逾期未答复" not in page.text
    desk = await client.get("/proposals/answers")
    assert str(late) not in desk.text and str(fresh) in desk.text
    # the fresh one becomes a request (诉求) for its author, linked from the proposal
    turned = await form_post(
        client,
        f"/proposals/{fresh}",
        f"/proposals/{fresh}/answer",
        {"kind": "case", "text": "转为诉求，由网格员跟进。", "category": "facilities"},
    )
    assert turned.status_code == 303
    proposal = rt.store.repository.get(fresh)
    kind, case_id = proposal.answer
    raised = next(iter(rt.store.events.get(case_id)))
    assert kind == "case" and isinstance(raised, Case.Raised) and raised.raiser_id == place.residents[3]
    await settle(rt)
    assert f'href="/cases/{case_id}"' in (await client.get(f"/proposals/{fresh}")).text
