"""The forms of the certificates, as the API schema describes them (backend.web.act: every field optional, read by
the handler), and reading the street's form into a list item."""

from __future__ import annotations

from typing import Annotated

from backend.kernel.errors import DomainError
from backend.web.act import EMPTY, Day, Form, FormBody, Id, Text, Whole, one_of, text
from backend.workload.domain.certificate_lists import SIDES, ListItem
from backend.workload.domain.certificates import REFUSALS


class AskForm(FormBody):
    code: Text = EMPTY  # a listed certificate's code, or "" for one on neither list
    asked: Text = EMPTY  # the name of one on neither list
    purpose: Text = EMPTY
    resident_id: Id = EMPTY  # at the counter: the resident the clerk asks for


class IssueForm(FormBody):
    valid_until: Day = EMPTY


class RefuseForm(FormBody):
    kind: Annotated[Text, one_of(*REFUSALS)] = EMPTY
    note: Text = EMPTY


class CancelForm(FormBody):
    reason: Text = EMPTY


class ListItemForm(FormBody):
    street: Text = EMPTY
    code: Text = EMPTY
    side: Annotated[Text, one_of(*SIDES)] = EMPTY
    name: Text = EMPTY
    basis: Text = EMPTY
    instead: Text = EMPTY
    purpose: Text = EMPTY
    procedure: Text = EMPTY
    sample: Text = EMPTY
    valid_days: Whole = EMPTY
    effective_from: Day = EMPTY
    rule: Text = EMPTY


class DropItemForm(FormBody):
    street: Text = EMPTY
    code: Text = EMPTY
    effective_from: Day = EMPTY
    rule: Text = EMPTY


ITEM_FIELDS = ("code", "side", "name", "basis", "instead", "purpose", "procedure", "sample", "valid_days")


def item_of(form: Form) -> ListItem:
    days = text(form, "valid_days").strip()
    if days and not (days.isascii() and days.isdigit()):  # "²" is a digit to isdigit(), not to int()
        raise DomainError("It is valid for 1 to 366 days.", "valid_days")
    return ListItem(
        text(form, "code"),
        text(form, "name"),
        text(form, "side"),
        text(form, "basis"),
        text(form, "instead"),
        text(form, "purpose"),
        text(form, "procedure"),
        text(form, "sample"),
        int(days) if days else 0,
    )
