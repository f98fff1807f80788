"""Commands of the tasks a department assigns to a community (准入事项): assign one from an item of the street's list
in force today — anything else is refused and the refusal recorded (未准入, RefusedAttempt), which the command
saves and reports (`refused`) instead of raising, so that the attempt stays in the record; the committee (clerk)
accepts a task and reports it done. A task's and a refusal's events carry the community they were aimed at."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from uuid import UUID, uuid5

from backend.community.reads import load_community
from backend.kernel.context import Ctx
from backend.kernel.errors import DomainError
from backend.kernel.ports import Commands
from backend.kernel.runner import Action, CommandResult
from backend.kernel.store import LinliApp, load_in_community
from backend.residents.reads import authorize
from backend.workload.commands.admission import Steps, acting_department, read_list
from backend.workload.domain.admission import in_force
from backend.workload.domain.tasks import RefusedAttempt, Task, refusal

TASK_NAMESPACE = UUID("0e7c5b1d-93a2-4f64-8b1e-5c2d7a9f3e10")


def task_id_for(command_id: str) -> UUID:
    return uuid5(TASK_NAMESPACE, command_id)


async def assign(
    rt: Commands,
    ctx: Ctx,
    department_id: UUID,
    community_id: UUID,
    code: str,
    title: str,
    deadline: date | None,
    details: str = "",
) -> CommandResult:
    """A task for `community_id` from the listed item `code` (or, with no code, the work `title` names). Admitted:
    {"task_id"}; not: the refusal is recorded and {"refused_id", "reason"} returned. A deadline in the past, a
    community not of the department's street, or someone not acting for it: refused, nothing recorded."""
    key = task_id_for(ctx.command_id)

    def action(app: LinliApp) -> Steps:
        department = acting_department(app, ctx, department_id)
        if load_community(app, community_id).street != department.street:
            raise DomainError("Choose a community of the street.", "community_id")
        if deadline is None:
            raise DomainError("Give the deadline as YYYY-MM-DD.", "deadline")
        if deadline < ctx.today:
            raise DomainError("The deadline cannot be in the past.", "deadline")
        there = replace(ctx, community_id=community_id)
        admission = read_list(app, department.street)
        edits = admission.edits if admission else []
        admitted = in_force(edits, ctx.today)
        why = refusal(admitted, code, department.id, known=any(e.code == code for e in edits))
        if why:
            listed = admitted.get(code) or next((e.item for e in reversed(edits) if e.code == code and e.item), None)
            attempt = RefusedAttempt.record(
                there, key, department.street, department.id, code, listed.title if listed else title, why, deadline
            )
            return [attempt], {"refused_id": str(key), "reason": why}
        task = Task.assign(there, key, department.street, admitted, code, department.id, deadline, details)
        return [task], {"task_id": str(key)}

    return await rt.execute("task.assign", ctx, key, action)


def _on_task(ctx: Ctx, task_id: UUID, change: Callable[[Task], None]) -> Action:
    def action(app: LinliApp) -> Steps:
        authorize(app, ctx, "task.do")
        task = load_in_community(app, ctx, task_id, Task, "No such task.")
        change(task)
        return [task], {"task_id": str(task_id)}

    return action


async def accept(rt: Commands, ctx: Ctx, task_id: UUID) -> CommandResult:
    return await rt.execute("task.accept", ctx, task_id, _on_task(ctx, task_id, lambda task: task.accept(ctx)))


async def complete(rt: Commands, ctx: Ctx, task_id: UUID, note: str) -> CommandResult:
    return await rt.execute(
        "task.complete", ctx, task_id, _on_task(ctx, task_id, lambda task: task.complete(ctx, note))
    )
