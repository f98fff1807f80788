"""居务公开 against the real stores: review before publication, corrections as new versions, objections, the finance
book and its monthly report, the board as of a past moment equal to the projection rebuilt from the log up to
then, verification that names an altered event, and erased residents absent from every notice and export."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from backend.community import commands as community_commands
from backend.disclosure import commands
from backend.disclosure.domain.notice import Notice
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.record.rounds import sign_checkpoints
from projections.chain import queries as chain
from projections.chain.proofs import proof_of
from projections.disclosure import queries as views
from tests.conftest import NOW
from tests.factories import community, count_topic, grant, snapshot
from tests.test_projections import tamper


def without_serial(rows: list[dict]) -> list[dict]:
    """View rows without their serial ids (a replay numbers them afresh)."""
    return [{k: v for k, v in row.items() if k != "id"} for row in rows]


def at(place, index: int, when=NOW) -> Ctx:
    return Ctx(place.community_id, place.residents[index], when)


async def setup(rt, residents: int = 4):
    """Resident 0 is the clerk, 1 a supervisor (居务监督委员会), 2… residents."""
    place = await community(rt, NOW, residents=residents, passwords=False)
    await grant(rt, place, 0, "clerk", now=NOW)
    await grant(rt, place, 1, "supervisor", now=NOW)
    return place


async def published(rt, place, title: str = "2026年第四季度居务公开", when=NOW) -> UUID:
    made = await commands.draft(rt, at(place, 0, when), "affairs", title, "社区活动室改造完成，费用见财务公开。")
    notice_id = UUID(made.result["notice_id"])
    await commands.submit(rt, at(place, 0, when), notice_id)
    await commands.approve(rt, at(place, 1, when), notice_id)
    await commands.publish(rt, at(place, 0, when), notice_id)
    return notice_id


async def test_a_notice_is_reviewed_then_published_and_corrected_only_by_a_new_version(runtime):
    place = await setup(runtime)
    made = await commands.draft(runtime, at(place, 0), "affairs", "活动室开放时间", "每天 8:00–20:00")
    notice_id = UUID(made.result["notice_id"])
    before = runtime.event_count()
    with pytest.raises(DomainError, match="supervisors' approval"):
        await commands.publish(runtime, at(place, 0), notice_id)
    with pytest.raises(DomainError) as refused:
        await commands.approve(runtime, at(place, 2), notice_id)
    assert refused.value.status == 403, "only the supervisors approve"
    assert runtime.event_count() == before
    await commands.submit(runtime, at(place, 0), notice_id)
    await commands.return_draft(runtime, at(place, 1), notice_id, "请注明节假日安排")
    await commands.revise(runtime, at(place, 0), notice_id, "活动室开放时间", "每天 8:00–20:00，节假日 9:00–17:00")
    await commands.submit(runtime, at(place, 0), notice_id)
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    waiting = await views.in_review(place.community_id)
    assert [n["review_due"] for n in waiting] == [NOW.date() + timedelta(days=5)]  # the rulebook's default
    await commands.approve(runtime, at(place, 1), notice_id)
    await commands.publish(runtime, at(place, 0), notice_id)
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    first = (await views.board(place.community_id))[0]
    assert (first["title"], first["version"], first["until"]) == ("活动室开放时间", 1, date(2026, 11, 11))
    assert first["chain_head"] == await chain.link_at(first["position"])

    later = NOW + timedelta(days=2)
    with pytest.raises(DomainError, match="what the correction corrects"):
        await commands.revise(runtime, at(place, 0, later), notice_id, "活动室开放时间", "每天 8:30–20:00")
    await commands.revise(runtime, at(place, 0, later), notice_id, "活动室开放时间", "每天 8:30–20:00", "开门时间有误")
    await commands.submit(runtime, at(place, 0, later), notice_id)
    await commands.approve(runtime, at(place, 1, later), notice_id)
    await commands.publish(runtime, at(place, 0, later), notice_id)
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    history = await views.versions(notice_id)
    assert [(v["version"], v["text"]) for v in history] == [
        (1, "每天 8:00–20:00，节假日 9:00–17:00"),
        (2, "每天 8:30–20:00"),
    ], "the published text of version 1 never changed"
    assert history[0]["superseded_at"] == later and history[1]["correction_reason"] == "开门时间有误"
    assert [r["version"] for r in await views.board(place.community_id)] == [2]


async def test_without_the_rulebook_requiring_review_a_draft_is_published_directly(runtime):
    place = await setup(runtime)
    await community_commands.set_rule(
        runtime, Ctx(place.community_id, None, NOW), "disclosure_review_required", 0, NOW.date()
    )
    made = await commands.draft(runtime, at(place, 0), "party", "党员活动日安排", "每月第一个周六")
    await commands.publish(runtime, at(place, 0), UUID(made.result["notice_id"]))
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    assert [r["title"] for r in await views.board(place.community_id, category="party")] == ["党员活动日安排"]


async def test_objections_during_the_period_are_answered_and_overdue_ones_are_listed(runtime):
    place = await setup(runtime)
    notice_id = await published(runtime, place)
    number = await commands.raise_objection(runtime, at(place, 2), notice_id, "费用明细在哪里？")
    assert number.result["result"] == "1"
    after_period = NOW + timedelta(days=11)
    before = runtime.event_count()
    with pytest.raises(DomainError, match="objections are closed"):
        await commands.raise_objection(runtime, at(place, 3, after_period), notice_id, "太晚了")
    with pytest.raises(DomainError, match="waits for its answer"):
        await commands.raise_objection(runtime, at(place, 2), notice_id, "再问一次")
    assert runtime.event_count() == before
    await commands.raise_objection(runtime, at(place, 3, NOW + timedelta(days=10)), notice_id, "最后一天")
    await commands.answer(runtime, at(place, 0, NOW + timedelta(days=3)), notice_id, 1, "明细见财务公开第 3 项。")
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    rows = await views.objections([notice_id])
    assert [(o["number"], o["answer"]) for o in rows] == [(1, "明细见财务公开第 3 项。"), (2, "")]
    assert [o["number"] for o in await views.open_objections([place.community_id])] == [2]
    assert (await views.answer_days([place.community_id]))[str(place.community_id)] == 3.0


async def test_the_finance_book_reports_a_month_and_corrections_go_into_the_next(runtime):
    place = await setup(runtime)
    october = date(2026, 10, 5)
    await commands.record_entry(
        runtime, at(place, 0), "income", october, 5_000_00, "allocation", "和平街道办事处", False
    )
    await commands.record_entry(runtime, at(place, 0), "expense", october, 1_234_56, "activities", "王建国", True)
    before = runtime.event_count()
    for kind, day, amount, category, message in [
        ("expense", NOW.date() + timedelta(days=1), 100, "office", "future"),
        ("expense", october, 0, "office", "more than zero"),
        ("expense", october, 100_000_000_01, "office", "too large"),
        ("expense", october, 100, "allocation", "category"),
        ("refund", october, 100, "office", "Income or expense"),
    ]:
        with pytest.raises(DomainError, match=message):
            await commands.record_entry(runtime, at(place, 0), kind, day, amount, category, "某商店", False)
    assert runtime.event_count() == before
    report = await commands.report_month(runtime, at(place, 0), "2026-10")
    notice_id = UUID(report.result["notice_id"])
    with pytest.raises(DomainError, match="books are closed"):
        await commands.record_entry(runtime, at(place, 0), "expense", october, 100, "office", "某商店", False)
    with pytest.raises(DomainError, match="reported already"):
        await commands.report_month(runtime, at(place, 0), "2026-10")
    with pytest.raises(DomainError, match="once it is over"):
        await commands.report_month(runtime, at(place, 0), "2026-11")
    await commands.correct_entry(runtime, at(place, 0), 2, 1_034_56, "发票金额录错")
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    notice = await views.notice(notice_id)
    assert notice["kind"] == "finance_report" and notice["period"] == "2026-10" and notice["state"] == "draft"
    assert "5,000.00" in notice["text"] and "1,234.56" in notice["text"] and "3,765.44" in notice["text"]
    entries = await views.entries(place.community_id)
    assert notice["sources"] == [e["position"] for e in entries[:2]], "derived from the month's entries"
    assert [(e["number"], e["dated"], e["amount_fen"], e["corrects"]) for e in entries] == [
        (1, october, 5_000_00, 0),
        (2, october, 1_234_56, 0),
        (3, NOW.date(), -200_00, 2),
    ], "the correction is a new entry, dated the day it was made: it shows in November's report"
    assert entries[1]["counterparty"] == "王*国", "a person is masked in the book itself"


async def test_the_board_as_of_a_moment_equals_the_projection_rebuilt_from_the_log_up_to_then(runtime):
    place = await setup(runtime)
    moments, boards, positions = [], [], []
    first = await published(runtime, place, "第一号公示", NOW)
    for step, when in enumerate((NOW + timedelta(days=1), NOW + timedelta(days=2), NOW + timedelta(days=3))):
        if step == 0:
            await commands.raise_objection(runtime, at(place, 2, when), first, "请说明")
            await published(runtime, place, "第二号公示", when)
        elif step == 1:
            await commands.answer(runtime, at(place, 0, when), first, 1, "已说明")
            await commands.revise(runtime, at(place, 0, when), first, "第一号公示（更正）", "更正后的内容", "笔误")
            await commands.submit(runtime, at(place, 0, when), first)
        else:
            await commands.approve(runtime, at(place, 1, when), first)
            await commands.publish(runtime, at(place, 0, when), first)
        await runtime.projector.wait_for(runtime.event_count(), timeout=10)
        board = await views.board(place.community_id)
        moments.append(when)
        boards.append((board, await views.objections([r["notice_id"] for r in board])))
        positions.append(runtime.event_count())
    travelled = []
    for when, (board, objections) in zip(moments, boards, strict=True):
        as_of = await views.board(place.community_id, when)
        assert as_of == board
        as_of_objections = await views.objections([r["notice_id"] for r in as_of], when)
        assert as_of_objections == objections
        travelled.append((as_of, as_of_objections))
    everything = await snapshot()
    await runtime.projector.stop()
    for position, (as_of, as_of_objections) in zip(positions, travelled, strict=True):
        await runtime.projector.reset(["disclosure"])
        runtime.projector.until = position
        await runtime.projector.catch_up()
        rebuilt = await views.board(place.community_id)
        assert rebuilt == as_of, "the board as of T is the board rebuilt from the log up to T"
        replayed = await views.objections([r["notice_id"] for r in rebuilt])
        assert without_serial(replayed) == without_serial(as_of_objections)
    runtime.projector.until = None
    await runtime.projector.catch_up()
    assert await snapshot() == everything


async def test_an_altered_stored_event_fails_verification_naming_it(runtime, settings):
    place = await setup(runtime)
    notice_id = await published(runtime, place)
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    entry = (await views.versions(notice_id))[0]
    verdict = await chain.verify(runtime.store, stop=entry["position"])
    assert verdict.ok and verdict.head == entry["chain_head"]
    drafted = next(
        n for n in runtime.store.recorder.select_notifications(1, 10_000) if n.topic.endswith("Notice.Drafted")
    )
    tamper(settings, drafted.id)
    verdict = await chain.verify(runtime.store, stop=entry["position"])
    assert not verdict.ok and verdict.first_bad == drafted.id
    assert count_topic(runtime, Notice.Published) == 1


async def test_a_matters_resolution_notice_is_on_the_board_and_counts_for_the_schedule(runtime):
    from backend.deliberation.domain.rules import Stage
    from backend.disclosure.domain.schedule import schedule
    from projections.deliberation import queries as deliberation
    from tests.test_meetings import publish_reviewed, resolve
    from tests.test_meetings import setup as procedure_setup

    place, clerk, matter_id, members = await procedure_setup(runtime)
    await resolve(runtime, place, clerk, matter_id, members)
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    resolved = await deliberation.resolutions(place.community_id)
    assert [(title, notice) for title, _, notice in resolved] == [("加装电梯", None)]
    due = schedule(NOW.date() + timedelta(days=11), NOW.date(), 15, 3, 10, {}, [], resolved)
    assert [(d.kind, d.overdue(NOW.date() + timedelta(days=11))) for d in due if d.kind == "major"] == [("major", True)]
    assert await sign_checkpoints(runtime, NOW)
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    await publish_reviewed(runtime, place, clerk, matter_id, Stage.RESOLUTION_NOTICE, "同意3栋加装电梯。")
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    [entry] = await views.board(place.community_id)
    assert (entry["title"], entry["kind"], entry["category"], entry["text"]) == (
        "加装电梯",
        "resolution",
        "affairs",
        "同意3栋加装电梯。",
    )
    assert entry["chain_head"] == await chain.link_at(entry["position"])
    assert [notice for _, _, notice in await deliberation.resolutions(place.community_id)] == [NOW.date()]
    # Published a minute after the last checkpoint, the ⑤ notice is signed into one at the next round (issue 24).
    assert await sign_checkpoints(runtime, NOW + timedelta(minutes=1))
    await runtime.projector.wait_for(runtime.event_count(), timeout=10)
    assert await proof_of(entry["position"]) is not None
