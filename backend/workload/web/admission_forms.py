"""The forms of the admission list and its tasks, as the API schema describes them (every field optional, read by
the handler), and reading them into command arguments: a field that does not parse is a DomainError on it, shown
with the form like any other refusal."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from backend.web.act import EMPTY, Day, Form, FormBody, Id, Text, day_field, one_of, text, uuid_field
from backend.workload.domain.admission import KINDS, Item
from backend.workload.domain.tasks import Proposal


class ItemForm(FormBody):
    street: Text = EMPTY
    kind: Annotated[Text, one_of(*KINDS)] = EMPTY
    title: Text = EMPTY
    basis: Text = EMPTY
    department_id: Id = EMPTY
    funding: Text = EMPTY
    edit_basis: Text = EMPTY
    effective_from: Day = EMPTY


class RemoveForm(FormBody):
    street: Text = EMPTY
    edit_basis: Text = EMPTY
    effective_from: Day = EMPTY


class DecisionForm(FormBody):
    edit_basis: Text = EMPTY
    effective_from: Day = EMPTY
    reason: Text = EMPTY


class AssignForm(FormBody):
    department_id: Id = EMPTY
    community_id: Id = EMPTY
    code: Text = EMPTY  # a listed item ("" = work not on the list, named in `title`)
    title: Text = EMPTY
    deadline: Day = EMPTY
    details: Text = EMPTY


class ApplyForm(FormBody):
    department_id: Id = EMPTY
    attempt_id: Id = EMPTY
    kind: Annotated[Text, one_of(*KINDS)] = EMPTY
    title: Text = EMPTY
    basis: Text = EMPTY
    funding: Text = EMPTY
    effective_from: Day = EMPTY


class NoteForm(FormBody):
    note: Text = EMPTY


def item_of(form: Form, code: str = "") -> Item:
    department = uuid_field(form, "department_id", "Choose a department of the street.")
    return Item(code, text(form, "kind"), text(form, "title"), text(form, "basis"), department, text(form, "funding"))


def effective_of(form: Form) -> date:
    return day_field(form, "effective_from", "Give the day it takes effect as YYYY-MM-DD.")


def deadline_of(form: Form) -> date:
    return day_field(form, "deadline", "Give the deadline as YYYY-MM-DD.")


def proposal_of(form: Form) -> Proposal:
    return Proposal(
        text(form, "kind"), text(form, "title"), text(form, "basis"), text(form, "funding"), effective_of(form)
    )


def optional_uuid(form: Form, name: str) -> UUID | None:
    try:
        return UUID(text(form, name)) if text(form, name).strip() else None
    except ValueError:
        return None


FIELDS = ("kind", "title", "basis", "department_id", "funding", "edit_basis", "effective_from", "community_id")


def values_of(form: Form) -> dict[str, str]:
    """The form as typed, to show it again when it is refused."""
    return {k: text(form, k) for k in (*FIELDS, "code", "deadline", "details", "reason", "attempt_id")}
