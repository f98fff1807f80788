"""The demo loads into an empty data dir (SQLite or PostgreSQL, whichever the run uses) with casework's part: two
grids with their workers and 楼长, the street's departments with accounts for 城管 and the property company, cases
in every state (one whistled and answered by a department, rated ones, one 不满意 reopened, one overdue, one closed
unrated), two households in care with exactly one visit overdue, a volunteer's visit, and one proposal past its
answer day while another was answered. A second load adds nothing."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.utils import get_topic

from backend.casework.domain.care import CareRecipient
from backend.casework.domain.case import Case
from backend.casework.domain.deadlines import next_deadline
from backend.casework.domain.grid_plan import GridPlan
from backend.casework.domain.rules import State, grid_plan_id_for
from backend.community.domain.community import community_id_for
from backend.deliberation.domain.proposal import Proposal, answer_overdue
from backend.demo import DEMO_CODE, load_demo, phone_for
from backend.kernel.zone import LOCAL_ZONE
from backend.residents.commands import phone_claim_id
from projections.casework import care_queries
from projections.casework.care_tables import CareView, VisitView
from projections.deliberation.tables import ProposalHistory, ProposalView
from tests.factories import snapshot


def _aggregates(rt, created: type) -> list:
    topic, ids, start = get_topic(created), [], 1
    while batch := rt.store.recorder.select_notifications(start, 1000):
        ids += [n.originator_id for n in batch if n.topic == topic]
        start = batch[-1].id + 1
    return [rt.store.repository.get(i) for i in ids]


async def test_the_demo_holds_casework_in_every_state(runtime):
    loaded = await load_demo(runtime)
    assert (loaded["casework_grids"], loaded["casework_departments"], loaded["casework_cases"]) == (2, 5, 13)
    now = datetime.now(LOCAL_ZONE)
    today = now.date()
    community_id = community_id_for(DEMO_CODE)

    plan: GridPlan = runtime.store.repository.get(grid_plan_id_for(community_id))
    assert len(plan.grids) == 2 and all(g.worker_id for g in plan.grids.values())
    assert set(plan.building_grid) == {"1栋", "2栋", "3栋"} and set(plan.heads) == {"1栋", "2栋", "3栋"}
    for index, role in ((41, "department_staff"), (42, "department_staff"), (43, "grid_worker"), (44, "grid_worker")):
        claim = runtime.store.repository.get(phone_claim_id(runtime, phone_for(index)))
        assert role in runtime.store.repository.get(claim.resident_id).roles_on(today), index

    found = _aggregates(runtime, Case.Raised)
    states = {c.state for c in found}
    assert {State.QUEUED, State.ACCEPTED, State.ANSWERED, State.CLOSED, State.MERGED} <= states
    events = {c.id: list(runtime.store.events.get(c.id)) for c in found}
    kinds = {c.id: {type(e).__name__ for e in events[c.id]} for c in found}
    assert any({"Whistled", "ReportedIn"} <= k and "DepartmentAnswered" not in k for k in kinds.values())
    assert any({"DepartmentAnswered", "Answered"} <= k for k in kinds.values())
    assert any("Reopened" in k for k in kinds.values())
    levels = [e.level for es in events.values() for e in es if isinstance(e, Case.Rated)]
    assert {"satisfied", "basically_satisfied", "dissatisfied"} <= set(levels)
    assert any(e.channel == "phone" for es in events.values() for e in es if isinstance(e, Case.Rated))
    closed = [es[-1] for es in events.values() if isinstance(es[-1], Case.Closed)]
    assert any(e.outcome == "unrated" for e in closed) and any(e.outcome == "rated" for e in closed)
    overdue = [c for c in found if c.state in State.OPEN and c.deadlines and next_deadline(c.deadlines)[1] < now]
    assert len(overdue) == 1 and overdue[0].owner_id is not None
    assert any(c.raisers and len(c.raisers) > 1 for c in found), "a neighbour joined, or a duplicate was merged"

    cared = _aggregates(runtime, CareRecipient.Flagged)
    assert len(cared) == 2 and sum(1 for c in cared if c.next_visit_due < today) == 1
    proposals = _aggregates(runtime, Proposal.Submitted)
    assert sum(1 for p in proposals if answer_overdue(p.state, p.answer is not None, p.answer_due, today)) == 1
    assert sum(1 for p in proposals if p.answer is not None) == 1

    await runtime.projector.catch_up()
    positions = await runtime.projector.positions()
    assert positions["casework_care"] == positions["deliberation"] == runtime.event_count()
    rows = await care_queries.care_list(community_id, None)
    assert [care_queries.days_overdue(r, today) > 0 for r in rows] == [True, False], "the overdue visit first"
    volunteer = runtime.store.repository.get(phone_claim_id(runtime, phone_for(12))).resident_id
    assert len(await care_queries.assigned(volunteer)) == 1

    # the views read again from the log are the same (the care rows, the proposals' answers and due days)
    mine = {t.__name__ for t in (CareView, VisitView, ProposalView, ProposalHistory)}
    before = {name: rows for name, rows in (await snapshot()).items() if name in mine}
    await runtime.projector.reset(["casework_care", "deliberation"])
    await runtime.projector.catch_up()
    after = {name: rows for name, rows in (await snapshot()).items() if name in mine}
    assert after == before and len(before["CareView"]) == 2

    assert await load_demo(runtime) == {}, "a data dir that holds events gets no demo"
